'use strict';
/**
 * bench/overhead-steps.js — where a traced call's time goes, step by step.
 *
 *   npm run build
 *   node bench/overhead-steps.js                          (this checkout, 5 rounds)
 *   node bench/overhead-steps.js --against=<a built checkout> [--rounds=5]
 *
 * Each step of a traced call (clock read, UUIDv7, span, input/output
 * capture, AsyncLocalStorage.run, the pipeline's events) is timed alone in a
 * loop, then whole calls. Why a second script beside overhead.js: that one
 * gives the price a user pays; this one says which part of it to cut.
 *
 * Method, chosen for a shared machine (other jobs on the cores):
 * - CPU time (`process.cpuUsage()`), not wall time: a descheduled process
 *   does not count time it did not run.
 * - Chunks of 2 000 calls, each followed by a macrotask yield inside the timed
 *   chunk (the no-op exports of finished spans settle there and are counted);
 *   a step's figure is the 25th percentile of its chunks (interference only
 *   ever adds time; a low percentile still counts GC, which most chunks pay).
 * - Every round is a fresh child process per build, builds alternating, so
 *   neither build shares a process (or its JIT state, or rxjs) with the other.
 *   The table gives the median over rounds.
 * The exporter is a no-op exporter of your own (so spans become `Run`
 * objects at batch close, as in overhead.js); two rows run the built-in
 * exporters' side instead (JSON text capture, compact records), with a no-op
 * exporter marked as taking records, so encoding and HTTP are left out.
 */

const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { ROOT, nodeLine, cpuLine } = require('./support/machine');
const { printTable } = require('./support/table');
const { median } = require('./support/stats');

const CHUNK = 2_000;
const CALLS = 100_000; // per step and round
const PERCENTILE = 0.25;

async function child(root) {
  const dist = path.join(root, 'dist');
  const tw = require(path.join(dist, 'index.js'));
  const { uuidv7 } = require(path.join(dist, 'lib/model/ids.js'));
  const { nowMicros } = require(path.join(dist, 'lib/model/clock.js'));
  const { captureInputs, captureOutputs, captureInputsJson, captureOutputsJson } = require(path.join(dist, 'lib/instrument/capture.js'));
  const { takesRecords } = require(path.join(dist, 'lib/exporters/record-batch.js'));
  const { callInSpan } = require(path.join(dist, 'lib/context/span-context.js'));
  const { resolveCallSite } = require(path.join(dist, 'lib/instrument/trace-options.js'));
  const exporter = { export: () => Promise.resolve({ ok: true }) };
  const client = new tw.TracingClient({ exporter, projectName: 'bench', enabled: true });
  // The same span made under a sampleRate below 1: its root draws whether its trace is kept (a hash of its id).
  const sampledClient = new tw.TracingClient({ exporter, projectName: 'bench', enabled: true, sampleRate: 0.5 });
  const manual = new tw.TracingClient({ exporter, projectName: 'bench', enabled: true, mode: 'manual' });
  // The built-in exporters' side of the hot path (inputs and outputs captured to JSON text, batches
  // closed into compact records), without their encoding and HTTP: a no-op exporter marked as one.
  const recordsExporter = { export: () => Promise.resolve({ ok: true }) };
  takesRecords(recordsExporter);
  const recordsClient = new tw.TracingClient({ exporter: recordsExporter, projectName: 'bench', enabled: true });
  const site = resolveCallSite({}, 'm');
  const add = (a, b) => a + b;
  const syncFn = tw.traceable(add, { name: 'm' });
  const asyncFn = tw.traceable(async (a, b) => a + b, { name: 'm' });
  const args = [5, 'ab'];
  const scope = { name: 'scope' };
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) * 1000;
  };
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  const low = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length * PERCENTILE)];
  let sink;

  const timeSync = async (f, between) => {
    for (let i = 0; i < CHUNK; i++) f();
    await tick();
    const per = [];
    for (let done = 0; done < CALLS; done += CHUNK) {
      const t0 = cpu();
      for (let i = 0; i < CHUNK; i++) f();
      if (between === undefined) await tick();
      per.push((cpu() - t0) / CHUNK);
      if (between !== undefined) await between(); // untimed
    }
    return low(per);
  };
  const asyncChunk = async () => {
    let acc = 0;
    for (let i = 0; i < CHUNK; i++) acc += (await asyncFn(i, 'ab')).length;
    return acc;
  };
  const timeAsync = async (chunk = asyncChunk) => {
    sink = await chunk();
    const per = [];
    for (let done = 0; done < CALLS / 2; done += CHUNK) {
      const t0 = cpu();
      sink = await chunk();
      await tick();
      per.push((cpu() - t0) / CHUNK);
    }
    return low(per);
  };
  // The platform's share of an async call, without tracewire: the same async function awaited
  // directly, and awaited through a promise that follows it (`then` with two fresh closures, as
  // any tracer that must hand back the settled value does), before and after AsyncLocalStorage
  // has installed Node 20's promise hooks.
  const plain = async (a, b) => a + b;
  const nativeThen = Promise.prototype.then;
  const plainChunk = async () => {
    let acc = 0;
    for (let i = 0; i < CHUNK; i++) acc += (await plain(i, 'ab')).length;
    return acc;
  };
  const followedChunk = async () => {
    let acc = 0;
    for (let i = 0; i < CHUNK; i++) {
      const held = { i };
      const followed = nativeThen.call(plain(i, 'ab'), (value) => (held.i === -1 ? undefined : value), (error) => {
        held.i = -1;
        throw error;
      });
      acc += (await followed).length;
    }
    return acc;
  };

  const rows = {};
  // First, while nothing in this process has entered an AsyncLocalStorage (no promise hooks yet).
  rows['untraced async call, awaited, no promise hooks (pristine)'] = await timeAsync(plainChunk);
  rows['… followed by then(2 closures), no promise hooks'] = await timeAsync(followedChunk);
  rows['clock read (nowMicros)'] = await timeSync(() => (sink = nowMicros()));
  rows['UUIDv7'] = await timeSync(() => (sink = uuidv7(1_764_640_000_000)));
  rows['client.startSpan (span: clock, id, fields)'] = await timeSync(() => (sink = client.startSpan(site, undefined, undefined)));
  rows['the same at sampleRate 0.5 (the root draws its trace)'] = await timeSync(() => (sink = sampledClient.startSpan(site, undefined, undefined)));
  rows['capture inputs (a number, a string)'] = await timeSync(() => (sink = captureInputs(site, args, client.limits)));
  rows['capture outputs (a string)'] = await timeSync(() => (sink = captureOutputs(site, 'ab', client.limits)));
  rows['capture inputs as JSON text (built-in exporter)'] = await timeSync(() => (sink = captureInputsJson(site, args, client.limits)));
  rows['capture outputs as JSON text (built-in exporter)'] = await timeSync(() => (sink = captureOutputsJson(site, 'ab', client.limits)));
  rows['AsyncLocalStorage.run'] = await timeSync(() => (sink = callInSpan(scope, add, undefined, args)));
  // From here on Node 20's promise hooks are installed for the life of the process.
  rows['untraced async call, awaited, promise hooks on'] = await timeAsync(plainChunk);
  rows['… followed by then(2 closures), promise hooks on'] = await timeAsync(followedChunk);
  const events = (c) => () => {
    const span = c.startSpan(site, undefined, undefined);
    c.spanStarted(span);
    c.endSpan(span, 'success', undefined);
  };
  rows['startSpan + start/end events, held (manual)'] = await timeSync(events(manual), () => manual.flush());
  rows['startSpan + start/end events, exported'] = await timeSync(events(client));
  await client.flush();
  tw.setGlobalTracingClient(client);
  rows['traced sync call'] = await timeSync(() => (sink = syncFn(5, 'ab')));
  rows['traced async call (awaited)'] = await timeAsync();
  await client.flush();
  tw.setGlobalTracingClient(recordsClient);
  rows['traced sync call, built-in exporter path (JSON capture, records)'] = await timeSync(() => (sink = syncFn(5, 'ab')));
  rows['traced async call, built-in exporter path (JSON capture, records)'] = await timeAsync();
  await recordsClient.flush();
  tw.setGlobalTracingClient(undefined);
  rows['same sync call, tracing off'] = await timeSync(() => (sink = syncFn(5, 'ab')));
  rows['same async call, tracing off'] = await timeAsync();
  await client.shutdown();
  await manual.shutdown();
  await recordsClient.shutdown();
  if (sink === 0.5) console.error('unreachable');
  process.stdout.write(JSON.stringify(rows) + '\n');
}

function main() {
  const against = process.argv.find((a) => a.startsWith('--against='));
  const rounds = Number((process.argv.find((a) => a.startsWith('--rounds=')) ?? '--rounds=5').slice(9));
  const builds = [{ name: 'this', root: ROOT }];
  if (against) builds.push({ name: 'other', root: path.resolve(against.slice(10)) });
  console.log('tracewire overhead by step');
  console.log(nodeLine());
  console.log(cpuLine());
  console.log(`date: ${new Date().toISOString()} | ${rounds} rounds × fresh process per build, alternating | CPU ns per call, ${PERCENTILE * 100}th percentile of ${CHUNK}-call chunks, median over rounds`);
  for (const b of builds) console.log(`${b.name}: ${b.root}`);
  const samples = builds.map(() => ({}));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < builds.length; k++) {
      const i = (k + r) % builds.length;
      const out = execFileSync(process.execPath, [__filename, '--child', builds[i].root], { encoding: 'utf8' });
      const rows = JSON.parse(out.trim().split('\n').pop());
      for (const [step, ns] of Object.entries(rows)) (samples[i][step] ??= []).push(ns);
    }
    process.stderr.write('.');
  }
  process.stderr.write('\n');
  const steps = Object.keys(samples[0]);
  printTable(
    [{ key: 'step', title: 'step' }, ...builds.map((b) => ({ key: b.name, title: `${b.name}, CPU ns`, right: true }))],
    steps.map((step) => Object.fromEntries([['step', step], ...builds.map((b, i) => [b.name, samples[i][step] ? median(samples[i][step]).toFixed(0) : '—'])])),
  );
}

if (process.argv[2] === '--child') {
  child(process.argv[3]).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main();
}
