import type Database from 'better-sqlite3';
import { bucketMillis } from './span-stats.js';

/** Per span name: how many finished spans, how many failed, and latency percentiles (ms, ±4.5 %). */
export interface NameStats {
  name: string;
  count: number;
  errors: number;
  error_rate: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
}

/** `GET /api/stats`: per-name stats, the latency histogram (of one name, or all), and spans per minute. */
export interface StatsReport {
  names: NameStats[];
  /** Non-empty latency buckets in order: `bucket` is the bucket's index (8 per doubling of µs, 0 under 1 µs), `ms` its middle. */
  histogram: Array<{ bucket: number; ms: number; count: number }>;
  timeline: Array<{ minute: string; spans: number; errors: number }>;
}

/** The read side of the stats tables. */
export class StatsQueries {
  private readonly latencyRows: Database.Statement<[], { name: string; bucket: number; spans: number; errors: number }>;
  private readonly timelineRows: Database.Statement<[number], { minute: string; spans: number; errors: number }>;

  constructor(db: Database.Database) {
    this.latencyRows = db.prepare('SELECT name, bucket, spans, errors FROM span_latency ORDER BY name, bucket');
    this.timelineRows = db.prepare('SELECT minute, spans, errors FROM (SELECT minute, spans, errors FROM span_minutes ORDER BY minute DESC LIMIT ?) ORDER BY minute');
  }

  report(options: { name?: string; minutes: number; maxNames: number }): StatsReport {
    const byName = new Map<string, Array<{ bucket: number; spans: number; errors: number }>>();
    for (const row of this.latencyRows.all()) (byName.get(row.name) ?? byName.set(row.name, []).get(row.name)!).push(row);
    const names = [...byName].map(([name, rows]) => nameStats(name, rows)).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
    const histogramCounts = new Map<number, number>();
    for (const [name, rows] of byName) {
      if (options.name !== undefined && name !== options.name) continue;
      for (const row of rows) histogramCounts.set(row.bucket, (histogramCounts.get(row.bucket) ?? 0) + row.spans);
    }
    const histogram = [...histogramCounts].sort((a, b) => a[0] - b[0]).map(([bucket, count]) => ({ bucket, ms: bucketMillis(bucket), count }));
    return { names: names.slice(0, options.maxNames), histogram, timeline: this.timelineRows.all(options.minutes) };
  }
}

function nameStats(name: string, rows: Array<{ bucket: number; spans: number; errors: number }>): NameStats {
  const count = rows.reduce((sum, row) => sum + row.spans, 0);
  const errors = rows.reduce((sum, row) => sum + row.errors, 0);
  const percentile = (p: number) => {
    const rank = Math.max(1, Math.ceil(p * count));
    let seen = 0;
    for (const row of rows) if ((seen += row.spans) >= rank) return round(bucketMillis(row.bucket));
    return 0;
  };
  return { name, count, errors, error_rate: count === 0 ? 0 : errors / count, p50_ms: percentile(0.5), p95_ms: percentile(0.95), p99_ms: percentile(0.99) };
}

function round(ms: number): number {
  return Number(ms.toPrecision(3));
}
