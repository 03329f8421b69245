import type { ExportOptions } from '../exporters/span-exporter.js';

/** @internal The options one export attempt receives, and how to abort it. */
export interface LazyAbort {
  /** `{ signal }`, an own enumerable property (a spread or `Object.keys` sees it), made when first read. */
  readonly options: ExportOptions;
  /** Aborts the signal if it was read, else makes it born aborted with this reason; the first reason wins. */
  abort(reason: Error): void;
}

/**
 * @internal An export's abort signal, made only when the exporter reads it.
 * Why: on Node 20 reading a controller's `signal` the first time (which
 * makes the signal) costs several µs of CPU — measured ~7 µs for
 * `new AbortController().signal` in a loop, against 75 ns without the
 * read — more than the rest of an export's bookkeeping, and an exporter of
 * one's own often never reads it. Nothing can listen to a signal nobody
 * read, so aborting it before then only has to be remembered.
 */
export function lazyAbort(): LazyAbort {
  let controller: AbortController | undefined;
  let abortedWith: Error | undefined;
  return {
    options: {
      get signal(): AbortSignal {
        if (controller === undefined) {
          controller = new AbortController();
          if (abortedWith !== undefined) controller.abort(abortedWith);
        }
        return controller.signal;
      },
    },
    abort(reason: Error): void {
      abortedWith ??= reason;
      controller?.abort(reason);
    },
  };
}
