import { setGlobalTracingClient, traceable } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

let tracing: ReturnType<typeof installMemoryTracing>;
beforeEach(() => {
  tracing = installMemoryTracing();
});
afterEach(() => setGlobalTracingClient(undefined));

test('a function that is also a thenable is followed through its then: the run records what it settles to', async () => {
  const callableThenable = Object.assign(() => 'called', {
    then(resolve: (value: string) => void) {
      setTimeout(() => resolve('settled'), 5);
    },
  });
  const make = traceable(function make() {
    return callableThenable;
  });
  expect(await make()).toBe('settled');
  const run = only(await finishedRuns(tracing.client, tracing.exporter), 'make');
  expect(run.outputs).toEqual({ outputs: 'settled' });
});
