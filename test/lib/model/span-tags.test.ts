import { getCurrentSpan, setGlobalTracingClient, traceable } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/** `addTags` on a running span: what a caller passes by mistake must not become a tag like ",[object Object]". */
afterEach(() => setGlobalTracingClient(undefined));

test('an array passed as one argument gives its tags; null, objects and undefined are no tags; numbers are; each once', async () => {
  const { client, exporter } = installMemoryTracing();
  traceable(function tagged() {
    getCurrentSpan()!.addTags(['a', 'b'], 'c', 7 as never, null as never, {} as never, undefined as never, [null, {}] as never, 'a');
  })();
  expect(only(await finishedRuns(client, exporter), 'tagged').tags).toEqual(['a', 'b', 'c', '7']);
});
