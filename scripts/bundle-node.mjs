/**
 * Node's entries as one file each: `dist/tracewire.cjs`, what
 * `require('tracewire')` loads (package.json `main` and the `require`
 * condition), and `dist/tracewire.mjs`, what Node's own `import` loads (the
 * `import` condition); and Deno's, `dist/tracewire-deno.mjs`, the edge
 * entry with set-up from the environment (edge-env.ts) as one file (the `deno` condition). Deno, alone of the edge
 * runtimes, loads a package as it is installed (workerd, Vercel's edge and
 * browsers get it through a bundler, which keeps the per-module build):
 * `import` of the per-module edge build took 28.5 ms there above an empty
 * module, of one file 10.0 ms (bench/coldstart.js, Deno rows, 2026-12-04).
 *
 * Why: tsc's output is ~160 modules, and Node resolves, reads and wraps (or,
 * for ESM, links) each at load. In a fresh process that resolution alone made
 * V8 optimize Node's path functions (`resolve`, `normalizeString`,
 * `Module._nodeModulePaths`: ~10 MB of TurboFan zone, ~20 ms of CPU,
 * `node --turbo-stats`) on the compiler thread the traced code's own
 * optimizations then queued behind; Node's ESM loader took 99.6 ms to load the
 * per-module graph, 32.4 ms to load one file, 19.4 ms once rxjs was carried
 * as well (bench/coldstart.js, the ES module rows, 2026-12-04, 14:00 and
 * 15:21): a serverless function's cold start paid it in every new
 * instance (bench/pipeline.js, fresh sequential rows; bench/coldstart.js, the
 * not-bundled rows). One file costs one resolution.
 *
 * Bundlers targeting Node take `dist/tracewire.mjs` too (the `module`
 * condition names it): what a bundler resolves must be what Node loads, since
 * a build that leaves packages external and copies only the files its bundler
 * resolved (Nitro 2 and 3, nf3) otherwise copied the per-module build and Node
 * then failed to find this file (a report-only probe: every route answered
 * 500). They tree-shake it statement by statement: a one-function handler's
 * esbuild bundle is 215.5 KB against 213.7 from the per-module build. Its
 * `require` of its own location is made from `__filename` where a bundle to
 * CommonJS leaves `import.meta` empty (see OWN_REQUIRE). The edge
 * conditions keep the per-module ESM build (`dist/esm`).
 *
 * Built from the ESM build (`dist/esm`, same code) so modules are hoisted into
 * one scope rather than each wrapped in a function of its own. Packages stay
 * external (the peers tracewire loads from the app's own copy), but for the
 * few rxjs modules it uses, carried (see `carryRxjs`); not minified, so stack
 * traces name tracewire's functions. The ES module files get a `require` of
 * their own location, as the CommonJS file has one: the last place a peer is
 * looked up from (lib/peers/peer-require.ts), where esbuild would otherwise
 * leave a shim that throws.
 *
 * tsc's per-module CommonJS build stays in `dist/` beside them, with the type
 * declarations: benchmarks that reach internal modules load that graph
 * (dist/index.js), never a mix of the two.
 */
import { writeFileSync } from 'node:fs';
import { build } from 'esbuild';

/**
 * Every package stays external (the peers, loaded from the app's own copy)
 * but rxjs: dist/esm already carries the few classes tracewire uses as one
 * module (`dist/esm/vendor/rxjs.js`, written by scripts/carry-rxjs-esm.mjs,
 * which runs before this), bundled here like tracewire's own. Required from
 * the package, rxjs's 16 CommonJS modules were each resolved, read and
 * wrapped at load: 20.0 ms for `require('tracewire')` against 10.4 ms with
 * them carried (median of 8 alternating fresh processes, 2026-12-04), and an
 * `import` had the ES module loader scan each for its export names as well.
 * Any other rxjs import is refused: it would load the package at run time.
 */
const carryRxjs = {
  name: 'carry-rxjs',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path === 'rxjs' || args.path.startsWith('rxjs/')) {
        return { errors: [{ text: `${args.path}: rxjs is carried in dist/esm/vendor/rxjs.js (see lib/rx.ts); run the whole \`npm run build\`` }] };
      }
      return { path: args.path, external: true };
    });
  },
};

/**
 * An ES module file's `require` of its own location (see the header). Bundlers take `dist/tracewire.mjs` too (the
 * `module` condition): bundled into CommonJS, `import.meta` is empty (esbuild) and the bundle's own `__filename` is its
 * location; with neither, no `require`.
 */
const OWN_REQUIRE = `import * as __twNodeModule from 'node:module';
function __twRequireFrom(location) {
  if (location === undefined) return undefined;
  // Read off the namespace, not called as \`createRequire(…)\`: webpack rewrites a createRequire it can see, and made
  // this one undefined in a Node bundle. A bundle to CommonJS makes the namespace of getters (esbuild, rollup, webpack).
  const own = Object.getOwnPropertyDescriptor(__twNodeModule, 'createRequire');
  const make = own === undefined ? undefined : 'value' in own ? own.value : own.get?.call(__twNodeModule);
  return typeof make === 'function' ? make(location) : undefined;
}
// A bundle's own file where it has one (webpack writes the build machine's path into import.meta.url), else this one's.
const require = __twRequireFrom(typeof __filename === 'string' ? __filename : import.meta.url);`;

const common = {
  entryPoints: ['dist/esm/index.js'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  plugins: [carryRxjs],
  legalComments: 'none',
  logLevel: 'warning',
  write: false,
};
const results = await Promise.all([
  build({ ...common, outfile: 'dist/tracewire.cjs', format: 'cjs' }),
  // Deno's: the edge entry as one ES module (see the header).
  build({ ...common, entryPoints: ['dist/esm/edge-env.js'], outfile: 'dist/tracewire-deno.mjs', format: 'esm', platform: 'neutral', banner: { js: OWN_REQUIRE } }),
  build({
    ...common,
    outfile: 'dist/tracewire.mjs',
    format: 'esm',
    banner: { js: OWN_REQUIRE },
    // Bundlers take this file too: rxjs's notice travels with its code into their bundles.
    legalComments: 'inline',
  }),
]);
if (results.some((result) => result.errors.length > 0 || result.warnings.length > 0)) process.exitCode = 1;
// esbuild escapes non-ASCII in strings (charset ascii) but keeps the doc comments of class members as written, and
// one such character makes V8 hold the whole source as two-byte text: 2 bytes per character for the process's life.
// Escaped, a comment reads the same and the source stays one byte per character.
for (const file of results.flatMap((result) => result.outputFiles)) {
  writeFileSync(file.path, file.text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
// The types of Node's `import` (`dist/tracewire.mjs`), as an ES module's declarations: with the CommonJS ones
// (`index.d.ts`, in a package that is not "type": "module"), TypeScript took `import tracewire from 'tracewire'` for
// CommonJS interop and let it compile, and Node then refused it (an ES module has no default export here).
writeFileSync('dist/index.d.mts', "export * from './index.js';\n");
// The same for the edge conditions (workerd, edge-light, worker, deno, browser): each serves an ES module.
writeFileSync('dist/edge.d.mts', "export * from './edge.js';\n");
