import type { Run } from '../../model/run.js';
import type { LangSmithSender } from '../../propagation/langsmith-sender.js';
import { EXPORT_OK, type ExportBatch, type ExportResult, type SpanExporter } from '../span-exporter.js';
import { isFunction } from '../../natives.js';

/**
 * @internal Sends runs as a langsmith run's own children are sent: the
 * tracewire runs inside a langsmith run sent otherwise than langsmith's
 * default client would (see `TracingClient.throughLangSmith`) — by a `Client`
 * of your own, to write replicas of its own. Each run is made a run of
 * langsmith's own class (`RunTree`) with that client and those replicas, and
 * posted by it (`postRun`; `patchRun` for the end of a run posted earlier):
 * its endpoint, key and workspace, its `hideInputs`, `hideOutputs`,
 * `hideMetadata` and `anonymizer`, each replica's project and ids, its
 * batching and retries. An export then waits for the client's queue
 * (`awaitPendingTraceBatches`): it resolves once the client has sent — what
 * the client fails to send it reports itself, as for its own runs (langsmith
 * logs it; tracewire counts such runs delivered). The client and replicas
 * are held in a private field: an `inspect` of a tracewire client never
 * reaches a key.
 */
export class LangSmithClientExporter implements SpanExporter {
  readonly #sender: LangSmithSender;
  /** Runs already handed over: a retried export (its wait timed out) must not post them twice. */
  readonly #handed = new WeakSet<Run>();

  constructor(sender: LangSmithSender) {
    this.#sender = sender;
  }

  async export(batch: ExportBatch): Promise<ExportResult> {
    const { client, replicas, RunTree } = this.#sender;
    const sends: Promise<unknown>[] = [];
    try {
      // Each posted by langsmith's own code, which logs and swallows what fails (postRun, patchRun never reject).
      for (const run of batch.post) if (this.#hand(run)) sends.push(new RunTree(treeFields(run, client, replicas)).postRun());
      for (const run of batch.patch) if (this.#hand(run)) sends.push(new RunTree(treeFields(run, client, replicas)).patchRun());
      await Promise.all(sends);
      // A client in langsmith's manualFlushMode is left to your own flush(), as langsmith documents.
      const waits = client as { manualFlushMode?: unknown; awaitPendingTraceBatches?: () => Promise<unknown> };
      if (isFunction(waits.awaitPendingTraceBatches) && waits.manualFlushMode !== true) await waits.awaitPendingTraceBatches();
    } catch {
      // Sent or not, langsmith has them: a retry would post them twice.
    }
    return EXPORT_OK;
  }

  #hand(run: Run): boolean {
    if (this.#handed.has(run)) return false;
    this.#handed.add(run);
    return true;
  }
}

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
    inputs: run.inputs ?? {},
    outputs: run.outputs,
    error: run.error ?? (run.status === 'cancelled' ? 'Cancelled' : undefined),
    extra: run.extra,
    tags: run.tags,
    events: run.events,
    project_name: run.session_name,
    client,
    tracingEnabled: true,
    ...(replicas === undefined ? {} : { replicas }),
  };
}
