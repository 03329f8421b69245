/** Why spans were dropped, counted separately so `stats()` can say which policy bit. */
export interface DroppedCounts {
  /** Every dropped span: the sum of the four reasons below. */
  readonly total: number;
  /** The queue was full (`maxQueueSize` / `maxQueueBytes`). */
  readonly queueFull: number;
  /**
   * The destination refused them (a 4xx, or a 2xx answer naming them: see `PartialSuccess`), or the exporter failed
   * and retries ran out (and no spool took them).
   */
  readonly exportFailed: number;
  /** Ended after `shutdown()`, or not sent by its deadline (still queued, or in an export it aborted) and not spooled. */
  readonly afterShutdown: number;
  /** Their trace lost the `sampleRate` draw. */
  readonly sampledOut: number;
}

/** A point-in-time view of a client's counters. All counts are spans (runs). */
export interface TracingStats {
  /** Spans this client started, those `sampleRate` leaves out included (a traced call that ran `untraced` started none). */
  readonly spansStarted: number;
  /** Spans that ended: `delivered + dropped.total + spooled + pending`. */
  readonly spansEnded: number;
  /**
   * Spans an export delivered (to at least one destination), less those its answer refused. Spans sent from the
   * spool are counted in `replayed` instead.
   */
  readonly delivered: number;
  /** Refused by the destination, or export failed and retries ran out: the same spans as `dropped.exportFailed`. */
  readonly failed: number;
  /** Every span that will never be delivered, by reason. */
  readonly dropped: DroppedCounts;
  /** Ended but not yet delivered, failed or dropped. */
  readonly pending: number;
  /**
   * Runs delivered with part of what they recorded left out because the
   * queue had no room for it (`maxQueueBytes`): outputs and error text past
   * its first lines at their end, or metadata, tags, events or a name set
   * while they ran. Not drops: each still arrives, ended (a run posted at its
   * start is never left open for want of room).
   */
  readonly trimmed: number;
  /**
   * Spans whose traced call never finished — a promise nobody settles,
   * dropped by its caller — and that were garbage-collected while running:
   * the room they held in the queue is freed, and a run whose start went out
   * is closed as an error (`the traced call never finished: …`), its end
   * counted in `spansEnded`. Not drops: such a call has no end to lose.
   */
  readonly neverFinished: number;
  /**
   * Runs left open on the server: the end of a run whose start had gone out
   * (a long call) was dropped — in a batch `drop-oldest` evicted before it
   * was sent, or in one that failed for good (refused, or its retries spent)
   * with no spool to take it — and tracewire could not close that run in its
   * place. Up to 1 000 such closes are held at once, each sent with a later
   * export as an error (`tracewire: outputs dropped (queue full,
   * drop-oldest)`, or `(export failed: …)` with the export's last error) —
   * in an export of its own when no batch is left to carry it, which
   * `flush()`, `awaitPendingTraceBatches()` and `shutdown()` send within
   * their deadline. One past that bound, one an export refused for good, or
   * one shutdown could not send by its deadline is counted here, as is each
   * such end shutdown dropped unsent by its deadline. Runs, not spans: their
   * spans are in `dropped.queueFull`, `dropped.exportFailed` or
   * `dropped.afterShutdown`.
   */
  readonly leftOpen: number;
  /**
   * Traced calls that ran untraced because their span could not be started:
   * the runtime refused what a span needs (a Cloudflare Worker's global
   * scope gives no random values, and its clock reads 0 there), or the
   * tracer failed. The call itself runs as it would untraced; warned once.
   */
  readonly untraced: number;
  /**
   * Spans delivered to some of the exporter's destinations but not to all
   * (`LANGSMITH_RUNS_ENDPOINTS`, langsmith's write replicas): counted in
   * `delivered`, which counts a span once any destination took it. Each
   * destination that lacks some is warned about once, by its origin; with
   * `spoolDir` what it lacks is spooled for it alone (not in `spooled`,
   * which counts spans no destination took).
   */
  readonly deliveredPartly: number;
  /**
   * Spans that could not be delivered and were written to the spool (`spoolDir`): sent from there by this client once
   * the endpoint answers again (then counted in `replayed` too), else by the next client.
   */
  readonly spooled: number;
  /** Spooled spans this client delivered from the spool: its own, or an earlier client's. */
  readonly replayed: number;
  /**
   * Spooled spans — this client's own, or an earlier client's — that the
   * destination refused when this client replayed them (a 4xx other than 408
   * and 429, or named in a 2xx answer): their file is removed, and they are
   * lost. Apart from `dropped`: this client's own stay counted in `spooled`,
   * where they went when they left its queue (so `spansEnded` still adds up),
   * so an alert on lost spans reads `dropped.total - dropped.sampledOut + replayRefused`
   * (`sampledOut` is sampling, not loss). The runs
   * among them whose start went out are closed with a later export, as a
   * refused batch's are (`leftOpen` if that is refused too).
   */
  readonly replayRefused: number;
  /** Export attempts, retries included. An exporter may split one into several HTTP requests (a server's size limit). */
  readonly exportRequests: number;
  /**
   * Exports the watchdog abandoned: still unanswered `exportTimeoutMillis`
   * after they started (on workerd, an export whose request ended is
   * dropped without a word). Each one's batch is sent again, so delivery
   * stays at-least-once; these are exports, not spans.
   */
  readonly abandoned: number;
}

/** @internal Mutable counters behind `TracingStats`; shared by client and processor. */
export class DeliveryCounters {
  spansStarted = 0;
  spansEnded = 0;
  delivered = 0;
  deliveredPartly = 0;
  queueFull = 0;
  exportFailed = 0;
  afterShutdown = 0;
  sampledOut = 0;
  trimmed = 0;
  neverFinished = 0;
  leftOpen = 0;
  untraced = 0;
  exportRequests = 0;
  spooled = 0;
  replayed = 0;
  replayRefused = 0;
  abandoned = 0;

  get dropped(): number {
    return this.queueFull + this.exportFailed + this.afterShutdown + this.sampledOut;
  }

  snapshot(pending: number): TracingStats {
    return {
      spansStarted: this.spansStarted,
      spansEnded: this.spansEnded,
      delivered: this.delivered,
      deliveredPartly: this.deliveredPartly,
      failed: this.exportFailed,
      dropped: {
        total: this.dropped,
        queueFull: this.queueFull,
        exportFailed: this.exportFailed,
        afterShutdown: this.afterShutdown,
        sampledOut: this.sampledOut,
      },
      pending,
      trimmed: this.trimmed,
      neverFinished: this.neverFinished,
      leftOpen: this.leftOpen,
      untraced: this.untraced,
      spooled: this.spooled,
      replayed: this.replayed,
      replayRefused: this.replayRefused,
      exportRequests: this.exportRequests,
      abandoned: this.abandoned,
    };
  }
}
