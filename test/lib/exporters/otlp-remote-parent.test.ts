import { TracingClient, continueTrace, setGlobalTracingClient, traceable } from '../../../index';
import { OtlpHttpExporter } from '../../../lib/exporters/otlp/otlp-http-exporter';
import { OtlpCollector, spansOf, type ReceivedSpan } from '../../helpers/otlp-collector';

/**
 * OTLP span flags (opentelemetry-proto trace.proto `SpanFlags`): bit 0x100
 * says whether the parent is remote is known, 0x200 that it is. A span
 * continued from another service's `traceparent` has a remote parent; its
 * own children, and spans of a fresh trace, have local ones.
 */
const SAMPLED = 0x01;
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;
const REMOTE_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const REMOTE_PARENT = '00f067aa0ba902b7';

let collector: OtlpCollector;
let exporter: OtlpHttpExporter | undefined;

beforeEach(async () => {
  collector = await OtlpCollector.start();
});
afterEach(async () => {
  setGlobalTracingClient(undefined);
  await exporter?.shutdown();
  await collector.stop();
});

const lookup = traceable(async function lookup() {
  await null;
  return 7;
});
const handle = traceable(async function handle() {
  return lookup();
});
const local = traceable(function local() {
  return 1;
});

for (const protocol of ['http/json', 'http/protobuf'] as const) {
  test(`${protocol}: a span continued from remote headers is flagged "parent is remote"; its children and fresh traces are flagged local`, async () => {
    exporter = new OtlpHttpExporter({ endpoint: collector.url, protocol });
    const client = new TracingClient({ exporter, manualFlushMode: true });
    setGlobalTracingClient(client);

    await continueTrace({ traceparent: `00-${REMOTE_TRACE}-${REMOTE_PARENT}-01` }, () => handle());
    local();
    expect(await client.flush()).toMatchObject({ delivered: 3, failed: 0 });

    const spans = collector.exports.flatMap((received) => spansOf(received.request));
    const byName = (name: string): ReceivedSpan['span'] => spans.find((span) => span.span.name === name)!.span;
    expect(byName('handle')).toMatchObject({ traceId: REMOTE_TRACE, parentSpanId: REMOTE_PARENT, flags: SAMPLED | HAS_IS_REMOTE | IS_REMOTE });
    expect(byName('lookup')).toMatchObject({ traceId: REMOTE_TRACE, flags: SAMPLED | HAS_IS_REMOTE });
    expect(byName('local').flags).toBe(SAMPLED | HAS_IS_REMOTE);
  });
}
