import { join } from './node-path.js';
import { parseSpoolEntry } from './spool-format.js';
import { fsPromises as fs } from '../peers/node-builtin.js'; // loaded on first use, not at import (cold start; see node-builtin.ts)
import { removeQuietly } from './write-atomically.js';

/**
 * @internal Bytes of spool files in `dir`: ready, claimed and being written
 * (`.corrupt` files are not counted: they are never replayed, and are kept
 * only for inspection). A missing directory holds 0 bytes. Temp files older
 * than `staleTempMillis` were left by a writer that crashed and are deleted
 * on the way. Rejects only when the directory cannot be read.
 */
export async function countSpoolBytes(dir: string, staleTempMillis: number): Promise<number> {
  let files: string[];
  try {
    files = await fs().readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const now = Date.now();
  const sizes = await Promise.all(
    files.map(async (file) => {
      const entry = parseSpoolEntry(file);
      if (entry === undefined) return 0;
      const info = await fs().stat(join(dir, file)).catch(() => undefined);
      if (info === undefined || !info.isFile()) return 0; // replayed or renamed meanwhile
      if (entry.state === 'temp' && now - info.mtimeMs > staleTempMillis) {
        await removeQuietly(join(dir, file));
        return 0;
      }
      return info.size;
    }),
  );
  return sizes.reduce((sum, size) => sum + size, 0);
}
