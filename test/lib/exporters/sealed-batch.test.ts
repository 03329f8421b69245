import type { RunRecord } from '../../../lib/model/run-record';
import { RecordBatch } from '../../../lib/exporters/record-batch';
import type { SealedBatch } from '../../../lib/exporters/sealed-batch';
import { sealRecords } from '../../../lib/exporters/langsmith/seal-batch';
import { LangSmithFraming } from '../../../lib/exporters/langsmith/wire-body';
import { remoteParent, ROOT, runRecord } from '../../helpers/run-records';

/**
 * A batch sealed as it closes holds its runs only as wire bytes. What needs
 * runs again — the spool, a retry after the server turned out to lack
 * multipart — reads them back: each must be exactly the run an exporter of
 * your own receives from the same record (`RunRecord.toRun`), keys in the
 * same order, for every shape a run takes.
 */
const SHAPES: Array<[string, Partial<Record<keyof RunRecord, unknown>>]> = [
  ['a complete child', {}],
  ['a root', { id: ROOT, parentId: undefined, parentDottedOrder: undefined }],
  ['a start still running', { phase: 'start', endMicros: undefined, status: undefined, outputsJson: undefined }],
  ['the end of a run posted earlier', { phase: 'end', inputsJson: undefined }],
  ['a cancelled run (the wire says error "Cancelled"; the run has none)', { status: 'cancelled', outputsJson: undefined }],
  ['a failed run with events', { status: 'error', error: 'TypeError: bad\n    at f (x.js:1:1)', outputsJson: undefined, events: [{ name: 'retry', time: '2024-11-19T07:13:20.124000Z', kwargs: { attempt: 2 } }] }],
  ['a run whose error text is "Cancelled" of its own', { status: 'error', error: 'Cancelled' }],
  ['tags, metadata and names that need escaping', { name: 'lo"ok ☃', tags: ['a', 'b"c'], metadata: { tenant: 'acmé', n: [1, { x: null }] }, projectName: 'pro"jéct 🚀' }],
  ['ids that are not plain', { id: 'run "1" ☃', traceId: 'tr\\ace', parentId: 'pä', parentDottedOrder: '2024"x\\.é' }],
  ['a run continued from another service (OpenTelemetry ids)', { parentId: undefined, parentDottedOrder: undefined, id: ROOT, traceId: ROOT, otel: remoteParent('4bf92f35-77b3-4da6-a3ce-929d0e0e4736', '00000000-0000-0000-00f0-67aa0ba902b7') }],
];

const MODES = ['multipart', 'batch'] as const;

function sealed(records: RunRecord[], patches: RunRecord[], mode: 'multipart' | 'batch'): SealedBatch {
  return sealRecords(new RecordBatch(records, patches), new LangSmithFraming(mode, '----tracewiretest'));
}

describe.each(MODES)('%s', (mode) => {
  test.each(SHAPES)('%s reads back as the very run toRun() makes', (_name, overrides) => {
    const record = runRecord(overrides);
    const patch = record.phase === 'end';
    const batch = sealed(patch ? [] : [record], patch ? [record] : [], mode);
    const runs = batch.runs();
    const run = (patch ? runs.patch : runs.post)[0]!;
    expect(run).toStrictEqual(record.toRun());
    expect(Object.keys(run)).toEqual(Object.keys(record.toRun()));
    expect(batch.endCount).toBe(record.phase === 'start' ? 0 : 1);
  });

  test('less what a failed attempt delivered: the rest, keyed by the same runs, and the ends that got through', () => {
    const batch = sealed([runRecord({ id: 'a1' }), runRecord({ id: 'a2', phase: 'start', endMicros: undefined, status: undefined, outputsJson: undefined }), runRecord({ id: 'b1' })], [runRecord({ id: 'a3', phase: 'end', inputsJson: undefined })], mode);
    // Keys are the runs read back, posts then patches: what the exporter names delivered.
    expect(batch.keys()).toEqual([...batch.runs().post, ...batch.runs().patch]);
    expect(batch.keys()[3]).toBe(batch.runs().patch[0]);
    const { rest, deliveredEnds } = batch.without(new Set([batch.keys()[0], batch.keys()[1]]));
    expect(deliveredEnds).toBe(1); // a1; a2 was a start
    expect(rest!.runs().post.map((run) => run.id)).toEqual(['b1']);
    expect(rest!.runs().patch.map((run) => run.id)).toEqual(['a3']);
    expect(rest!.keys()).toEqual([batch.keys()[2], batch.keys()[3]]);
    expect(rest!.keys()[1]).toBe(batch.keys()[3]);
    expect(batch.without(new Set(batch.keys())).rest).toBeUndefined();
  });
});

test('some operations picked out are sealed byte for byte as those runs alone', () => {
  for (const mode of MODES) {
    const records = [runRecord({ id: 'x1' }), runRecord({ id: 'x2', name: 'ünï' }), runRecord({ id: 'x3' })];
    const patch = runRecord({ id: 'x4', phase: 'end', inputsJson: undefined });
    const whole = sealed(records, [patch], mode);
    const part = whole.pick([1, 3]);
    expect(Buffer.from(part.body).toString()).toBe(Buffer.from(sealed([records[1]!], [patch], mode).body).toString());
    expect(part.keys()).toEqual([whole.keys()[1], whole.keys()[3]]);
    expect(part.keys()[0]).toBe(whole.keys()[1]);
    expect(whole.pick([0, 1, 2, 3])).toBe(whole);
  }
});

test('in batch mode again after multipart, the runs, their order and their keys are the multipart batch\'s', () => {
  const multipart = sealed([runRecord({ id: 'p1' }), runRecord({ id: 'p2' })], [runRecord({ id: 'q1', phase: 'end', inputsJson: undefined })], 'multipart');
  const batch = new LangSmithFraming('batch', '----tracewiretest').sealRuns(multipart.runs(), multipart.keys());
  expect(batch.runs()).toStrictEqual(multipart.runs());
  expect(batch.keys().every((key, i) => key === multipart.keys()[i])).toBe(true);
  expect(JSON.parse(Buffer.from(batch.body).toString())).toMatchObject({ post: [{ id: 'p1' }, { id: 'p2' }], patch: [{ id: 'q1' }] });
});
