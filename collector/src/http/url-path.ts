/**
 * `path` without the slashes it ends with (`/api//` → `/api`). A loop, not `replace(/\/+$/, '')`: that pattern is
 * tried from every slash of a run that does not end the path, quadratic in the run's length, and it ran on every
 * request before the token check (a report-only probe: 170–300 ms for a 16 KB path of slashes then a letter, with the
 * event loop held, other clients' requests waiting behind it). The collector builds apart from lib/ (its own rootDir),
 * hence not lib/url-path.ts.
 */
export function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 0x2f) end--;
  return end === path.length ? path : path.slice(0, end);
}
