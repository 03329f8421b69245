import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';

/**
 * The viewer's files: plain HTML, CSS and JS in `collector/viewer/`, beside
 * `src/` and `dist/` alike, so the same lookup serves from sources (tests)
 * and from the build. Only these names are served: no path ever comes from
 * the URL.
 */
const VIEWER_DIR = join(__dirname, '..', '..', 'viewer');
const FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/dom.js': { file: 'dom.js', type: 'text/javascript; charset=utf-8' },
  '/tree.js': { file: 'tree.js', type: 'text/javascript; charset=utf-8' },
  '/trace-view.js': { file: 'trace-view.js', type: 'text/javascript; charset=utf-8' },
  '/stats-view.js': { file: 'stats-view.js', type: 'text/javascript; charset=utf-8' },
  '/viewer.css': { file: 'viewer.css', type: 'text/css; charset=utf-8' },
};

/** Whether `path` names a viewer file. */
export function isViewerPath(path: string): boolean {
  return Object.hasOwn(FILES, path);
}

/**
 * Serves a viewer file. The Content-Security-Policy allows only the
 * collector's own scripts and styles: even a value that escaped escaping
 * could not run inline script.
 */
export async function serveViewerFile(path: string, res: ServerResponse): Promise<void> {
  const entry = FILES[path]!;
  const body = await readFile(join(VIEWER_DIR, entry.file));
  res.writeHead(200, {
    'content-type': entry.type,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  });
  res.end(body);
}
