import type { Stats } from 'node:fs';
import { fsPromises as fs, nodeFs } from '../peers/node-builtin.js';

/**
 * @internal Whether a spool directory may be used: a replay sends every file in it to the client's endpoint with the
 * client's credentials, so whoever can add a file there can send runs as this service (a report-only probe: another
 * local user who made a shared `/tmp` spool directory first planted a run, and the victim's next start sent it with
 * its API key). Trusted: a directory (a symlink to one is followed) owned by this process's user or by root, that
 * neither its group nor others may write. `undefined`: trusted; else why not, for the warning or the refusal.
 * Windows and runtimes without `process.getuid` check the kind alone.
 */
export function untrustedDirectory(stats: Stats): string | undefined {
  if (!stats.isDirectory()) return 'it is not a directory';
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid && stats.uid !== 0) return `it is owned by another user (uid ${stats.uid})`;
  if (process.platform !== 'win32' && (stats.mode & 0o022) !== 0) return `its group or other users may write to it (mode ${(stats.mode & 0o777).toString(8).padStart(4, '0')})`;
  return undefined;
}

/** @internal {@link untrustedDirectory} of `dir` as it is now, read synchronously (construction); `undefined` as well when it does not exist yet. */
export function untrustedDirectorySync(dir: string): string | undefined {
  let stats: Stats;
  try {
    stats = nodeFs().statSync(dir);
  } catch {
    return undefined; // not there yet: it is created 0700, and checked again after
  }
  return untrustedDirectory(stats);
}

/** @internal {@link untrustedDirectory} of `dir`, which exists (it was just created, or found). */
export async function untrustedDirectoryNow(dir: string): Promise<string | undefined> {
  return untrustedDirectory(await fs().stat(dir));
}

/**
 * @internal Reads a claimed spool file only if it is a regular file of this user's (or root's), never through a
 * symlink, and never blocking on a FIFO (opened non-blocking, then checked): one that is not is `undefined`, moved
 * aside by the caller. A FIFO in the directory otherwise held the replay, and a libuv thread, for good.
 */
export async function readSpoolFile(path: string): Promise<Buffer | undefined> {
  const { constants } = nodeFs();
  const file = await fs().open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  try {
    const stats = await file.stat();
    const uid = process.getuid?.();
    if (!stats.isFile() || (uid !== undefined && stats.uid !== uid && stats.uid !== 0)) return undefined;
    return await file.readFile();
  } finally {
    await file.close();
  }
}
