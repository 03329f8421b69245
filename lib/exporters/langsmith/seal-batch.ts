import type { Run } from '../../model/run.js';
import { runOtel } from '../../model/run-literal.js';
import type { RecordBatch } from '../record-batch.js';
import { opFlags, SealedBatch } from '../sealed-batch.js';
import type { ExportBatch } from '../span-exporter.js';
import { recordOp } from './record-op.js';
import { textsOfRun } from './to-langsmith-run.js';
import type { LangSmithFraming } from './wire-body.js';
import { serializeOp, wireOpBytes } from './wire-op.js';

/**
 * @internal The pipeline's records in `framing`'s wire form: posts, then
 * patches, as one request body. The pipeline lets go of the records: their
 * delivery is remembered by the runs read back, when first needed.
 */
export function sealRecords(records: RecordBatch, framing: LangSmithFraming): SealedBatch {
  const posts = records.postRecords;
  const count = posts.length + records.patchRecords.length;
  const texts: string[] = [];
  const sizes = new Uint32Array(count);
  const flags = new Uint8Array(count);
  let otel: Array<Run['otel']> | undefined;
  // Indexed, one loop over posts then patches: a loop is a function TurboFan compiles (once per fresh process).
  for (let i = 0; i < count; i++) {
    const isPost = i < posts.length;
    const record = isPost ? posts[i]! : records.patchRecords[i - posts.length]!;
    texts.push(recordOp(record, isPost ? 'post' : 'patch', framing.mode, framing.boundary, framing.extraBlock));
    sizes[i] = wireOpBytes;
    flags[i] = opFlags(!isPost, record.phase !== 'start', record.status, record.error);
    if (record.otel !== undefined) (otel ??= [])[i] = runOtel(record.otel);
  }
  const { body, spans } = framing.seal(texts, sizes, posts.length);
  return new SealedBatch(framing, body, spans, flags, otel);
}

/**
 * @internal Runs of a caller's own (an exporter used directly, a spool's
 * replay) in `framing`'s wire form; `keys`, what each operation's delivery
 * is remembered by, default to the runs themselves: the very objects the
 * caller handed over.
 */
export function sealRuns(batch: ExportBatch, framing: LangSmithFraming, keys?: object[]): SealedBatch {
  const runs = [...batch.post, ...batch.patch];
  const texts: string[] = [];
  const sizes = new Uint32Array(runs.length);
  const flags = new Uint8Array(runs.length);
  let otel: Array<Run['otel']> | undefined;
  runs.forEach((run, n) => {
    const patch = n >= batch.post.length;
    const op = serializeOp(textsOfRun(run, framing.extraBlock), patch ? 'patch' : 'post', framing.mode, framing.boundary);
    texts.push(op.text);
    sizes[n] = op.bytes;
    flags[n] = opFlags(patch, patch || run.end_time !== undefined, run.status, run.error);
    if (run.otel !== undefined) (otel ??= [])[n] = run.otel;
  });
  const { body, spans } = framing.seal(texts, sizes, batch.post.length);
  return new SealedBatch(framing, body, spans, flags, otel, keys ?? runs);
}
