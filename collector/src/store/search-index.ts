import type Database from 'better-sqlite3';
import { SEARCH_TEXT_VERSION, searchText } from './search-text.js';

/**
 * Full-text search over runs (SQLite FTS5): names, errors, inputs, outputs.
 *
 * Indexing is kept off the ingest path, which it would halve: runs are
 * indexed in rowid order behind a watermark, in small batches when the
 * collector is idle (bounded in runs and in stored characters, so a step of
 * big runs is as short as one of small ones), and a search first catches up. A run changed in place
 * (a patch) that the indexer already passed is re-indexed at once; a deleted
 * run leaves the index through a trigger.
 *
 * A database indexed with an older search text (`fts_state.text_version`)
 * has its index emptied on open and rebuilt the same way, behind the
 * watermark from the first run: until it has caught up, a search waits for it.
 */
export class SearchIndex {
  private readonly getWatermark: Database.Statement<[], { watermark: number }>;
  private readonly setWatermark: Database.Statement<[number]>;
  private readonly pending: Database.Statement<[number, number], { rowid: number }>;
  private readonly dataOf: Database.Statement<[number], { data: string }>;
  private readonly put: Database.Statement<[number, string]>;
  private readonly maxRowid: Database.Statement<[], { m: number | null }>;
  private readonly indexBatch: (maxRuns: number, maxChars: number) => boolean;

  constructor(db: Database.Database) {
    this.getWatermark = db.prepare('SELECT watermark FROM fts_state WHERE id = 1');
    this.setWatermark = db.prepare('UPDATE fts_state SET watermark = ? WHERE id = 1');
    this.pending = db.prepare('SELECT rowid FROM runs WHERE rowid > ? ORDER BY rowid LIMIT ?');
    this.dataOf = db.prepare('SELECT data FROM runs WHERE rowid = ?');
    this.put = db.prepare('INSERT OR REPLACE INTO runs_fts (rowid, body) VALUES (?, ?)');
    this.maxRowid = db.prepare('SELECT max(rowid) AS m FROM runs');
    const version = db.prepare('SELECT text_version AS v FROM fts_state WHERE id = 1').get() as { v: number };
    if (version.v !== SEARCH_TEXT_VERSION) {
      db.transaction(() => {
        db.prepare("INSERT INTO runs_fts (runs_fts) VALUES ('delete-all')").run();
        db.prepare('UPDATE fts_state SET watermark = 0, text_version = ? WHERE id = 1').run(SEARCH_TEXT_VERSION);
      })();
    }
    this.indexBatch = db.transaction((maxRuns: number, maxChars: number) => {
      let runs = 0;
      let chars = 0;
      let last = -1;
      // The rowids first, each run's text after, up to the bound: better-sqlite3 cannot write while a statement is still being read.
      for (const { rowid } of this.pending.all(this.watermark(), maxRuns)) {
        const { data } = this.dataOf.get(rowid)!;
        this.put.run(rowid, searchText(data));
        last = rowid;
        runs++;
        chars += data.length;
        if (chars >= maxChars) break;
      }
      if (last !== -1) this.setWatermark.run(last);
      return runs === maxRuns || chars >= maxChars;
    });
  }

  /**
   * Indexes runs not indexed yet, up to `maxRuns` or until `maxChars` of their stored JSON (at least one run); answers
   * whether it stopped at a bound (more may be waiting).
   */
  indexSome(maxRuns: number, maxChars: number): boolean {
    return this.indexBatch(maxRuns, maxChars);
  }

  /** Indexes every run not indexed yet (before a search). */
  catchUp(): void {
    while (this.indexBatch(10_000, Number.POSITIVE_INFINITY));
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
