/** A client over `exporter`, its warnings collected, with two traced functions: see {@link tracedPair}. */
import { TracingClient, traceable, type SpanExporter } from '../../index';

const quietly = (warnings: string[]) => ({ warn: (message: string) => void warnings.push(message) });

/** A client whose `ok` calls any destination takes (and whose `refused` calls carry a tag longer than the local collector takes). */
export function tracedPair(exporter: SpanExporter, warnings: string[], options: { spoolDir?: string; maxRetries?: number } = {}) {
  const client = new TracingClient({ exporter, manualFlushMode: true, logger: quietly(warnings), ...options });
  const ok = traceable((n: number) => n, { name: 'ok', client });
  const refused = traceable((n: number) => n, { name: 'refused', client, tags: ['t'.repeat(2_000)] });
  return { client, ok, refused };
}

