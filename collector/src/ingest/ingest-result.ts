import type { RunOp } from './run-op.js';

/** A run or span the collector refused, named so the sender can find it. */
export interface Rejection {
  /** Where it was in the request: `post[3]`, `part patch.<id>`, `resourceSpans[0].scopeSpans[1].spans[7]`. */
  where: string;
  /** Its id, when it had a readable one. */
  id?: string;
  reason: string;
}

/** What one ingestion request brought: operations to store, and what was refused. */
export interface IngestResult {
  ops: RunOp[];
  rejected: Rejection[];
}
