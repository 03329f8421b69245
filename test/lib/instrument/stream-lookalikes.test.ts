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
