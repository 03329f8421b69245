import { isFunction } from '../natives.js';
import { hostBuiltin, nodeProcess } from '../lifecycle/host.js';
/**
 * @internal Loading optional peer dependencies (tsyringe, reflect-metadata,
 * `@opentelemetry/otlp-transformer`) the way the importing app would: the
 * app's own copy is the one that counts (a second copy of tsyringe holds a
 * second root container). Where tracewire itself is installed says little
 * about that — it may be hoisted in a monorepo, bundled into the app, or
 * loaded as ESM, which has no `require` — so a peer is looked up, first
 * match wins, from:
 *
 *  1. the app's entry file (`require.main`, else `process.argv[1]`, symlinks
 *     followed as Node does for the main module),
 *  2. the working directory,
 *  3. tracewire's own location (the `require` of the one-file entries: the
 *     CommonJS file's own, and one each ES module file — Node's and Deno's —
 *     makes of its location, scripts/bundle-node.mjs; the per-module ESM
 *     build has no such handle, and an app bundle's `require` shim may throw).
 *
 * Peers are loaded with `require` (they are CommonJS; on Node 20 before
 * 20.19 an ESM-only peer cannot be required at all — `ERR_REQUIRE_ESM`).
 */

type Require = ((id: string) => unknown) & { resolve?(id: string): string; main?: { filename?: string } };

interface NodeModule {
  createRequire(path: string): Require;
}

/** A peer that resolved from none of the places looked in. */
export class PeerNotFoundError extends Error {
  declare readonly peer: string;
  declare readonly searched: readonly string[];

  constructor(peer: string, searched: readonly string[]) {
    super(`cannot find "${peer}" from ${searched.length === 0 ? 'anywhere (this runtime cannot resolve modules)' : searched.join(', ')}`);
    this.peer = peer;
    this.searched = searched;
  }
}

/** tracewire's own `require`, if it has one (see above; a bundler's shim counts: its failures are caught). */
function ownRequire(): Require | undefined {
  return typeof require === 'function' ? (require as Require) : undefined;
}

/**
 * Whether reading `path` needs no permission: anywhere but Deno, and on Deno
 * a path it may read already. Deno in a terminal stops the program at a
 * prompt for a read it was not granted (`--allow-net` alone: the app's own
 * entry file); asking does not prompt.
 */
function mayRead(path: string): boolean {
  const permissions = (globalThis as { Deno?: { permissions?: { querySync?(descriptor: { name: string; path: string }): { state: string } } } }).Deno?.permissions;
  if (permissions === undefined) return true;
  try {
    return permissions.querySync?.({ name: 'read', path }).state === 'granted';
  } catch {
    return false;
  }
}

/** Where to look from, in order: `[label, require]`. */
function requirers(): Array<[string, Require]> {
  // Node's process through a variable: `process.argv` and `process.cwd` are each a build warning in a Next.js edge bundle.
  const host = nodeProcess();
  const nodeModule = hostBuiltin<NodeModule>('node:module');
  const own = ownRequire();
  const out: Array<[string, Require]> = [];
  if (nodeModule !== undefined && host !== undefined) {
    let entry: string | undefined;
    try {
      entry = own?.main?.filename ?? host.argv[1];
    } catch {
      entry = host.argv[1];
    }
    if (entry !== undefined && entry !== '') {
      try {
        if (mayRead(entry)) entry = hostBuiltin<{ realpathSync(path: string): string }>('node:fs')?.realpathSync(entry) ?? entry;
      } catch {
        // Not a file (`node -e`, a REPL): look from where it would be.
      }
      out.push([`the app's entry ${entry}`, nodeModule.createRequire(entry)]);
    }
    const cwd = host.cwd();
    out.push([`the working directory ${cwd}`, nodeModule.createRequire(`${cwd}/package.json`)]);
  }
  if (own !== undefined) out.push(["tracewire's own location", own]);
  return out;
}

/**
 * Loads `peer` from the first place it resolves from (see above). Throws
 * {@link PeerNotFoundError} when it resolves from none; an error thrown
 * while loading a found peer propagates as it is.
 */
export function requirePeer(peer: string): unknown {
  const searched: string[] = [];
  // The file is loaded through tracewire's own require where it is a real one: under a
  // module registry of its own (jest) that is the registry the app's imports go through;
  // in plain Node every require shares one cache anyway.
  const own = ownRequire();
  for (const [label, load] of requirers()) {
    let path: string;
    try {
      path = load.resolve!(peer);
    } catch {
      searched.push(label);
      continue;
    }
    return isFunction(own?.resolve) ? own(path) : load(path);
  }
  throw new PeerNotFoundError(peer, searched);
}
