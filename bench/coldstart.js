'use strict';
/**
 * bench/coldstart.js — what tracewire costs a serverless function at cold start.
 *
 *   npm run build   (tsc alone does not make dist/tracewire.cjs, the entry this loads)
 *   node bench/coldstart.js [--baseline <another built tracewire checkout>]
 *
 * `--baseline` adds that checkout's handler bundle as a row of the same run
 * (before/after on a shared machine: compare rows of one run only), e.g.
 * `git worktree add /tmp/tw-before <commit> && (cd /tmp/tw-before && npm ci && npm run build)`.
 *
 * Serverless users bundle their handler with esbuild (`--platform=node
 * --minify`), so what matters is (1) the size of the bundle a one-function
 * traced handler produces and (2) how long a fresh Node process takes to
 * load it. Targets for tracewire: bundle ≤ 120 KB and load ≤ 20 ms
 * (langsmith's equivalent was measured earlier at 261 KB / 27 ms).
 *
 * What it does, all in a temp dir (removed at the end), loopback only:
 * 1. Writes two handler entries, written as a TypeScript user would (ESM
 *    `import`, `export const handler`):
 *      tracewire: import { traceable, TracingClient, setGlobalTracingClient }
 *                 from 'tracewire'; a global client with a no-op exporter;
 *                 handler = traceable(async (event) => ({ ok: true, n: event.n }))
 *      tracewire-env: only traceable(<the same function>) from 'tracewire', the
 *                 client built from the environment on the first call (as for langsmith below)
 *      langsmith: handler = traceable(<the same function>) from 'langsmith/traceable'
 *    `node_modules/tracewire` in the temp dir is a symlink to this repo, so the
 *    package.json `exports` map resolves exactly as in a user's project;
 *    `node_modules/langsmith` is a symlink to the repo's devDependency.
 * 2. Bundles each with esbuild's JS API: platform node, bundle, minify,
 *    format cjs, target node20, metafile on. Sizes are KiB (1 KiB = 1024 B);
 *    gzip is zlib level 6 (the default), as a proxy for upload/transfer.
 * 3. Spawns a fresh `node child.js` process N times per bundle (interleaved
 *    with an empty-file baseline, so drift hits all alike). The child is a
 *    file, as a serverless runtime loads a handler (`node -e` would
 *    initialise `node:crypto` before any user code and hide its cost). Each
 *    child times `require(bundle)` + reading `.handler` with process.hrtime,
 *    then separately one `await handler({ n: 1 })` (first-call latency),
 *    each also as CPU time (`process.cpuUsage()`, which a busy shared machine
 *    distorts far less than wall time). Medians are reported, raw and minus
 *    the empty-file baseline (the cost of `require` itself: resolving,
 *    reading, wrapping one file).
 *    The langsmith and tracewire-env children run with LANGSMITH_TRACING=true and its endpoint
 *    pointed at a loopback HTTP server started here (answers 200 `{}`), so
 *    its first call really traces, like tracewire's does, without network.
 * 4. For reference (not judged): a bundle of `export { Observable } from
 *    'rxjs'` (what one bare-specifier RxJS import costs a bundle: the CJS
 *    build, whole), the tracewire handler built from the core modules
 *    (`dist/esm/...` by path) without the Node entry's side-effect imports —
 *    the environment factory, which reaches every exporter by name, and the
 *    spool — to show what they cost, the package loaded the way a
 *    non-bundling user loads it (`require('tracewire')` → package.json
 *    `main`: dist/tracewire.cjs, one file; with `--baseline`, that
 *    checkout's too), the same handler as an ES module importing
 *    'tracewire' (Node's `import` condition: dist/tracewire.mjs, one file),
 *    beside an empty ES module (the ESM loader's own start-up), and a plain
 *    `require('rxjs')`. Where Deno is installed (the dev dependency), Deno
 *    rows (bench/support/deno-load.js): Deno loads a package as installed,
 *    so the same handler importing 'tracewire' gets the `deno` condition's
 *    file (with `--baseline`, that checkout's too), beside the per-module
 *    edge build by path and an empty module, the Deno rows' own baseline.
 * 5. Lists the largest input modules of the tracewire bundle (esbuild
 *    metafile, by bytesInOutput), and bytes per package, to show what to trim.
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const { performance } = require('node:perf_hooks');
const { ROOT, machine, versionOf } = require('./support/machine');
const { printTable } = require('./support/table');
const { median } = require('./support/stats');
const { startLoopbackServer, closeServer } = require('./support/loopback-sink');
const { distMissing } = require('./support/dist');
const { spawnReport } = require('./support/child-process');
const { denoSubjects, runDeno } = require('./support/deno-load');

const N = 15; // child processes per subject
// `--baseline <dir>`: another tracewire checkout (built: `npm run build`), bundled and timed in the same run, interleaved.
const baselineAt = process.argv.indexOf('--baseline');
const BASELINE = baselineAt > 0 ? path.resolve(process.argv[baselineAt + 1]) : undefined;
const TARGET_BYTES = 120_000; // "120 KB", read strictly as 120 000 bytes (117.2 KiB)
const TARGET_LOAD_MS = 20; // judged on load time above the empty-file baseline

const kib = (bytes) => (bytes / 1024).toFixed(1);

/**
 * The child: times require + first call (wall clock and the process's CPU
 * time, which a busy shared machine distorts far less), prints one JSON line.
 * It runs from a file, as a serverless runtime loads a handler: `node -e`
 * initialises `node:crypto` before any user code, which would hide its cost.
 */
const CHILD_SOURCE = `
process.hrtime.bigint(); process.cpuUsage();
const cpuMs = (since) => { const u = process.cpuUsage(since); return (u.user + u.system) / 1000; };
const target = process.env.BENCH_TARGET;
// An ES module file is imported (Node's ESM loader, as a "type": "module" handler is loaded); anything else required.
const esmUrl = target.endsWith('.mjs') ? require('node:url').pathToFileURL(target).href : undefined;
(async () => {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const mod = esmUrl === undefined ? require(target) : await import(esmUrl);
  const handler = mod.handler;
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const loadCpuMs = cpuMs(c0);
  let firstCallMs = null, firstCallCpuMs = null, result = null;
  if (typeof handler === 'function') {
    const c1 = process.cpuUsage();
    const t1 = process.hrtime.bigint();
    result = await handler({ n: 1 });
    firstCallMs = Number(process.hrtime.bigint() - t1) / 1e6;
    firstCallCpuMs = cpuMs(c1);
  }
  process.stdout.write(JSON.stringify({ loadMs, loadCpuMs, firstCallMs, firstCallCpuMs, result }) + '\\n');
})().catch((e) => { console.error(e); process.exitCode = 1; });
`;
let childFile; // written into the temp dir by main()

function runChild(target, env) {
  return spawnReport(target, process.execPath, [childFile], { ...env, BENCH_TARGET: target });
}

/**
 * Shortens a metafile input path for display: "rxjs/dist/cjs/..." or "tracewire/dist/...".
 * Metafile paths are relative to the build's working directory (`dir`), not this process's.
 */
function displayPath(p, dir) {
  const abs = path.resolve(dir, p);
  const nm = abs.lastIndexOf(`${path.sep}node_modules${path.sep}`);
  if (nm >= 0) return abs.slice(nm + 14);
  if (abs.startsWith(ROOT + path.sep)) return 'tracewire/' + path.relative(ROOT, abs);
  return path.basename(abs);
}
/** The package of a module; tracewire's own modules by folder (`tracewire lib/exporters/otlp`), to show what to trim. */
function packageOf(display) {
  const parts = display.split('/');
  if (parts[0] === 'tracewire' && parts.length > 2) {
    const inDist = parts.slice(parts[2] === 'esm' ? 3 : 2, -1);
    return inDist.length === 0 ? 'tracewire (entry)' : `tracewire ${inDist.join('/')}`;
  }
  return parts[0].startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

async function main() {
  const started = performance.now();
  if (distMissing()) return;
  const esbuild = require('esbuild');
  const versions = { tracewire: versionOf('tracewire'), langsmith: versionOf('langsmith'), rxjs: versionOf('rxjs') };
  const m = machine();
  console.log('tracewire cold-start benchmark');
  console.log(`node ${m.node} | ${m.platform} ${m.release} ${m.arch} | cpu: ${m.cpuModel} | cores: ${m.cores}`);
  console.log(`date: ${new Date().toISOString()} | esbuild ${esbuild.version} | tracewire ${versions.tracewire} (dist) | langsmith ${versions.langsmith} | rxjs ${versions.rxjs}`);
  console.log(`${N} fresh processes per row (node; deno for the Deno rows); sizes in KiB (1024 B); gzip = zlib level 6`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-cold-'));
  const links = [];
  let loopback;
  try {
    // -- a user's project, in miniature --------------------------------------
    fs.mkdirSync(path.join(tmp, 'node_modules'));
    const link = (name, target) => {
      const at = path.join(tmp, 'node_modules', name);
      fs.symlinkSync(target, at, 'dir');
      links.push(at);
    };
    link('tracewire', ROOT);
    if (BASELINE) link('tracewire-baseline', BASELINE);
    childFile = path.join(tmp, 'child.js');
    fs.writeFileSync(childFile, CHILD_SOURCE);
    link('langsmith', path.join(ROOT, 'node_modules', 'langsmith'));
    fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ name: 'cold-start-handler', private: true }));

    const handlerBody = 'async (event) => ({ ok: true, n: event.n })';
    const entries = {
      tracewire: [
        "import { traceable, TracingClient, setGlobalTracingClient } from 'tracewire';",
        'setGlobalTracingClient(new TracingClient({ exporter: { export: () => Promise.resolve({ ok: true }) } }));',
        `export const handler = traceable(${handlerBody});`,
      ].join('\n'),
      // Env-only set-up, as most serverless users run it: no code but `traceable`; the child's
      // environment turns LangSmith tracing on (loopback), so the first call builds the client.
      'tracewire-env': [
        "import { traceable } from 'tracewire';",
        `export const handler = traceable(${handlerBody});`,
      ].join('\n'),
      // The same handler through the edge entry, bundled as wrangler does (workerd condition), loaded in Node.
      'tracewire-edge': [
        "import { traceable, TracingClient, setGlobalTracingClient } from 'tracewire';",
        'setGlobalTracingClient(new TracingClient({ exporter: { export: () => Promise.resolve({ ok: true }) } }));',
        `export const handler = traceable(${handlerBody});`,
      ].join('\n'),
      ...(BASELINE ? { 'tracewire-baseline': [
        "import { traceable, TracingClient, setGlobalTracingClient } from 'tracewire-baseline';",
        'setGlobalTracingClient(new TracingClient({ exporter: { export: () => Promise.resolve({ ok: true }) } }));',
        `export const handler = traceable(${handlerBody});`,
      ].join('\n') } : {}),
      langsmith: [
        "import { traceable } from 'langsmith/traceable';",
        `export const handler = traceable(${handlerBody});`,
      ].join('\n'),
      // Reference: what one class imported from the bare 'rxjs' specifier costs
      // (CommonJS build under the `node` condition, so nothing is tree-shaken).
      'rxjs-bare': "export { Observable } from 'rxjs';",
      // Reference: the same handler from the core modules only (by path: the exports map offers only the entries).
      'tracewire-core': [
        `import { traceable } from ${JSON.stringify(path.join(ROOT, 'dist/esm/decorators/traceable-function.js'))};`,
        `import { TracingClient } from ${JSON.stringify(path.join(ROOT, 'dist/esm/lib/client/tracing-client.js'))};`,
        `import { setGlobalTracingClient } from ${JSON.stringify(path.join(ROOT, 'dist/esm/lib/client/global-client.js'))};`,
        'setGlobalTracingClient(new TracingClient({ exporter: { export: () => Promise.resolve({ ok: true }) } }));',
        `export const handler = traceable(${handlerBody});`,
      ].join('\n'),
    };
    const bundles = {};
    for (const [name, source] of Object.entries(entries)) {
      const entry = path.join(tmp, `${name}-handler.mjs`);
      const outfile = path.join(tmp, `${name}-handler.bundle.js`);
      fs.writeFileSync(entry, source + '\n');
      const result = await esbuild.build({
        entryPoints: [entry],
        outfile,
        absWorkingDir: tmp,
        nodePaths: [path.join(ROOT, 'node_modules')],
        platform: 'node',
        bundle: true,
        minify: true,
        format: 'cjs',
        target: 'node20',
        metafile: true,
        logLevel: 'silent',
        ...(name === 'tracewire-edge' ? { platform: 'neutral', conditions: ['workerd', 'worker', 'browser'], mainFields: ['module', 'main'], external: ['node:*'] } : {}),
      });
      const bytes = fs.readFileSync(outfile);
      bundles[name] = {
        outfile,
        size: bytes.length,
        gzip: zlib.gzipSync(bytes, { level: 6 }).length,
        metafile: result.metafile,
        warnings: result.warnings.length,
      };
    }

    const emptyFile = path.join(tmp, 'empty.js');
    fs.writeFileSync(emptyFile, '');

    // -- load-time runs ----------------------------------------------------------
    loopback = await startLoopbackServer();
    const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(LANGSMITH_|LANGCHAIN_|NODE_OPTIONS$)/.test(k)));
    const lsEnv = { ...baseEnv, LANGSMITH_TRACING: 'true', LANGSMITH_ENDPOINT: loopback.url, LANGSMITH_API_KEY: 'bench' };
    const subjects = [
      { id: 'empty', label: 'empty file (baseline)', target: emptyFile, env: baseEnv },
      { id: 'tracewire', label: 'tracewire handler bundle', target: bundles.tracewire.outfile, env: baseEnv, bundle: bundles.tracewire },
      { id: 'tracewire-env', label: 'tracewire handler bundle, env-only set-up', target: bundles['tracewire-env'].outfile, env: lsEnv, bundle: bundles['tracewire-env'] },
      ...(BASELINE ? [{ id: 'tracewire-baseline', label: `baseline: ${path.basename(BASELINE)} handler bundle`, target: bundles['tracewire-baseline'].outfile, env: baseEnv, bundle: bundles['tracewire-baseline'] }] : []),
      { id: 'tracewire-edge', label: 'tracewire handler bundle, edge entry', target: bundles['tracewire-edge'].outfile, env: baseEnv, bundle: bundles['tracewire-edge'] },
      { id: 'langsmith', label: 'langsmith handler bundle', target: bundles.langsmith.outfile, env: lsEnv, bundle: bundles.langsmith },
      { id: 'rxjs-bare', label: "ref: bundle of { Observable } from 'rxjs'", target: bundles['rxjs-bare'].outfile, env: baseEnv, bundle: bundles['rxjs-bare'] },
      { id: 'tracewire-core', label: 'ref: tracewire handler, core modules only (no env factory, spool)', target: bundles['tracewire-core'].outfile, env: baseEnv, bundle: bundles['tracewire-core'] },
      { id: 'tw-unbundled', label: "ref: require('tracewire'), not bundled by the app", target: path.join(tmp, 'tw-unbundled.js'), env: baseEnv },
      ...(BASELINE ? [{ id: 'tw-unbundled-baseline', label: `ref: the same, baseline ${path.basename(BASELINE)}`, target: path.join(tmp, 'tw-unbundled-baseline.js'), env: baseEnv }] : []),
      { id: 'empty-esm', label: 'ref: empty ES module file (what Node\'s ESM loader itself adds)', target: path.join(tmp, 'empty.mjs'), env: baseEnv },
      { id: 'tw-unbundled-esm', label: "ref: import from 'tracewire' in an ES module, not bundled by the app", target: path.join(tmp, 'tw-unbundled.mjs'), env: baseEnv },
      ...(BASELINE ? [{ id: 'tw-unbundled-esm-baseline', label: `ref: the same, baseline ${path.basename(BASELINE)}`, target: path.join(tmp, 'tw-unbundled-baseline.mjs'), env: baseEnv }] : []),
      { id: 'rxjs', label: "ref: require('rxjs') alone", target: 'rxjs', env: { ...baseEnv, NODE_PATH: path.join(ROOT, 'node_modules') } },
    ];
    // The unbundled reference loads the package exactly as a non-bundling user would.
    const unbundled = (from) => entries.tracewire
      .replace("import { traceable, TracingClient, setGlobalTracingClient } from 'tracewire';", `const { traceable, TracingClient, setGlobalTracingClient } = require(${JSON.stringify(from)});`)
      .replace('export const handler =', 'exports.handler =');
    fs.writeFileSync(subjects.find((s) => s.id === 'tw-unbundled').target, unbundled('tracewire'));
    // The baseline's package by its directory: Node reads its package.json `main`, as for an installed package.
    if (BASELINE) fs.writeFileSync(subjects.find((s) => s.id === 'tw-unbundled-baseline').target, unbundled(path.resolve(BASELINE)));
    // The same handler as an ES module: Node's own import resolves the package's exports map as for an installed
    // package (the baseline through its link in node_modules: an ES module cannot import a directory).
    fs.writeFileSync(path.join(tmp, 'empty.mjs'), '');
    const esmHandler = (from) => entries.tracewire.replace("from 'tracewire';", `from ${from};`) + '\n';
    fs.writeFileSync(subjects.find((s) => s.id === 'tw-unbundled-esm').target, esmHandler("'tracewire'"));
    if (BASELINE) fs.writeFileSync(subjects.find((s) => s.id === 'tw-unbundled-esm-baseline').target, esmHandler("'tracewire-baseline'"));
    // Deno loads the package as installed: the deno condition's file, and the per-module edge build it picked before.
    subjects.push(...denoSubjects(tmp, links, esmHandler, BASELINE ? ['tracewire', 'tracewire-baseline'] : ['tracewire']).map((s) => ({ ...s, env: baseEnv })));
    for (const s of subjects) s.runs = [];
    for (let i = 0; i < N; i++) {
      for (const s of subjects) s.runs.push(await (s.deno ? runDeno(s.target, s.env) : runChild(s.target, s.env)));
    }

    // -- report ----------------------------------------------------------------
    // "Above empty": above the empty file of the same runtime (Node's, or Deno's for the Deno rows).
    const baseOf = (s) => subjects.find((b) => b.id === (s.base ?? 'empty'));
    const rows = subjects.map((s) => {
      const baseMs = median(baseOf(s).runs.map((r) => r.loadMs));
      const baseCpu = median(baseOf(s).runs.map((r) => r.loadCpuMs));
      const load = median(s.runs.map((r) => r.loadMs));
      const calls = s.runs.map((r) => r.firstCallMs).filter((x) => x !== null);
      const cpu = median(s.runs.map((r) => r.loadCpuMs));
      const callsCpu = s.runs.map((r) => r.firstCallCpuMs).filter((x) => x !== null);
      const results = new Set(s.runs.map((r) => JSON.stringify(r.result)));
      return {
        id: s.id,
        bundle: s.label,
        size: s.bundle ? kib(s.bundle.size) : '—',
        gzip: s.bundle ? kib(s.bundle.gzip) : '—',
        load: load.toFixed(2),
        range: `${Math.min(...s.runs.map((r) => r.loadMs)).toFixed(2)}–${Math.max(...s.runs.map((r) => r.loadMs)).toFixed(2)}`,
        above: s === baseOf(s) ? '—' : (load - baseMs).toFixed(2),
        first: calls.length ? median(calls).toFixed(2) : '—',
        cpu: cpu.toFixed(2),
        cpuAbove: s === baseOf(s) ? '—' : (cpu - baseCpu).toFixed(2),
        firstCpu: callsCpu.length ? median(callsCpu).toFixed(2) : '—',
        result: calls.length ? [...results].join(' | ') : '',
        loadAbove: load - baseMs,
      };
    });
    console.log('');
    printTable(
      [
        { key: 'bundle', title: 'bundle' },
        { key: 'size', title: 'size KiB', right: true },
        { key: 'gzip', title: 'gzip KiB', right: true },
        { key: 'load', title: 'median load ms', right: true },
        { key: 'range', title: `min–max (${N} runs)`, right: true },
        { key: 'above', title: 'load ms above empty', right: true },
        { key: 'first', title: 'first call ms', right: true },
        { key: 'cpuAbove', title: 'load CPU ms above empty', right: true },
        { key: 'firstCpu', title: 'first call CPU ms', right: true },
        { key: 'result', title: 'handler({n:1})' },
      ],
      rows,
    );

    const tw = bundles.tracewire;
    const twRow = rows.find((r) => r.id === 'tracewire');
    const twLoadAbove = twRow.loadAbove;
    console.log('');
    console.log(`targets (tracewire bundle): size ${tw.size} B = ${kib(tw.size)} KiB = ${(tw.size / 1000).toFixed(1)} kB vs ≤ 120 KB (${TARGET_BYTES} B) → ${tw.size <= TARGET_BYTES ? 'PASS' : 'FAIL'}; ` +
      `load ${twLoadAbove.toFixed(2)} ms above empty (${twRow.load} ms raw) vs ≤ ${TARGET_LOAD_MS} ms → ${twLoadAbove <= TARGET_LOAD_MS ? 'PASS' : 'FAIL'}`);
    console.log(`langsmith bundle: ${bundles.langsmith.size} B = ${kib(bundles.langsmith.size)} KiB = ${(bundles.langsmith.size / 1000).toFixed(1)} kB; esbuild warnings: ${Object.entries(bundles).map(([k, b]) => `${k} ${b.warnings}`).join(', ')}; loopback requests from the langsmith and tracewire env-only children: ${loopback.counts.requests}`);

    // -- what is in the tracewire bundle ------------------------------------------
    const output = Object.values(tw.metafile.outputs).find((o) => o.entryPoint);
    const inputs = Object.entries(output.inputs)
      .map(([p, info]) => ({ path: displayPath(p, tmp), bytes: info.bytesInOutput }))
      .sort((a, b) => b.bytes - a.bytes);
    const total = output.bytes;
    console.log('');
    console.log(`tracewire bundle: top 10 of ${inputs.length} input modules by bytes in (minified) output, of ${total} B:`);
    printTable(
      [
        { key: 'rank', title: '#', right: true },
        { key: 'path', title: 'input module' },
        { key: 'kib', title: 'KiB', right: true },
        { key: 'pct', title: '% of bundle', right: true },
      ],
      inputs.slice(0, 10).map((m, i) => ({ rank: i + 1, path: m.path, kib: kib(m.bytes), pct: ((100 * m.bytes) / total).toFixed(1) })),
    );
    const byPackage = new Map();
    for (const m of inputs) {
      const pkg = packageOf(m.path);
      const agg = byPackage.get(pkg) ?? { modules: 0, bytes: 0 };
      agg.modules++;
      agg.bytes += m.bytes;
      byPackage.set(pkg, agg);
    }
    console.log('');
    console.log('tracewire bundle by package (tracewire itself by folder):');
    printTable(
      [
        { key: 'pkg', title: 'package' },
        { key: 'modules', title: 'modules', right: true },
        { key: 'kib', title: 'KiB', right: true },
        { key: 'pct', title: '% of bundle', right: true },
      ],
      [...byPackage].sort((a, b) => b[1].bytes - a[1].bytes).map(([pkg, a]) => ({ pkg, modules: a.modules, kib: kib(a.bytes), pct: ((100 * a.bytes) / total).toFixed(1) })),
    );
    console.log(`(the rest of the bundle, ${total - inputs.reduce((s, m) => s + m.bytes, 0)} B, is esbuild's module wrappers/runtime)`);
    console.log(`total time ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    if (loopback) {
      await closeServer(loopback.server);
    }
    // Remove the symlinks first so nothing can ever recurse into the repo.
    for (const at of links) fs.unlinkSync(at);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
