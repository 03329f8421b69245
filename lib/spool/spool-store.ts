import { dirname, join, resolve } from './node-path.js';
import { refuse } from '../errors.js';
import type { ExportBatch } from '../exporters/span-exporter.js';
import { countSpoolBytes } from './count-spool-bytes.js';
import { encodeBatch, newSpoolName } from './spool-format.js';
import { replaySpool, type ReplayOptions, type ReplayResult } from './spool-replay.js';
import { writeFileAtomically } from './write-atomically.js';
import { spoolDirectoryIn, untrustedDirectoryNow } from './spool-trust.js';
import { fsPromises as fs, nodeFs } from '../peers/node-builtin.js'; // loaded on first use, not at import (cold start; see node-builtin.ts)
import { noop } from '../noop.js';
import { isPositive, isString, max } from '../natives.js';

/** @internal Options of a {@link SpoolStore}. */
export interface SpoolStoreOptions {
  /** Where spooled batches live. Required. Created with mode `0700` on first write when missing (an existing directory keeps its mode). */
  readonly dir: string;
  /** Bytes of spool files on disk past which writes are refused. Default 64 MiB. */
  readonly maxBytes?: number;
  /** A claim older than this is taken to be abandoned (its process died mid-replay) and may be taken over. Default 10 minutes. */
  readonly staleClaimMillis?: number;
  /** Where its batches go (see `destination-tag.ts`): what files are named after, and which a replay sends. Default: none (`''`). */
  readonly destinations?: SpoolDestinations;
}

/** @internal What a store names its files after, and which it replays. */
export interface SpoolDestinations {
  /** The digest of the destinations `batch` is owed to: its file's name ends with it (`''`: none). */
  tagOf(batch: ExportBatch): string;
  /**
   * The digests of the files a replay sends — those owed to this client's destinations, or to some of its write
   * replicas (`''`: files that name none) — each with the labels this client gives those destinations: a file owed to
   * some replicas is readdressed with them (another client may have numbered them otherwise).
   */
  accepted(): ReadonlyMap<string, readonly string[]>;
}

const NO_DESTINATIONS: SpoolDestinations = { tagOf: () => '', accepted: () => new Map([['', []]]) };

export type { ReplayOptions, ReplayResult };

/**
 * @internal Keeps batches on disk that could not be delivered — retries ran
 * out, or shutdown's deadline passed — so the next client started with the
 * same directory delivers them. One file per batch, written atomically, mode
 * `0600` in a `0700` directory (runs may hold user data); see `spool-format`
 * for names. Several processes may share a directory: a claim (an atomic
 * rename) makes sure only one of them replays a file.
 *
 * Never throws or rejects after construction: a file-system failure makes
 * `write()` resolve `false` and is counted by `replay()`.
 */
export class SpoolStore {
  declare readonly dir: string;
  declare readonly maxBytes: number;
  /** Writes refused because they would take the spool past `maxBytes`: a caller tells a full spool from a failing disk by it. */
  refusedFull = 0;
  /** Why the directory is not used, once found so (see `untrustedDirectory`): nothing is written to or replayed from it. */
  untrusted: string | undefined = undefined;
  /** The code (or message) of the last write the file system failed (`EROFS`, `ENOSPC`, `EACCES`…): for the warning. */
  lastWriteError: string | undefined = undefined;
  readonly #staleClaimMillis: number;
  readonly #destinations: SpoolDestinations;
  /** Bytes on disk as of the last scan, plus this store's writes, minus its deletions. */
  #diskBytes = 0;
  /** Bytes of writes in progress, reserved so concurrent writes cannot overshoot together. */
  #reservedBytes = 0;
  #scannedAt: number | undefined;
  #scanning: Promise<void> | undefined;
  #dirCreated: Promise<unknown> | undefined;
  /**
   * The ready names of the files this store wrote, until its first replay is over: what a client's start-up replay
   * (its first) leaves out (`othersOnly`). Not kept after: no later replay asks, and it would only grow.
   */
  #written: Set<string> | undefined = new Set();

  constructor(options: SpoolStoreOptions) {
    const { dir, maxBytes = 64 * 1024 * 1024, staleClaimMillis = 10 * 60_000, destinations = NO_DESTINATIONS } = options ?? ({} as SpoolStoreOptions);
    if (!isString(dir) || dir.trim() === '' || dir.includes('\0')) refuse('spoolDir', dir, 'a directory path (not blank, no NUL byte)');
    refuseUnderAFile(dir);
    const own = spoolDirectoryIn(dir);
    if (own.refused !== undefined) refuse('spoolDir', dir, `a directory of this user's, or one others may write to (its files then go in a subdirectory of this user's): ${own.refused}`);
    if (!isPositive(maxBytes)) refuse('spool maxBytes', maxBytes, 'a positive number of bytes');
    if (!isPositive(staleClaimMillis)) refuse('spool staleClaimMillis', staleClaimMillis, 'a positive number of milliseconds');
    this.dir = own.dir;
    this.maxBytes = maxBytes;
    this.#staleClaimMillis = staleClaimMillis;
    this.#destinations = destinations;
  }

  /**
   * Spools one batch. Resolves `true` once it is on disk under its final
   * name, `false` — having written nothing — when it would take the spool
   * past `maxBytes` or the file system fails (the caller counts it dropped),
   * or `signal` aborted before the file was in place (see `writeFileAtomically`).
   */
  async write(batch: ExportBatch, signal?: AbortSignal): Promise<boolean> {
    if (batch.post.length === 0 && batch.patch.length === 0) return true;
    if (this.untrusted !== undefined) return false;
    let reserved = 0;
    let name: string | undefined;
    try {
      const text = encodeBatch(batch);
      const size = Buffer.byteLength(text);
      // Other writers' files count: recounted before each write (one listing, shared by the writes under way). Every
      // 5 s, 4 processes writing failed batches filled 3.4 × maxBytes (a report-only probe). A write is a batch
      // delivery gave up on: rare, and never on a traced call's path.
      await this.#scan();
      if (this.#diskBytes + this.#reservedBytes + size > this.maxBytes) {
        this.refusedFull++;
        return false;
      }
      reserved = size;
      this.#reservedBytes += size;
      await this.#createDir();
      // Checked at each write, after the directory exists: another user may have made it first (mkdir of an existing
      // directory succeeds), or, in a directory others may write to, swapped it since.
      this.untrusted ??= await untrustedDirectoryNow(this.dir);
      if (this.untrusted !== undefined) return false;
      // Known as this store's before it can be listed: a replay listing the directory as the file lands leaves it out.
      name = newSpoolName(this.#destinations.tagOf(batch));
      this.#written?.add(name);
      await writeFileAtomically(join(this.dir, name), text, signal);
      this.#diskBytes += size;
      return true;
    } catch (error) {
      if (name !== undefined) this.#written?.delete(name);
      const code = (error as { code?: unknown } | null)?.code;
      this.lastWriteError = isString(code) ? code : error instanceof Error ? error.message : String(error);
      // The directory was removed while the process ran: made again for the next write (it stayed gone for good).
      if ((error as { code?: unknown } | null)?.code === 'ENOENT') this.#dirCreated = undefined;
      return false;
    } finally {
      this.#reservedBytes -= reserved;
    }
  }

  /**
   * Sends every spooled batch, oldest first, one at a time. `send` resolves
   * `true` when the batch is done with — delivered, or refused for good
   * (a non-retryable rejection: keeping it would only block the spool) —
   * and the file is deleted; `false` (or a throw) when a later try may
   * succeed, and the file is put back for the next replay. A corrupt file is
   * moved aside as `<name>.corrupt`. Stops early after 3 failures in a row —
   * the destination is most likely still down — or when `signal` aborts.
   *
   * Only the files of this store's destination are sent; the others are
   * counted (`elsewhere`), left for the clients that send there.
   *
   * `othersOnly` leaves out the files this store wrote itself (see
   * `SpoolFallback`: a client's start-up replay); known only to the store's
   * first replay, a later one with it replays them all.
   */
  async replay(send: (batch: ExportBatch) => Promise<boolean>, options: ReplayOptions = {}): Promise<ReplayResult> {
    const written = this.#written;
    try {
      if (this.#scannedAt === undefined) await this.#scan();
    } catch {
      // Counting is best effort; the replay itself reports what it could not do.
    }
    try {
      // Never from a directory another user may write to (see untrustedDirectory); one not there yet holds nothing.
      this.untrusted ??= await untrustedDirectoryNow(this.dir).catch(() => undefined);
      if (this.untrusted !== undefined) return { replayed: 0, failed: 0, corrupt: 0, elsewhere: 0 };
      const leaveOut = options.othersOnly === true ? written : undefined;
      const accepted = this.#destinations.accepted();
      return await replaySpool(this.dir, send, { ...options, leaveOut, accepted, staleClaimMillis: this.#staleClaimMillis, onRemoved: (bytes) => this.#forget(bytes) });
    } finally {
      this.#written = undefined;
    }
  }

  /** Bytes of spool files on disk, freshly counted. For diagnostics and tests; never rejects (the last count when the directory cannot be read). */
  async usedBytes(): Promise<number> {
    await this.#scan().catch(noop);
    return this.#diskBytes;
  }

  #forget(bytes: number): void {
    this.#diskBytes = max(0, this.#diskBytes - bytes);
  }

  /**
   * Counts the directory, so the accounting survives restarts and counts
   * the files of other processes sharing the directory (before each write).
   */
  #scan(): Promise<void> {
    this.#scanning ??= countSpoolBytes(this.dir, this.#staleClaimMillis)
      .then((bytes) => {
        this.#diskBytes = bytes;
        this.#scannedAt = Date.now();
      })
      .finally(() => (this.#scanning = undefined));
    return this.#scanning;
  }

  #createDir(): Promise<unknown> {
    // Only the owner may list, read or add spool files.
    this.#dirCreated ??= fs().mkdir(this.dir, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
      this.#dirCreated = undefined;
      throw error;
    });
    return this.#dirCreated;
  }
}

/**
 * The nearest part of `dir` that exists must be a directory: under a file,
 * every spool write would fail, each batch it was meant to keep dropped.
 * Checked once, at construction, as every setting is.
 */
function refuseUnderAFile(dir: string): void {
  for (let at = resolve(dir); ; at = dirname(at)) {
    let isDirectory: boolean;
    try {
      isDirectory = nodeFs().statSync(at).isDirectory();
    } catch {
      if (dirname(at) === at) return; // nothing of it exists (or it cannot be read): the first write says why
      continue;
    }
    if (!isDirectory) refuse('spoolDir', dir, `a directory path (${at} is a file)`);
    return;
  }
}
