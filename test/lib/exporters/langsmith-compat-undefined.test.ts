import { Client } from 'langsmith';
import { traceable as lsTraceable } from 'langsmith/traceable';
import { LangSmithExporter, TracingClient, traceable } from '../../../index';
import { LangSmithSink, acceptedRuns } from '../../helpers/langsmith-sink';

/**
 * `undefined` among the arguments, or as the result, against langsmith's own
 * client on the wire. langsmith maps arguments in `runInputsToMap`
 * (lib/traceable.js): an undefined FIRST argument gives `{}` whatever follows,
 * one later is an array slot (JSON `null`); a result that is not a plain
 * object becomes `{ outputs: result }` (`handleRunOutputs`), so undefined is
 * sent as `{}`. A null FIRST argument gives `{ inputs: null }`, whatever
 * follows; a later one is an array slot. tracewire's text fast path (a built-in exporter, no
 * redaction hook) and its value path (with a hook) must both agree. The
 * options are langsmith's spelling (`run_type`) on both sides.
 */
type Case = readonly [name: string, args: readonly unknown[], fn: (...args: unknown[]) => unknown];
const CASES: readonly Case[] = [
  ['noArgs', [], () => 'r'],
  ['oneUndefined', [undefined], (a) => a],
  ['undefinedFirst', [undefined, 2], (_a, b) => b],
  ['undefinedLater', [1, undefined], (a) => a],
  ['undefinedBetween', [1, undefined, 'c'], () => 0],
  ['oneNull', [null], (a) => a],
  ['nullFirst', [null, 2], (_a, b) => b],
  ['nullLater', [1, null], (a) => a],
  ['returnsVoid', [1], () => {}],
  ['returnsNull', [1], () => null],
  ['resolvesUndefined', ['x'], async () => undefined],
];

let sink: LangSmithSink;
afterEach(async () => {
  await sink?.stop();
});

async function shapes(trace: () => Promise<void>): Promise<Record<string, unknown>> {
  sink.clear();
  await trace();
  const out: Record<string, unknown> = {};
  for (const run of (await acceptedRuns(sink)).values()) out[String(run.name)] = { inputs: run.inputs, outputs: run.outputs, run_type: run.run_type };
  return out;
}

test.each([
  ['the JSON-text fast path', false],
  ['the value path (a redaction hook)', true],
])('undefined and null arguments and results: tracewire sends what langsmith sends, through %s', async (_path, hooked) => {
  sink = await LangSmithSink.start({ info: { body: { batch_ingest_config: { use_multipart_endpoint: false } } } });
  const theirs = await shapes(async () => {
    const client = new Client({ apiUrl: sink.url, apiKey: 'k', autoBatchTracing: true });
    for (const [name, args, fn] of CASES) await lsTraceable(fn, { name, client, tracingEnabled: true, run_type: 'tool' })(...args);
    await client.awaitPendingTraceBatches();
  });
  const ours = await shapes(async () => {
    const redact = hooked ? { inputs: (value: object) => value, outputs: (value: object) => value } : undefined;
    const client = new TracingClient({ exporter: new LangSmithExporter({ endpoint: sink.url, apiKey: 'k', mode: 'batch' }), manualFlushMode: true, redact });
    for (const [name, args, fn] of CASES) await traceable(fn, { name, client, run_type: 'tool' })(...args);
    await client.flush();
    await client.shutdown();
  });
  expect(Object.keys(theirs).sort()).toEqual(CASES.map(([name]) => name).sort());
  expect(ours).toEqual(theirs);
  // What that is, spelled out (langsmith 0.12); langsmith's `run_type` option is taken as tracewire's `runType`.
  expect(theirs).toMatchObject({
    noArgs: { inputs: {}, outputs: { outputs: 'r' }, run_type: 'tool' },
    oneUndefined: { inputs: {}, outputs: {} },
    undefinedFirst: { inputs: {}, outputs: { outputs: 2 } },
    undefinedLater: { inputs: { args: [1, null] }, outputs: { outputs: 1 } },
    oneNull: { inputs: { inputs: null }, outputs: { outputs: null } },
    nullFirst: { inputs: { inputs: null }, outputs: { outputs: 2 } },
    nullLater: { inputs: { args: [1, null] }, outputs: { outputs: 1 } },
    returnsVoid: { inputs: { input: 1 }, outputs: {} },
    returnsNull: { outputs: { outputs: null } },
    resolvesUndefined: { outputs: {} },
  });
});
