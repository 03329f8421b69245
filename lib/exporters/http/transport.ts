import type { ExportOptions, ExportResult } from '../span-exporter.js';
import type { AnswerReader } from './partial-success.js';

/** @internal One POST; a transport may keep connections alive between calls. */
export interface HttpPost {
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
  /** The body is from `reusableBody`, and nobody reads it after the request: the transport may give it back once the request is closed. */
  readonly bodyReusable?: boolean;
  /** The export's options: its `signal`, or, from the pipeline, a handle that tells of the abort without one ({@link AbortNotice}). */
  readonly options: ExportOptions;
  /** What reads a 2xx answer for what the destination refused of the request (see `deliveredAnswer`); none: a 2xx answer is not read. */
  readonly readAnswer?: AnswerReader;
}

/**
 * @internal Export options that can tell a transport of their abort by a
 * callback, without an `AbortSignal`: the pipeline's `LazyAbort`. Why: on
 * Node 20 the first read of a controller's `signal` (which makes it) costs
 * several µs, and a listener added and removed on it per request more; an
 * export aborted is rare, a request is per 100 runs.
 */
export interface AbortNotice extends ExportOptions {
  /**
   * Calls `listener` once with the reason when the export is aborted (at once
   * if it already was); returns what stops it being called, or undefined
   * when the handle takes no listener now (the transport then listens to `signal`).
   */
  onAbort(listener: (reason: Error) => void): (() => void) | undefined;
}

/** @internal Whether `options` is an {@link AbortNotice}. */
export function isAbortNotice(options: ExportOptions): options is AbortNotice {
  return typeof (options as Partial<AbortNotice>).onAbort === 'function';
}

/**
 * @internal How exporters reach the network: Node's `http` (keep-alive
 * agents) or web-standard `fetch`. `post` never rejects; it classifies the
 * answer as an `ExportResult`. Error messages carry the status and the start
 * of the response body — never the request's headers, which hold credentials.
 */
export interface Transport {
  post(request: HttpPost): Promise<ExportResult>;
  /**
   * As `post`, told by callback (called once, never on the caller's stack):
   * no promise per request, where the runtime's transport has a callback API
   * of its own (Node's `http`).
   */
  send?(request: HttpPost, done: (result: ExportResult) => void): void;
  /** The body gzip-compressed (`Content-Encoding: gzip`). */
  gzip(body: Uint8Array): Promise<Uint8Array>;
  /** Releases idle connections. */
  close(): void;
  /**
   * Readies what a first request to `url` needs without sending anything
   * (Node: loads `node:http` or `node:https` — ≈ 3 and 5 ms of CPU — and
   * makes the agent), so that a first export does not pay for it.
   */
  prepare?(url: URL): void;
}

/** @internal The media type of JSON bodies and answers, spelled once. */
export const JSON_TYPE = 'application/json';
