import { clearHostTimeout, setHostTimeout } from '../../host-timers.js';
import { LazyAbort } from '../../pipeline/lazy-abort.js';
import type { ExportDone } from '../callback-export.js';
import type { ExportOptions, ExportResult } from '../span-exporter.js';
import { exportFailure } from './classify-response.js';
import { isAbortNotice } from './transport.js';

/**
 * @internal One request's options and answer, given up after `millis`: an
 * exporter's own request timeout (OTLP's `OTEL_EXPORTER_OTLP_TIMEOUT`),
 * within the pipeline's deadline of each attempt (`exportTimeoutMillis`),
 * which `options` still carries. When the time is up the request is aborted
 * and `done` told a retryable failure with `timedOut()` as its error, so the
 * message says which setting cut it; whichever comes first, the answer or
 * the timer, is the only one `done` gets. The timer never holds a process open.
 */
export function withRequestDeadline(options: ExportOptions, millis: number, timedOut: () => Error, done: ExportDone): [ExportOptions, ExportDone] {
  const request = new LazyAbort();
  let answered = false;
  let stopForwarding: (() => void) | undefined;
  const finish = (result: ExportResult): void => {
    if (answered) return;
    answered = true;
    clearHostTimeout(timer);
    stopForwarding?.();
    done(result);
  };
  const timer = setHostTimeout(() => {
    const error = timedOut();
    request.abort(error);
    finish(exportFailure(true, error));
  }, millis);
  timer.unref?.();
  // The caller's abort (its own deadline, a shutdown) still reaches the request: by callback from the pipeline's
  // handle, else through its signal.
  stopForwarding = isAbortNotice(options) ? options.onAbort((reason) => request.abort(reason)) : undefined;
  if (stopForwarding === undefined) {
    const signal = options.signal;
    const forward = (): void => request.abort(signal.reason as Error);
    if (signal.aborted) forward();
    else {
      signal.addEventListener('abort', forward, { once: true });
      stopForwarding = () => signal.removeEventListener('abort', forward);
    }
  }
  return [request, finish];
}
