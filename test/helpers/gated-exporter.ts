import type { ExportBatch, ExportResult, SpanExporter } from '../../index';

/** Records every batch; while `holding`, answers only when `releaseAll()` is called. */
export class GatedExporter implements SpanExporter {
  readonly batches: ExportBatch[] = [];
  holding = false;
  private held: Array<() => void> = [];

  export(batch: ExportBatch): Promise<ExportResult> {
    this.batches.push(batch);
    if (!this.holding) return Promise.resolve({ ok: true });
    return new Promise((resolve) => this.held.push(() => resolve({ ok: true })));
  }

  releaseAll(): void {
    const held = this.held;
    this.held = [];
    for (const release of held) release();
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** Names of runs posted complete (start and end together). */
  get completePosts(): string[] {
    return this.batches.flatMap((batch) => batch.post.filter((run) => run.end_time !== undefined).map((run) => run.name));
  }
}

export const settle = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Whether `response` arrives only once `exporter` releases what it holds (it is checked 50 ms after the exporter first
 * holds a batch); releases it, and waits for the response.
 */
export async function arrivesOnlyAfterRelease(exporter: GatedExporter, response: Promise<unknown>): Promise<boolean> {
  let arrived = false;
  void response.then(() => (arrived = true), () => (arrived = true));
  for (let i = 0; i < 200 && exporter.heldCount === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 50));
  const early = arrived;
  exporter.holding = false;
  exporter.releaseAll();
  await response.catch(() => undefined);
  return !early && arrived;
}
