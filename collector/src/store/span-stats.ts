import type Database from 'better-sqlite3';
import type { StoredRun } from '../ingest/run-op.js';
import { isCanonicalIsoMicros, isoMicrosToMillis } from '../ingest/canonical-forms.js';
import { runFailed } from './merge-run.js';

/**
 * Latency histograms per span name and span counts per minute, kept beside
 * the runs and updated in the same transaction as they are (added on
 * ingest, taken back when a run changes or retention deletes it), so stats
 * over a million spans read a few hundred rows, never the runs.
 *
 * Buckets are logarithmic, eight per doubling from 1 µs: a percentile read
 * from them is within 4.5 % of the exact value. Only finished spans (start
 * and end known) count.
 */
const BUCKETS_PER_DOUBLING = 8;

/** What a run contributes to the stats, if it is finished. */
export interface Contribution {
  name: string;
  bucket: number;
  minute: string;
  error: number;
}

/** A run's duration in ms from its ISO times (microseconds kept), or undefined if unfinished. */
export function durationMillis(run: Pick<StoredRun, 'start_time' | 'end_time'> | { start_time?: string | null; end_time?: string | null }): number | undefined {
  if (typeof run.start_time !== 'string' || typeof run.end_time !== 'string') return undefined;
  const ms = isoMillis(run.end_time) - isoMillis(run.start_time);
  return Number.isFinite(ms) ? Math.max(ms, 0) : undefined;
}

function isoMillis(iso: string): number {
  // Stored times are `YYYY-MM-DDTHH:MM:SS.ffffffZ` (normalizeRun made them so): read by arithmetic, twice per run stored.
  return isCanonicalIsoMicros(iso) ? isoMicrosToMillis(iso) : NaN;
}

/** The bucket of a duration: 0 for under 1 µs, then 8 per doubling. */
export function bucketOf(ms: number): number {
  const micros = ms * 1000;
  return micros < 1 ? 0 : Math.floor(Math.log2(micros) * BUCKETS_PER_DOUBLING) + 1;
}

/** The middle (geometric) of a bucket, in ms. */
export function bucketMillis(bucket: number): number {
  return bucket === 0 ? 0 : 2 ** ((bucket - 0.5) / BUCKETS_PER_DOUBLING) / 1000;
}

export function contributionOf(run: { name?: string | null; start_time?: string | null; end_time?: string | null; error?: unknown; status?: unknown; has_error?: number } | undefined): Contribution | undefined {
  if (run === undefined) return undefined;
  const ms = durationMillis(run);
  if (ms === undefined) return undefined;
  const error = run.has_error !== undefined ? run.has_error : runFailed(run as Partial<StoredRun>) ? 1 : 0;
  return { name: run.name ?? '(unnamed)', bucket: bucketOf(ms), minute: run.start_time!.slice(0, 16), error };
}

/** Deltas of one transaction, written at its end (a batch of 100 runs of 5 names is a handful of upserts). */
export class SpanStatsWriter {
  private readonly latency = new Map<string, [string, number, number, number]>();
  private readonly minutes = new Map<string, [number, number]>();
  private readonly upsertLatency: Database.Statement;
  private readonly upsertMinute: Database.Statement;
  private readonly pruneLatency: Database.Statement;
  private readonly pruneMinutes: Database.Statement;
  private removed = false;

  constructor(db: Database.Database) {
    this.upsertLatency = db.prepare('INSERT INTO span_latency (name, bucket, spans, errors) VALUES (?, ?, ?, ?) ON CONFLICT (name, bucket) DO UPDATE SET spans = spans + excluded.spans, errors = errors + excluded.errors');
    this.upsertMinute = db.prepare('INSERT INTO span_minutes (minute, spans, errors) VALUES (?, ?, ?) ON CONFLICT (minute) DO UPDATE SET spans = spans + excluded.spans, errors = errors + excluded.errors');
    this.pruneLatency = db.prepare('DELETE FROM span_latency WHERE spans <= 0');
    this.pruneMinutes = db.prepare('DELETE FROM span_minutes WHERE spans <= 0');
  }

  /** Adds (sign 1) or takes back (sign -1) what a run contributes. */
  apply(contribution: Contribution | undefined, sign: 1 | -1): void {
    if (contribution === undefined) return;
    if (sign < 0) this.removed = true;
    const key = `${contribution.bucket}\u0000${contribution.name}`;
    const entry = this.latency.get(key) ?? [contribution.name, contribution.bucket, 0, 0];
    entry[2] += sign;
    entry[3] += sign * contribution.error;
    this.latency.set(key, entry);
    const minute = this.minutes.get(contribution.minute) ?? [0, 0];
    minute[0] += sign;
    minute[1] += sign * contribution.error;
    this.minutes.set(contribution.minute, minute);
  }

  /** Forgets unwritten deltas (a transaction that failed took its runs back). */
  reset(): void {
    this.latency.clear();
    this.minutes.clear();
    this.removed = false;
  }

  flush(): void {
    for (const [name, bucket, spans, errors] of this.latency.values()) if (spans !== 0 || errors !== 0) this.upsertLatency.run(name, bucket, spans, errors);
    for (const [minute, [spans, errors]] of this.minutes) if (spans !== 0 || errors !== 0) this.upsertMinute.run(minute, spans, errors);
    if (this.removed) {
      this.pruneLatency.run();
      this.pruneMinutes.run();
    }
    this.latency.clear();
    this.minutes.clear();
    this.removed = false;
  }
}
