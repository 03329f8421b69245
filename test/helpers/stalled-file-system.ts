import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A file system stalled by {@link stallFileSystem}, until `resume()`. */
export interface StalledFileSystem {
  /** Lets every file-system call waiting meanwhile run; resolves once the pool's threads are free again. */
  resume(): Promise<void>;
}

/**
 * Stalls this process's file system for real, as a disk that stops
 * answering (an NFS mount gone away) does: Node runs every asynchronous
 * `fs` call on libuv's thread pool, and each of its threads is held here in
 * an `open()` of a FIFO that has no writer yet. Calls made meanwhile wait in
 * the pool's queue until `resume()` opens the FIFOs read-write (on Linux
 * that never blocks, and gives each waiting `open()` its writer). No
 * `fs` function is replaced: the code under test makes its real calls.
 *
 * Linux only (`mkfifo`, and O_RDWR on a FIFO). Synchronous `fs` calls run on
 * the caller's thread and are not stalled; nor are sockets (they do not use
 * the pool), so HTTP to 127.0.0.1 works meanwhile.
 */
export function stallFileSystem(): StalledFileSystem {
  const dir = mkdtempSync(join(tmpdir(), 'tracewire-stall-'));
  // The pool's size: UV_THREADPOOL_SIZE, read by libuv when the pool starts; 4 when unset.
  const threads = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  const fifos = Array.from({ length: threads }, (_, i) => join(dir, `fifo-${i}`));
  for (const fifo of fifos) execFileSync('mkfifo', [fifo]);
  const held: Array<Promise<FileHandle>> = fifos.map((fifo) => open(fifo, 'r'));
  return {
    async resume() {
      const writers = fifos.map((fifo) => openSync(fifo, 'r+'));
      try {
        for (const handle of await Promise.all(held)) await handle.close();
      } finally {
        for (const fd of writers) closeSync(fd);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
