import type { Run } from '../../model/run.js';
import { exportFailure } from '../http/classify-response.js';
import { EXPORT_OK, type ExportBatch, type ExportResult, type SpanExporter } from '../span-exporter.js';
import { isFunction } from '../../natives.js';

/** What is called on a langsmith `Client` (langsmith 0.3 – 0.12). */
interface LangSmithClientLike {
  createRun(run: object): Promise<unknown>;
  updateRun(runId: string, run: object): Promise<unknown>;
  awaitPendingTraceBatches?(): Promise<unknown>;
}

/**
 * @internal Sends runs through a langsmith `Client` of your own: the tracewire
 * runs inside a langsmith run that client sends (see
 * `TracingClient.throughLangSmith`) go where it sends, as langsmith's own
 * children do — its endpoint, key and workspace, its `hideInputs`,
 * `hideOutputs`, `hideMetadata` and `anonymizer`, its batching and retries.
 * An export hands the client each run (`createRun`, `updateRun` for the end of
 * a run posted earlier) and waits for its queue (`awaitPendingTraceBatches`);
 * what the client fails to send it reports itself, as for its own runs.
 * The client is held in a private field: an `inspect` of a tracewire client
 * never reaches its key.
 */
export class LangSmithClientExporter implements SpanExporter {
  readonly #client: LangSmithClientLike;
  /** Runs already handed over: a retried export (its wait timed out) must not create them twice. */
  readonly #handed = new WeakSet<Run>();

  constructor(client: object) {
    this.#client = client as LangSmithClientLike;
  }

  async export(batch: ExportBatch): Promise<ExportResult> {
    const client = this.#client;
    try {
      const handing: Promise<unknown>[] = [];
      for (const run of batch.post) if (this.#hand(run)) handing.push(client.createRun(runCreate(run)));
      for (const run of batch.patch) if (this.#hand(run)) handing.push(client.updateRun(run.id, runUpdate(run)));
      await Promise.all(handing);
    } catch (error) {
      // The client refused a run before queueing it (its hideInputs threw): sending it again would be refused again.
      return exportFailure(false, error);
    }
    try {
      // A client in langsmith's manualFlushMode is left to your own flush(), as langsmith documents.
      if (isFunction(client.awaitPendingTraceBatches) && (client as { manualFlushMode?: unknown }).manualFlushMode !== true) await client.awaitPendingTraceBatches();
      return EXPORT_OK;
    } catch (error) {
      return exportFailure(true, error);
    }
  }

  #hand(run: Run): boolean {
    if (this.#handed.has(run)) return false;
    this.#handed.add(run);
    return true;
  }
}

/** A run as langsmith's `createRun` takes it: our record is LangSmith's shape, but `status` (its error says it). */
function runCreate(run: Run): object {
  return {
    id: run.id,
    trace_id: run.trace_id,
    dotted_order: run.dotted_order,
    parent_run_id: run.parent_run_id,
    name: run.name,
    run_type: run.run_type,
    start_time: run.start_time,
    end_time: run.end_time,
    inputs: run.inputs,
    outputs: run.outputs,
    error: errorOf(run),
    extra: run.extra,
    tags: run.tags,
    events: run.events,
    session_name: run.session_name,
  };
}

/** The end of a run posted earlier, as langsmith's `updateRun` takes it (with its trace and dotted order, to be batched). */
function runUpdate(run: Run): object {
  return { trace_id: run.trace_id, dotted_order: run.dotted_order, parent_run_id: run.parent_run_id, end_time: run.end_time, outputs: run.outputs, error: errorOf(run), extra: run.extra, events: run.events };
}

/** A consumer's early stop is the error `Cancelled`, as langsmith's own SDK marks it. */
function errorOf(run: Run): string | undefined {
  return run.error ?? (run.status === 'cancelled' ? 'Cancelled' : undefined);
}
