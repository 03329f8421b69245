import type { Json, RunOp, StoredRun } from '../ingest/run-op.js';

interface Field {
  value: Json;
  /** Position among the run's fields: the JSON is written in ascending rank. */
  rank: number;
  /** Characters of `"key":value` in the run's JSON, once measured. */
  chars?: number;
}

/**
 * A run being merged from its operations, in memory. Operations can arrive in
 * any order and more than once (client retries), so the merge is idempotent
 * and order-tolerant:
 * - a `patch` (the run's end) overrides what is stored;
 * - a `post` (the run's start) only fills fields still missing — whatever is
 *   stored already came from the same start, or from the later end.
 *
 * Each operation costs its own fields, never the whole run's: one request may
 * bring thousands of operations for one large run, and merging each into a
 * fresh copy (or its JSON) made the request cost operations × run size, with
 * the event loop held all along. The result is exactly what merging them one
 * at a time into the stored JSON gave, key order included: a post's fields
 * come first (`{ ...post, ...stored }`), a patch's new fields last
 * (`{ ...stored, ...patch }`), and a field left `undefined` is gone, as a
 * JSON round trip leaves it.
 */
export class MergedRun {
  private readonly fields = new Map<string, Field>();
  private firstRank = 0;
  private nextRank = 0;

  /**
   * @param run what is stored, or the run's first operation.
   * @param jsonChars the length of `run`'s JSON, when it must be known as the
   *   run grows (the store's size limit): then each change keeps it up to date.
   */
  constructor(run: object, private jsonChars?: number) {
    for (const [key, value] of Object.entries(run) as Array<[string, Json | undefined]>) {
      if (value !== undefined) this.fields.set(key, { value, rank: this.nextRank++ });
    }
  }

  /** Lays one operation over the run: a post fills, a patch overrides. */
  apply(op: RunOp): void {
    if (op.op === 'post') this.fill(op.run);
    else this.override(op.run);
  }

  /** Adds the fields the run lacks, all of `fields`' keys first, in their order (`{ ...fields, ...run }`). */
  fill(fields: object): void {
    const keys = Object.keys(fields).filter((key) => (fields as Record<string, unknown>)[key] !== undefined || this.fields.has(key));
    let rank = (this.firstRank -= keys.length);
    for (const key of keys) {
      const field = this.fields.get(key);
      if (field === undefined) this.add(key, (fields as Record<string, Json>)[key]!, rank++);
      else field.rank = rank++;
    }
  }

  /** Sets every field of `fields` (`{ ...run, ...fields }`); one `undefined` removes it. */
  override(fields: object): void {
    for (const [key, value] of Object.entries(fields) as Array<[string, Json | undefined]>) this.set(key, value);
  }

  /** Sets one field (a new one comes last); `undefined` removes it. */
  set(key: string, value: Json | undefined): void {
    const field = this.fields.get(key);
    if (field === undefined) {
      if (value !== undefined) this.add(key, value, this.nextRank++);
      return;
    }
    if (this.jsonChars !== undefined) this.jsonChars -= charsOf(key, field) + (value === undefined && this.fields.size > 1 ? 1 : 0);
    if (value === undefined) {
      this.fields.delete(key);
      return;
    }
    field.value = value;
    field.chars = undefined;
    if (this.jsonChars !== undefined) this.jsonChars += charsOf(key, field);
  }

  /** One field's value. */
  get(key: string): Json | undefined {
    return this.fields.get(key)?.value;
  }

  /** The length of the run's JSON (`JSON.stringify(this.run()).length`); undefined unless given at construction. */
  jsonLength(): number | undefined {
    return this.jsonChars;
  }

  /** The merged run, its fields in order. */
  run(): Partial<StoredRun> & { id: string } {
    // No prototype: a `__proto__` key the sender chose stays a plain field, as in the JSON it came from.
    const run = Object.create(null) as Record<string, Json>;
    for (const [key, field] of [...this.fields].sort((a, b) => a[1].rank - b[1].rank)) run[key] = field.value;
    return run as Partial<StoredRun> & { id: string };
  }

  private add(key: string, value: Json, rank: number): void {
    const field: Field = { value, rank };
    this.fields.set(key, field);
    if (this.jsonChars !== undefined) this.jsonChars += charsOf(key, field) + (this.fields.size > 1 ? 1 : 0);
  }
}

/** `"key":value` as the run's JSON has it, measured once per value. */
function charsOf(key: string, field: Field): number {
  return (field.chars ??= JSON.stringify(key).length + 1 + JSON.stringify(field.value).length);
}

/** Whether a run ended in error: it carries an error, or says so. */
export function runFailed(run: Partial<StoredRun>): boolean {
  return run.error !== undefined || run.status === 'error';
}
