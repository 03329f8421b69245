import type Database from 'better-sqlite3';

/** The columns of a run retention deletes that the stats need. */
export interface DeletedRun {
  name: string | null;
  start_time: string | null;
  end_time: string | null;
  has_error: number;
}

/** How a trace ended, or that it has not. */
export type TraceStatus = 'ok' | 'error' | 'running';

/** One row of `GET /api/traces`. */
export interface TraceSummary {
  trace_id: string;
  name: string | null;
  start_time: string | null;
  end_time: string | null;
  /** `error` when any of its runs recorded an error (a step the root recovered from included), else `running` while any run has no end, else `ok`. */
  status: TraceStatus;
  span_count: number;
}

/** What tells a trace's size and whether it changed, without reading its runs. */
export interface TraceHead {
  span_count: number;
  /** Grows by one with every ingest request that touched the trace. */
  revision: number;
}

/** Filters of `GET /api/traces`; all optional. */
export interface TraceQuery {
  limit: number;
  /** Traces to skip (newest first): the list's pages. */
  offset: number;
  /** Case-insensitive prefix of the trace's (root run's) name. */
  name?: string;
  status?: TraceStatus;
  /** A tag any run of the trace carries. */
  tag?: string;
  /** Only traces started at or after this ISO time. */
  since?: string;
  /** Words (prefixes) that one run of the trace holds in its name, error, inputs or outputs. */
  text?: string;
}

/** The read side of the store, and retention. Statements are prepared once per filter combination. */
export class TraceQueries {
  private readonly listStatements = new Map<string, Database.Statement>();
  private readonly selectRuns: Database.Statement<[string, number, number], { data: string }>;
  private readonly selectHead: Database.Statement<[string], TraceHead>;
  private readonly countOrphans: Database.Statement<[], { n: number }>;
  private readonly deleteOldOrphans: Database.Statement<[number]>;
  private readonly selectOldOrphans: Database.Statement<[number], DeletedRun>;
  private readonly selectOldRuns: Database.Statement<[number], DeletedRun>;
  private readonly countTraces: Database.Statement<[], { n: number }>;
  private readonly deleteOldRuns: Database.Statement<[number]>;
  private readonly deleteOldTraces: Database.Statement<[number]>;

  constructor(private readonly db: Database.Database) {
    this.selectRuns = db.prepare('SELECT data FROM runs WHERE trace_id = ? ORDER BY start_time, id LIMIT ? OFFSET ?');
    this.selectHead = db.prepare('SELECT span_count, revision FROM traces WHERE trace_id = ?');
    this.countOrphans = db.prepare('SELECT count(*) AS n FROM runs WHERE trace_id IS NULL');
    this.deleteOldOrphans = db.prepare('DELETE FROM runs WHERE trace_id IS NULL AND rowid NOT IN (SELECT rowid FROM runs WHERE trace_id IS NULL ORDER BY rowid DESC LIMIT ?)');
    this.countTraces = db.prepare('SELECT count(*) AS n FROM traces');
    const oldest = 'SELECT trace_id FROM traces ORDER BY start_time DESC LIMIT -1 OFFSET ?';
    this.deleteOldRuns = db.prepare(`DELETE FROM runs WHERE trace_id IN (${oldest})`);
    this.selectOldRuns = db.prepare(`SELECT name, start_time, end_time, has_error FROM runs WHERE trace_id IN (${oldest})`);
    this.selectOldOrphans = db.prepare('SELECT name, start_time, end_time, has_error FROM runs WHERE trace_id IS NULL AND rowid NOT IN (SELECT rowid FROM runs WHERE trace_id IS NULL ORDER BY rowid DESC LIMIT ?)');
    this.deleteOldTraces = db.prepare(`DELETE FROM traces WHERE trace_id IN (${oldest})`);
  }

  list(query: TraceQuery): TraceSummary[] {
    const where: string[] = [];
    const params: Record<string, string | number> = { limit: query.limit, offset: query.offset };
    if (query.name !== undefined) {
      where.push("name LIKE @name ESCAPE '\\'");
      params.name = `${query.name.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    }
    if (query.status !== undefined) {
      where.push('status = @status');
      params.status = query.status;
    }
    if (query.since !== undefined) {
      where.push('start_time >= @since');
      params.since = query.since;
    }
    if (query.text !== undefined) {
      where.push('trace_id IN (SELECT r.trace_id FROM runs_fts f JOIN runs r ON r.rowid = f.rowid WHERE runs_fts MATCH @text)');
      params.text = query.text;
    }
    if (query.tag !== undefined) {
      where.push('EXISTS (SELECT 1 FROM json_each(traces.tags) WHERE value = @tag)');
      params.tag = query.tag;
    }
    const sql = `SELECT trace_id, name, start_time, end_time, status, span_count FROM traces${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY start_time DESC LIMIT @limit OFFSET @offset`;
    let statement = this.listStatements.get(sql);
    if (statement === undefined) this.listStatements.set(sql, (statement = this.db.prepare(sql)));
    return statement.all(params) as TraceSummary[];
  }

  /** At most `limit` runs from `offset`, and no more than `maxChars` of their JSON unless the first alone is more: rows are read one at a time. */
  runsOf(traceId: string, offset: number, limit: number, maxChars = Infinity): string[] {
    const runs: string[] = [];
    let chars = 0;
    for (const { data } of this.selectRuns.iterate(traceId, limit, offset)) {
      if (runs.length > 0 && chars + data.length > maxChars) break;
      runs.push(data);
      chars += data.length + 1;
    }
    return runs;
  }

  head(traceId: string): TraceHead {
    return this.selectHead.get(traceId) ?? { span_count: 0, revision: 0 };
  }

  /**
   * Deletes the oldest traces (and their runs) beyond `max`, and the oldest
   * runs of no trace beyond `max`; `onDelete` sees each deleted run first.
   * Answers whether anything was deleted.
   */
  keepNewest(max: number, onDelete: (run: DeletedRun) => void): boolean {
    let deleted = false;
    if (this.countOrphans.get()!.n > max) {
      for (const run of this.selectOldOrphans.iterate(max)) onDelete(run);
      deleted = this.deleteOldOrphans.run(max).changes > 0;
    }
    if (this.countTraces.get()!.n <= max) return deleted;
    for (const run of this.selectOldRuns.iterate(max)) onDelete(run);
    this.deleteOldRuns.run(max);
    this.deleteOldTraces.run(max);
    return true;
  }
}
