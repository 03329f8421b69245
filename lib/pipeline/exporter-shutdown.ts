import { settleWithin } from '../client/deadline.js';
import { hostMillis } from '../host-timers.js';
import type { SpanExporter } from '../exporters/span-exporter.js';
import type { DropWarnings } from './drop-warnings.js';

/**
 * @internal The exporter's own `shutdown()`, within what is left of the
 * client's shutdown deadline: an exporter's shutdown may wait on its own
 * sends (OpenTelemetry's OTLP exporters wait up to their export timeout,
 * 10 s by default), and a shutdown a SIGTERM hook awaits must end by its
 * deadline for the process to stop when asked. Past the deadline it is left
 * running, unawaited, and said once. A shutdown that throws, rejects or
 * returns no promise (an exporter in plain JavaScript) is taken as done.
 */
export async function shutDownExporter(exporter: SpanExporter, deadlineAt: number, warnings: DropWarnings): Promise<void> {
  if (typeof exporter.shutdown !== 'function') return;
  const done = Promise.resolve()
    .then(() => exporter.shutdown!())
    .catch(() => undefined);
  const leftMillis = deadlineAt - hostMillis();
  if (await settleWithin(done, leftMillis)) return;
  warnings.note(
    'exporterShutdown',
    `tracewire: the exporter's shutdown() had not finished by the shutdown deadline (${Math.max(0, Math.round(leftMillis))} ms were left for it); shutdown() returned without waiting for it.`,
  );
}
