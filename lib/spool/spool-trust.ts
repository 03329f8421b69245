import type { Stats } from 'node:fs';
import { fsPromises as fs, nodeFs } from '../peers/node-builtin.js';
import { ownedByAnotherUser } from '../file-owner.js';
import { join } from './node-path.js';

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
  const foreign = ownedByAnotherUser(stats);
  if (foreign !== undefined) return foreign;
  if (process.platform !== 'win32' && (stats.mode & 0o022) !== 0) return `its group or other users may write to it (mode ${(stats.mode & 0o777).toString(8).padStart(4, '0')})`;
  return undefined;
}

/**
 * @internal Where a store given `dir` keeps its files: `dir` itself when it is trusted or not there yet (it is then
 * created 0700, and checked again at first use); in a directory others may write to — a shared `/tmp/spool`, a
 * Kubernetes `emptyDir` (mode 0777), a volume made group-writable — a subdirectory of this user's own,
 * `tracewire-<uid>`, made 0700 and checked at each use, as tmux and ssh-agent keep theirs under `/tmp`. `refused`:
 * why `dir` cannot be used at all (another user's, that others may not write to either).
 */
export function spoolDirectoryIn(dir: string): { readonly dir: string; readonly refused?: string } {
  let stats: Stats;
  try {
    stats = nodeFs().statSync(dir);
  } catch {
    return { dir };
  }
  const untrusted = untrustedDirectory(stats);
  if (untrusted === undefined) return { dir };
  if (stats.isDirectory() && (stats.mode & 0o022) !== 0) return { dir: join(dir, `tracewire-${process.getuid?.() ?? 'user'}`) };
  return { dir, refused: untrusted };
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
    if (!stats.isFile() || ownedByAnotherUser(stats) !== undefined) return undefined;
    return await file.readFile();
  } finally {
    await file.close();
  }
}
