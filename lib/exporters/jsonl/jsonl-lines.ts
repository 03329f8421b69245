import type { Run } from '../../model/run.js';
import type { ExportBatch } from '../span-exporter.js';
import { isArray, isString, stringify } from '../../natives.js';
import { refuse } from '../../errors.js';

/** What a line of a `JsonlFileExporter` file says a run record is: its creation or the end of a run posted earlier. */
export type JsonlOp = 'post' | 'patch';

/** @internal A batch as JSON Lines: posts, then patches, each line `{"op":…,…run}\n`. Throws only if a run is not JSON-serialisable. */
export function toLines(batch: ExportBatch): string {
  let text = '';
  for (const run of batch.post) text += stringify({ op: 'post', ...run }) + '\n';
  for (const run of batch.patch) text += stringify({ op: 'patch', ...run }) + '\n';
  return text;
}

/**
 * Rebuilds runs from the text of a `JsonlFileExporter` file: merges the
 * lines by run id, patch over post, whatever their order in the file, and
 * skips lines that do not parse or are not run records. Runs come back in
 * order of their first line, without `op`. Anything but a string is a
 * `TracewireConfigError`.
 */
export function mergeJsonlRuns(text: string): Run[] {
  if (!isString(text)) refuse('mergeJsonlRuns(text)', text, "the text of a JSONL file (a string: readFileSync(path, 'utf8'))");
  const byId = new Map<string, { post?: Run; patch?: Run }>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue; // torn by a crash or a full disk
    }
    if (
      parsed === null ||
      // Stryker disable next-line ConditionalExpression: a primitive has no string id either: the check below skips it just the same
      typeof parsed !== 'object' ||
      isArray(parsed)
    )
      continue;
    const { op, ...run } = parsed as Run & { op?: unknown };
    if (typeof run.id !== 'string' || (op !== 'post' && op !== 'patch')) continue;
    let parts = byId.get(run.id);
    if (parts === undefined) byId.set(run.id, (parts = {}));
    parts[op] = { ...parts[op], ...run }; // a repeated line (a retried batch) merges into itself
  }
  return [...byId.values()].map(({ post, patch }) => ({ ...post, ...patch }) as Run);
}
