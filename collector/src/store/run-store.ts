import { closeSync, lstatSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { RunOp, StoredRun } from '../ingest/run-op.js';
import type { Rejection } from '../ingest/ingest-result.js';
import { LIMITS } from '../ingest/validate/limits.js';
import { MergedRun, runFailed } from './merge-run.js';
import { ADDED_COLUMNS, SCHEMA } from './schema.js';
import { SearchIndex } from './search-index.js';
import { contributionOf, SpanStatsWriter, type Contribution } from './span-stats.js';
import { StatsQueries, type StatsReport } from './stats-queries.js';
import { TraceQueries, type TraceHead, type TraceQuery, type TraceSummary } from './trace-queries.js';

/** Where runs are kept: a SQLite file, or memory (gone when the collector stops). */
export interface RunStoreOptions {
  /** A file path, or `':memory:'`. */
  path: string;
  /**
   * Keep at most this many traces; the oldest (by start time) go first. Runs
   * not yet in any trace (a patch whose post never came, without trace_id)
   * are bounded by the same number, the oldest received going first.
   */
  maxTraces?: number;
}

interface RunRow {
  rowid: number;
  data: string;
}

/** A run one request names: as it was before the request, and once a second operation came, merged in memory. */
interface PendingRun {
  rowid: number;
  /** Its row's JSON, or the operation that inserted it in this request. */
  stored: string | (Partial<StoredRun> & { id: string });
  /** The length of `stored` as JSON. */
  jsonChars: number;
  merged?: MergedRun;
  /** What `stored` contributed to the stats. */
  before?: Contribution;
  /** The traces a merge into it touches (where it is, and where it was): summarised only if it changed. */
  traces?: Set<string>;
}

/**
 * Idle time before the search index catches up in the background, and what one step indexes at most: runs, and
 * characters of their stored JSON (2 000 small runs, or a few big ones: a step stays under ≈ 100 ms either way).
 */
const INDEX_IDLE_MILLIS = 300;
const INDEX_STEP_RUNS = 2000;
const INDEX_STEP_CHARS = 4 * 1024 * 1024;

/**
 * SQLite storage for runs, through better-sqlite3 (synchronous: one ingest
 * request is one transaction, and nothing else can interleave with it).
 */
export class RunStore {
  private readonly db: Database.Database;
  private readonly queries: TraceQueries;
  private readonly stats: SpanStatsWriter;
  private readonly statsQueries: StatsQueries;
  private readonly search: SearchIndex;
  private indexTimer: NodeJS.Timeout | undefined;
  private lastIngest = 0;
  private readonly insertNew: Database.Statement;
  private readonly selectRun: Database.Statement<[string], RunRow>;
  private readonly replaceRun: Database.Statement;
  private readonly summarise: Database.Statement;
  private readonly dropIfEmpty: Database.Statement<[string]>;
  private readonly ingestTx: (ops: RunOp[]) => Rejection[];

  constructor(private readonly options: RunStoreOptions) {
    // Made 0600 before SQLite opens it: runs hold user data, and SQLite makes its -wal and -shm files with the
    // database's mode. Under umask 022 all three were world-readable (a report-only probe).
    if (options.path !== ':memory:' && options.path !== '') createPrivately(options.path);
    this.db = new Database(options.path);
    // WAL: readers (the viewer) do not block the writer; NORMAL sync is safe under WAL and much faster.
    if (options.path !== ':memory:') this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // Checkpoints are where WAL pays its fsyncs; the default (every 1 000 pages) made them most of the ingest time.
    this.db.pragma('wal_autocheckpoint = 16384');
    this.db.exec(SCHEMA);
    for (const { table, name, add, fill } of ADDED_COLUMNS) {
      const columns = this.db.pragma(`table_info(${table})`) as Array<{ name: string }>;
      if (!columns.some((column) => column.name === name)) this.db.transaction(() => (this.db.exec(add), fill !== undefined && this.db.exec(fill)))();
    }
    this.queries = new TraceQueries(this.db);
    this.stats = new SpanStatsWriter(this.db);
    this.statsQueries = new StatsQueries(this.db);
    this.search = new SearchIndex(this.db);
    // Positional parameters, in RunRow's order: binding by name costs a lookup per value, on every run stored.
    this.insertNew = this.db.prepare('INSERT INTO runs (id, trace_id, start_time, end_time, has_error, name, tags, data, parent_run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING');
    // In place (rowid kept), so the search index can follow the change.
    this.replaceRun = this.db.prepare('UPDATE runs SET trace_id = ?, start_time = ?, end_time = ?, has_error = ?, name = ?, tags = ?, data = ?, parent_run_id = ? WHERE id = ?');
    this.selectRun = this.db.prepare('SELECT rowid, data FROM runs WHERE id = ?');
    this.summarise = this.db.prepare(`
      INSERT OR REPLACE INTO traces (trace_id, name, start_time, end_time, status, span_count, tags, revision)
      SELECT @trace_id,
        COALESCE((SELECT name FROM runs WHERE id = @trace_id), (SELECT name FROM runs WHERE trace_id = @trace_id AND parent_run_id IS NULL AND name IS NOT NULL ORDER BY start_time LIMIT 1), (SELECT name FROM runs WHERE trace_id = @trace_id AND name IS NOT NULL ORDER BY start_time LIMIT 1)),
        COALESCE(min(start_time), min(end_time)),
        CASE WHEN sum(end_time IS NULL) > 0 THEN NULL ELSE max(end_time) END,
        CASE WHEN sum(has_error) > 0 THEN 'error' WHEN sum(end_time IS NULL) > 0 THEN 'running' ELSE 'ok' END,
        count(*),
        (SELECT json_group_array(DISTINCT value) FROM runs, json_each(runs.tags) WHERE runs.trace_id = @trace_id),
        COALESCE((SELECT revision FROM traces WHERE trace_id = @trace_id), 0) + 1
      FROM runs WHERE trace_id = @trace_id`);
    this.dropIfEmpty = this.db.prepare('DELETE FROM traces WHERE trace_id = ? AND span_count = 0');
    this.ingestTx = this.db.transaction((ops: RunOp[]) => this.applyAll(ops));
    // Runs left unindexed (a database re-indexed for a new search text, or closed before the indexer caught up) are indexed while idle.
    this.scheduleIndexing();
  }

  /** Stores every operation of one request, atomically; answers those refused (a run already at its size limit). */
  ingest(ops: RunOp[]): Rejection[] {
    if (ops.length === 0) return [];
    const refused = this.ingestTx(ops);
    this.lastIngest = Date.now();
    this.scheduleIndexing();
    return refused;
  }

  /** Trace summaries, newest first. A text search first brings the index up to date. */
  listTraces(query: TraceQuery): TraceSummary[] {
    if (query.text !== undefined) this.search.catchUp();
    return this.queries.list(query);
  }

  /** Brings the search index up to date now (a search does this itself). */
  indexForSearch(): void {
    this.search.catchUp();
  }

  /** The JSON text of a page of a trace's runs, by start time. */
  traceRunsJson(traceId: string, offset: number, limit: number, maxChars?: number): string[] {
    return this.queries.runsOf(traceId, offset, limit, maxChars);
  }

  /** How many runs a trace has (0 if it is unknown), and its revision: it grows with every request that changed the trace. */
  traceHead(traceId: string): TraceHead {
    return this.queries.head(traceId);
  }

  /** Per-name latency and error stats, the latency histogram, spans per minute. */
  statsReport(options: { name?: string; minutes: number; maxNames: number }): StatsReport {
    return this.statsQueries.report(options);
  }

  /** Indexes for search while ingestion is idle, a step at a time, so requests never wait long behind it. */
  private scheduleIndexing(): void {
    if (this.indexTimer !== undefined) return;
    this.indexTimer = setTimeout(() => {
      this.indexTimer = undefined;
      if (!this.db.open) return;
      if (Date.now() - this.lastIngest < INDEX_IDLE_MILLIS) return this.scheduleIndexing();
      if (this.search.indexSome(INDEX_STEP_RUNS, INDEX_STEP_CHARS)) this.scheduleIndexing();
    }, INDEX_IDLE_MILLIS);
    this.indexTimer.unref();
  }

  close(): void {
    clearTimeout(this.indexTimer);
    if (this.db.open) this.db.close();
  }

  private applyAll(ops: RunOp[]): Rejection[] {
    this.stats.reset();
    const touched = new Set<string>();
    const vacated = new Set<string>();
    const refused: Rejection[] = [];
    // Every run this request names, merged in memory and written once at the end, whatever the number of its operations.
    const runs = new Map<string, PendingRun>();
    for (const op of ops) {
      let pending = runs.get(op.run.id);
      if (pending === undefined) {
        // Most operations are first sightings: try the insert before paying for a read and a merge.
        const columns = this.row(op.run);
        const inserted = this.insertNew.run(...columns);
        if (inserted.changes === 1) {
          runs.set(op.run.id, { rowid: Number(inserted.lastInsertRowid), stored: op.run, jsonChars: columns[7].length });
          this.stats.apply(contributionOf(op.run), 1);
          if (op.run.trace_id !== undefined) touched.add(op.run.trace_id);
          continue;
        }
        const row = this.selectRun.get(op.run.id)!;
        pending = { rowid: row.rowid, stored: row.data, jsonChars: row.data.length };
        runs.set(op.run.id, pending);
      }
      const chars = pending.merged?.jsonLength() ?? pending.jsonChars;
      if (chars > LIMITS.maxRunChars) {
        refused.push({ where: `run ${op.run.id}`, id: op.run.id, reason: `it already holds ${chars} characters of JSON, more than the ${LIMITS.maxRunChars} a run may grow to: nothing more is merged into it` });
        continue;
      }
      if (pending.merged === undefined) {
        // Parsed once per request, and only when an operation is merged into it (a run past its limit is never read).
        const stored = typeof pending.stored === 'string' ? (JSON.parse(pending.stored) as Partial<StoredRun>) : pending.stored;
        pending.before = contributionOf(stored);
        pending.merged = new MergedRun(stored, chars);
      }
      const traceBefore = pending.merged.get('trace_id') as string | undefined;
      pending.merged.apply(op);
      const traceAfter = pending.merged.get('trace_id') as string | undefined;
      pending.traces ??= new Set();
      if (traceAfter !== undefined) pending.traces.add(traceAfter);
      // A patch can move a run to another trace: the trace it left must be summarised (or dropped) too.
      if (traceBefore !== undefined && traceBefore !== traceAfter) {
        pending.traces.add(traceBefore);
        vacated.add(traceBefore);
      }
    }
    for (const pending of runs.values()) {
      if (pending.merged === undefined || !this.write(pending, pending.merged.run())) continue;
      for (const traceId of pending.traces!) touched.add(traceId);
    }
    for (const traceId of touched) this.summarise.run({ trace_id: traceId });
    for (const traceId of vacated) this.dropIfEmpty.run(traceId);
    if (this.options.maxTraces !== undefined && this.queries.keepNewest(this.options.maxTraces, (run) => this.stats.apply(contributionOf(run), -1))) this.search.afterDelete();
    this.stats.flush();
    return refused;
  }

  /**
   * Writes a run merged in this request over its row, with its search text and stats; false, writing nothing, when
   * the merge left its row's JSON as it was (a request sent again): its trace is then not changed, nor its revision.
   */
  private write(pending: PendingRun, merged: Partial<StoredRun> & { id: string }): boolean {
    const [id, ...columns] = this.row(merged);
    if (columns[6] === pending.stored) return false;
    this.replaceRun.run(...columns, id);
    this.search.changed(pending.rowid, columns[6]);
    this.stats.apply(pending.before, -1);
    this.stats.apply(contributionOf(merged), 1);
    return true;
  }

  /** The columns of a run: id, trace_id, start_time, end_time, has_error, name, tags, data, parent_run_id. */
  private row(run: Partial<StoredRun> & { id: string }): [string, string | null, string | null, string | null, number, string | null, string, string, string | null] {
    return [run.id, run.trace_id ?? null, run.start_time ?? null, run.end_time ?? null, runFailed(run) ? 1 : 0, run.name ?? null, JSON.stringify(run.tags ?? []), JSON.stringify(run), run.parent_run_id ?? null];
  }
}

/**
 * Creates `path` empty with mode 0600 when it does not exist (an existing database of this user's keeps its mode), and
 * refuses a database, `-wal` or `-shm` that is not a regular file of this user's: SQLite uses such files as it finds
 * them, so another user who made a world-readable `-wal` first in a shared directory read every run (a review).
 */
function createPrivately(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch {
    // There already (or not creatable: SQLite's own open says why).
  }
  const uid = process.getuid?.();
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    let stats;
    try {
      stats = lstatSync(file);
    } catch {
      continue; // not there: SQLite makes it with the database's mode
    }
    const why = !stats.isFile() ? 'it is not a regular file' : uid !== undefined && stats.uid !== uid ? `it is owned by another user (uid ${stats.uid})` : undefined;
    if (why !== undefined) throw new Error(`tracewire-collector: refusing the database file ${file}: ${why}. Use a --db path in a directory only this user can write to.`);
  }
}
