import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TracingClient, traceable, type SpanExporter } from '../../../index';

/**
 * A spool the file system refuses (a read-only disk, a full one, permissions): its spans are dropped and counted, and
 * one warning names the spool and the error. Before, only the export's failure was warned ("HTTP 503 … dropped"), and
 * nothing said the spool was why they were not kept (a report-only probe, on a read-only mount, a full tmpfs, EACCES).
 */
// The module object itself, as tracewire loads it: an `import * as` would spy on a copy.
const fsPromises = require('node:fs/promises') as typeof import('node:fs/promises');

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tracewire-spool-refused-'))));
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

test('a spool the disk refuses (EROFS) is warned once, naming it and the error, and its spans are counted dropped', async () => {
  const realOpen = fsPromises.open;
  // A read-only file system under the spool: every file it makes is refused.
  jest.spyOn(fsPromises, 'open').mockImplementation(((path: Parameters<typeof realOpen>[0], ...rest: unknown[]) =>
    String(path).startsWith(dir) ? Promise.reject(Object.assign(new Error(`EROFS: read-only file system, open '${String(path)}'`), { code: 'EROFS' })) : (realOpen as (...args: unknown[]) => unknown)(path, ...rest)) as typeof realOpen);
  const warnings: string[] = [];
  const failing: SpanExporter = { export: async () => ({ ok: false, retryable: true, error: new Error('HTTP 503') }) };
  const client = new TracingClient({ exporter: failing, spoolDir: dir, mode: 'manual', maxRetries: 0, logger: { warn: (message) => void warnings.push(message) } });
  for (let i = 0; i < 2; i++) {
    traceable(function step() {}, { client })();
    await client.flush();
  }
  expect(warnings.filter((warning) => warning.includes(`the spool at ${dir} could not be written (EROFS)`))).toHaveLength(1);
  expect(client.stats()).toMatchObject({ spooled: 0, dropped: { exportFailed: 2 } });
  await client.shutdown();
});
