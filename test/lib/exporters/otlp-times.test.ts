import { recordSpanJson } from '../../../lib/exporters/otlp/otlp-json-text';
import { otlpSpanOf } from '../../../lib/exporters/otlp/to-otlp-span';
import { runRecord, START } from '../../helpers/run-records';

/**
 * OTLP times are decimal nanoseconds since the epoch: a run's microseconds
 * with three zeros, exactly (no float on the way), in the JSON text and in
 * the mapped span alike.
 */
test.each([
  ['a time of today', START],
  ['two runs in the same millisecond', START + 1],
  ['the first millisecond after the epoch', 1_000],
  ['a time under a millisecond after the epoch', 999],
  ['the largest safe microsecond count', Number.MAX_SAFE_INTEGER],
])('%s: start and end are the microseconds × 1000', (_, startMicros) => {
  const record = runRecord({ startMicros, endMicros: startMicros + 2_345 });
  const expected = { startTimeUnixNano: `${BigInt(startMicros) * 1000n}`, endTimeUnixNano: `${(BigInt(startMicros) + 2345n) * 1000n}` };
  expect(JSON.parse(recordSpanJson(record))).toMatchObject(expected);
  expect(otlpSpanOf(recordSpanJson(record), record.metadata, record.events)).toMatchObject(expected);
});
