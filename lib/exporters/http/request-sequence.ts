import type { ExportDone } from '../callback-export.js';
import { EXPORT_OK, type ExportBatch, type ExportResult, type PartialSuccess } from '../span-exporter.js';
import { joinPartialSuccess, withPartialSuccess } from './partial-success.js';
/** @internal Sends one request of a batch; `done` is never called on the caller's stack. */
export type SendRequest<R> = (request: R, done: ExportDone) => void;

/** @internal Keys of the runs of a batch that some of its requests already delivered, while the batch may be retried. */
export type DeliveredRuns = WeakMap<ExportBatch, Set<object>>;

/**
 * @internal Sends a batch's `requests` from the `i`th on, one after another
 * through `send`. A retryable failure stops the sequence and is `done`'s
 * answer: the pipeline tries the batch again later. A refusal (a
 * non-retryable failure, say a 400 or a 413 for one request's runs) does not
 * stop it: the other requests' runs are no worse for it, and the server gets
 * them; the first refusal is the answer once all were tried. Only a refusal
 * that every request would meet too (401, 403: the credentials; 404, 405: no
 * such route, which the exporter answers by changing mode) stops at once.
 * What got through is noted in `delivered` when more than one request is
 * involved, so a retry sends only the runs the server has not seen, and the
 * failure can name them; a batch that fits one request goes whole again, or
 * not at all.
 */
export function sendInOrder<R>(
  delivered: DeliveredRuns,
  batch: ExportBatch,
  requests: readonly R[],
  keysOf: (request: R) => readonly object[],
  i: number,
  send: SendRequest<R>,
  done: ExportDone,
  halve?: (request: R) => readonly [R, R] | undefined,
  refused?: ExportResult,
  partial?: PartialSuccess,
): void {
  send(requests[i]!, (result) => {
    if (!result.ok && result.status === PAYLOAD_TOO_LARGE) {
      // The server (or a proxy before it: nginx takes 1 MB by default) takes less than this request: its runs go
      // again at once in two requests of half as many, down to one run, which alone is refused if still too large.
      const halves = halve?.(requests[i]!);
      if (halves !== undefined) return sendInOrder(delivered, batch, [...requests.slice(0, i), ...halves, ...requests.slice(i + 1)], keysOf, i, send, done, halve, refused, partial);
    }
    // What the requests that got through were answered refused goes with the answer, whatever it is.
    if (!result.ok && (result.retryable || EVERY_REQUEST_WOULD_FAIL.has(result.status))) return done(withPartialSuccess(result, partial));
    if (result.ok && (i < requests.length - 1 || delivered.has(batch) || refused !== undefined)) {
      let sent = delivered.get(batch);
      if (sent === undefined) delivered.set(batch, (sent = new Set()));
      for (const key of keysOf(requests[i]!)) sent.add(key);
    }
    refused ??= result.ok ? undefined : result;
    partial = joinPartialSuccess(partial, result.partialSuccess);
    if (i < requests.length - 1) sendInOrder(delivered, batch, requests, keysOf, i + 1, send, done, halve, refused, partial);
    else done(withPartialSuccess(refused ?? EXPORT_OK, partial));
  });
}

/**
 * @internal A request's operations (indexes into its batch) in two requests of
 * half as many, for a server that refused it as too large (413); one operation
 * cannot be halved.
 */
export function halveRequest(part: readonly number[]): readonly [number[], number[]] | undefined {
  if (part.length < 2) return undefined;
  const middle = part.length >> 1;
  return [part.slice(0, middle), part.slice(middle)];
}

const EVERY_REQUEST_WOULD_FAIL: ReadonlySet<number | undefined> = new Set([401, 403, 404, 405]);

/** @internal HTTP 413: the request was larger than the server, or a proxy in front of it, takes. */
export const PAYLOAD_TOO_LARGE = 413;

/**
 * @internal The answer of a sequence of `batch`'s requests, for `done`:
 * delivered, and the batch's record of what got through let go; failed, with
 * the runs that got through named (`ExportResult.delivered`), so the
 * pipeline counts them delivered and spools only the rest.
 */
export function answerWithDelivered(delivered: DeliveredRuns, batch: ExportBatch, done: ExportDone): ExportDone {
  return (result) => {
    if (result.ok) {
      delivered.delete(batch);
      return done(result);
    }
    const sent = delivered.get(batch);
    done(sent === undefined ? result : { ...result, delivered: sent });
  };
}
