import { getCurrentSpan, traceable, type ActiveSpan } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/** A span may already be on its way once it ended: what is done to it afterwards changes nothing. */
test('after the call ended, its span is no longer recording: tags, metadata, events, name and outputs set then are ignored; an empty or non-string name never applies', async () => {
  const { client, exporter } = installMemoryTracing();
  let span: ActiveSpan | undefined;
  const call = traceable(
    () => {
      span = getCurrentSpan();
      // An empty or non-string name is ignored while recording too.
      span!.setName('').setName(7 as never);
      return 'result';
    },
    { name: 'call', tags: ['t'], metadata: { m: 1 } },
  );
  expect(call()).toBe('result');
  expect(span!.isRecording).toBe(false);
  expect(span!.addTags('late')).toBe(span);
  expect(span!.setMetadata('late', 2)).toBe(span);
  expect(span!.addEvent('late', { at: 1 })).toBe(span);
  expect(span!.setName('renamed')).toBe(span);
  expect(span!.setOutputs('late')).toBe(span);
  const run = only(await finishedRuns(client, exporter), 'call');
  expect(run).toMatchObject({ tags: ['t'], extra: { metadata: { m: 1 } }, outputs: { outputs: 'result' } });
  expect(run.events ?? []).toEqual([]);
  expect(run.name).toBe('call');
});
