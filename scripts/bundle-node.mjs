/**
 * Node's entries as one file each: `dist/tracewire.cjs`, what
 * `require('tracewire')` loads (package.json `main` and the `require`
 * condition), and `dist/tracewire.mjs`, what Node's own `import` loads (the
 * `import` condition).
 *
 * Why: tsc's output is ~160 modules, and Node resolves, reads and wraps (or,
 * for ESM, links) each at load. In a fresh process that resolution alone made
 * V8 optimize Node's path functions (`resolve`, `normalizeString`,
 * `Module._nodeModulePaths`: ~10 MB of TurboFan zone, ~20 ms of CPU,
 * `node --turbo-stats`) on the compiler thread the traced code's own
 * optimizations then queued behind; Node's ESM loader took 99.6 ms to load the
 * per-module graph, 32.4 ms to load one file (bench/coldstart.js, the ES module
 * row, 2026-12-04): a serverless function's cold start paid it in every new
 * instance (bench/pipeline.js, fresh sequential rows; bench/coldstart.js, the
 * not-bundled rows). One file costs one resolution.
 *
 * Bundlers keep the per-module ESM build (`dist/esm`): the `module` condition,
 * which bundlers match and Node does not, comes before `import` in the exports
 * map, so an app's bundle tree-shakes tracewire module by module as before.
 *
 * Built from the ESM build (`dist/esm`, same code) so modules are hoisted into
 * one scope rather than each wrapped in a function of its own. Packages stay
 * external (rxjs, picomatch, and the peers tracewire loads from the app's own
 * copy); not minified, so stack traces name tracewire's functions. The ES
 * module gets a `require` of its own location, as the CommonJS file has one:
 * the last place a peer is looked up from (lib/peers/peer-require.ts), where
 * esbuild would otherwise leave a shim that throws.
 *
 * tsc's per-module CommonJS build stays in `dist/` beside them, with the type
 * declarations: benchmarks that reach internal modules load that graph
 * (dist/index.js), never a mix of the two.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const requireHere = createRequire(import.meta.url);

/**
 * For the ES module file: a package whose Node build is CommonJS (rxjs: its
 * exports map sends `node` to `dist/cjs`) is loaded with the file's own
 * `require`, as the CommonJS file loads it, not with `import`. The same file
 * either way, so the same module instance as an app's own `import` or
 * `require` of it; but an `import` of CommonJS makes Node's ES module loader
 * scan the module's source for its export names and wrap it as a module of
 * its own: ≈ 4.5 of the 24.5 ms an `import` of tracewire took (median of
 * 8 alternating fresh processes each, 2026-12-04, quiet machine: 19.9 ms).
 * Each such import becomes a module of named constants, read once at load
 * (their names are read off the package at build time), so the bundle's
 * code refers to them as plain variables.
 */
const commonJsPackagesByRequire = {
  name: 'commonjs-packages-by-require',
  setup(build) {
    // Only tracewire's own imports: the `require` in the module made below stays external.
    build.onResolve({ filter: /^rxjs(\/|$)/ }, (args) => (args.kind === 'import-statement' ? { path: args.path, namespace: 'commonjs-package' } : { path: args.path, external: true }));
    build.onLoad({ filter: /.*/, namespace: 'commonjs-package' }, (args) => {
      const names = Object.keys(requireHere(args.path)).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name));
      const from = JSON.stringify(args.path);
      return { contents: `const m = require(${from});\n${names.map((name) => `export const ${name} = m.${name};`).join('\n')}\n`, loader: 'js' };
    });
  },
};

const common = {
  entryPoints: ['dist/esm/index.js'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'external',
  legalComments: 'none',
  logLevel: 'warning',
  write: false,
};
const results = await Promise.all([
  build({ ...common, outfile: 'dist/tracewire.cjs', format: 'cjs' }),
  build({
    ...common,
    outfile: 'dist/tracewire.mjs',
    format: 'esm',
    plugins: [commonJsPackagesByRequire],
    banner: { js: "import { createRequire as __twCreateRequire } from 'node:module';\nconst require = __twCreateRequire(import.meta.url);" },
  }),
]);
if (results.some((result) => result.errors.length > 0 || result.warnings.length > 0)) process.exitCode = 1;
// esbuild escapes non-ASCII in strings (charset ascii) but keeps the doc comments of class members as written, and
// one such character makes V8 hold the whole source as two-byte text: 2 bytes per character for the process's life.
// Escaped, a comment reads the same and the source stays one byte per character.
for (const file of results.flatMap((result) => result.outputFiles)) {
  writeFileSync(file.path, file.text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
