'use strict';
/**
 * bench/jit-counts.js — V8's optimizing-compiler work in a fresh process, counted:
 * TurboFan compilations, re-optimizations of one function, deopts (with their
 * reasons) and OSR, in the calls and in the flush of the sequential scenario.
 *
 *   npm run build
 *   node bench/jit-counts.js                              (this checkout, and the floor)
 *   node bench/jit-counts.js --against=<a built checkout>  (before/after, same run)
 *   TW_REPS=5 node bench/jit-counts.js                    (children per build; default 3)
 *   TW_EXPORTER=otlp node bench/jit-counts.js             (multipart, the default; batch; otlp: http/json)
 *   node bench/jit-counts.js --per-function               (also: compile ms per function and phase, top 25)
 *
 * Why (issue 17): in bench/pipeline.js's fresh-process rows most of tracewire's
 * excess over the floor on V8's OTHER threads is TurboFan's concurrent
 * compilation. Counts are exact where timings on a busy machine are not: a
 * deopt → re-opt loop, a function optimized twice, an OSR shows here as a number.
 *
 * How: a fresh child per build and rep runs SPANS traced sync calls `f(i, 1)` in
 * a plain loop, then flushes to a loopback LangSmith sink in this parent process
 * (default multipart exporter; the floor: bench/floor/floor-tracer.js), under
 * `--trace-opt --trace-deopt`. The child prints a marker line at the start of the
 * calls, at the end of the calls and when the flush resolved; V8's trace lines are
 * attributed to the phase they fall in. V8 writes them through C stdio, which a
 * pipe buffers out of order with Node's own writes, so the child runs under
 * `stdbuf -o0` (Linux; without it the phases are unreliable and the script says so).
 * The harness's own function (`child`, whose loop V8 optimizes on stack) is left
 * out of every count. Which functions reach TurboFan depends on timing, so counts
 * move by a few between children: compare medians.
 * "compile ms" is a second child per build with `--no-concurrent-recompilation`:
 * each compilation then runs on the main thread, so its duration is its CPU time
 * rather than a background thread's wall time on a shared core. "on main" is
 * that child's count of compilations: fewer than by default, because a caller
 * compiled at once stops running its callees unoptimised. In the background
 * (the default), a callee that gets hot before its caller's code is ready is
 * compiled on its own too, then never runs again once the caller (which
 * inlines it) is installed: the last child's list names those ("only with
 * background compilation"). The more small functions a hot path is made of,
 * the more of them.
 */
const fs = require('node:fs');
const path = require('node:path');
const { entryOf } = require('./support/dist');
const { spawn } = require('node:child_process');
const { startSink } = require('./support/loopback-sink');

const SPANS = 20_000;
const REPS = Number(process.env.TW_REPS) || 3;
const EXPORTER = process.env.TW_EXPORTER || 'multipart';
if (!['multipart', 'batch', 'otlp'].includes(EXPORTER)) throw new Error(`TW_EXPORTER=${EXPORTER}: multipart, batch or otlp`);
const PER_FUNCTION = process.argv.includes('--per-function');
const ROOT = path.join(__dirname, '..');
const MARK = '@@jit-counts ';
const STDBUF = ['/usr/bin/stdbuf', '/bin/stdbuf'].find((p) => fs.existsSync(p));

async function child(client, dist, url) {
  let f;
  let flush;
  if (client === 'floor') {
    const { FloorTracer } = require('./floor/floor-tracer');
    const tracer = new FloorTracer({ url });
    f = tracer.traceable(function f(a, b) { return a + b; });
    flush = async () => { await tracer.flush(); tracer.shutdown(); };
  } else {
    const tw = require(entryOf(dist));
    const exporter = EXPORTER === 'otlp' ? new tw.OtlpHttpExporter({ endpoint: url }) : new tw.LangSmithExporter({ endpoint: url, apiKey: 'bench', mode: EXPORTER });
    const tc = new tw.TracingClient({ exporter });
    tw.setGlobalTracingClient(tc);
    f = tw.traceable(function f(a, b) { return a + b; });
    flush = async () => { await tc.awaitPendingTraceBatches(); await tc.shutdown(); };
  }
  console.log(MARK + 'calls');
  let acc = 0;
  for (let i = 0; i < SPANS; i++) acc += f(i, 1);
  console.log(MARK + 'flush');
  await flush();
  console.log(MARK + 'done ' + acc);
}

function runChild(client, dist, url, v8Flags) {
  const args = [...v8Flags, __filename, '--child', client, dist, url];
  const [cmd, argv] = STDBUF ? [STDBUF, ['-o0', process.execPath, ...args]] : [process.execPath, args];
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${client} child exited ${code}`))));
  });
}

/** Per phase (before/calls/flush/after): TurboFan compilations, functions compiled more than once, deopts by reason, OSR; compile ms. */
function parse(out) {
  const phases = {};
  let phase = 'before';
  const at = () => (phases[phase] ??= { compiles: 0, sfis: new Map(), deopts: new Map(), osr: 0, ms: 0, msBy: new Map() });
  for (const line of out.split('\n')) {
    if (line.startsWith(MARK)) { phase = line.slice(MARK.length).split(' ')[0]; continue; }
    // The harness's own loop (`child`, optimized on stack) is left out: it is the same for every build.
    if (/<JSFunction child /.test(line)) continue;
    const ph = at();
    let m;
    if ((m = /^\[compiling method .*<JSFunction (\S+) \(sfi = (\w+)\)>.*TURBOFAN/.exec(line))) {
      ph.compiles++;
      ph.sfis.set(m[2], { name: m[1], n: (ph.sfis.get(m[2])?.n ?? 0) + 1 });
      if (/osr/i.test(line)) ph.osr++;
    } else if ((m = /^\[completed compiling .*<JSFunction (\S+).*took ([\d.]+), ([\d.]+), ([\d.]+) ms/.exec(line))) {
      const took = Number(m[2]) + Number(m[3]) + Number(m[4]);
      ph.ms += took;
      ph.msBy.set(m[1], (ph.msBy.get(m[1]) ?? 0) + took);
    } else if ((m = /bailout \(kind: ([^,]+), reason: ([^)]+)\): begin\. deoptimizing \S+ <JSFunction (\S+)/.exec(line))) {
      const key = `${m[3]}: ${m[2]} (${m[1]})`;
      ph.deopts.set(key, (ph.deopts.get(key) ?? 0) + 1);
    } else if (/OSR|on-stack/i.test(line) && line.startsWith('[')) {
      ph.osr++;
    }
  }
  return phases;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]; };

async function main() {
  const againstArg = process.argv.find((a) => a.startsWith('--against='));
  const builds = [['floor', 'floor', ROOT], ['tracewire', 'tracewire', ROOT]];
  if (againstArg) builds.push([`tracewire (${againstArg.slice(10)})`, 'tracewire', path.resolve(againstArg.slice(10))]);
  if (!STDBUF) console.log('warning: no stdbuf; V8 trace lines may land in the wrong phase');
  const info = { version: '0.0.0', batch_ingest_config: { size_limit: 100, size_limit_bytes: 20971520 } };
  const sink = await startSink({ info });
  const results = new Map(builds.map(([label]) => [label, []]));
  const ms = new Map(builds.map(([label]) => [label, []]));
  try {
    for (let rep = 0; rep < REPS; rep++) {
      for (const [label, client, dist] of builds) {
        results.get(label).push(parse(await runChild(client, dist, sink.url, ['--trace-opt', '--trace-deopt'])));
        ms.get(label).push(parse(await runChild(client, dist, sink.url, ['--trace-opt', '--no-concurrent-recompilation'])));
      }
    }
  } finally {
    await sink.close();
  }
  console.log(`TurboFan work in a fresh process: ${SPANS} traced sync calls, then flush (exporter: ${EXPORTER}; median of ${REPS} children per build)`);
  console.log('phase  build                          compiles  on main  compiled>1×  deopts  OSR  compile ms (main-thread, µs/span)');
  for (const phase of ['calls', 'flush']) {
    for (const [label] of builds) {
      const runs = results.get(label).map((p) => p[phase] ?? { compiles: 0, sfis: new Map(), deopts: new Map(), osr: 0 });
      const reopt = runs.map((r) => [...r.sfis.values()].filter((s) => s.n > 1).length);
      const deopts = runs.map((r) => [...r.deopts.values()].reduce((a, b) => a + b, 0));
      const msPhase = ms.get(label).map((p) => p[phase]?.ms ?? 0);
      const onMain = ms.get(label).map((p) => p[phase]?.compiles ?? 0);
      console.log(
        `${phase.padEnd(6)} ${label.padEnd(30)} ${String(median(runs.map((r) => r.compiles))).padStart(8)}  ${String(median(onMain)).padStart(7)}  ${String(median(reopt)).padStart(11)}  ${String(median(deopts)).padStart(6)}  ${String(median(runs.map((r) => r.osr))).padStart(3)}  ${median(msPhase).toFixed(1)} (${((median(msPhase) * 1000) / SPANS).toFixed(2)})`,
      );
    }
  }
  if (PER_FUNCTION) {
    console.log(`\ncompile ms per function (main-thread; mean of ${REPS} children), top 25:`);
    for (const [label] of builds) {
      const total = new Map();
      for (const phases of ms.get(label)) {
        for (const phase of ['calls', 'flush']) for (const [name, took] of phases[phase]?.msBy ?? []) total.set(`${phase} ${name}`, (total.get(`${phase} ${name}`) ?? 0) + took / REPS);
      }
      console.log(`  ${label}:`);
      for (const [key, took] of [...total].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`    ${took.toFixed(2).padStart(6)}  ${key}`);
    }
  }
  for (const [label] of builds) {
    const last = results.get(label).at(-1);
    console.log(`\n${label}, last child:`);
    for (const phase of ['calls', 'flush']) {
      const p = last[phase];
      if (!p) continue;
      console.log(`  ${phase}: compiled ${[...p.sfis.values()].map((s) => (s.n > 1 ? `${s.name}×${s.n}` : s.name)).join(' ')}`);
      // Compiled here, in none of the children that compiled on the main thread: callees that got hot on their own
      // while their caller's optimized code (which inlines them) was still being compiled in the background.
      const onMain = new Set(ms.get(label).flatMap((run) => [...(run[phase]?.sfis.values() ?? [])].map((s) => s.name)));
      const backgroundOnly = [...new Set([...p.sfis.values()].map((s) => s.name))].filter((name) => !onMain.has(name));
      if (backgroundOnly.length > 0) console.log(`  ${phase}: only with background compilation: ${backgroundOnly.join(' ')}`);
      for (const [reason, n] of p.deopts) console.log(`  ${phase}: deopt ${n}× ${reason}`);
    }
  }
}

if (process.argv[2] === '--child') {
  child(process.argv[3], process.argv[4], process.argv[5]).catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
} else {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
