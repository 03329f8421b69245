/**
 * The CommonJS entry as one file: `dist/tracewire.cjs`, what `require('tracewire')`
 * loads (package.json `main` and the `require` condition).
 *
 * Why: tsc's CommonJS output is ~160 modules, and Node resolves, reads and
 * wraps each at `require`. In a fresh process that resolution alone made V8
 * optimize Node's path functions (`resolve`, `normalizeString`,
 * `Module._nodeModulePaths`: ~10 MB of TurboFan zone, ~20 ms of CPU,
 * `node --turbo-stats`) on the compiler thread the traced code's own
 * optimizations then queued behind: a serverless function's cold start paid it
 * in every new instance (bench/pipeline.js, fresh sequential rows). One file
 * costs one resolution.
 *
 * Built from the ESM build (`dist/esm`, same code) so modules are hoisted into
 * one scope rather than each wrapped in a function of its own. Packages stay
 * external (rxjs, picomatch, and the peers tracewire loads from the app's own
 * copy); not minified, so stack traces name tracewire's functions.
 *
 * tsc's per-module CommonJS build stays in `dist/` beside it, with the type
 * declarations: benchmarks that reach internal modules load that graph
 * (dist/index.js), never a mix of the two.
 */
import { writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const result = await build({
  entryPoints: ['dist/esm/index.js'],
  outfile: 'dist/tracewire.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  legalComments: 'none',
  logLevel: 'warning',
  write: false,
});
if (result.errors.length > 0 || result.warnings.length > 0) process.exitCode = 1;
// esbuild escapes non-ASCII in strings (charset ascii) but keeps the doc comments of class members as written, and
// one such character makes V8 hold the whole source as two-byte text: 2 bytes per character for the process's life.
// Escaped, a comment reads the same and the source stays one byte per character.
for (const file of result.outputFiles) {
  writeFileSync(file.path, file.text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
