/**
 * @internal `path` without the slashes it ends with (`/api//` → `/api`). A loop, not `replace(/\/+$/, '')`: that
 * pattern is tried from every slash of a run that does not end the path, quadratic in the run's length (a report-only
 * probe: 650 ms for an endpoint of 32 000 slashes then a letter; 300 ms per request on the collector's path).
 */
export function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 0x2f) end--;
  return end === path.length ? path : path.slice(0, end);
}
