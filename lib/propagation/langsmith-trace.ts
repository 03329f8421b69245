/**
 * LangSmith's `langsmith-trace` header: the parent run's `dotted_order`, as
 * `RunTree.toHeaders()` writes it and `RunTree.fromHeaders()` reads it
 * (langsmith/lib/run_trees.js). Segments are `<YYYYMMDDTHHMMSSffffffZ><uuid>`
 * joined by `.`, root first: the first segment's id is the trace id, the
 * last one's the parent run.
 */
const SEGMENT = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{6})Z([0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})$/i;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';
/**
 * Longest `langsmith-trace` accepted: the longest dotted order within 8 KiB,
 * a chain of 138 runs. A segment is 58 characters and a dot joins two, so
 * every dotted order is 59 × runs − 1 long: the limit is one of those lengths,
 * the one a test can stand on (8 192 itself is none).
 */
export const MAX_LANGSMITH_TRACE_CHARS = 59 * 138 - 1;

/** @internal A validated dotted order: the trace's root id and the parent run's id. */
export interface DottedParent {
  readonly dottedOrder: string;
  readonly traceId: string;
  readonly parentRunId: string;
}

/** @internal The header's one line as a parent, or `undefined` when absent, repeated or malformed. */
export function parseLangSmithTrace(lines: readonly string[]): DottedParent | undefined {
  if (lines.length !== 1) return undefined;
  const header = lines[0]!.trim();
  if (header.length === 0 || header.length > MAX_LANGSMITH_TRACE_CHARS) return undefined;
  const ids: string[] = [];
  const segments: string[] = [];
  for (const segment of header.split('.')) {
    const match = SEGMENT.exec(segment);
    if (match === null || !isRealTime(match)) return undefined;
    // UUIDs compare case-insensitively; LangSmith's tracers write lower case.
    const id = match[8]!.toLowerCase();
    if (id === NIL_UUID || ids.includes(id)) return undefined; // a run cannot be its own ancestor
    // Times are not checked against each other: segments come from different hosts, whose clocks may disagree.
    ids.push(id);
    segments.push(segment.slice(0, 22) + id);
  }
  return { dottedOrder: segments.join('.'), traceId: ids[0]!, parentRunId: ids[ids.length - 1]! };
}

function isRealTime(match: RegExpExecArray): boolean {
  const [, year, month, day, hour, minute, second] = match;
  const millis = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  const date = new Date(millis);
  // The day needs no check of its own: a day 00 or past the month's end rolls into another month.
  return date.getUTCMonth() === Number(month) - 1 && Number(hour) < 24 && Number(minute) < 60 && Number(second) < 60;
}
