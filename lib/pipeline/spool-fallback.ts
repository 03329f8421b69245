import { settleWithin, unrefSleep } from '../client/deadline.js';
import type { DeliveryCounters } from '../client/delivery-stats.js';
import type { ExportBatch } from '../exporters/span-exporter.js';
import type { SpoolStore } from '../spool/spool-store.js';
import type { DropWarnings } from './drop-warnings.js';
import { endsIn, patchesOf, withoutDelivered } from './partial-delivery.js';
import type { RunCloses } from './run-closes.js';
import { RefusedSpans } from './refused-spans.js';
import { noop } from '../noop.js';
import { sendBatch, type SendContext, type SendWatch } from './send-batch.js';
import { AddressedBatch, destinationLabels, replicatedOf } from '../exporters/replicated.js';
import { owedOf, type Owed } from './replica-owed.js';
import { addressed } from './replica-give-up.js';

/** A replay of an earlier client's spool starts this long after construction, off the start-up path. */
const REPLAY_DELAY_MILLIS = 1_000;
/** How long shutdown gives a replay cut short to put its file back (a rename on local disk). */
const RELEASE_MILLIS = 1_000;
/** An earlier client's spans, lost: counted apart from this one's drops (`replayRefused`), so not in the flush summary. */
const REPLAY_REFUSED = 'the destination refused spooled spans when they were replayed; their spool file was removed';
const REPLAY_CUT_SHORT = new Error('shutdown() cut a spool replay short: its file is left for the next client');

/**
 * @internal What delivery falls back on when `spoolDir` is set: batches it
 * gave up on are kept on disk, and sent again once the destination answers —
 * or by the next client that starts with the same directory.
 */
export class SpoolFallback {
  /** Set at shutdown: no replay starts again. */
  #stopped = false;
  /** Stops the replay running now before its next file (see {@link stop}); one per replay, set while one runs. */
  #replayAbort: AbortController | undefined;
  /** An exit stopped a replay with files maybe left: the next delivery replays again (see {@link destinationAnswered}). */
  #resumeReplay = false;
  /** A replay has begun: the start-up one is then not needed (that one listed every file, earlier clients' too). */
  #replayBegun = false;
  /** The replay running now, if one is: shutdown lets its file in flight finish (see {@link stop}). */
  #replayRun: Promise<void> | undefined;
  /** How a replay's send in flight is cut short, if shutdown's deadline passes first (see `SendWatch`). */
  readonly #replayWatch: SendWatch & { cancelReason?: Error } = { armUntil: noop, failed: noop };
  /** A batch was kept since the last replay began: replay again once a delivery shows the destination is back. */
  #keptSinceReplay = false;
  /** The destination answered (a delivery, or a replayed batch) while a replay ran: what that replay gave up on may go now. */
  #answeredDuringReplay = false;
  /** When the replay waiting for a claim to be free runs (see {@link #replayOnceFree}); undefined: none waits. */
  #freeAt: number | undefined = undefined;
  readonly #store: SpoolStore;
  readonly #send: SendContext;
  readonly #counters: DeliveryCounters;
  readonly #warnings: DropWarnings;
  /** Where the ends of runs in a file refused on replay go to be closed (see `RunCloses`). */
  readonly #closes: RunCloses;

  constructor(
    store: SpoolStore,
    send: SendContext,
    counters: DeliveryCounters,
    warnings: DropWarnings,
    closes: RunCloses,
  ) {
    this.#store = store;
    this.#send = send;
    this.#counters = counters;
    this.#warnings = warnings;
    this.#closes = closes;
    // The sleep is unref'd: a script that ends at once is never held open by the replay.
    void unrefSleep(REPLAY_DELAY_MILLIS).then(() => this.#replay(true));
  }

  /**
   * Writes records delivery gave up on; true when they are safe on disk (and `spans` counted as spooled). False, with
   * nothing on disk, once `signal` aborted or the spool is full (said once: the caller's warning would only say they
   * were dropped): the caller counts them otherwise. `why`: how the warning that they were spooled begins (`givenUp`);
   * undefined when the caller warns about them itself (a write replica's copy, see `giveUpOwed`).
   */
  async keep(records: ExportBatch, spans: number, signal: AbortSignal | undefined, why: string | undefined): Promise<boolean> {
    const fullBefore = this.#store.refusedFull;
    if (!(await this.#store.write(records, signal))) {
      if (this.#store.refusedFull > fullBefore) this.#warnings.note('spool-full', spoolFull(this.#store));
      if (this.#store.untrusted !== undefined) this.#warnings.note('spool-untrusted', spoolUntrusted(this.#store, this.#store.untrusted));
      else if (this.#store.refusedFull === fullBefore && this.#store.lastWriteError !== undefined && signal?.aborted !== true) {
        this.#warnings.note('spool-failed', spoolFailed(this.#store, this.#store.lastWriteError));
      }
      return false;
    }
    this.#keptSinceReplay = true;
    this.#counters.spooled += spans;
    if (why !== undefined) this.#warnings.onceCounted('spooled', `${why}; its spans were spooled, to be sent when the endpoint answers again (by this client, else the next)`, 'spooled');
    return true;
  }

  /** A delivery succeeded: the destination is back, so send what was kept meanwhile. */
  destinationAnswered(): void {
    // A replay in progress cannot start again: it is told instead, and looks when it ends.
    if (this.replaying) this.#answeredDuringReplay = true;
    else if (this.#keptSinceReplay || this.#resumeReplay) void this.#replay();
  }

  /** Whether a replay runs now (see {@link stop}): set before its first file is read, so a delivery it makes sees it. */
  get replaying(): boolean {
    return this.#replayAbort !== undefined;
  }

  /**
   * Shutdown (`forGood`): no replay starts again; the natural-exit flush: a replay may start again later (a process that
   * goes on after its `beforeExit`, as AWS's Lambda runtime's does after each callback-style invocation). Either way one
   * in progress stops before its next file, and the file it is sending is waited for, at most `waitMillis`. Left
   * unfinished, that file stayed claimed by a process about to exit — skipped by every client for `staleClaimMillis`
   * (10 minutes), then sent again though its destination had taken it.
   */
  async stop(waitMillis: number, forGood = true): Promise<void> {
    if (forGood) this.#stopped = true;
    else if (this.#replayAbort !== undefined) this.#resumeReplay = true;
    this.#replayAbort?.abort();
    const run = this.#replayRun;
    if (run === undefined || (waitMillis > 0 && (await settleWithin(run, waitMillis)))) return;
    // Past the deadline: its send is cut short, and the file released for the next client (a rename), not left claimed.
    const watch = this.#replayWatch;
    watch.cancelReason = REPLAY_CUT_SHORT;
    watch.abortAttempt?.abort(REPLAY_CUT_SHORT);
    await settleWithin(run, RELEASE_MILLIS);
  }

  /**
   * Sends one spooled batch; true when its file is done with. A batch sent in
   * several requests may fail after some went through (`ExportResult.delivered`):
   * those count as replayed, and what is left replaces the file, so a later
   * replay does not send them twice.
   */
  async #replayOne(records: ExportBatch): Promise<boolean> {
    records = this.#owedTo(records);
    let delivered: ReadonlySet<object> | undefined;
    let lastError: Error | undefined;
    const watch = this.#replayWatch;
    watch.failed = (error, part) => {
      delivered = part;
      lastError = error ?? lastError;
    };
    const refused = new RefusedSpans();
    watch.heard = (partial) => refused.add(partial);
    const outcome = await sendBatch(this.#send, records, watch);
    const replicated = replicatedOf(this.#send.exporter);
    if (outcome !== 'delivered' && replicated !== undefined) return this.#replayOwed(owedOf(records, replicated.standings(records)));
    if (outcome === 'delivered') {
      this.#replayedOf(endsIn(records), refused);
      this.#answeredDuringReplay = true;
      return true;
    }
    const part = delivered === undefined ? undefined : withoutDelivered(records, delivered);
    if (part !== undefined) this.#replayedOf(part.deliveredEnds, refused);
    // A refused batch is done with: dropping its file keeps it from blocking the spool forever. Its spans are lost,
    // which is counted and said: they are an earlier client's, so apart from this one's drops.
    if (outcome === 'rejected') {
      this.#counters.replayRefused += endsIn(records) - (part?.deliveredEnds ?? 0);
      this.#warnings.onceCounted('replay-refused', REPLAY_REFUSED, 'replayRefused');
      // Ends of runs whose start went out: closed with a later export, as a refused batch's are; else those runs
      // stayed open on the server, and uncounted (a close refused too is counted in leftOpen).
      this.#closes.failed(patchesOf(part?.rest ?? records), lastError);
      return true;
    }
    if (part !== undefined && part.rest === undefined) return true;
    // Still on disk (the rest in a file of its own): replay again once a delivery shows the destination is back.
    this.#keptSinceReplay = true;
    return part?.rest !== undefined && (await this.#store.write(part.rest));
  }

  /** `ends` spooled spans got through: replayed, less those the destination's answer said it refused (see `RefusedSpans`). */
  #replayedOf(ends: number, refused: RefusedSpans): void {
    const lost = refused.take(ends, this.#warnings);
    this.#counters.replayed += ends - lost;
    if (lost === 0) return;
    this.#counters.replayRefused += lost;
    this.#warnings.onceCounted('replay-partly-refused', `${refused.said} when spooled spans were replayed; they were removed with their file`, 'replayRefused');
  }

  /**
   * A file owed to some destinations only (a write replica missed its runs): the batch to send, which an exporter with
   * one destination (among them) takes as any file. The spool replays such a file only to a client that sends to them,
   * addressed with its own labels for them (see `SpoolDestinations.accepted`).
   */
  #owedTo(records: ExportBatch): ExportBatch {
    if (!(records instanceof AddressedBatch)) return records;
    return replicatedOf(this.#send.exporter) === undefined ? { post: records.post, patch: records.patch } : records;
  }

  /**
   * A replay through an exporter with several destinations that not all took: a span counts as replayed once any
   * did, and what each group of the others lacks replaces the file, owed to them alone (what they refused is not
   * kept). True when the file is done with: every such part is on disk.
   *
   * Written straight to the store, not through `SpoolWrites`, as a replay's rest of a file is: shutdown counts nothing
   * of a replay (its spans are counted replayed, or still sit in the claimed file), so a rewrite that lands after it
   * contradicts no count; stopped, it would put the claimed file back whole, to be sent again to replicas that took it.
   */
  async #replayOwed(owed: Owed): Promise<boolean> {
    this.#counters.replayed += owed.deliveredEnds;
    if (owed.deliveredEnds > 0) this.#answeredDuringReplay = true;
    let keptNobody = false;
    let keptAll = true;
    for (const part of owed.parts) {
      if (part.refused) continue;
      const kept = await this.#store.write(addressed(part, destinationLabels(this.#send.exporter) ?? []));
      keptNobody ||= kept;
      keptAll &&= kept;
      this.#keptSinceReplay = true;
    }
    if (owed.nobody !== undefined && !keptNobody && owed.parts.every((part) => part.refused)) {
      this.#counters.replayRefused += endsIn(owed.nobody);
      this.#warnings.onceCounted('replay-refused', REPLAY_REFUSED, 'replayRefused');
    }
    return keptAll;
  }

  /**
   * Sends what the spool holds, one batch at a time beside the regular exports; one replay at a time. Never rejects.
   *
   * `startUp`: the replay a second after construction, for what earlier clients left — and what other clients sharing
   * the directory write, whose fate this one cannot know (one may have crashed since). It leaves out the files this
   * client wrote itself: kept because its destination failed just now, they go once a delivery shows it is back (see
   * {@link destinationAnswered}), not at once to a destination most likely still down. A client restarted after a
   * crash is a new client: none of the files its predecessor left is its own, and all of them go.
   */
  /**
   * A claim the replay left alone (a live process's, or another host's) may be taken over at `heldUntil` (epoch ms):
   * replay then, once, if this client still runs. A claim whose process died on another host, or in a container
   * since restarted, is otherwise sent only at this client's next start or after the destination's next failure,
   * which a healthy service may never have (a report-only probe). Unref'd: it keeps no process alive.
   */
  #replayOnceFree(heldUntil: number): void {
    if (this.#freeAt !== undefined && this.#freeAt <= heldUntil) return;
    this.#freeAt = heldUntil;
    void unrefSleep(Math.max(0, heldUntil - Date.now())).then(() => {
      if (this.#freeAt !== heldUntil) return;
      this.#freeAt = undefined;
      void this.#replay();
    });
  }

  async #replay(startUp = false): Promise<void> {
    if (this.replaying || this.#stopped || (startUp && this.#replayBegun)) return;
    const abort = (this.#replayAbort = new AbortController());
    this.#replayBegun = true;
    this.#resumeReplay = false;
    // Its own files, left out, are still kept since the last replay (that is, still to go).
    if (!startUp) this.#keptSinceReplay = false;
    this.#answeredDuringReplay = false;
    try {
      // A replay an exit stopped and cut short (see stop) left its watch cancelled: this one starts afresh.
      this.#replayWatch.cancelReason = undefined;
      const options = { signal: abort.signal, othersOnly: startUp };
      await (this.#replayRun = this.#store.replay((records) => this.#replayOne(records), options).then(({ elsewhere, heldUntil }) => {
        if (elsewhere > 0) this.#warnings.note('spool-elsewhere', spoolElsewhere(this.#store, elsewhere));
        if (heldUntil !== undefined) this.#replayOnceFree(heldUntil);
      }));
    } finally {
      this.#replayRun = undefined;
      this.#replayAbort = undefined;
    }
    // A batch given up early in this replay while the destination came back later in it (a
    // delivery, or a later batch of the replay) would otherwise wait for the next delivery, which
    // may never come (an idle service, a function that is done): replay once more now.
    if (this.#keptSinceReplay && this.#answeredDuringReplay) void this.#replay();
  }
}

/** What a spool the file system refuses says, once: where, and why (a read-only or full disk, permissions). */
function spoolFailed(store: SpoolStore, why: string): string {
  return `tracewire: the spool at ${store.dir} could not be written (${why}): spans it would keep are dropped, counted in stats().dropped.exportFailed. ` +
    'Check that the directory is writable by this process and its disk has room. Further ones are not warned about.';
}

/** What a spool directory another user may write to says, once (see `untrustedDirectory`). */
function spoolUntrusted(store: SpoolStore, why: string): string {
  return `tracewire: the spool at ${store.dir} is not used: ${why}, and a replay sends every file in it with this client's credentials. ` +
    'Spans it would keep are dropped, counted in stats().dropped.exportFailed. Use a directory of this user only (created 0700 when missing).';
}

/**
 * What a full spool says: where it is and its size, that what it cannot take is dropped (counted as export failures,
 * the failure that sent it there), and which setting makes room.
 */
function spoolFull(store: SpoolStore): string {
  return `tracewire: the spool at ${store.dir} is full (maxSpoolBytes ${store.maxBytes} bytes): spans it cannot take are dropped, counted in ` +
    'stats().dropped.exportFailed, until a replay sends what it holds. Raise maxSpoolBytes (TRACEWIRE_MAX_SPOOL_BYTES) to keep more. Further ones are not warned about.';
}

/**
 * What a spool shared with clients that send elsewhere says, once: their files stay for them. A file of this
 * client's own service under an earlier key or endpoint waits too: only a client with that one sends it.
 */
function spoolElsewhere(store: SpoolStore, files: number): string {
  return `tracewire: the spool at ${store.dir} holds ${files} file(s) for another destination (another service or tenant sharing the directory, ` +
    'or this one under an earlier endpoint, key or project): left for the client that sends there. Remove them if none will.';
}
