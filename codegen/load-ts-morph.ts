/** What to tell a user who runs the CLI without its optional peer. */
export const TS_MORPH_MISSING =
  "tracewire instrument needs ts-morph, an optional peer dependency that is not installed.\n" + 'Install it in your project with:  npm i -D ts-morph\n';

/**
 * True when ts-morph can be loaded. The runtime package never imports it;
 * only the CLI does, and only after this check, so a missing peer gives one
 * clear message instead of a module-resolution stack trace.
 */
export function tsMorphAvailable(load: (id: string) => unknown = require): boolean {
  try {
    load('ts-morph');
    return true;
  } catch {
    return false;
  }
}
