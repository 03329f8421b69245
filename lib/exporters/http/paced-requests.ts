import type { ExportOptions } from '../span-exporter.js';
import type { SendRequest } from './request-sequence.js';

/** @internal What the pipeline adds to an attempt's options when `maxRequestsPerSecond` is set (see send-batch.ts). */
export interface PacedOptions {
  /** Resolves when one more request may go: the client's rate limiter. */
  readonly pace?: (() => Promise<void>) | undefined;
}

/**
 * @internal `send` with every request of an export after its first waiting
 * for the pipeline's rate limiter: `maxRequestsPerSecond` caps requests, and
 * one export may make several — the chunks a server's `/info` limits split
 * it into, the halves a `413` splits it into. The first went through the
 * limiter as the attempt began. Before 2026-12-07 they went back to back (a
 * report-only soak: 27–28 requests in one second under a cap of 5).
 */
export function pacedSend<R>(send: SendRequest<R>, options: ExportOptions): SendRequest<R> {
  const pace = (options as PacedOptions).pace;
  if (pace === undefined) return send;
  let first = true;
  return (request, done) => {
    if (first) {
      first = false;
      send(request, done);
      return;
    }
    void pace().then(() => send(request, done));
  };
}
