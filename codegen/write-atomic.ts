import { chmodSync, chownSync, closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';

/**
 * Replaces `file` with `text` atomically: write a temp file beside it, keep
 * the original's mode (and, where the process may, its owner), flush it to
 * disk, then rename over it — a crash leaves either the old file or the new
 * one, never half of one, and a power loss right after the rename no empty
 * file. (A hard link to the old file keeps the old text: a rename makes a
 * new file.)
 */
export function writeFileAtomic(file: string, text: string): void {
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tracewire-tmp`;
  try {
    const original = statSync(file);
    const fd = openSync(temp, 'w', original.mode);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(temp, original.mode);
    keepOwner(temp, original.uid, original.gid);
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // The temp file was never created; the original error is the one to report.
    }
    throw error;
  }
}

/** The original's owner on the new file: only a privileged process may give a file away (root running the codemod over a user's tree). */
function keepOwner(path: string, uid: number, gid: number): void {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return;
  try {
    chownSync(path, uid, gid);
  } catch {
    // A file system without owners (a mounted share): the file is written all the same.
  }
}
