import { OtlpHttpExporter, TracingClient, traceable } from '../../../index';
import { attributesOf, OtlpCollector } from '../../helpers/otlp-collector';

/**
 * An error whose message holds a long run of blank lines (`throw new Error('bad input: ' + body)`) is sent over OTLP
 * like any other: its `exception` event carries the message whole. Finding where the stack frames start took time
 * quadratic in such a run (a report-only probe: 80 000 newlines blocked the event loop 3.2 s; 160 000, 13 s per attempt,
 * each counted against the export timeout until the span was dropped). A run of 250 000 newlines took ≈ 30 s that way
 * and takes milliseconds now: the test's timeout, 15 s, is what fails it. Received by a real OTLP receiver on
 * 127.0.0.1, decoded from JSON and from protobuf.
 */

let collector: OtlpCollector;
beforeEach(async () => (collector = await OtlpCollector.start()));
afterEach(() => collector.stop());

const MESSAGE = `bad input: ${'\n'.repeat(250_000)}end`;

test.each(['http/json', 'http/protobuf'] as const)(
  'over %s, an error message with 250 000 blank lines is delivered whole in the exception event',
  async (protocol) => {
    const exporter = new OtlpHttpExporter({ endpoint: collector.url, serviceName: 'svc', protocol });
    const client = new TracingClient({ exporter, mode: 'manual', logger: { warn() {} } });
    const parse = traceable(
      (body: string) => {
        throw new Error(body);
      },
      { name: 'parse', client, captureInputs: false },
    );
    expect(() => parse(MESSAGE)).toThrow(MESSAGE);
    expect((await client.flush()).delivered).toBe(1);
    const [received] = collector.spans.filter(({ span }) => span.name === 'parse');
    const events = received!.span.events as { name: string; attributes: never }[];
    const exception = attributesOf(events.find((event) => event.name === 'exception')!.attributes);
    expect(exception['exception.type']).toBe('Error');
    expect(exception['exception.message']).toBe(MESSAGE);
    expect(String(exception['exception.stacktrace'])).toMatch(/^Error: bad input: \n+end\n {4}at /);
    expect(client.stats().dropped.total).toBe(0);
    await client.shutdown();
  },
  15_000,
);
