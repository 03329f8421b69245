import { fsPromises as fs } from '../peers/node-builtin.js'; // loaded on first use, not at import (cold start; see node-builtin.ts)
import { noop } from '../noop.js';

/**
 * @internal Writes `text` to `path` so that `path` either does not exist or
 * holds all of it: the bytes go to `<path>.tmp` (created `0600`, never
 * overwriting), are fsynced, and the temp file is renamed into place —
 * rename within one directory is atomic. Without the fsync a power cut
 * after the rename could leave a named file with missing content; the
 * directory itself is not fsynced, so such a cut may lose the newest file,
 * never corrupt one. On failure the temp file is removed and the error
 * rethrown.
 *
 * Once `signal` aborts, the write is given up (rejecting with its reason):
 * the caller has already counted the batch as not written (shutdown's grace
 * ran out), so the file must not appear, not even late. No step starts after
 * the abort; a rename under way when it came is undone as it completes.
 */
export async function writeFileAtomically(path: string, text: string, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const temp = `${path}.tmp`;
  const file = await fs().open(temp, 'wx', 0o600); // 'x': never write into someone else's temp file
  try {
    try {
      await file.writeFile(text, { encoding: 'utf8', signal });
      await file.sync();
    } finally {
      await file.close();
    }
    signal?.throwIfAborted();
    await fs().rename(temp, path);
  } catch (error) {
    await removeQuietly(temp);
    throw error;
  }
  if (signal?.aborted) {
    // The rename outlived the abort: the file landed after the caller counted it dropped; it goes again at once.
    await removeQuietly(path);
    signal.throwIfAborted();
  }
}

/** @internal Deletes `path` if it exists; never rejects (a file gone meanwhile, or one that cannot be removed, is left to the next scan). */
export function removeQuietly(path: string): Promise<void> {
  // Stryker disable next-line ObjectLiteral,BooleanLiteral: without force a file gone meanwhile rejects ENOENT, which the catch turns into the same undefined
  return fs().rm(path, { force: true }).catch(noop);
}
