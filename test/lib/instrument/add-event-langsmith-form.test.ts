import { getCurrentSpan, setGlobalTracingClient, startSpan, traceable } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * README says langsmith's `getCurrentRunTree()` is `getCurrentSpan()` here, `addEvent` included: langsmith's form,
 * `addEvent({ name, kwargs })`, was recorded as an event named `[object Object]` with its kwargs lost (a report-only
 * probe). Both forms now, on a traced call's span and on a manual one.
 */
afterEach(() => setGlobalTracingClient(undefined));

test("addEvent takes langsmith's { name, kwargs } (a message joining the kwargs) beside (name, attributes)", async () => {
  const { client, exporter } = installMemoryTracing();
  traceable(function work() {
    getCurrentSpan()!.addEvent({ name: 'retrieved', kwargs: { documents: 3 } });
    getCurrentSpan()!.addEvent({ name: 'note', message: 'cache warm' });
    getCurrentSpan()!.addEvent({ kwargs: { unnamed: true } });
    getCurrentSpan()!.addEvent('plain', { a: 1 });
  })();
  const manual = startSpan('manual');
  manual.addEvent({ name: 'from-manual', kwargs: { n: 1 } });
  manual.end();
  const runs = await finishedRuns(client, exporter);
  expect(only(runs, 'work').events.map(({ name, kwargs }) => ({ name, kwargs }))).toEqual([
    { name: 'retrieved', kwargs: { documents: 3 } },
    { name: 'note', kwargs: { message: 'cache warm' } },
    { name: 'event', kwargs: { unnamed: true } },
    { name: 'plain', kwargs: { a: 1 } },
  ]);
  expect(only(runs, 'manual').events.map(({ name, kwargs }) => ({ name, kwargs }))).toEqual([{ name: 'from-manual', kwargs: { n: 1 } }]);
});
