import type { Run } from '../../model/run.js';
import { REPLICA_TRACE_ROOTS, type LangSmithSender } from '../../propagation/langsmith-sender.js';
import { LC_CONTEXT_VARIABLES } from '../../propagation/langchain-context.js';
import { EXPORT_OK, type ExportBatch, type ExportResult, type SpanExporter } from '../span-exporter.js';
import { langsmithQueueSent } from '../../propagation/langsmith-queue.js';
import { settleWithin } from '../../client/deadline.js';
import { noteLangSmithQueue } from './langsmith-queue-hook.js';

/**
 * @internal Sends runs as a langsmith run's own children are sent: the
 * tracewire runs inside a langsmith run sent otherwise than langsmith's
 * default client would (see `TracingClient.throughLangSmith`) — by a `Client`
 * of your own, to write replicas of its own. Each run is made a run of
 * langsmith's own class (`RunTree`) with that client and those replicas, and
 * posted by it (`postRun`; `patchRun` for the end of a run posted earlier):
 * its endpoint, key and workspace, its `hideInputs`, `hideOutputs`,
 * `hideMetadata` and `anonymizer`, each replica's project and ids, its
 * batching and retries. An export hands the runs over, as langsmith queues
 * its own children, and waits for nothing more: the client's queue, where
 * langsmith's own run around them ends after them, is waited for by the
 * waits of tracewire's client (see {@link awaitQueueSent}) — what the client
 * fails to send it reports itself, as for its own runs (langsmith logs it;
 * tracewire counts such runs delivered). The client and replicas are held in
 * a private field: an `inspect` of a tracewire client never reaches a key.
 */
export class LangSmithClientExporter implements SpanExporter {
  readonly #sender: LangSmithSender;
  /** Runs already handed over: a retried export (its wait timed out) must not post them twice. */
  readonly #handed = new WeakSet<Run>();
  /** By trace, where a replica rerooted it (see `noteTrace`): the last {@link MAX_TRACES} traces. */
  readonly #rerooted = new Map<string, object>();

  /**
   * A call of `sender`'s trace is sent here: where a replica with `reroot` made its run a trace root, langsmith's
   * children know it from their parent's context; the runs of this trace are posted knowing it too (else each was a
   * root of its own in that replica, a review).
   */
  noteTrace(sender: LangSmithSender): void {
    const { traceId, replicaTraceRoots } = sender;
    if (traceId === undefined || replicaTraceRoots === undefined) return;
    this.#rerooted.delete(traceId);
    this.#rerooted.set(traceId, replicaTraceRoots);
    if (this.#rerooted.size > MAX_TRACES) this.#rerooted.delete(this.#rerooted.keys().next().value!);
  }

  constructor(sender: LangSmithSender) {
    this.#sender = sender;
    noteLangSmithQueue(sender.client);
  }

  async export(batch: ExportBatch): Promise<ExportResult> {
    const { client, replicas, RunTree } = this.#sender;
    const sends: Promise<unknown>[] = [];
    try {
      // Each posted by langsmith's own code, which logs and swallows what fails (postRun, patchRun never reject).
      for (const run of batch.post) if (this.#hand(run)) sends.push(this.#tree(run, RunTree, client, replicas).postRun());
      // Without inputs, as langsmith's traceable patches: its posted inputs stay (langsmith 0.3 sent `{}` over them).
      for (const run of batch.patch) if (this.#hand(run)) sends.push(this.#tree(run, RunTree, client, replicas).patchRun({ excludeInputs: true }));
      await Promise.all(sends);
    } catch {
      // Sent or not, langsmith has them: a retry would post them twice.
    }
    return EXPORT_OK;
  }

  /**
   * Waits, within `timeoutMillis`, for the langsmith client to send what it holds — these runs, and langsmith's own
   * around them; true once it has, or has nothing to wait for (`manualFlushMode`: your own `flush()` sends). Never
   * rejects (what langsmith throws, it has logged).
   */
  awaitQueueSent(timeoutMillis: number): Promise<boolean> {
    const work = langsmithQueueSent(this.#sender.client);
    return work === undefined ? Promise.resolve(true) : settleWithin(work, timeoutMillis);
  }

  #tree(run: Run, RunTree: LangSmithSender['RunTree'], client: object, replicas: readonly object[] | undefined): InstanceType<LangSmithSender['RunTree']> {
    const tree = new RunTree(treeFields(run, client, replicas));
    const roots = this.#rerooted.get(run.trace_id);
    if (roots !== undefined) (tree as { [LC_CONTEXT_VARIABLES]?: object })[LC_CONTEXT_VARIABLES] = { [REPLICA_TRACE_ROOTS]: roots };
    return tree;
  }

  #hand(run: Run): boolean {
    if (this.#handed.has(run)) return false;
    this.#handed.add(run);
    return true;
  }
}

/** Traces whose rerooting is remembered at most. */
const MAX_TRACES = 1_000;

/** A run as langsmith's `RunTree` takes it: our record is LangSmith's shape, but `status` (its error says it). */
function treeFields(run: Run, client: object, replicas: readonly object[] | undefined): object {
  return {
    id: run.id,
    trace_id: run.trace_id,
    dotted_order: run.dotted_order,
    parent_run_id: run.parent_run_id,
    name: run.name,
    run_type: run.run_type,
    start_time: run.start_time,
    end_time: run.end_time,
    ...(run.inputs === undefined ? {} : { inputs: run.inputs }),
    outputs: run.outputs,
    error: run.error ?? (run.status === 'cancelled' ? 'Cancelled' : undefined),
    extra: run.extra,
    tags: run.tags,
    events: run.events,
    project_name: run.session_name,
    client,
    tracingEnabled: true,
    // Each replica as a child inherits it (langsmith's createChild): its reroot applies to the run that set it alone.
    ...(replicas === undefined ? {} : { replicas: replicas.map(withoutReroot) }),
  };
}

function withoutReroot(replica: object): object {
  const { reroot: _reroot, ...rest } = replica as { reroot?: unknown };
  return rest;
}
