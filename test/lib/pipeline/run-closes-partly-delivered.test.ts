import { DeliveryCounters } from '../../../lib/client/delivery-stats';
import { DropWarnings } from '../../../lib/pipeline/drop-warnings';
import { RunCloses, withCloses } from '../../../lib/pipeline/run-closes';
import { RunRecord } from '../../../lib/model/run-record';
import { RecordBatch, recordsOf } from '../../../lib/exporters/record-batch';
import { withoutDelivered } from '../../../lib/pipeline/partial-delivery';
import type { Run } from '../../../index';

/**
 * Closes of different kinds in one export — a record (the end of a batch
 * evicted before it was sealed) and a public run (one read back from a sealed
 * batch that failed) — go as public runs, so the record is sent as a new
 * object. An exporter that delivered part of the export names what it
 * delivered by the objects it was handed: a close delivered that way is done
 * with, not sent again with the next export (an SRE probe saw whole requests
 * of closes accepted twice under drop-oldest and 503s; the end-to-end case
 * depends on which batches were sealed when, so it is pinned here).
 */
const START = Date.UTC(2026, 0, 1) * 1000;

const recordEnd = (id: string): RunRecord =>
  new RunRecord('end', id, id, undefined, undefined, undefined, 'long', 'chain', 'p', START, START + 10, 'success', undefined, [], {}, [], undefined, undefined);

const publicEnd = (id: string): Run => ({
  id,
  trace_id: id,
  dotted_order: `20260101T000000000000Z${id}`,
  name: 'long',
  run_type: 'chain',
  start_time: '2026-01-01T00:00:00.000000Z',
  end_time: '2026-01-01T00:00:00.000010Z',
  tags: [],
  extra: { metadata: {} },
  events: [],
  session_name: 'p',
  inputs: {},
  outputs: {},
});

test('a close delivered by part of an export that carried it as a public run is done with; only the undelivered one waits again', () => {
  const counters = new DeliveryCounters();
  const closes = new RunCloses(counters, new DropWarnings({ warn: () => undefined }));
  const [recordId, publicId] = ['0191e2f4-5a6b-7c8d-9e0f-000000000001', '0191e2f4-5a6b-7c8d-9e0f-000000000002'];
  closes.failed([recordEnd(recordId)], new Error('HTTP 503'));
  closes.failed([publicEnd(publicId)], new Error('HTTP 503'));
  const taken = closes.take()!;
  const sent = withCloses({ post: [], patch: [] }, taken);
  const [recordSent, publicSent] = sent.patch as Run[];
  expect([recordSent!.id, publicSent!.id]).toEqual([recordId, publicId]);
  expect(recordSent).not.toBeInstanceOf(RunRecord); // sent as a public run: another object than the held record
  // The exporter delivered the first request (the record's close) and not the second.
  closes.settled(taken, false, true, new Set<object>([recordSent!]));
  const again = closes.take()!;
  expect(again.map((held) => held.close.id)).toEqual([publicId]);
  expect(counters.leftOpen).toBe(0);
});

test('the batch\'s own records, sent as public runs beside such closes, are known delivered by those runs', () => {
  const closes = new RunCloses(new DeliveryCounters(), new DropWarnings({ warn: () => undefined }));
  closes.failed([recordEnd('0191e2f4-5a6b-7c8d-9e0f-000000000003')], new Error('HTTP 503'));
  closes.failed([publicEnd('0191e2f4-5a6b-7c8d-9e0f-000000000004')], new Error('HTTP 503'));
  const own = new RecordBatch([], [recordEnd('0191e2f4-5a6b-7c8d-9e0f-000000000005'), recordEnd('0191e2f4-5a6b-7c8d-9e0f-000000000006')]);
  const sent = withCloses(own, closes.take()!);
  // The first request took the batch's first patch: the rest is its second, counted as one end delivered.
  const { rest, deliveredEnds } = withoutDelivered(own, new Set<object>([sent.patch[0]!]));
  expect(deliveredEnds).toBe(1);
  expect(recordsOf(rest!)!.patchRecords.map((record) => record.id)).toEqual(['0191e2f4-5a6b-7c8d-9e0f-000000000006']);
});
