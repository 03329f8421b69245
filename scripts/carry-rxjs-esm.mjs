/**
 * The per-module ES build (`dist/esm`) gets the few rxjs classes tracewire
 * uses as one ES2015 module of its own, `dist/esm/vendor/rxjs.js`, and
 * `dist/esm/lib/rx.js` imports them from there instead of from
 * `rxjs/internal/*`. Bundlers take that build (the `module` condition), and
 * Node's and Deno's one-file entries are bundled from it (scripts/bundle-node.mjs,
 * which runs after this): one copy of rxjs's code for every way tracewire loads.
 *
 * Why: a bundler resolves `rxjs/internal/*` through rxjs's exports map, which
 * gives a Node bundle (`node` condition) its CommonJS build and an edge or
 * browser bundle (`default`) its ES5 build: functions and tslib helpers where
 * the ES2015 build has classes. In a one-function handler bundled with esbuild
 * (`--platform=node --minify`, bench/coldstart.js) rxjs's CommonJS modules
 * were 11.4 KB of 122.6; the same classes from the ES2015 build are 5.5 KB.
 * Bytes of code are what a cold start compiles (README, issue 17).
 *
 * The price is a private copy. The pipeline's own Observables are never seen
 * by the app; one it is handed (a frozen Observable, traced through a new
 * one: see traced-observable.ts) is made with the app's own Observable class
 * since 2026-12-07 (its rxjs `config` applies, its Subscriptions are the
 * app's), with this copy's only for an Observable-like of another make. rxjs
 * stays a dependency: tsc's CommonJS build and the type declarations import it.
 *
 * Its classes keep their names: esbuild bundles a class that names itself
 * in its own body as `var Observable = class _Observable` (and the CommonJS
 * build's functions were renamed where they collided: `Observable3`), and an
 * Observable of this copy would not inspect as `Observable`. Each such class is
 * given its name back after its definition (`Object.defineProperty`, which a
 * later bundler's renaming of bindings leaves as it is); esbuild's
 * `keepNames` does it for every function, at 0.7 KB more of every bundle.
 * rxjs's licence (Apache-2.0) ships beside the module, and its notice in it.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const requireHere = createRequire(import.meta.url);
const rxjsRoot = dirname(requireHere.resolve('rxjs/package.json'));
const rxjsVersion = JSON.parse(readFileSync(join(rxjsRoot, 'package.json'), 'utf8')).version;
const facade = 'dist/esm/lib/rx.js';
const vendorDir = 'dist/esm/vendor';

// What lib/rx.ts re-exports at run time (tsc drops the type-only lines): `export { X } from 'rxjs/internal/Y';`.
const source = readFileSync(facade, 'utf8');
const reexport = /^export \{ (\w+) \} from 'rxjs\/internal\/([\w/]+)';$/gm;
const carried = [...source.matchAll(reexport)].map(([, name, module]) => ({ name, module }));
const rest = source.replace(reexport, '').replace(/\/\*\*[\s\S]*?\*\//g, '').trim();
if (carried.length === 0 || /rxjs/.test(rest)) {
  console.error(`${facade}: expected only \`export { X } from 'rxjs/internal/Y'\` lines (see lib/rx.ts); was it written by this script already? Run the whole \`npm run build\`.`);
  process.exit(1);
}

const result = await build({
  stdin: {
    contents: carried.map(({ name, module }) => `export { ${name} } from 'rxjs/internal/${module}';`).join('\n'),
    resolveDir: rxjsRoot,
    loader: 'js',
  },
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  // rxjs's exports map names its ES2015 build by this condition.
  conditions: ['es2015'],
  target: 'es2022',
  legalComments: 'inline',
  banner: { js: `/*! rxjs ${rxjsVersion} (its ES2015 modules Observable, Subscription and what they import) | Apache-2.0, see rxjs-LICENSE.txt beside this file | https://github.com/ReactiveX/rxjs */` },
  logLevel: 'warning',
  write: false,
});
if (result.errors.length > 0 || result.warnings.length > 0) process.exit(1);

/** The text with each `var X = class _X {…}` named `X` again, once all are defined (see the header). */
const namesRestored = (text) => {
  const classes = [...text.matchAll(/^var (\w+) = class _\1\b/gm)].map(([, name]) => name);
  const exported = /^export \{/m.exec(text);
  if (classes.length === 0 || exported === null) throw new Error('dist/esm/vendor/rxjs.js: no class named _X, or no export list, to put names back before');
  const restore = classes.map((name) => `Object.defineProperty(${name}, "name", { value: "${name}", configurable: true });\n`).join('');
  return text.slice(0, exported.index) + restore + text.slice(exported.index);
};

mkdirSync(vendorDir, { recursive: true });
writeFileSync(join(vendorDir, 'rxjs.js'), namesRestored(result.outputFiles[0].text));
copyFileSync(join(rxjsRoot, 'LICENSE.txt'), join(vendorDir, 'rxjs-LICENSE.txt'));
const header = source.match(/^\/\*\*[\s\S]*?\*\//)?.[0] ?? '';
writeFileSync(facade, `${header}\nexport { ${carried.map(({ name }) => name).join(', ')} } from '../vendor/rxjs.js';\n`);
