/** A JSON value as stored and served. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * A run as the collector keeps it: the LangSmith run shape of tracewire's
 * design §3. Fields a sender left out stay absent; times are ISO 8601 UTC
 * with microseconds (`2026-01-02T03:04:05.123456Z`) whatever the sender used,
 * so they sort as text.
 */
export interface StoredRun {
  id: string;
  trace_id: string;
  parent_run_id?: string;
  dotted_order?: string;
  name: string;
  run_type: string;
  start_time: string;
  end_time?: string;
  inputs?: { [key: string]: Json };
  outputs?: { [key: string]: Json };
  error?: string;
  status?: string;
  tags?: string[];
  extra?: { [key: string]: Json };
  events?: Json[];
  session_name?: string;
  /** Any other field the sender included, kept as received. */
  [other: string]: Json | undefined;
}

/**
 * One ingested operation: `post` (a run's start, or the whole run) or
 * `patch` (its end). Either may arrive first, or twice.
 */
export interface RunOp {
  op: 'post' | 'patch';
  /** Every field the sender included, normalised; a patch may lack name or start. */
  run: Partial<StoredRun> & { id: string };
}
