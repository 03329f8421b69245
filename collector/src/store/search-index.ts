import type Database from 'better-sqlite3';

/**
 * Full-text search over runs (SQLite FTS5): names, errors, inputs, outputs.
 *
 * Indexing is kept off the ingest path, which it would halve: runs are
 * indexed in rowid order behind a watermark, in small batches when the
 * collector is idle, and a search first catches up. A run changed in place
 * (a patch) that the indexer already passed is re-indexed at once; a deleted
 * run leaves the index through a trigger.
 */
export class SearchIndex {
  private readonly getWatermark: Database.Statement<[], { watermark: number }>;
  private readonly setWatermark: Database.Statement<[number]>;
  private readonly pending: Database.Statement<[number, number], { rowid: number; data: string }>;
  private readonly put: Database.Statement<[number, string]>;
  private readonly maxRowid: Database.Statement<[], { m: number | null }>;
  private readonly indexBatch: (max: number) => number;

  constructor(db: Database.Database) {
    this.getWatermark = db.prepare('SELECT watermark FROM fts_state WHERE id = 1');
    this.setWatermark = db.prepare('UPDATE fts_state SET watermark = ? WHERE id = 1');
    this.pending = db.prepare('SELECT rowid, data FROM runs WHERE rowid > ? ORDER BY rowid LIMIT ?');
    this.put = db.prepare('INSERT OR REPLACE INTO runs_fts (rowid, body) VALUES (?, ?)');
    this.maxRowid = db.prepare('SELECT max(rowid) AS m FROM runs');
    this.indexBatch = db.transaction((max: number) => {
      const rows = this.pending.all(this.watermark(), max);
      for (const row of rows) this.put.run(row.rowid, searchText(row.data));
      if (rows.length > 0) this.setWatermark.run(rows[rows.length - 1]!.rowid);
      return rows.length;
    });
  }

  /** Indexes up to `max` runs not indexed yet; answers how many it did. */
  indexSome(max: number): number {
    return this.indexBatch(max);
  }

  /** Indexes every run not indexed yet (before a search). */
  catchUp(): void {
    while (this.indexBatch(10_000) > 0);
  }

  /** A stored run changed in place (inside the ingest transaction): re-index it if the indexer has passed it. */
  changed(rowid: number, data: string): void {
    if (rowid <= this.watermark()) this.put.run(rowid, searchText(data));
  }

  /** After deletes (inside the transaction): rowids above the highest left may be reused, so the watermark steps back. */
  afterDelete(): void {
    const max = this.maxRowid.get()!.m ?? 0;
    if (max < this.watermark()) this.setWatermark.run(max);
  }

  private watermark(): number {
    return this.getWatermark.get()!.watermark;
  }
}

/** The words a run is found by: its name, error, inputs and outputs (keys and values). */
function searchText(data: string): string {
  const run = JSON.parse(data) as { name?: unknown; error?: unknown; inputs?: unknown; outputs?: unknown };
  return [run.name, run.error, run.inputs, run.outputs].map((value) => (value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value))).join(' ');
}
