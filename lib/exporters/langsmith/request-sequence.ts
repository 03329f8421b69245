import type { ExportDone } from '../callback-export.js';
import { EXPORT_OK, type ExportBatch } from '../span-exporter.js';
import type { WireOp } from './wire-op.js';

/** @internal Sends one request of a batch; `done` is never called on the caller's stack. */
export type SendRequest = (ops: readonly WireOp[], done: ExportDone) => void;

/** @internal Keys of the runs of a batch that some of its requests already delivered, while the batch may be retried. */
export type DeliveredRuns = WeakMap<ExportBatch, Set<object>>;

/**
 * @internal Sends a batch's `requests` from the `i`th on, one after another
 * through `send`, and stops at the first failure, which is `done`'s answer.
 * What got through is noted in `delivered` when more than one request is
 * involved, so a retry sends only the runs the server has not seen; a batch
 * that fits one request goes whole again, or not at all.
 */
export function sendInOrder(delivered: DeliveredRuns, batch: ExportBatch, requests: readonly WireOp[][], i: number, send: SendRequest, done: ExportDone): void {
  send(requests[i]!, (result) => {
    if (!result.ok) return done(result);
    if (i < requests.length - 1 || delivered.has(batch)) {
      let sent = delivered.get(batch);
      if (sent === undefined) delivered.set(batch, (sent = new Set()));
      for (const op of requests[i]!) sent.add(op.key);
    }
    if (i < requests.length - 1) sendInOrder(delivered, batch, requests, i + 1, send, done);
    else done(EXPORT_OK);
  });
}
