import { traceable } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/** Only a real ReadableStream (getReader and pipeTo) is followed; an object that merely has a getReader is a plain result. */
test('a result with getReader but no pipeTo is handed back as is, and recorded as a value', async () => {
  const { client, exporter } = installMemoryTracing();
  const lookalike = { kind: 'pool', getReader: () => 'reader' };
  const result = traceable(() => lookalike, { name: 'make' })();
  expect(result).toBe(lookalike);
  const run = only(await finishedRuns(client, exporter), 'make');
  expect(run.outputs).toMatchObject({ kind: 'pool' });
});

/** A Node Readable needs pipe, read and on; an object with pipe and read alone is a plain result, not watched as a stream. */
test('a result with pipe and read but no on is handed back untouched, and recorded as a value', async () => {
  const { client, exporter } = installMemoryTracing();
  const lookalike = { kind: 'queue', pipe: () => 'piped', read: () => 'item' };
  const result = traceable(() => lookalike, { name: 'open' })();
  expect(result).toBe(lookalike);
  expect(Object.getOwnPropertyNames(lookalike)).toEqual(['kind', 'pipe', 'read']); // no emit hook put on it
  const run = only(await finishedRuns(client, exporter), 'open');
  expect(run.status).toBe('success');
  expect(run.outputs).toMatchObject({ kind: 'queue' });
});
