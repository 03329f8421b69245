import { OtlpHttpExporter, TracingClient, traceable } from '../../../index';
import { OtlpCollector, spansOf } from '../../helpers/otlp-collector';

/**
 * A request the OTLP endpoint (or a proxy before it: nginx takes 1 MB by
 * default) refuses as too large (413) goes again at once as two requests of
 * half as many spans, down to one span: a batch goes as one request, up to
 * maxBatchBytes (4 MiB by default), and every span of such a batch was lost.
 * Only a span too large alone is refused.
 */
let collector: OtlpCollector;
beforeEach(async () => (collector = await OtlpCollector.start()));
afterEach(() => collector.stop());

async function fourRuns(protocol: 'http/json' | 'http/protobuf'): Promise<TracingClient> {
  const client = new TracingClient({ exporter: new OtlpHttpExporter({ endpoint: collector.url, protocol }), manualFlushMode: true, logger: { warn: () => undefined } });
  const work = traceable((n: number) => n, { name: 'work', client });
  for (let i = 0; i < 4; i++) work(i);
  return client;
}

const spansPerRequest = (): number[] => collector.exports.map((received) => spansOf(received.request).length);
const deliveredInputs = (): string[] => collector.spans.map((received) => String(received.attributes['input.value']));

test.each(['http/json', 'http/protobuf'] as const)('%s: a batch refused as too large is delivered in halves, each span once', async (protocol) => {
  const client = await fourRuns(protocol);
  collector.script(413);
  expect(await client.flush()).toMatchObject({ delivered: 4, failed: 0 });
  expect(spansPerRequest()).toEqual([4, 2, 2]);
  expect(deliveredInputs().sort()).toEqual(['{"input":0}', '{"input":1}', '{"input":2}', '{"input":3}']);
  await client.shutdown();
});

test('halved down to one span: a span too large alone is refused and counted, the others delivered once', async () => {
  const client = await fourRuns('http/json');
  collector.script(413, 413, 200, 413);
  expect(await client.flush()).toMatchObject({ delivered: 3, failed: 1 });
  expect(spansPerRequest()).toEqual([4, 2, 1, 1, 2]);
  expect(deliveredInputs().sort()).toEqual(['{"input":0}', '{"input":2}', '{"input":3}']);
  await client.shutdown();
});

test('a retry after a half got through sends only the other half', async () => {
  const client = await fourRuns('http/json');
  collector.script(413, 200, 503);
  expect(await client.flush()).toMatchObject({ delivered: 4, failed: 0 });
  expect(spansPerRequest()).toEqual([4, 2, 2, 2]);
  expect(deliveredInputs().sort()).toEqual(['{"input":0}', '{"input":1}', '{"input":2}', '{"input":3}']);
  await client.shutdown();
});
