import { AsyncLocalStorage } from '../context/async-local-storage.js';
import { runInScope } from '../context/span-context.js';
import { min, max } from '../natives.js';
import type { TracingClient } from '../client/tracing-client.js';

/** @internal The wait budget of one `@FlushOnExit` invocation, shared by every delivery wait inside it. */
export interface InvocationBudget {
  readonly timeoutMillis: number;
  /** No wait may last past this instant (`Date.now()` ms): the Lambda deadline less a margin, or `Infinity`. */
  readonly cutoffAt: number;
  /** Set by the first wait: later waits share what is left. */
  deadlineAt?: number;
  /**
   * Set when the handler has settled. Its context lives on in what it left
   * running — a server a decorated `main()` started, a timer, a consumer —
   * and a handler called from there is an invocation of its own, not part of
   * one that is over (before, every such request skipped its flush).
   */
  ended?: true;
  /**
   * Delivers what ends in its context after it settled, on a host with no
   * background sender (see {@link spanEndedLate}); set when the invocation
   * has a way to keep the request alive for it (`waitUntil`).
   */
  late?: () => void;
  /**
   * The clients its traces reported to (each root's: a trace is sent by one client), which its flush waits for beside
   * the one it names (its `client` option, else the global client): a tenant's client chosen per call.
   */
  clients?: Set<TracingClient>;
  /**
   * The langsmith clients its traced calls were sent through (a tenant's own `Client`, see
   * `TracingClient.throughLangSmith`): its flush waits for their queues too, where langsmith's own runs around those
   * calls end after them.
   */
  queues?: Set<LangSmithQueue>;
  /**
   * How long its blocking roots' delivery waits lasted (together, overlaps counted once), where one gave up with spans
   * undelivered: the invocation's flush then waits for them as in background mode, within what is left (see
   * `noteBlockingWait`). `blockingWaitsEndAt`: when the last wait noted ended (`performance.now()`).
   */
  blockingGaveUpAfterMillis?: number;
  blockingWaitsEndAt?: number;
}

/** @internal A langsmith client's queue, as an invocation's flush waits for it (see `LangSmithClientExporter.awaitQueueSent`). */
export interface LangSmithQueue {
  /** Resolves true once it has sent what it holds (or has nothing to wait for), false at `timeoutMillis`; never rejects. */
  awaitQueueSent(timeoutMillis: number): Promise<boolean>;
}

/**
 * @internal How many invocations are running: while none is, a root does not look for one to note its client in
 * (see {@link noteInvocationClient}), so a traced call outside `@FlushOnExit` pays one field read for it.
 */
export const runningInvocations = { count: 0 };

/**
 * @internal How many Node responses `@FlushOnExit` holds the end of (see `holdResponse`): while any is, a span's end
 * tells its invocation if that invocation has settled (see {@link spanEndedLate}), on a long-lived host too — the one
 * read of this a span's end pays otherwise.
 */
export const heldResponses = { count: 0 };

const invocation = new AsyncLocalStorage<InvocationBudget>();

/**
 * @internal Runs a handler so the delivery waits inside it (a blocking
 * root's) together last at most `budget.timeoutMillis`, counted from the
 * first, and end by `budget.cutoffAt`, until {@link endInvocation}.
 */
export function runWithinInvocationBudget<T>(budget: InvocationBudget, handler: () => T): T {
  runningInvocations.count++;
  // Entered as a span is (see runInScope): in a reaction of a frozen promise, Node 20's and 22's run threw (a review).
  return runInScope(invocation, budget, handler, undefined, []) as T;
}

/** @internal The handler of `budget` has settled: code still running in its context is no longer inside it. */
export function endInvocation(budget: InvocationBudget): void {
  if (budget.ended === true) return;
  budget.ended = true;
  runningInvocations.count--;
}

/**
 * @internal A trace began in the calling code with `client` (sent through `queue`, a langsmith client's, if given):
 * the invocation running it, if any, flushes that client, and waits for that queue, too.
 */
export function noteInvocationClient(client: TracingClient, queue?: LangSmithQueue): void {
  const budget = currentInvocation();
  if (budget === undefined) return;
  (budget.clients ??= new Set()).add(client);
  if (queue !== undefined) (budget.queues ??= new Set()).add(queue);
}

/** The invocation the calling code runs in, if it has not ended. */
function currentInvocation(): InvocationBudget | undefined {
  const budget = invocation.getStore();
  return budget === undefined || budget.ended ? undefined : budget;
}

/** @internal True inside a `@FlushOnExit` invocation still running: a handler it calls leaves the flush to it. */
export function insideInvocation(): boolean {
  return currentInvocation() !== undefined;
}

/**
 * @internal How long a delivery wait may last: `fallbackMillis`, cut to
 * what the enclosing `@FlushOnExit` invocation has left.
 */
export function invocationWaitMillis(fallbackMillis: number): number {
  const budget = currentInvocation();
  if (budget === undefined) return fallbackMillis;
  return max(0, min(fallbackMillis, startDeadline(budget) - Date.now()));
}

/** @internal The first wait of `budget` starts its deadline (returned): every later one shares what is left. */
export function startDeadline(budget: InvocationBudget): number {
  return (budget.deadlineAt ??= min(Date.now() + budget.timeoutMillis, budget.cutoffAt));
}

/**
 * @internal A blocking root's delivery wait ended (`timedOut`, after `waitedMillis`): inside an invocation, one that
 * gave up makes the invocation's flush wait for what it left, and report it — before, a blocking handler cut by
 * Lambda's deadline reported nothing pending and warned nothing while its spans piled up (a report-only probe).
 */
export function noteBlockingWait(timedOut: boolean, waitedMillis: number): void {
  const budget = currentInvocation();
  if (budget === undefined || !timedOut) return;
  // Each root's wait, ending now: what of it did not overlap the waits noted before (several roots, a review).
  const endAt = performance.now();
  const counted = endAt - max(endAt - waitedMillis, budget.blockingWaitsEndAt ?? -Infinity);
  budget.blockingGaveUpAfterMillis = (budget.blockingGaveUpAfterMillis ?? 0) + max(0, counted);
  budget.blockingWaitsEndAt = endAt;
}

/**
 * @internal Told of every span's end on a host with no background sender
 * (workerd, an edge runtime): a span of a `@FlushOnExit` invocation that
 * already settled — traced work in the body its response streams, or in a
 * task it handed to `waitUntil` — would otherwise stay queued until another
 * request flushes, and be lost if none comes before the isolate goes. Its
 * invocation delivers it through its `waitUntil`, which the runtime honours
 * while that work keeps the request alive.
 */
export function spanEndedLate(): void {
  const budget = invocation.getStore();
  if (budget !== undefined && budget.ended === true) budget.late?.();
}
