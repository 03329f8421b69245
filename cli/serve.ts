import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The package `tracewire serve` runs: the collector ships apart, so the SDK stays light enough for a serverless bundle. */
export const COLLECTOR_PACKAGE = '@tracewire/collector';
const INSTALL_HINT = `tracewire serve needs the collector, a separate package: npm install --save-dev ${COLLECTOR_PACKAGE}  (then run npx tracewire serve again)\n`;

/**
 * `tracewire serve [flags]`: runs the collector's own command line in this
 * process — the flags, banner and Ctrl-C handling are the collector's, so
 * `tracewire serve` and `tracewire-collector serve` can never drift apart.
 * Without the collector installed, says in one line how to get it (exit 1).
 * Returns `undefined` once the collector runs: the exit code is then its own.
 */
export function serve(args: readonly string[]): number | undefined {
  const bin = findCollectorBin();
  if (bin === undefined) {
    process.stderr.write(INSTALL_HINT);
    return 1;
  }
  // The collector's CLI reads its command line from process.argv, as `tracewire-collector serve …` would have it.
  process.argv = [process.argv[0]!, bin, 'serve', ...args];
  require(bin);
  // Exit code and lifetime are the collector's from here: it sets process.exitCode on a bad flag and runs until stopped.
  return undefined;
}

/** The collector's executable, looked up from the working directory first, then from beside this package (a global or npx install). */
function findCollectorBin(): string | undefined {
  let manifest: string;
  try {
    manifest = require.resolve(`${COLLECTOR_PACKAGE}/package.json`, { paths: [process.cwd(), __dirname] });
  } catch {
    return undefined;
  }
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin?: string | Record<string, string> };
  const file = typeof bin === 'string' ? bin : bin?.['tracewire-collector'];
  return file === undefined ? undefined : join(dirname(manifest), file);
}
