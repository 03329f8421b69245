'use strict';
/**
 * Child-side scenarios of bench/pipeline.js's cost rows: the floor tracer's
 * tight-loop / concurrent runs, and the "held" runs (heap per queued span)
 * of the floor and of tracewire in manual mode.
 */
const { FloorTracer } = require('./floor-tracer');
const { threadCpu, threadCpuPerSpan } = require('../support/thread-cpu');

const MB = 2 ** 20;
const hr = process.hrtime.bigint;
/** Spans held by a "held" run: 100 000, tracewire's default maxQueueSize in events (an ended span is one). */
const HELD_SPANS = 100_000;
const WARM_UP_SPANS = 2_000;

/**
 * The floor in the tight-loop or concurrent scenario, timed and measured like tracewire's rows.
 * `steady`: one unmeasured round of the same calls and flush first, in this process (the steady-state rows).
 * `padBytes`: the floor at an exporter's bytes per run (FloorTracer's `padBytes`; analytic rows, not the judged floor).
 */
async function childFloor(scenario, sinkUrl, spans, rss, steady = false, padBytes = 0) {
  const tracer = new FloorTracer({ url: sinkUrl, padBytes });
  const f = tracer.traceable(function f(a, b) { return a + b; });
  const g = tracer.traceable(async function g(i) { await null; return i; });
  const round = async () => {
    let acc = 0;
    const t0 = hr();
    if (scenario === 'tight-loop') {
      for (let i = 0; i < spans; i++) acc += f(i, 1);
    } else {
      const values = await Promise.all(Array.from({ length: spans }, (_, i) => g(i)));
      acc = values.length;
    }
    return { t0, callsDone: hr(), acc };
  };
  if (steady) {
    await round();
    await tracer.flush();
  }
  const rssBeforeMB = rss.sample() / MB;
  const threads0 = threadCpu();
  const cpu0 = process.cpuUsage();
  const faults0 = process.resourceUsage().minorPageFault;
  const { t0, callsDone, acc } = await round();
  const threadsAfterCalls = threadCpu();
  const rssAfterCallsMB = rss.sample() / MB;
  const arrayBuffersAfterCallsMB = process.memoryUsage().arrayBuffers / MB;
  await tracer.flush();
  const flushDone = hr();
  const cpu = process.cpuUsage(cpu0);
  const threads = threadCpuPerSpan(threads0, threadCpu(), spans, threadsAfterCalls);
  const faults = process.resourceUsage().minorPageFault - faults0;
  const mem = rss.stop();
  tracer.shutdown();
  return {
    nsPerCall: Number(callsDone - t0) / spans,
    settleMs: 0,
    flushMs: Number(flushDone - callsDone) / 1e6,
    sent: tracer.sent,
    rssBeforeMB,
    rssAfterCallsMB,
    arrayBuffersAfterCallsMB,
    ...mem,
    cpuUsPerSpan: (cpu.user + cpu.system) / spans,
    sysUsPerSpan: cpu.system / spans,
    ...threads,
    faultsPer100Spans: (faults * 100) / spans,
    marks: { t0: String(t0), callsDone: String(callsDone), flushDone: String(flushDone) },
    check: acc,
  };
}

/** heapUsed after two full collections (the child runs with --expose-gc). */
function liveHeap() {
  global.gc();
  global.gc();
  return process.memoryUsage().heapUsed;
}

/** Bytes in ArrayBuffers (Buffers included), after {@link liveHeap}'s collections: what a sealed batch holds outside the heap. */
function outsideHeap() {
  return process.memoryUsage().arrayBuffers;
}

/**
 * Heap per queued span: HELD_SPANS sync calls of f(a, b) whose spans are
 * held, not sent (tracewire: manual mode, with the default exporter —
 * LangSmith, to the loopback sink at release — or, variant `custom`, a no-op
 * exporter of the caller's own, which receives Run objects; the floor:
 * `hold`), live heap after gc minus live heap before, ÷ spans. A warm-up
 * round first (traced, then released), so compiled code and lazily built
 * structures are in the "before" figure, not charged to the spans.
 */
async function childHeld(client, distPath, sinkUrl, variant) {
  if (typeof global.gc !== 'function') throw new Error('held runs need --expose-gc');
  let tracer;
  let release;
  let pending = () => undefined;
  let shutdown = () => Promise.resolve();
  if (client === 'floor') {
    const floor = new FloorTracer({ url: 'http://127.0.0.1:9', hold: true });
    tracer = floor;
    release = async () => {
      floor.held = [];
    };
  } else {
    const tw = require(distPath);
    const exporter = variant === 'custom' ? { export: () => Promise.resolve({ ok: true }) } : new tw.LangSmithExporter({ endpoint: sinkUrl, apiKey: 'bench' });
    const tc = new tw.TracingClient({ exporter, mode: 'manual' });
    tracer = tw;
    tw.setGlobalTracingClient(tc);
    release = () => tc.flush();
    pending = () => tc.stats();
    shutdown = () => tc.shutdown();
  }
  const f = tracer.traceable(function f(a, b) { return a + b; });
  let acc = 0;
  for (let i = 0; i < WARM_UP_SPANS; i++) acc += f(i, 1);
  await release();
  const before = liveHeap();
  const outsideBefore = outsideHeap();
  for (let i = 0; i < HELD_SPANS; i++) acc += f(i, 1);
  const after = liveHeap();
  const outsideAfter = outsideHeap();
  const stats = pending();
  await release();
  const afterRelease = liveHeap();
  await shutdown();
  return { heldSpans: HELD_SPANS, bytesPerSpan: (after - before) / HELD_SPANS, outsideBytesPerSpan: (outsideAfter - outsideBefore) / HELD_SPANS, heapBeforeMB: before / MB, heapHeldMB: after / MB, heapReleasedMB: afterRelease / MB, stats, check: acc };
}

module.exports = { childFloor, childHeld, HELD_SPANS };
