import type * as FsPromises from 'node:fs/promises';
import { fsPromises as fs, nodeFs } from '../../peers/node-builtin.js';
import { ownedByAnotherUser } from '../../file-owner.js';

/** @internal The JSONL file open for appending, and which file it is (to tell when the path names another). */
export interface OpenJsonlFile {
  readonly file: FsPromises.FileHandle;
  readonly dev: number;
  readonly ino: number;
}

/**
 * @internal Opens `path` for appending (created `0600` when missing) only as a regular file of this user's (or
 * root's): never through a symbolic link (`O_NOFOLLOW`), never blocking on a FIFO (`O_NONBLOCK`: one without a reader
 * fails at once). Runs hold user data: another local user who made the path first — a world-readable file of theirs,
 * or a link to a file of the victim's they chose — read every run, or had lines appended where they liked, and a FIFO
 * held the process for good (a report-only probe). A refusal is an error the exporter reports once, not retried.
 */
export async function openJsonlFile(path: string): Promise<OpenJsonlFile> {
  const { constants } = nodeFs();
  // The system's own links to a descriptor (`/dev/stdout`, `/proc/self/fd/1`) are followed: no other user makes them.
  const system = SYSTEM_LINKS.test(path);
  let file: FsPromises.FileHandle;
  try {
    file = await fs().open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (system ? 0 : (constants.O_NOFOLLOW ?? 0)) | (constants.O_NONBLOCK ?? 0), 0o600);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ELOOP') throw refusal(path, 'it is a symbolic link (give the path it points to; /dev/stdout and /proc/self/fd/N are followed)');
    if (code === 'ENXIO') throw refusal(path, 'it is a FIFO without a reader');
    throw error;
  }
  if (system) return { file, dev: -1, ino: -1 };
  const stats = await file.stat().catch(async (error: unknown) => {
    await file.close().catch(() => undefined);
    throw error;
  });
  const why = !stats.isFile()
    ? 'it is not a regular file'
    : (ownedByAnotherUser(stats) ?? (stats.nlink > 1 ? 'it has another name (a hard link another user may have made to a file of yours)' : undefined));
  if (why !== undefined) {
    await file.close().catch(() => undefined);
    throw refusal(path, why);
  }
  return { file, dev: stats.dev, ino: stats.ino };
}

/** `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`: links the system makes to this process's descriptors. */
const SYSTEM_LINKS = /^\/(?:dev\/(?:stdout|stderr|fd\/\d+)|proc\/self\/fd\/\d+)$/;

/** @internal Whether `path` still names the file `open` is (not removed, renamed away or replaced: log rotation). Never rejects. */
export async function stillAtPath(path: string, open: OpenJsonlFile): Promise<boolean> {
  if (open.ino === -1) return true; // a descriptor of this process's (see SYSTEM_LINKS)
  try {
    const now = await fs().lstat(path);
    return now.ino === open.ino && now.dev === open.dev;
  } catch {
    return false;
  }
}

function refusal(path: string, why: string): Error {
  return Object.assign(new Error(`the JSONL exporter writes only to a regular file of this user's at ${path}, never through a link: ${why}`), { code: 'EJSONLPATH' });
}
