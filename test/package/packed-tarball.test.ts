import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startServe, type ServeProcess } from '../cli/serve-process';
import { installPacked } from '../helpers/packed-project';

/**
 * The packages as users get them: `tracewire` and `@tracewire/collector`
 * packed and installed together into a fresh project (one install serves
 * every test here); tracewire used from CommonJS, from ESM, through a bundler, and from
 * TypeScript compiled by tsc in both decorator modes; `npx tracewire serve`.
 * The project pins its own tsyringe, a different 4.x than tracewire develops
 * against: tsyringe is a peer, so there is one copy and one root container.
 */
const APP_TSYRINGE = '4.8.0';
const repo = resolve(__dirname, '../..');
const tsc = join(repo, 'node_modules/typescript/bin/tsc');
let project: string;

const run = (file: string, args: string[] = []) =>
  execFileSync(process.execPath, [...args, file], { cwd: project, encoding: 'utf8', timeout: 30_000 });

/** A project of {@link tscBuild}: its compiler options and its files' sources, by name. */
interface TscProject {
  compilerOptions: Record<string, unknown>;
  files: Record<string, string>;
}

/**
 * Compiles several projects with one `tsc --build` (one process, the standard library's declarations parsed once: a
 * spawn per configuration cost 1.2 s each, 15 of them in this file). Each project gets a folder of `dir` named as
 * it is, its files written there, so an error names its project. Returns tsc's error lines, sorted; a project with an
 * error emits nothing (`--build` does not emit on error).
 */
function tscBuild(dir: string, projects: Record<string, TscProject>): string[] {
  const configs = Object.entries(projects).map(([name, { compilerOptions, files }]) => {
    mkdirSync(join(dir, name));
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, name, file), text);
    writeFileSync(join(dir, name, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: Object.keys(files) }));
    return join(name, 'tsconfig.json');
  });
  try {
    execFileSync(process.execPath, [tsc, '--build', ...configs], { cwd: dir, encoding: 'utf8' });
    return [];
  } catch (error) {
    const out = (error as { stdout?: string }).stdout;
    if (out === undefined || out === '') throw error;
    return out.split('\n').filter((line) => /error TS\d+/.test(line)).sort();
  }
}

beforeAll(() => {
  const installed = installPacked([repo, join(repo, 'collector')], { tsyringe: APP_TSYRINGE, 'reflect-metadata': '0.2.2' });
  project = installed.dir;
  packedFiles = installed.packedFiles.tracewire!;
  collectorFiles = installed.packedFiles['@tracewire/collector']!;
  tarball = installed.tarballs.tracewire!;
}, 660_000);

let serve: ServeProcess | undefined;
afterAll(async () => {
  await serve?.stop();
  rmSync(project, { recursive: true, force: true });
});

let packedFiles: string[] = [];
let tarball: string;
let collectorFiles: string[] = [];

const consumerBody = (load: string) => `${load}
const exporter = new MemoryExporter();
const client = new TracingClient({ exporter });
setGlobalTracingClient(client);
const add = traceable(function add(a, b) { return a + b; });
const sum = add(2, 3);
client.flush().then(() => console.log(JSON.stringify({ sum, runs: exporter.finishedRuns.map((r) => [r.name, r.outputs]) })));
`;

test('the tarball ships the built entries and types, not sources or tests', () => {
  expect(packedFiles).toEqual(expect.arrayContaining(['dist/tracewire.cjs', 'dist/tracewire.mjs', 'dist/tracewire-deno.mjs', 'dist/esm/index.js', 'dist/index.js', 'dist/index.d.ts', 'package.json', 'README.md']));
  expect(packedFiles.filter((file) => /^(lib|decorators|test)\/|\.ts$/.test(file) && !file.endsWith('.d.ts'))).toEqual([]);
});

test('require("tracewire") works from CommonJS', () => {
  writeFileSync(join(project, 'consumer.cjs'), consumerBody(`const { traceable, TracingClient, MemoryExporter, setGlobalTracingClient } = require('tracewire');`));
  expect(JSON.parse(run('consumer.cjs'))).toEqual({ sum: 5, runs: [['add', { outputs: 5 }]] });
});

test('require("tracewire") loads one file, tracewire\'s, which exports what the per-module build does (the rxjs modules it uses are carried in it)', () => {
  const file = join(project, 'entry-files.cjs');
  writeFileSync(
    file,
    `const path = require('node:path');
const before = new Set(Object.keys(require.cache));
const bundled = require('tracewire');
const loaded = Object.keys(require.cache).filter((f) => !before.has(f));
const own = loaded.filter((f) => f.includes(path.join('node_modules', 'tracewire') + path.sep));
// By path, past the exports map: tsc's per-module CommonJS build, shipped beside the bundle.
const perModule = require(path.join(path.dirname(own[0]), 'index.js'));
console.log(JSON.stringify({ loaded: loaded.map((f) => path.relative(${JSON.stringify(project)}, f)), bundled: Object.keys(bundled).sort(), perModule: Object.keys(perModule).sort() }));
`,
  );
  const { loaded, bundled, perModule } = JSON.parse(run(file)) as { loaded: string[]; bundled: string[]; perModule: string[] };
  expect(loaded).toEqual([join('node_modules', 'tracewire', 'dist', 'tracewire.cjs')]);
  expect(bundled).toEqual(perModule);
  expect(bundled).toEqual(expect.arrayContaining(['traceable', 'Traceable', 'FlushOnExit', 'TracingClient', 'registerTracing']));
});

test('import { … } from "tracewire" works from ESM', () => {
  writeFileSync(join(project, 'consumer.mjs'), consumerBody(`import { traceable, TracingClient, MemoryExporter, setGlobalTracingClient } from 'tracewire';`));
  expect(JSON.parse(run('consumer.mjs'))).toEqual({ sum: 5, runs: [['add', { outputs: 5 }]] });
});

test("Node's import of tracewire loads one file, tracewire's, which exports what the per-module build does (the rxjs modules it uses are carried in it)", () => {
  // Every file Node's ESM loader resolves, written down by a resolve hook as it resolves them.
  const log = join(project, 'resolved.log');
  writeFileSync(log, '');
  writeFileSync(
    join(project, 'log-hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, resolved.url + '\\n');
  return resolved;
}
`,
  );
  writeFileSync(join(project, 'log-register.mjs'), `import { register } from 'node:module';\nregister('./log-hooks.mjs', import.meta.url);\n`);
  writeFileSync(
    join(project, 'entry-files.mjs'),
    `import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const required = createRequire(import.meta.url).cache;
const before = new Set(Object.keys(required));
const bundled = await import('tracewire');
// What the ES module loader resolved (this hook) and what anything required (Node's one module cache).
const resolved = readFileSync(${JSON.stringify(log)}, 'utf8').split('\\n').filter((url) => url.includes('/node_modules/'));
const own = resolved.filter((url) => url.includes('/node_modules/tracewire/'));
const others = [...resolved.filter((url) => !own.includes(url)), ...Object.keys(required).filter((f) => !before.has(f))];
// By path, past the exports map: the per-module ES build, shipped beside the bundle.
const perModule = await import(new URL('esm/index.js', own[0]).href);
console.log(JSON.stringify({ own: own.map((url) => url.slice(url.lastIndexOf('/') + 1)), others, bundled: Object.keys(bundled).sort(), perModule: Object.keys(perModule).sort() }));
`,
  );
  const { own, others, bundled, perModule } = JSON.parse(run('entry-files.mjs', ['--import', './log-register.mjs'])) as { own: string[]; others: string[]; bundled: string[]; perModule: string[] };
  expect(own).toEqual(['tracewire.mjs']);
  expect(others).toEqual([]);
  expect(bundled).toEqual(perModule);
  expect(bundled).toEqual(expect.arrayContaining(['traceable', 'Traceable', 'FlushOnExit', 'TracingClient', 'registerTracing']));
});

/** Classes a bundle names `_X` (see the tests that call it): `var X = class _X` not named `X` again afterwards (as rxjs's carried classes are). */
const misnamedClasses = (bundle: string): string[] =>
  [...bundle.matchAll(/var (\w+) = class _\w+/g)].map((match) => match[1]!).filter((name) => !bundle.includes(`Object.defineProperty(${name}, "name", { value: "${name}"`));

/** Traces an app's own rxjs values: a Subject handed out (the very object), a frozen Observable (traced through a new one). */
const rxjsAppBody = (load: string) => `${load}
const exporter = new MemoryExporter();
const client = new TracingClient({ exporter });
setGlobalTracingClient(client);
const subject = new Subject();
// Bindings named apart from the functions: a bundler renames a function expression that shares its binding's name.
const handOut = traceable(function handOutSubject() { return subject; });
const frozen = traceable(function frozenNumbers() { return Object.freeze(of(1, 2, 3)); });
const same = handOut() === subject;
const pushed = [];
subject.pipe(map((x) => x + 1)).subscribe((x) => pushed.push(x));
subject.next(1);
subject.complete();
const traced = frozen();
lastValueFrom(traced.pipe(map((x) => x * 2), toArray())).then(async (values) => {
  await client.flush();
  console.log(JSON.stringify({ same, pushed, isObservable: isObservable(traced), appsClass: traced instanceof Observable, className: traced.constructor === Observable ? 'the app Observable' : traced.constructor.name, values, runs: exporter.finishedRuns.map((r) => [r.name, r.status]).sort() }));
});
`;

/** What {@link rxjsAppBody} prints, however tracewire is loaded. */
const RXJS_APP_TRACED = {
  same: true,
  pushed: [2],
  isObservable: true,
  // The app's own Observable class, not tracewire's copy of it (since 2026-12-07): the app's rxjs config applies to it
  // (an error in a subscriber goes to its onUnhandledError) and its Subscriptions are the app's.
  appsClass: true,
  className: 'the app Observable',
  values: [2, 4, 6],
  runs: [['frozenNumbers', 'success'], ['handOutSubject', 'success']],
};

test.each([
  ['require', 'cjs', `const { traceable, TracingClient, MemoryExporter, setGlobalTracingClient } = require('tracewire');\nconst { Observable, Subject, isObservable, lastValueFrom, map, of, toArray } = require('rxjs');`],
  ['import', 'mjs', `import { traceable, TracingClient, MemoryExporter, setGlobalTracingClient } from 'tracewire';\nimport { Observable, Subject, isObservable, lastValueFrom, map, of, toArray } from 'rxjs';`],
])("the one-file entry %s loads, which carries its own rxjs modules, traces the app's own rxjs values: the very Subject back; a frozen Observable through one the app's rxjs takes as an Observable", (_kind, ext, load) => {
  writeFileSync(join(project, `rxjs-app.${ext}`), rxjsAppBody(load));
  expect(JSON.parse(run(`rxjs-app.${ext}`))).toEqual(RXJS_APP_TRACED);
});

test.each([
  ['require', 'cjs', `const { traceable, getCurrentSpan, TracingClient, MemoryExporter, setGlobalTracingClient } = require('tracewire');\nconst { inspect } = require('node:util');`],
  ['import', 'mjs', `import { traceable, getCurrentSpan, TracingClient, MemoryExporter, setGlobalTracingClient } from 'tracewire';\nimport { inspect } from 'node:util';`],
])("the one-file entry %s loads names its classes as the sources do: a span inspects as Span", (_kind, ext, load) => {
  writeFileSync(
    join(project, `class-names.${ext}`),
    `${load}
setGlobalTracingClient(new TracingClient({ exporter: new MemoryExporter() }));
console.log(traceable(function f() { return inspect(getCurrentSpan(), { depth: 0 }).split(' ')[0]; })());
`,
  );
  expect(run(`class-names.${ext}`).trim()).toBe('Span');
  // Every class: a class that names itself in its own body is bundled as \`var X = class _X\`, and named \`_X\`
  // unless it is named back (rxjs's carried classes: scripts/carry-rxjs-esm.mjs).
  const bundle = readFileSync(join(project, 'node_modules/tracewire/dist', `tracewire.${ext}`), 'utf8');
  expect(misnamedClasses(bundle)).toEqual([]);
});

test("Deno's import of tracewire loads the edge entry as one file, which imports only node: builtins, exports what the per-module edge build does, and traces", () => {
  writeFileSync(
    join(project, 'deno-app.mjs'),
    `const resolved = import.meta.resolve('tracewire');
const bundled = await import('tracewire');
// By path, past the exports map: the per-module edge build, shipped beside the bundle.
const perModule = await import(new URL('esm/edge.js', resolved).href);
const { traceable, getCurrentSpan, TracingClient, MemoryExporter, setGlobalTracingClient } = bundled;
const exporter = new MemoryExporter();
const client = new TracingClient({ exporter });
setGlobalTracingClient(client);
const add = traceable(function add(a, b) { return a + b; });
const sum = add(2, 3);
const spanClass = traceable(function f() { return getCurrentSpan().constructor.name; })();
await client.flush();
console.log(JSON.stringify({ file: resolved.slice(resolved.lastIndexOf('/') + 1), sum, spanClass, runs: exporter.finishedRuns.map((r) => [r.name, r.outputs]), bundled: Object.keys(bundled).sort(), perModule: Object.keys(perModule).sort() }));
`,
  );
  const out = execFileSync(join(repo, 'node_modules/.bin/deno'), ['run', '--allow-read', '--allow-env', '--allow-net', 'deno-app.mjs'], {
    cwd: project,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
  });
  const { file, sum, spanClass, runs, bundled, perModule } = JSON.parse(out) as { file: string; sum: number; spanClass: string; runs: unknown[]; bundled: string[]; perModule: string[] };
  expect(file).toBe('tracewire-deno.mjs');
  expect({ sum, spanClass, runs }).toEqual({ sum: 5, spanClass: 'Span', runs: [['add', { outputs: 5 }], ['f', { outputs: 'Span' }]] });
  expect(bundled).toEqual(perModule);
  expect(bundled).toEqual(expect.arrayContaining(['traceable', 'TracingClient', 'FlushOnExit', 'LangSmithExporter', 'OtlpHttpExporter']));
  const source = readFileSync(join(project, 'node_modules/tracewire/dist', file), 'utf8');
  const imported = [...source.matchAll(/^import .* from ['"]([^'"]+)['"];?$/gm)].map((match) => match[1]);
  expect(imported.filter((specifier) => !specifier!.startsWith('node:'))).toEqual([]);
  expect(misnamedClasses(source)).toEqual([]);
});

test.each([
  ['import', `import { traceable } from 'tracewire';\nexport const f = traceable(function f() {});\n`, 'mjs'],
  ['require', `const { traceable } = require('tracewire');\nexports.f = traceable(function f() {});\n`, 'cjs'],
])("a bundler resolves tracewire's %s to the file Node's own import loads, dist/tracewire.mjs: a build that leaves packages external and copies only what its bundler resolved (Nitro, nf3) copies what Node then loads", (_kind, source, ext) => {
  // A report-only probe: bundlers got the per-module build (the `module` condition) where Node loads the one file, and
  // Nitro 2 and 3 and nf3 copied that build only: every route importing tracewire answered 500 (ERR_MODULE_NOT_FOUND).
  const entry = join(project, `bundled-entry.${ext}`);
  writeFileSync(entry, source);
  const metafile = join(project, `bundled-entry-${ext}.json`);
  execFileSync(
    join(repo, 'node_modules/.bin/esbuild'),
    [entry, '--bundle', '--platform=node', '--format=cjs', '--minify', `--outfile=${join(project, 'bundle', `entry-${ext}.js`)}`, `--metafile=${metafile}`, '--log-level=error'],
    { cwd: project, stdio: 'pipe' },
  );
  const allInputs = Object.keys((JSON.parse(readFileSync(metafile, 'utf8')) as { inputs: Record<string, unknown> }).inputs);
  const inputs = allInputs.filter((file) => file.includes('node_modules/tracewire/'));
  expect(inputs).toEqual(['node_modules/tracewire/dist/tracewire.mjs']);
  // rxjs's classes come from the ES2015 copy the one file carries, not from rxjs's CommonJS build (twice the bytes).
  expect(allInputs.filter((file) => file.includes('node_modules/rxjs/'))).toEqual([]);
  // Bundled to CommonJS, where `import.meta` is empty, it still loads and traces (its own `require` from `__filename`).
  const traced = `const { f } = require(${JSON.stringify(join(project, 'bundle', `entry-${ext}.js`))}); f(); console.log('ok');`;
  expect(execFileSync(process.execPath, ['-e', traced], { cwd: project, encoding: 'utf8' }).trim()).toBe('ok');
});

test('an app bundled for Node by webpack (production) builds without a warning and keeps what the Node entry sets up as it loads: the client made from the environment, the spool, Proxy arguments told without running their traps; without process.getBuiltinModule (Node before 20.16) it still sends', async () => {
  // The entry's own imports of those modules are its side effects: a bundler that took the entry for side-effect free
  // followed its re-exports and dropped them (no client from TRACEWIRE_EXPORTER, spoolDir refused, traps run).
  const webpack = require(join(repo, 'node_modules/webpack')) as (config: object, done: (error: Error | null, stats?: { hasErrors(): boolean; hasWarnings(): boolean; toString(): string }) => void) => void;
  writeFileSync(
    join(project, 'webpacked-src.mjs'),
    `import { traceable, getGlobalTracingClient, TracingClient, MemoryExporter } from 'tracewire';
const traps = [];
const proxy = new Proxy({ secret: 1 }, { ownKeys: (target) => (traps.push('ownKeys'), Reflect.ownKeys(target)), get: (target, key) => (traps.push('get'), target[key]) });
traceable(function add(a, b) { return a + b; }, { name: 'add' })(2, 3);
traceable(function look(value) { return 1; }, { name: 'look' })(proxy);
let spool;
try { new TracingClient({ exporter: new MemoryExporter(), spoolDir: process.argv[2] }); spool = 'taken'; } catch (e) { spool = e.name + ': ' + e.message; }
const client = getGlobalTracingClient();
client?.flush().then(() => console.log(JSON.stringify({ runs: client.exporter.finishedRuns?.map((run) => [run.name, run.inputs]) ?? client.stats().delivered, spool, traps: traps.length })));
if (!client) console.log(JSON.stringify({ runs: 'no client from the environment', spool, traps: traps.length }));
`,
  );
  const outDir = join(project, 'webpacked');
  await new Promise<void>((done, fail) =>
    webpack(
      { mode: 'production', target: 'node', context: project, entry: './webpacked-src.mjs', output: { path: outDir, filename: 'app.js' }, externals: { tsyringe: 'commonjs tsyringe', 'reflect-metadata': 'commonjs reflect-metadata' }, infrastructureLogging: { level: 'error' } },
      // Nor a warning: `createRequire` called with a path made at run time drew one in every build that took the Node entry.
      (error, stats) => (error ? fail(error) : stats!.hasErrors() || stats!.hasWarnings() ? fail(new Error(stats!.toString())) : done()),
    ),
  );
  const spoolDir = mkdtempSync(join(tmpdir(), 'tw-webpack-spool-'));
  try {
    const out = execFileSync(process.execPath, [join(outDir, 'app.js'), spoolDir], { cwd: project, encoding: 'utf8', timeout: 30_000, env: { ...process.env, TRACEWIRE_EXPORTER: 'memory', LANGSMITH_TRACING: undefined } });
    // Named in code: webpack's minifier renames functions (and their parameters: the inputs are `args`).
    expect(JSON.parse(out)).toEqual({ runs: [['add', { args: [2, 3] }], ['look', { input: '[Proxy]' }]], spool: 'taken', traps: 0 });
    // Where Node has no process.getBuiltinModule (before 20.16), the built-ins sending needs come through the entry's
    // own require: webpack turned the createRequire it saw into undefined, and every export failed.
    const preload = join(project, 'no-get-builtin-module.cjs');
    writeFileSync(preload, 'delete process.getBuiltinModule;\n');
    const jsonl = join(spoolDir, 'runs.jsonl');
    const env = { ...process.env, TRACEWIRE_EXPORTER: 'jsonl', TRACEWIRE_JSONL_PATH: jsonl, LANGSMITH_TRACING: undefined };
    const older = execFileSync(process.execPath, ['-r', preload, join(outDir, 'app.js'), spoolDir], { cwd: project, encoding: 'utf8', timeout: 30_000, env });
    expect(JSON.parse(older)).toEqual({ runs: 2, spool: 'taken', traps: 0 });
    expect(readFileSync(jsonl, 'utf8').trim().split('\n').map((line) => JSON.parse(line).name)).toEqual(['add', 'look']);
  } finally {
    rmSync(spoolDir, { recursive: true, force: true });
  }
}, 120_000);

test("an edge route bundled by webpack as Next.js bundles one (edge-light, its `process.emit` define) builds without a warning, names no Node API, and traces where every function of process throws, as in Next.js's edge sandbox", async () => {
  // Watched failing before (real Next.js 16.5, by hand; README): webpack refused `process.emit = …` ("Assigning to
  // rvalue": Next defines the expression as false), Next warned of setImmediate, CompressionStream, process.argv and
  // process.cwd, and its sandbox's process.hrtime, which throws, was called as the module loaded (every request 500).
  const webpack = require(join(repo, 'node_modules/webpack')) as ((config: object, done: (error: Error | null, stats?: { hasErrors(): boolean; hasWarnings(): boolean; toString(): string }) => void) => void) & { DefinePlugin: new (definitions: object) => object };
  writeFileSync(
    join(project, 'edge-route-src.mjs'),
    `import { MemoryExporter, TracingClient, traceable, tracedFetch } from 'tracewire';
export async function run(upstream) {
  const exporter = new MemoryExporter();
  const client = new TracingClient({ exporter });
  const hello = traceable(async function hello() { return 'hi'; }, { client, name: 'hello' });
  // tracedFetch too: it looks for Node's diagnostics channel (process.getBuiltinModule, which throws there).
  const route = traceable(async function route() { return (await hello()) + (await (await tracedFetch()(upstream)).text()); }, { client, name: 'route' });
  const body = await route();
  const result = await client.flush();
  return { body, delivered: result.delivered, runs: exporter.finishedRuns.map((r) => [r.name, r.parent_run_id === undefined ? 'root' : 'child', r.status]).sort() };
}
`,
  );
  const outDir = join(project, 'edge-webpacked');
  await new Promise<void>((done, fail) =>
    webpack(
      {
        mode: 'production',
        target: 'webworker',
        context: project,
        entry: './edge-route-src.mjs',
        output: { path: outDir, filename: 'route.js', library: { type: 'commonjs2' } },
        resolve: { conditionNames: ['edge-light', 'worker', 'browser', 'import', 'module', 'default'] },
        externals: { 'node:async_hooks': 'commonjs node:async_hooks' },
        plugins: [new webpack.DefinePlugin({ 'process.emit': 'false', EdgeRuntime: JSON.stringify('edge-runtime') })],
        infrastructureLogging: { level: 'error' },
      },
      (error, stats) => (error ? fail(error) : stats!.hasErrors() || stats!.hasWarnings() ? fail(new Error(stats!.toString())) : done()),
    ),
  );
  // Next's edge compile warns of each Node API the code names as a free variable (`setImmediate`, `process.cwd`; not
  // `process.env`, not the text of a message): none here.
  const ts = require(join(repo, 'node_modules/typescript')) as typeof import('typescript');
  const source = ts.createSourceFile('route.js', readFileSync(join(outDir, 'route.js'), 'utf8'), ts.ScriptTarget.Latest, true);
  const named: string[] = [];
  const visit = (node: import('typescript').Node): void => {
    if (ts.isIdentifier(node) && ['setImmediate', 'CompressionStream'].includes(node.text) && !(ts.isPropertyAccessExpression(node.parent) && node.parent.name === node)) named.push(node.text);
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'process' && node.name.text !== 'env') named.push(node.getText());
    ts.forEachChild(node, visit);
  };
  visit(source);
  expect(named).toEqual([]);
  // Next.js's edge sandbox (next/dist/server/web/sandbox/context.js, createProcessPolyfill), stood in for: process is
  // its env, and each of Node's process's own functions one that throws; nothing else of it.
  const runner = join(project, 'edge-sandboxed.cjs');
  writeFileSync(
    runner,
    `const real = process;
const upstream = require('node:http').createServer((request, response) => response.end(request.headers.traceparent ? '!' : '?'));
upstream.listen(0, '127.0.0.1', () => {
  const url = 'http://127.0.0.1:' + upstream.address().port + '/';
  const standIn = { env: { ...real.env } };
  for (const key of Object.keys(real)) {
    if (key === 'env') continue;
    Object.defineProperty(standIn, key, { get: () => (typeof real[key] === 'function' ? () => { throw new Error('A Node.js API is used (process.' + key + ') which is not supported in the Edge Runtime.'); } : undefined) });
  }
  globalThis.process = standIn;
  globalThis.EdgeRuntime = 'edge-runtime';
  const done = (out) => { real.stdout.write(JSON.stringify(out)); upstream.close(); };
  require(${JSON.stringify(join(outDir, 'route.js'))}).run(url).then(done, (error) => done({ error: String(error) }));
});
`,
  );
  const out = JSON.parse(execFileSync(process.execPath, [runner], { cwd: project, encoding: 'utf8', timeout: 30_000 }));
  expect(out).toEqual({ body: 'hi!', delivered: 2, runs: [['hello', 'child', 'success'], ['route', 'root', 'success']] });
}, 120_000);

test("an app bundled with esbuild traces its own rxjs values through the one-file ES entry as Node does: the frozen Observable's stand-in is of the app's own class", () => {
  writeFileSync(
    join(project, 'rxjs-bundled-app.mjs'),
    rxjsAppBody(`import { traceable, TracingClient, MemoryExporter, setGlobalTracingClient } from 'tracewire';\nimport { Observable, Subject, isObservable, lastValueFrom, map, of, toArray } from 'rxjs';`),
  );
  const bundle = join(project, 'bundle', 'rxjs-bundled-app.cjs');
  execFileSync(join(repo, 'node_modules/.bin/esbuild'), ['rxjs-bundled-app.mjs', '--bundle', '--platform=node', '--format=cjs', `--outfile=${bundle}`, '--log-level=error'], { cwd: project, stdio: 'pipe' });
  // rxjs's notice travels with its code (esbuild gathers legal comments at the end of a bundle).
  expect(readFileSync(bundle, 'utf8')).toMatch(/rxjs 7\.[^\n]*Apache-2\.0/);
  expect(JSON.parse(run(bundle))).toEqual(RXJS_APP_TRACED);
});

describe.each([
  ['legacy', ['--experimentalDecorators', '--emitDecoratorMetadata']],
  ['standard (TC39)', []],
])('a TypeScript consumer compiled by tsc with %s decorators', (_mode, flags) => {
  test('type-checks against the shipped declarations and traces at run time', () => {
    const source = `import 'reflect-metadata';
import { FlushOnExit, Traceable, TracingClient, MemoryExporter, setGlobalTracingClient, traceable } from 'tracewire';
const exporter = new MemoryExporter();
const client = new TracingClient({ exporter });
setGlobalTracingClient(client);
@Traceable({ tags: ['svc'] })
class Greeter {
  greet(name: string): string { return 'hi ' + name; }
  @Traceable({ runType: 'tool' })
  async shout(name: string): Promise<string> { return this.greet(name).toUpperCase(); }
}
void new Greeter().shout('ada').then(async (out: string) => {
  await client.flush();
  console.log(JSON.stringify({ out, runs: exporter.finishedRuns.map((r) => [r.name, r.run_type, r.parent_run_id !== undefined]).sort() }));
});
// A library's exports, named in its declarations (declaration: true): ready-made decorators, the resolved settings.
export const TraceTool = Traceable({ runType: 'tool' });
export const FlushHandler = FlushOnExit({ timeoutMillis: 1_000 });
export const deliveryConfig = client.config;
// A traced class keeps its type: \`new\` on it builds its instance.
class Point { constructor(readonly x: number) {} }
export const TracedPoint = traceable(Point, { enabled: false });
export const origin: Point = new TracedPoint(0);
// exactOptionalPropertyTypes: an option passed as undefined (from settings that may lack it) is its default.
const settings: { name?: string; flushIntervalMillis?: number; timeoutMillis?: number } = {};
export const named = traceable((n: number) => n, { name: settings.name, client: undefined });
export const other = new TracingClient({ exporter, flushIntervalMillis: settings.flushIntervalMillis, projectName: undefined });
export const onExit = FlushOnExit({ timeoutMillis: settings.timeoutMillis });
// The client's members the library calls on itself are not in its declarations: nothing for a user to come to rely on.
// @ts-expect-error startSpan is @internal
void client.startSpan;
// @ts-expect-error warn is @internal (a logger of one's own is an option)
void client.warn;
`;
    const dir = mkdtempSync(join(project, 'ts-'));
    writeFileSync(join(dir, 'consumer.ts'), source);
    const args = [tsc, '--strict', '--exactOptionalPropertyTypes', '--declaration', '--target', 'ES2022', '--module', 'nodenext', '--skipLibCheck', ...flags, 'consumer.ts'];
    try {
      execFileSync(process.execPath, args, { cwd: dir, encoding: 'utf8' });
    } catch (error) {
      throw new Error(`tsc failed:\n${(error as { stdout?: string }).stdout ?? String(error)}`);
    }
    expect(readdirSync(dir)).toContain('consumer.js');
    expect(JSON.parse(run(join(dir, 'consumer.js')))).toEqual({
      out: 'HI ADA',
      runs: [['greet', 'chain', true], ['shout', 'tool', false]],
    });
  });
});

/**
 * The declarations themselves checked (no `skipLibCheck`) under TypeScript 6's defaults: no `types` listed, so no Node
 * types, whether or not @types/node is installed. They named `node:async_hooks` (the span store's type, reached
 * through `getCurrentSpan`): TS2591 in tracewire's own declarations (a report-only probe); langsmith's compiled clean.
 */
test("the shipped declarations type-check without skipLibCheck under TypeScript 6's defaults (no Node types), with either decorator mode", () => {
  const source = `import { FlushOnExit, Traceable, TracingClient, MemoryExporter, getCurrentSpan, traceable, withSpan, type TracingStats } from 'tracewire';
const client = new TracingClient({ exporter: new MemoryExporter() });
export const stats: TracingStats = client.stats();
export const add = traceable((a: number, b: number) => a + b);
export const inSpan = withSpan('step', () => getCurrentSpan()?.setMetadata('k', 1));
export class Handler {
  @FlushOnExit()
  @Traceable({ runType: 'tool' })
  async handle(event: { n: number }): Promise<number> { return event.n; }
}
`;
  const dir = mkdtempSync(join(project, 'ts-libcheck-'));
  const checked = (decorators: Record<string, unknown>): TscProject => ({
    compilerOptions: { strict: true, target: 'ES2022', module: 'nodenext', noEmit: true, ...decorators },
    files: { 'consumer.ts': source },
  });
  expect(tscBuild(dir, { standard: checked({}), legacy: checked({ experimentalDecorators: true }) })).toEqual([]);
});

/**
 * `@opentelemetry/api` and langsmith ship their types twice (CommonJS and
 * ESM); an ESM app passes the ESM copy. tracewire's bridges and adapter take
 * structural types, so either copy type-checks: before, the OpenTelemetry
 * bridge's parameter was picked from the API's CommonJS types, whose classes'
 * private members made the ESM module unassignable (TS2345).
 */
test('an ESM TypeScript app ("type": "module") passes its own @opentelemetry/api, OpenTelemetry exporter and langsmith RunTree, type-checked by tsc', () => {
  const dir = mkdtempSync(join(project, 'esm-ts-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  // The app's node_modules as npm lays it out: the installed tarball (a copy: its declarations must find the peers
  // beside it, as in an app) next to the app's own peers and tracewire's dependencies.
  mkdirSync(join(dir, 'node_modules'));
  cpSync(join(project, 'node_modules/tracewire'), join(dir, 'node_modules/tracewire'), { recursive: true });
  for (const peer of ['@opentelemetry', 'langsmith', 'rxjs', 'picomatch']) symlinkSync(join(repo, 'node_modules', peer), join(dir, 'node_modules', peer));
  const app = `import * as otel from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { RunTree } from 'langsmith';
import { enableLangSmithBridge, enableOpenTelemetryBridge, fromOpenTelemetryExporter, setGlobalTracingClient, traceable, TracingClient } from 'tracewire';
const otelOff: () => void = enableOpenTelemetryBridge(otel);
const langsmithOff: () => void = enableLangSmithBridge({ RunTree });
const otelExporter = new InMemorySpanExporter();
const client = new TracingClient({ exporter: fromOpenTelemetryExporter(otelExporter) });
setGlobalTracingClient(client);
const add = traceable((a: number, b: number) => a + b, { name: 'add' });
const sum = add(2, 3);
await client.flush();
otelOff();
langsmithOff();
console.log(JSON.stringify({ sum, spans: otelExporter.getFinishedSpans().map((span: ReadableSpan) => span.name) }));
`;
  // One build: the app (emitted, then run); the default import refused under Node's resolution and under each edge
  // condition (a Workers or Vercel Edge project typed with them: their ES modules are typed as such too), where the
  // namespace import README says to write instead compiles.
  const defaultImport = `import tracewire from 'tracewire';\nconsole.log(tracewire);\n`;
  const namespaceImport = `import * as tracewire from 'tracewire';\nconsole.log(typeof tracewire.traceable);\n`;
  const options = { strict: true, target: 'ES2022', module: 'nodenext', skipLibCheck: true };
  const projects: Record<string, TscProject> = {
    app: { compilerOptions: options, files: { 'app.ts': app, 'namespace-import.ts': namespaceImport } },
    node: { compilerOptions: { ...options, noEmit: true }, files: { 'default-import.ts': defaultImport } },
  };
  for (const condition of ['workerd', 'edge-light', 'deno']) {
    for (const resolution of ['nodenext', 'bundler']) {
      projects[`${condition}-${resolution}`] = {
        compilerOptions: { ...options, module: resolution === 'bundler' ? 'esnext' : 'nodenext', moduleResolution: resolution, customConditions: [condition], noEmit: true },
        files: { 'default-import.ts': defaultImport, 'namespace-import.ts': namespaceImport },
      };
    }
  }
  // The ES module's types are an ES module's: no default export, as Node's import finds none (typed as CommonJS
  // interop before, it compiled, and Node refused it at run time). Nothing else fails.
  expect(tscBuild(dir, projects)).toEqual(
    Object.keys(projects).filter((name) => name !== 'app').sort().map((name) => expect.stringMatching(new RegExp(`^${name}/default-import\\.ts\\(1,8\\): error TS1192: Module .* has no default export`))),
  );
  expect(JSON.parse(run(join(dir, 'app/app.js')))).toEqual({ sum: 5, spans: ['add'] });
  expect(run(join(dir, 'app/namespace-import.js')).trim()).toBe('function');
});

/**
 * A temporary directory no `node_modules` above it can serve a peer from
 * (a shared machine may have a /tmp/node_modules), so "not found" means not found.
 */
function bareTmp(): string {
  const hasModulesAbove = (dir: string): boolean => existsSync(join(dir, 'node_modules')) || (dirname(dir) !== dir && hasModulesAbove(dirname(dir)));
  const found = [tmpdir(), '/var/tmp'].find((dir) => existsSync(dir) && !hasModulesAbove(dir));
  if (found === undefined) throw new Error(`every temporary directory has a node_modules above it (${tmpdir()}, /var/tmp): peers cannot be shown missing`);
  return found;
}

describe('tsyringe and reflect-metadata are peer dependencies', () => {
  const appBody = (load: string) => `${load}
class Orders { constructor(tracing) { this.tracing = tracing; } }
container.register(Orders, { useFactory: (c) => new Orders(c.resolve(TRACING_CLIENT)) });
const client = configureTracing({ exporter: new MemoryExporter() });
console.log(JSON.stringify({
  sameClient: container.resolve(TRACING_CLIENT) === client && container.resolve(Orders).tracing === client,
  tsyringe: require_('tsyringe/package.json').version,
}));
`;

  test(`an app pinning tsyringe ${APP_TSYRINGE} gets one copy: configureTracing registers in the app’s own container (CommonJS)`, () => {
    const nested = execFileSync('npm', ['ls', 'tsyringe', '--all', '--parseable'], { cwd: project, encoding: 'utf8' }).trim().split('\n');
    expect(nested).toEqual([join(project, 'node_modules/tsyringe')]);
    writeFileSync(join(project, 'app.cjs'), appBody(`require('reflect-metadata');
const require_ = require;
const { container } = require('tsyringe');
const { configureTracing, MemoryExporter, TRACING_CLIENT } = require('tracewire');`));
    expect(JSON.parse(run('app.cjs'))).toEqual({ sameClient: true, tsyringe: APP_TSYRINGE });
  });

  test('the same from ESM', () => {
    writeFileSync(join(project, 'app.mjs'), appBody(`import 'reflect-metadata';
import { createRequire } from 'node:module';
import { container } from 'tsyringe';
import { configureTracing, MemoryExporter, TRACING_CLIENT } from 'tracewire';
const require_ = createRequire(import.meta.url);`));
    expect(JSON.parse(run('app.mjs'))).toEqual({ sameClient: true, tsyringe: APP_TSYRINGE });
  });

  const esmApp = `import 'reflect-metadata';
import { createRequire } from 'node:module';
import { container } from 'tsyringe';
import { configureTracing, MemoryExporter, TRACING_CLIENT } from 'tracewire';
const require_ = createRequire(import.meta.url);`;
  const elsewhere = (file: string) => execFileSync(process.execPath, [file], { cwd: bareTmp(), encoding: 'utf8', timeout: 30_000 });

  test('an ESM app ("type": "module") started from another working directory: the peers are found from the app, not the cwd', () => {
    mkdirSync(join(project, 'esm-app'), { recursive: true });
    writeFileSync(join(project, 'esm-app/package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(join(project, 'esm-app/main.js'), appBody(esmApp));
    expect(JSON.parse(elsewhere(join(project, 'esm-app/main.js')))).toEqual({ sameClient: true, tsyringe: APP_TSYRINGE });
  });

  test("Node's ES module entry looks from tracewire's own location last, as the CommonJS one does: an app outside the project finds the peers installed beside tracewire", () => {
    const outside = mkdtempSync(join(bareTmp(), 'tracewire-outside-'));
    try {
      const entry = pathToFileURL(join(project, 'node_modules/tracewire/dist/tracewire.mjs')).href;
      writeFileSync(
        join(outside, 'app.mjs'),
        `const { configureTracing, MemoryExporter } = await import(${JSON.stringify(entry)});
let found = true;
try { configureTracing({ exporter: new MemoryExporter() }); } catch (e) { found = e.name + ': ' + e.message; }
console.log(JSON.stringify({ found }));
`,
      );
      expect(JSON.parse(elsewhere(join(outside, 'app.mjs')))).toEqual({ found: true });
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  test.each(['esm', 'cjs'])('an app that bundles tracewire (esbuild, %s output, peers external), run from another working directory', (format) => {
    writeFileSync(join(project, 'bundled-src.mjs'), appBody(esmApp.replace('createRequire(import.meta.url)', 'createRequire(process.argv[1])')));
    const outfile = join(project, 'bundle', `app.${format === 'esm' ? 'mjs' : 'cjs'}`);
    execFileSync(
      join(repo, 'node_modules/.bin/esbuild'),
      ['bundled-src.mjs', '--bundle', '--platform=node', `--format=${format}`, `--outfile=${outfile}`, '--external:tsyringe', '--external:reflect-metadata', '--log-level=error'],
      { cwd: project, stdio: 'pipe' },
    );
    expect(readFileSync(outfile, 'utf8')).toContain('configureTracing');
    expect(JSON.parse(elsewhere(outfile))).toEqual({ sameClient: true, tsyringe: APP_TSYRINGE });
  });

  test('a CommonJS bundle loaded by another entry (a host process, `node -e`, a test runner) from another working directory finds the peers from its own location', () => {
    // A review: bundled to CommonJS, tracewire's own-location require was lost (the namespace a bundler makes for
    // `node:module` has getters), and configureTracing threw where the app's entry and the working directory saw none.
    writeFileSync(join(project, 'hosted-src.mjs'), appBody(esmApp.replace('createRequire(import.meta.url)', 'createRequire(__filename)')));
    const outfile = join(project, 'bundle', 'hosted.cjs');
    execFileSync(
      join(repo, 'node_modules/.bin/esbuild'),
      ['hosted-src.mjs', '--bundle', '--platform=node', '--format=cjs', `--outfile=${outfile}`, '--external:tsyringe', '--external:reflect-metadata', '--log-level=error'],
      { cwd: project, stdio: 'pipe' },
    );
    const hosted = execFileSync(process.execPath, ['-e', `require(${JSON.stringify(outfile)})`], { cwd: bareTmp(), encoding: 'utf8', timeout: 30_000 });
    expect(JSON.parse(hosted)).toEqual({ sameClient: true, tsyringe: APP_TSYRINGE });
  });

  test('without them, tracing works and configureTracing fails with an error saying what to install', () => {
    const bare = mkdtempSync(join(bareTmp(), 'tracewire-no-peers-'));
    try {
      writeFileSync(join(bare, 'package.json'), JSON.stringify({ name: 'bare', private: true }));
      execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--omit=peer', tarball], { cwd: bare, stdio: 'pipe', timeout: 120_000 });
      writeFileSync(join(bare, 'app.cjs'), `const { traceable, configureTracing, MemoryExporter, TracingClient, setGlobalTracingClient } = require('tracewire');
const exporter = new MemoryExporter();
const client = new TracingClient({ exporter });
setGlobalTracingClient(client);
const out = traceable(function add(a, b) { return a + b; })(1, 2);
let error;
try { configureTracing({ exporter }); } catch (e) { error = e.name + ': ' + e.message; }
client.flush().then(() => console.log(JSON.stringify({ out, runs: exporter.finishedRuns.length, error })));
`);
      const result = JSON.parse(execFileSync(process.execPath, ['app.cjs'], { cwd: bare, encoding: 'utf8', timeout: 30_000 })) as { out: number; runs: number; error: string };
      expect(result).toMatchObject({ out: 3, runs: 1 });
      expect(result.error).toMatch(/^TracewireUsageError: .*needs the peer dependency "reflect-metadata".*npm install tsyringe@\^4 reflect-metadata/);
      // The same from ESM, started elsewhere: the error says where it looked.
      writeFileSync(join(bare, 'app.mjs'), `import { configureTracing, MemoryExporter } from 'tracewire';
try { configureTracing({ exporter: new MemoryExporter() }); } catch (e) { console.log(e.name + ': ' + e.message); }
`);
      const esm = execFileSync(process.execPath, [join(bare, 'app.mjs')], { cwd: bareTmp(), encoding: 'utf8', timeout: 30_000 });
      expect(esm).toMatch(/^TracewireUsageError: .*needs the peer dependency "reflect-metadata".*cannot find "reflect-metadata" from the app's entry .*app\.mjs, the working directory .*npm install tsyringe@\^4 reflect-metadata/);
      // Typed without tsyringe (skipLibCheck, as most projects): the client option still takes only what it can use.
      writeFileSync(
        join(bare, 'typed.ts'),
        `import { traceable, TracingClient, MemoryExporter } from 'tracewire';
const client = new TracingClient({ exporter: new MemoryExporter() });
export const a = traceable((n: number) => n, { client });
export const b = traceable((n: number) => n, { client: Symbol.for('tracing') });
// @ts-expect-error a number is no client, nor a token
export const c = traceable((n: number) => n, { client: 42 });
`,
      );
      try {
        execFileSync(process.execPath, [tsc, '--strict', '--target', 'ES2022', '--module', 'nodenext', '--skipLibCheck', '--noEmit', 'typed.ts'], { cwd: bare, encoding: 'utf8' });
      } catch (error) {
        throw new Error(`tsc failed:\n${(error as { stdout?: string }).stdout ?? String(error)}`);
      }
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  }, 150_000);
});

describe('npx tracewire serve, from the packed collector', () => {
  /** A port nothing listens on right now. */
  function freePort(): Promise<number> {
    return new Promise((done) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => done(port));
      });
    });
  }

  test('the collector tarball ships its build, viewer and README, and is publishable', () => {
    expect(collectorFiles).toEqual(
      expect.arrayContaining(['dist/cli.js', 'dist/index.js', 'dist/index.d.ts', 'viewer/index.html', 'README.md', 'package.json']),
    );
    expect(collectorFiles.filter((file) => file.startsWith('src/'))).toEqual([]);
    expect(require(join(repo, 'collector/package.json')).private).toBeUndefined();
  });

  test('npx tracewire serve answers /healthz, and an env-only app shows its trace in /api/traces', async () => {
    const port = await freePort();
    serve = await startServe('npx', ['--no', 'tracewire', 'serve', '--port', String(port), '--memory'], project);
    expect(serve.url).toBe(`http://127.0.0.1:${port}`);
    const health = await fetch(`${serve.url}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { ok: true }]);

    // Exactly the two variables the banner tells the user to set.
    const [, tracing, endpoint] = /point an app at it: (\S+) (\S+)/.exec(serve.banner)!;
    const env = Object.fromEntries([tracing, endpoint].map((pair) => pair!.split('=') as [string, string]));
    expect(env).toEqual({ LANGSMITH_TRACING: 'true', LANGSMITH_ENDPOINT: serve.url });
    writeFileSync(
      join(project, 'app.js'),
      `const { traceable } = require('tracewire');
  const price = traceable(async function price(sku) { return sku.length * 10; }, { runType: 'tool' });
  const checkout = traceable(async function checkout(cart) { let total = 0; for (const sku of cart) total += await price(sku); return total; });
  checkout(['ab', 'cde']).then((total) => console.log(total));
  `,
    );
    const app = await new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
      execFile(process.execPath, ['app.js'], { cwd: project, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 }, (error, stdout, stderr) =>
        done({ code: error ? 1 : 0, stdout, stderr }),
      ),
    );
    expect(app).toEqual({ code: 0, stdout: '50\n', stderr: '' });

    const { traces } = (await (await fetch(`${serve.url}/api/traces`)).json()) as { traces: Array<{ trace_id: string; name: string }> };
    expect(traces.map((trace) => trace.name)).toEqual(['checkout']);
    const { spans } = (await (await fetch(`${serve.url}/api/traces/${traces[0]!.trace_id}`)).json()) as { spans: Array<{ name: string; run_type: string }> };
    expect(spans.map((span) => [span.name, span.run_type]).sort()).toEqual([['checkout', 'chain'], ['price', 'tool'], ['price', 'tool']]);
  }, 60_000);
});
