import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';

/**
 * A unified diff (`diff -u`, 3 lines of context) of a file's text before and
 * after, as `patch -p1` and `git apply` take it: jsdiff's, which keeps each
 * line's own ending (a CRLF file's `\r`), a byte-order mark in the first
 * line, and marks a last line without a newline. The hand-written diff it
 * replaces dropped the `\r`, so a CRLF file's patch did not apply.
 */
export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  return createTwoFilesPatch(`a/${path}`, `b/${path}`, before, after, undefined, undefined, { context, headerOptions: FILE_HEADERS_ONLY });
}
