import { clearHostTimeout, setHostTimeout, type HostTimer } from '../../host-timers.js';
import type * as FsPromises from 'node:fs/promises';
import { types } from '../../peers/node-util.js';
import { refuse } from '../../errors.js';
import { optionsObject } from '../../config-env.js';
import { EXPORT_OK, type ExportBatch, type ExportOptions, type ExportResult, type SpanExporter } from '../span-exporter.js';
import { toLines } from './jsonl-lines.js';
import { nodeUrl } from '../../peers/node-builtin.js';
import { openJsonlFile, stillAtPath, type OpenJsonlFile } from './open-jsonl-file.js'; // loaded on first use, not at import (cold start; see node-builtin.ts)
import { noop } from '../../noop.js';
import { isString } from '../../natives.js';

/** Options of a {@link JsonlFileExporter}. */
export interface JsonlFileExporterOptions {
  /**
   * The file runs are appended to. Required. Created with mode `0600` when
   * missing (an existing file keeps its mode); its directory must exist.
   */
  readonly path: string | URL;
}

/**
 * Appends every run to a JSON Lines file: one run record per line, UTF-8,
 * `\n`-terminated. Each line is the `Run` record with one member added in
 * front, `op`:
 *
 * ```
 * {"op":"post","id":"…","trace_id":"…","start_time":"…","inputs":{…},…}
 * {"op":"patch","id":"…","trace_id":"…","end_time":"…","outputs":{…},"status":"success",…}
 * ```
 *
 * `post` creates a run (complete when it has an `end_time`), `patch` ends a
 * run posted earlier (it has no `inputs`). To rebuild runs, merge by `id`,
 * patch over post — `{ ...post, ...patch }` — whatever the order of the
 * lines: retries and concurrent exports can write a patch before its post,
 * and a retried batch can repeat lines, which the merge makes harmless.
 * Skip a line that does not parse (one torn by a crash or a full disk).
 * `mergeJsonlRuns()` does all this.
 *
 * Safe for several processes appending to one file: the file is opened with
 * `O_APPEND` and each batch goes out as one buffer in one `write(2)`. POSIX
 * makes such a write move the offset to the end of the file and write with
 * no other modification in between, and local Linux and macOS file systems
 * serialise writes to a file, so lines from different processes never
 * interleave mid-line. (NFS does not honour `O_APPEND` this way: use one file
 * per process there.)
 *
 * The file is created `0600` because runs carry the traced program's inputs
 * and outputs, which may be user data no other local account should read.
 */
export class JsonlFileExporter implements SpanExporter {
  /** The file runs are appended to. */
  declare readonly path: string;
  /** Opened by an export, kept open until `shutdown()` or {@link IDLE_CLOSE_MILLIS} without one. */
  #handle: Promise<OpenJsonlFile> | undefined;
  #idleTimer: HostTimer | undefined;
  readonly #writing = new Set<Promise<ExportResult>>();
  /** A write failed part-way: the next batch starts with `\n` so the torn line stays alone. */
  #tornLine = false;
  #isShutdown = false;

  /**
   * `path` is checked now (a `file:` URL is taken as its path): a blank one, or one with a NUL byte, is a
   * `TracewireConfigError`. The file is opened by the first export, not here.
   */
  constructor(options: JsonlFileExporterOptions) {
    // `path: null` is refused by the path's own check: a required option has no default to point to.
    options = optionsObject(options, 'JsonlFileExporter', ['path'], { keepsNull: ['path'] });
    const given: unknown = options.path;
    // A `file:` URL, as Node's fs takes one (`new URL('./runs.jsonl', import.meta.url)`); another scheme names no file.
    const path = given instanceof URL && given.protocol === 'file:' ? nodeUrl().fileURLToPath(given) : given;
    // A NUL byte no file system takes: every export would fail.
    if (!isString(path) || path.trim() === '' || path.includes('\0')) refuse('JsonlFileExporter path', path, 'a file path (not blank, no NUL byte)');
    this.path = path;
  }

  /**
   * Appends the batch; never rejects. A file-system error comes back as a
   * failure, retryable when it is transient resource exhaustion (EMFILE,
   * ENFILE, EAGAIN, EINTR, EBUSY, ENOSPC, EDQUOT), not when it is a setup
   * problem (ENOENT, EACCES, EISDIR, EROFS…). The abort signal is not
   * consulted: a local append cannot be taken back half-way.
   */
  export(batch: ExportBatch, _options?: ExportOptions): Promise<ExportResult> {
    if (this.#isShutdown) return Promise.resolve(failure(new Error('JsonlFileExporter is shut down'), false));
    clearHostTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    const write = this.#append(batch);
    this.#writing.add(write);
    void write.then(() => {
      this.#writing.delete(write);
      if (this.#writing.size === 0 && this.#handle !== undefined && !this.#isShutdown) this.#closeWhenIdle();
    });
    return write;
  }

  /**
   * Closes the file once no export came for a while: an exporter dropped
   * without `shutdown()` (a client per request) otherwise kept its file open
   * until garbage collection closed it, a descriptor per client meanwhile and
   * a warning from Node each time (an error in a later Node, DEP0137).
   */
  #closeWhenIdle(): void {
    const timer = setHostTimeout(() => {
      if (this.#idleTimer !== timer || this.#writing.size > 0) return;
      this.#idleTimer = undefined;
      const handle = this.#handle;
      this.#handle = undefined;
      void handle?.then(({ file }) => file.close()).catch(noop);
    }, IDLE_CLOSE_MILLIS);
    timer.unref?.();
    this.#idleTimer = timer;
  }

  /** Waits for writes in progress, then closes the file. Later exports fail. */
  async shutdown(): Promise<void> {
    this.#isShutdown = true;
    clearHostTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    await Promise.all(this.#writing);
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.then(({ file }) => file.close()).catch(noop);
  }

  async #append(batch: ExportBatch): Promise<ExportResult> {
    let buffer: Buffer;
    try {
      buffer = Buffer.from(toLines(batch), 'utf8');
    } catch (error) {
      return failure(error, false); // not JSON-serialisable: retrying cannot help
    }
    if (buffer.length === 0) return EXPORT_OK;
    if (this.#tornLine) buffer = Buffer.concat([NEWLINE, buffer]);
    let written = 0;
    try {
      const file = await this.#fileAtPath();
      // One call for the whole buffer; a short write (rare on regular files: a full disk, a signal) is finished with more calls.
      while (written < buffer.length) {
        const { bytesWritten } = await file.write(buffer, written, buffer.length - written);
        if (bytesWritten === 0) throw new Error(`wrote 0 bytes to ${this.path}`);
        written += bytesWritten;
      }
      this.#tornLine = false;
      return EXPORT_OK;
    } catch (error) {
      if (written > 0) this.#tornLine = true;
      return failure(error, classifyFsError(error));
    }
  }

  /**
   * The file open at its path: the one already open, unless the path names another file now (removed, renamed away
   * by log rotation, replaced), when it is closed and the path opened again. Lines written to a file removed while it
   * stayed open were counted delivered and lost (a report-only probe).
   */
  async #fileAtPath(): Promise<FsPromises.FileHandle> {
    const held = this.#handle;
    if (held !== undefined) {
      const open = await held;
      if (await stillAtPath(this.path, open)) return open.file;
      if (this.#handle === held) this.#handle = undefined;
      void open.file.close().catch(noop);
    }
    return (await this.#open()).file;
  }

  #open(): Promise<OpenJsonlFile> {
    let opening = this.#handle;
    if (opening === undefined) {
      const opened = (this.#handle = opening = openJsonlFile(this.path));
      // Forget a failed open so a later export tries again (the directory may appear, a file handle may free up).
      opened.catch(() => {
        if (this.#handle === opened) this.#handle = undefined;
      });
    }
    return opening;
  }
}

/**
 * @internal Whether a file-system error is worth retrying: resource
 * exhaustion that passes (no free descriptors, a full disk, a busy or
 * interrupted call). Everything else — no such directory, permission denied,
 * a directory in the way, a read-only file system — is a setup problem that
 * no retry fixes.
 */
export function classifyFsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return isString(code) && RETRYABLE_CODES.has(code);
}

/** How long the file stays open with no export: long enough for a stream of batches, short against a client dropped. */
const IDLE_CLOSE_MILLIS = 1_000;

const RETRYABLE_CODES = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR', 'EBUSY', 'EMFILE', 'ENFILE', 'ENOSPC', 'EDQUOT']);
const NEWLINE = Buffer.from('\n');

function failure(error: unknown, retryable: boolean): ExportResult {
  // isNativeError: an fs error from another realm (a vm context, a test sandbox) is not `instanceof` this realm's Error.
  return { ok: false, retryable, error: error instanceof Error || types.isNativeError(error) ? error : new Error(String(error)) };
}
