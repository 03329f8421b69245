import { ts } from 'ts-morph';

/** One text edit: replace `[start, end)` of the original text with `text`. */
export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * Applies edits computed against the ORIGINAL text. Edits are applied from the
 * end backwards so earlier offsets stay valid; insertions at the same offset
 * keep the order they were computed in. Overlapping edits are a bug in the
 * caller, so they throw instead of silently corrupting a user's file.
 */
export function applyEdits(original: string, edits: readonly TextEdit[]): string {
  const ordered = edits
    .map((edit, index) => ({ edit, index }))
    .sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end || a.index - b.index)
    .map(({ edit }) => edit);
  let out = '';
  let cursor = 0;
  for (const edit of ordered) {
    if (edit.start < cursor) throw new Error(`tracewire instrument: overlapping edits at offset ${edit.start}`);
    out += original.slice(cursor, edit.start) + edit.text;
    cursor = edit.end;
  }
  return out + original.slice(cursor);
}

/** The file's own line ending: CRLF stays CRLF. */
export function lineEnding(text: string): string {
  const lf = text.indexOf('\n');
  return lf > 0 && text[lf - 1] === '\r' ? '\r\n' : '\n';
}

/** The whitespace between the start of `pos`'s line and `pos`, or undefined when code precedes `pos` on that line. */
export function indentBefore(text: string, pos: number): string | undefined {
  let i = pos;
  while (i > 0 && (text[i - 1] === ' ' || text[i - 1] === '\t')) i--;
  if (i > 0 && text[i - 1] !== '\n') return undefined;
  return text.slice(i, pos);
}

/** Offset of the first non-whitespace character at or after `pos`. */
export function skipWhitespace(text: string, pos: number): number {
  while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  return pos;
}

/** Offset just before the whitespace (spaces, tabs, line breaks) that ends right at `pos`. */
export function backOverWhitespace(text: string, pos: number): number {
  while (pos > 0 && /\s/.test(text[pos - 1]!)) pos--;
  return pos;
}

/** A line comment that tells tsc about the next line: moved away from its line, it would hide or expect an error elsewhere. */
const NEXT_LINE_DIRECTIVE = /^\/\/\s*@ts-(expect-error|ignore)\b/;

/**
 * Where to insert a line above `node`: above the `// @ts-expect-error` /
 * `// @ts-ignore` lines right over it, which must stay on the line before
 * the code they are about (a decorator or forwarder put between would take
 * them over), else at the node itself.
 */
export function aboveNextLineDirectives(text: string, node: ts.Node, sf: ts.SourceFile): number {
  const fullStart = node.getFullStart();
  const ranges = ts.getLeadingCommentRanges(text, fullStart) ?? [];
  let at = node.getStart(sf);
  for (let i = ranges.length - 1; i >= 0; i--) {
    const range = ranges[i]!;
    if (range.pos < fullStart || text.slice(range.end, at).trim() !== '' || !NEXT_LINE_DIRECTIVE.test(text.slice(range.pos, range.end))) break;
    at = range.pos;
  }
  return at;
}
