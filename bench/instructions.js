'use strict';
/**
 * bench/instructions.js — machine instructions per span in a fresh process,
 * counted, by thread: the main thread (JavaScript, the HTTP client, the GC's
 * main-thread part) and V8's other threads (mostly optimizing compilation).
 *
 *   npm run build
 *   node bench/instructions.js                              (floor, multipart, batch, otlp)
 *   node bench/instructions.js --against=<a built checkout>  (its multipart, batch and otlp too)
 *   TW_REPS=3 node bench/instructions.js                    (children per row; median)
 *
 * Why (issue 17): bench/pipeline.js's fresh sequential rows are CPU time, and
 * on a shared 2-core VM the same build reads 1.1× to 1.5× the floor from one
 * run to the next. Instructions depend far less on what else the machine
 * runs: this shows where a fresh process's cost is — in the work tracewire's
 * code does, or in V8 compiling it. Not exact: V8 decides what to compile,
 * and when, partly by the clock (timers, a background compile finishing
 * before or after a call), so two children of one build differ by up to
 * ≈ 15 %: compare medians of TW_REPS=3. It cannot show what instructions
 * cost: cache misses, memory stalls, page faults and the kernel's share are
 * time, not instructions (pipeline.js).
 *
 * How: each row is bench/pipeline.js's fresh tight-loop child (SPANS sync
 * traced calls, then the flush to a loopback LangSmith/OTLP sink in this
 * process) run under `valgrind --tool=callgrind --separate-threads=yes`, and
 * again with BENCH_SPANS=0 (the same process: start-up, module load, the
 * client, the sink's connection, no span); the difference ÷ SPANS is the
 * row. Valgrind serializes threads and runs JavaScript ~50× slower, so V8's
 * background compiles finish sooner relative to the calls than on a real
 * machine: fewer functions run unoptimised for long, and the split between
 * threads is the compiler's work, not when it happens. Needs valgrind
 * (Debian: apt-get install valgrind); about 40 s per child.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { fork } = require('node:child_process');
const { startSink } = require('./support/loopback-sink');
const { childEnv } = require('./support/child-process');
const { entryOf, distMissing } = require('./support/dist');
const { printTable } = require('./support/table');
const { median } = require('./support/stats');
const { nodeLine, cpuLine } = require('./support/machine');

const SPANS = 20_000;
const REPS = Number(process.env.TW_REPS) || 1;
const VALGRIND = ['/usr/bin/valgrind', '/usr/local/bin/valgrind'].find((p) => fs.existsSync(p));
const PIPELINE = path.join(__dirname, 'pipeline.js');

/** Instructions of one child under callgrind, by thread: { main, other }. */
async function counted(client, variant, spans, dist) {
  const sink = await startSink({ mode: 'ok' });
  const env = childEnv(sink.url, { alsoStrip: ['OTEL_'] });
  env.BENCH_SPANS = String(spans);
  if (dist) env.BENCH_DIST = dist;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-instructions-'));
  const out = path.join(dir, 'callgrind.out');
  const child = fork(PIPELINE, ['--child', client, 'tight-loop', ...(variant ? [variant] : [])], {
    env,
    execPath: VALGRIND,
    execArgv: ['--tool=callgrind', '--separate-threads=yes', `--callgrind-out-file=${out}`, '--dump-line=no', process.execPath],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  let result;
  child.stderr.on('data', (d) => (stderr += d));
  child.on('message', (m) => (result = m));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  await sink.close();
  const threads = fs.readdirSync(dir).map((file) => {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    const total = /^(?:totals|summary): (\d+)/m.exec(text);
    return { thread: Number(/-(\d+)$/.exec(file)?.[1] ?? 1), instructions: total ? Number(total[1]) : 0 };
  });
  fs.rmSync(dir, { recursive: true, force: true });
  if (code !== 0 || !result || result.error) throw new Error(`${client} ${variant ?? ''} child failed (exit ${code}): ${result?.error ?? stderr.slice(-1500)}`);
  const main = threads.filter((t) => t.thread === 1).reduce((a, t) => a + t.instructions, 0);
  const other = threads.filter((t) => t.thread !== 1).reduce((a, t) => a + t.instructions, 0);
  return { main, other };
}

/** Instructions per span of `client` (a fresh child of SPANS spans, less one of none). */
async function perSpan(client, variant, dist) {
  const none = await counted(client, variant, 0, dist);
  const all = await counted(client, variant, SPANS, dist);
  return { main: (all.main - none.main) / SPANS, other: (all.other - none.other) / SPANS };
}

async function main() {
  if (distMissing()) return;
  if (!VALGRIND) {
    console.error('valgrind not found: apt-get install valgrind (Debian), then run again.');
    process.exitCode = 1;
    return;
  }
  const againstArg = process.argv.find((a) => a.startsWith('--against='));
  const against = againstArg ? path.resolve(againstArg.slice('--against='.length)) : undefined;
  console.log('tracewire: instructions per span in a fresh process, by thread (bench/instructions.js, callgrind)');
  console.log(nodeLine());
  console.log(cpuLine({ loadavg: true }));
  console.log(`${SPANS} traced sync calls f(i, 1) in a loop, then the flush (bench/pipeline.js's fresh tight-loop child), less the same child with none; median of ${REPS} per row`);
  const rows = [
    { label: 'floor (hand-rolled tracer)', client: 'floor' },
    ...[undefined, 'batch', 'otlp'].map((variant) => ({ label: `tracewire ${variant ?? 'multipart'}`, client: 'tracewire', variant })),
    ...(against ? [undefined, 'batch', 'otlp'].map((variant) => ({ label: `before (${path.basename(against)}): ${variant ?? 'multipart'}`, client: 'tracewire', variant, dist: entryOf(against) })) : []),
  ];
  const results = new Map(rows.map((row) => [row, []]));
  for (let rep = 0; rep < REPS; rep++) {
    for (const row of rows) {
      process.stderr.write(`  ${row.label} #${rep + 1} …`);
      results.get(row).push(await perSpan(row.client, row.variant, row.dist));
      process.stderr.write(' done\n');
    }
  }
  const figures = rows.map((row) => {
    const runs = results.get(row);
    const main = median(runs.map((r) => r.main));
    const other = median(runs.map((r) => r.other));
    return { row, main, other, total: median(runs.map((r) => r.main + r.other)) };
  });
  const floor = figures[0];
  const k = (n) => (n / 1000).toFixed(1);
  printTable(
    [
      { key: 'label', title: 'tracer / exporter' },
      { key: 'main', title: 'main thread (k instr/span)', right: true },
      { key: 'mainRatio', title: '× floor', right: true },
      { key: 'other', title: 'other threads (k instr/span)', right: true },
      { key: 'otherRatio', title: '× floor', right: true },
      { key: 'total', title: 'all (k instr/span)', right: true },
      { key: 'totalRatio', title: '× floor', right: true },
    ],
    figures.map((f) => ({
      label: f.row.label,
      main: k(f.main),
      mainRatio: (f.main / floor.main).toFixed(2),
      other: k(f.other),
      otherRatio: (f.other / floor.other).toFixed(2),
      total: k(f.total),
      totalRatio: (f.total / floor.total).toFixed(2),
    })),
  );
  console.log('main thread = JavaScript (tracer, Node\'s HTTP client), and what the GC does there; other threads = V8\'s workers: optimizing (TurboFan)');
  console.log('  compilation of code that got hot, and the GC\'s parallel and concurrent work. Instructions only: pipeline.js --cost gives the time.');
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
