import { computeRunIdForSecondaryReplica, RunTree } from 'langsmith';
import { idPolicy, replicaRunId, replicaRuns } from '../../../lib/exporters/langsmith/replica-ids';
import type { Run } from '../../../lib/model/run';
import { uuidv7 } from '../../../lib/model/ids';

/**
 * A write replica with a project of its own gets the runs under ids of its
 * own, derived as langsmith derives them (XXH3-128 of `<id>:<project>` in a
 * UUIDv7 keeping the id's time): checked against langsmith 0.12's own
 * functions, so a trace that langsmith and tracewire share stays one trace
 * in the replica too.
 */
test('replica ids are langsmith’s, for projects of every length (each path of XXH3-128: 17–128, 129–240, past 240 bytes and past a 1 024-byte block)', () => {
  const projects = [...Array.from({ length: 320 }, (_, n) => 'p'.repeat(n + 1)), 'mirror', 'ünïcödé → 项目', '🚀'.repeat(70), 'q'.repeat(1_100), 'r'.repeat(3_000)];
  for (const project of projects) {
    const id = uuidv7();
    expect(replicaRunId(id, project)).toBe(computeRunIdForSecondaryReplica(id, project));
  }
});

type Replica = { apiUrl: string; apiKey: string; projectName?: string; primary?: boolean };

/** What langsmith's RunTree posts to each replica for a child run, and what tracewire makes of the same run for it. */
async function bothWays(replicas: Replica[]): Promise<Array<{ langsmith: Partial<Run>; tracewire: Partial<Run> }>> {
  const posted: Array<{ run: Record<string, unknown>; apiUrl: string }> = [];
  const client = { createRun: async (run: Record<string, unknown>, options: { apiUrl: string }) => void posted.push({ run, apiUrl: options.apiUrl }) };
  const root = new RunTree({ name: 'root', project_name: 'proj', client: client as never, replicas });
  const child = root.createChild({ name: 'child' });
  await child.postRun();
  const own: Run = { id: child.id, trace_id: child.trace_id, parent_run_id: root.id, dotted_order: child.dotted_order, name: 'child', run_type: 'chain', start_time: '', tags: [], extra: { metadata: {} }, events: [], session_name: 'proj' };
  const anyPrimary = replicas.some((replica) => replica.primary === true);
  const pick = (run: Partial<Run>): Partial<Run> => ({ id: run.id, trace_id: run.trace_id, parent_run_id: run.parent_run_id, dotted_order: run.dotted_order, session_name: run.session_name });
  return replicas.map((replica, i) => ({
    langsmith: pick(posted[i]!.run as Partial<Run>),
    tracewire: pick(replicaRuns({ post: [own], patch: [] }, idPolicy(replica.primary, anyPrimary), replica.projectName).post[0]!),
  }));
}

test('each replica’s ids and project as langsmith’s RunTree writes them: its own project re-keys, the run’s own keeps, primary keeps, primary: false re-keys', async () => {
  const pairs = await bothWays([
    { apiUrl: 'http://a', apiKey: 'k' },
    { apiUrl: 'http://b', apiKey: 'k', projectName: 'mirror' },
    { apiUrl: 'http://c', apiKey: 'k', projectName: 'proj' },
    { apiUrl: 'http://d', apiKey: 'k', primary: false },
  ]);
  for (const { langsmith, tracewire } of pairs) expect(tracewire).toEqual(langsmith);
  expect(pairs[1]!.tracewire.id).not.toBe(pairs[0]!.tracewire.id);
  expect(pairs[2]!.tracewire.id).toBe(pairs[0]!.tracewire.id);
});

test('with a primary replica, every other one is re-keyed, even into the run’s own project; the primary keeps the ids in its own project', async () => {
  const pairs = await bothWays([
    { apiUrl: 'http://a', apiKey: 'k' },
    { apiUrl: 'http://b', apiKey: 'k', projectName: 'mirror', primary: true },
  ]);
  for (const { langsmith, tracewire } of pairs) expect(tracewire).toEqual(langsmith);
  expect(pairs[0]!.tracewire.session_name).toBe('proj');
  expect(pairs[1]!.tracewire).toMatchObject({ session_name: 'mirror' });
});
