/**
 * A unified diff (`diff -u` style, 3 lines of context) of two texts. Lines
 * are compared after trimming the common head and tail, with a plain LCS
 * table over what is left: instrumenting touches few lines, so what is left
 * is small. A very large middle falls back to one replace hunk.
 */
export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const ops: Array<[' ' | '-' | '+', string]> = a.slice(0, head).map((l) => [' ', l]);
  ops.push(...middle(a.slice(head, a.length - tail), b.slice(head, b.length - tail)));
  ops.push(...a.slice(a.length - tail).map((l): [' ', string] => [' ', l]));
  return `--- a/${path}\n+++ b/${path}\n${hunks(ops, context)}`;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function middle(a: string[], b: string[]): Array<[' ' | '-' | '+', string]> {
  if (a.length * b.length > 4_000_000) return [...a.map((l): ['-', string] => ['-', l]), ...b.map((l): ['+', string] => ['+', l])];
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: Array<[' ' | '-' | '+', string]> = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) ops.push([' ', a[i++]!]), j++;
    else if (j < b.length && (i === a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) ops.push(['+', b[j++]!]);
    else ops.push(['-', a[i++]!]);
  }
  return ops;
}

function hunks(ops: Array<[' ' | '-' | '+', string]>, context: number): string {
  let out = '';
  let k = 0;
  let oldLine = 1;
  let newLine = 1;
  while (k < ops.length) {
    const firstChange = ops.findIndex((op, index) => index >= k && op[0] !== ' ');
    if (firstChange < 0) break;
    const start = Math.max(k, firstChange - context);
    for (let s = k; s < start; s++) oldLine++, newLine++;
    let end = firstChange;
    // Extend while the next change is within 2×context unchanged lines.
    for (let gap = 0; end < ops.length && gap <= 2 * context; end++) gap = ops[end]![0] === ' ' ? gap + 1 : 0;
    while (end > firstChange && ops[end - 1]![0] === ' ') end--;
    end = Math.min(ops.length, end + context);
    const body = ops.slice(start, end);
    const oldCount = body.filter((op) => op[0] !== '+').length;
    const newCount = body.filter((op) => op[0] !== '-').length;
    out += `@@ -${oldCount ? oldLine : oldLine - 1},${oldCount} +${newCount ? newLine : newLine - 1},${newCount} @@\n`;
    out += body.map(([mark, line]) => mark + line + '\n').join('');
    oldLine += oldCount;
    newLine += newCount;
    k = end;
  }
  return out;
}
