import { SEARCH_TEXT_VERSION } from './search-text.js';

/**
 * The collector's tables. `runs` keeps each run once (its merged JSON in
 * `data`, plus the columns queries filter on); `traces` is a summary per
 * trace, recomputed from its runs in the transaction that touched them, so
 * listing never scans runs.
 *
 * `runs` is a rowid table, not WITHOUT ROWID: its rows (whole run JSON) are
 * large, and random UUID keys would reshuffle them inside the primary key's
 * B-tree; the unique index on `id` stays small. Measured 1.9x the ingest rate.
 *
 * `span_latency` and `span_minutes` are the stats (see span-stats.ts).
 * `runs_fts` indexes each run's text, behind the watermark in `fts_state`.
 *
 * `name` is NOCASE so the viewer's case-insensitive prefix filter
 * (`LIKE 'abc%'`) can use its index.
 */
/**
 * Columns added after the first release, with what fills them in a database
 * made before (a table made now has them from its CREATE):
 * - `runs.parent_run_id` (a trace without its root is named by its topmost
 *   run; read from each run's JSON, a request into a trace of large runs
 *   re-parsed them all);
 * - `traces.revision`, counting the requests that changed the trace: the
 *   viewer reloads an open trace when it moved, and only then (0 in an old
 *   database: a change makes it 1);
 * - `fts_state.text_version`, the search text the index holds (see
 *   search-text.ts): 1 in an old database, whose index is then rebuilt.
 */
export const ADDED_COLUMNS: ReadonlyArray<{ table: string; name: string; add: string; fill?: string }> = [
  { table: 'runs', name: 'parent_run_id', add: 'ALTER TABLE runs ADD COLUMN parent_run_id TEXT', fill: "UPDATE runs SET parent_run_id = json_extract(data, '$.parent_run_id')" },
  { table: 'traces', name: 'revision', add: 'ALTER TABLE traces ADD COLUMN revision INTEGER NOT NULL DEFAULT 0' },
  { table: 'fts_state', name: 'text_version', add: 'ALTER TABLE fts_state ADD COLUMN text_version INTEGER NOT NULL DEFAULT 1' },
];

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id            TEXT PRIMARY KEY,
  trace_id      TEXT,
  start_time    TEXT,
  end_time      TEXT,
  has_error     INTEGER NOT NULL DEFAULT 0,
  name          TEXT,
  tags          TEXT NOT NULL DEFAULT '[]',
  data          TEXT NOT NULL,
  parent_run_id TEXT
);
-- A trace's runs in the order the viewer pages them (start_time, then id): with id in the index a page
-- is read in index order and the rows before its offset are skipped in the index, never sorted.
-- It replaces runs_by_trace (trace_id, start_time), which sorted every row up to the page's end.
DROP INDEX IF EXISTS runs_by_trace;
CREATE INDEX IF NOT EXISTS runs_in_trace_order ON runs (trace_id, start_time, id);

CREATE TABLE IF NOT EXISTS traces (
  trace_id      TEXT PRIMARY KEY,
  name          TEXT COLLATE NOCASE,
  start_time    TEXT,
  end_time      TEXT,
  status        TEXT NOT NULL,
  span_count    INTEGER NOT NULL,
  tags          TEXT NOT NULL DEFAULT '[]',
  revision      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS traces_by_time   ON traces (start_time);
CREATE INDEX IF NOT EXISTS traces_by_name   ON traces (name, start_time);
CREATE INDEX IF NOT EXISTS traces_by_status ON traces (status, start_time);

-- Full-text search over names, errors, inputs and outputs (contentless: the text lives in runs.data),
-- filled behind a watermark by search-index.ts.
CREATE VIRTUAL TABLE IF NOT EXISTS runs_fts USING fts5(body, content='', contentless_delete=1);
CREATE TABLE IF NOT EXISTS fts_state (id INTEGER PRIMARY KEY CHECK (id = 1), watermark INTEGER NOT NULL, text_version INTEGER NOT NULL DEFAULT ${SEARCH_TEXT_VERSION});
INSERT OR IGNORE INTO fts_state (id, watermark) VALUES (1, 0);
CREATE TRIGGER IF NOT EXISTS runs_fts_delete AFTER DELETE ON runs WHEN old.rowid <= (SELECT watermark FROM fts_state WHERE id = 1) BEGIN
  DELETE FROM runs_fts WHERE rowid = old.rowid;
END;

CREATE TABLE IF NOT EXISTS span_latency (
  name          TEXT NOT NULL,
  bucket        INTEGER NOT NULL,
  spans         INTEGER NOT NULL,
  errors        INTEGER NOT NULL,
  PRIMARY KEY (name, bucket)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS span_minutes (
  minute        TEXT PRIMARY KEY,
  spans         INTEGER NOT NULL,
  errors        INTEGER NOT NULL
) WITHOUT ROWID;
`;
