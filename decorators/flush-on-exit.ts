import { globalClient } from '../lib/client/global-client.js';
import { recordingClients, type TracingClient } from '../lib/client/tracing-client.js';
import { A_FUNCTION, refuse } from '../lib/errors.js';
import { readOptions, readSafely, type OptionsShape } from '../lib/read-options.js';
import { flushInvocationClients, type InvocationFlushResult } from '../lib/lifecycle/flush-invocation.js';
import { scopedOptions } from '../lib/instrument/trace-options.js';
import { endInvocation, insideInvocation, runWithinInvocationBudget, startDeadline, type InvocationBudget } from '../lib/lifecycle/invocation-deadline.js';
import { CallbackInvocation, LAMBDA_MARGIN_MILLIS, lambdaCutoffAt, settlingOnCallback, thenOf } from '../lib/lifecycle/lambda-invocation.js';
import { installShutdownHooks } from '../lib/lifecycle/shutdown-hooks.js';
import { findWaitUntil, type WaitUntil } from '../lib/lifecycle/wait-until.js';
import { findNodeResponse } from '../lib/lifecycle/node-response.js';
import { holdResponse } from '../lib/lifecycle/response-end.js';
import { holdObservableEnd } from '../lib/lifecycle/observable-end.js';
import { nextTurn } from '../lib/pipeline/background-sends.js';
import { isLongLivedHost } from '../lib/lifecycle/host.js';
import { dualModeDecorator, type MethodOrClassDecorator } from './dual-mode.js';
import { adoptIdentity, flushingSlots, isConstructor, markFlushOnExit, partsWithin, tracedParts, tracedSlots } from './function-identity.js';
import { wrapTraced } from './wrap-traced.js';
import { isFunction } from '../lib/natives.js';
import { noop } from '../lib/noop.js';
import { min, max } from '../lib/natives.js';
import { MAX_TIMER_MILLIS } from '../lib/config-env.js';

/** Options of {@link FlushOnExit}. */
export interface FlushOnExitOptions {
  /** Hard deadline of the wait after the handler settles; at it the handler returns anyway. Default 2 000. Under AWS Lambda the wait also ends 150 ms before the invocation's deadline. */
  readonly timeoutMillis?: number | undefined;
  /** Called after every invocation's flush with what it achieved (also on timeout). */
  readonly onFlushResult?: ((result: InvocationFlushResult) => void) | undefined;
  /**
   * Hand the flush to the platform instead of awaiting it: a function, or
   * `'auto'` to find Vercel's request context, a Cloudflare `ctx` argument,
   * the handler's own `this.ctx` (a `WorkerEntrypoint`, a Durable Object;
   * `this.state` in the older Durable Object syntax), or Supabase's
   * `EdgeRuntime.waitUntil`. With none found, the handler awaits as usual.
   * Default: always await.
   */
  readonly waitUntil?: 'auto' | WaitUntil | undefined;
  /** Flush this client instead of the global one. */
  readonly client?: TracingClient | undefined;
}

/**
 * The decorator `@FlushOnExit()` returns; works under both decorator modes. An interface
 * of its own, exported, so that a library's declarations can name one kept in a
 * constant (`export const Tool = @FlushOnExit(…)` under `declaration: true`).
 */
export interface FlushOnExitDecorator extends MethodOrClassDecorator {}

const SHAPE: OptionsShape = { setting: 'FlushOnExit options', accepted: 'an options object or nothing', known: ['timeoutMillis', 'onFlushResult', 'waitUntil', 'client'] };
let warnedTimeout = false;

/**
 * On a handler method: the returned promise settles only after every span
 * of the invocation was delivered (or `timeoutMillis` passed) — success or
 * error alike — then resolves with the handler's own result or rejects with
 * its own error. Arguments pass through untouched and `length` is kept (AWS
 * Lambda rejects handlers whose arity grew). A sync handler stays sync: its
 * flush starts but is not awaited. One answering with an RxJS Observable
 * (a NestJS `@Sse()` route) ends when the stream does: its completion or
 * error reaches the subscriber after the flush. Stacks with `@Traceable` in
 * either order.
 *
 * AWS Lambda: with a context argument (`getRemainingTimeInMillis()`), the
 * wait also ends 150 ms (a margin for posting the response) before Lambda's
 * deadline, so the response is posted in time; with less left than that,
 * nothing is waited for and the spans stay queued (`pending` in
 * `onFlushResult` and `stats()`) for the background sender or the next
 * invocation. A callback-style handler, `(event, context, callback)`, that
 * returns no thenable gets a stand-in callback: when called, the
 * invocation's spans are flushed first (a traced handler's span ends there,
 * with the callback's result or error), then Lambda's callback is called
 * with the same `this` and arguments. A returned thenable settles the
 * invocation instead, as in Lambda's runtime. A gRPC method answering
 * through grpc-js's callback, `(call, callback)`, gets a stand-in the same way.
 *
 * On a class (a long-lived host): installs, once per process, SIGTERM /
 * SIGINT / natural-exit hooks that flush and shut down within the deadline.
 */
export function FlushOnExit(options: FlushOnExitOptions = {}): FlushOnExitDecorator {
  const settings = validate(options);
  return dualModeDecorator({
    decorator: '@FlushOnExit()',
    method: (original, _name, slot) => {
      const wrapped = wrapFlushOnExit(original, settings);
      if (slot !== undefined) {
        flushingSlots.note(slot, (fn) => wrapFlushOnExit(fn, settings));
        // Over a traced method, the tracing is made again inside the flush: a class's @Traceable must find this one.
        const traced = partsWithin(wrapped);
        if (traced !== undefined && tracedSlots.get(slot.home, slot.key) !== undefined) tracedSlots.note(slot, traced);
      }
      return wrapped;
    },
    class: () => installShutdownHooks(settings.timeoutMillis, settings.client),
  }) as FlushOnExitDecorator;
}

type Settings = Required<Pick<FlushOnExitOptions, 'timeoutMillis'>> & Omit<FlushOnExitOptions, 'timeoutMillis'>;

/** `inner`: what the wrapper calls — the original made to settle on Lambda's callback, or (rewrapped) a traced wrapper around that. */
function wrapFlushOnExit(original: Function, settings: Settings, inner?: Function): Function {
  if (inner === undefined) {
    // The adapter goes inside any tracing, so a callback-style call's span ends at the callback: an already
    // traced original (`@FlushOnExit @Traceable`) is traced again around the adapter of what it traced.
    const traced = tracedParts(original);
    adoptIdentity(original, (inner = settlingOnCallback(traced?.original ?? original)));
    if (traced !== undefined) inner = wrapTraced(inner, traced.site, traced.given, traced.byClass);
  }
  const target = inner;
  // Of the original's kind as far as `new` goes, as a traced wrapper is (see isConstructor): a handler method
  // is no constructor, and `new` on it throws before anything runs, instead of running it on a fresh object.
  const wrapper = isConstructor(original)
    ? function (this: unknown): unknown {
        return invokeFlushing(target, settings, this, arguments);
      }
    : {
        wrapper(this: unknown): unknown {
          return invokeFlushing(target, settings, this, arguments);
        },
      }.wrapper;
  adoptIdentity(original, wrapper);
  markFlushOnExit(wrapper, { inner: target, rewrap: (traced) => wrapFlushOnExit(original, settings, traced) });
  return wrapper;
}

/** One call of a `@FlushOnExit` handler: `target` called with `thisArg` and `callArgs`, settling after the invocation's flush. */
function invokeFlushing(target: Function, settings: Settings, thisArg: unknown, callArgs: IArguments): unknown {
  const named = settings.client ?? globalClient.current;
  // Called inside another handler's invocation: that one flushes once, within its own budget. Without a client that
  // records, nothing to flush — unless a traced function names a client of its own (a tenant's, chosen per call) and
  // a client that records exists: with none, the handler is called as is, its result untouched.
  if (insideInvocation() || ((named === undefined || !named.isRecording) && (!scopedOptions.used || recordingClients.count === 0))) {
    return Reflect.apply(target, thisArg, callArgs);
  }
  const handOff = settings.waitUntil === 'auto' ? findWaitUntil(callArgs, thisArg) : settings.waitUntil;
  const cutoffAt = lambdaCutoffAt(callArgs);
  const budget: InvocationBudget = { timeoutMillis: settings.timeoutMillis, cutoffAt };
  // Spans that end in its context after it settled, where nothing else would send them (see spanEndedLate): through
  // the platform's waitUntil — the one chosen, else any the call carries (workerd's ctx, Vercel's request context).
  const lateHandOff = isLongLivedHost() ? undefined : (handOff ?? findWaitUntil(callArgs, thisArg));
  if (lateHandOff !== undefined) budget.late = lateDelivery(named, budget, settings.timeoutMillis, lateHandOff);
  let flushing: Promise<void> | undefined;
  // What a response's end began before the handler settled (see holdResponse): the handler's own flush follows it.
  let responseFlush: Promise<void> | undefined;
  let markSettled: (() => void) | undefined;
  const flushNow = (): Promise<void> => afterInvocation(invocationClients(named, budget), settings, handOff, budget);
  // One flush per invocation, whichever ends it first: the returned promise, Lambda's callback, a throw.
  const finish = (): Promise<void> => (flushing ??= (endInvocation(budget), markSettled?.(), responseFlush === undefined ? flushNow() : responseFlush.then(flushNow)));
  if (handOff === undefined) {
    const response = findNodeResponse(callArgs);
    const flushResponse = (): Promise<void> => {
      // One deadline for this flush and the handler's own after it (a review: each had timeoutMillis, twice that in all).
      startDeadline(budget);
      return afterInvocation(invocationClients(named, budget), settings, undefined, budget, true);
    };
    if (response !== undefined) {
      // An end after the handler settled (a framework writing what it returned, a callback answering later) waits for a
      // flush of its own only if something of the invocation ended since (see spanEndedLate); else for the handler's
      // flush, which sends the rest — done by then where a framework writes what the handler returned (a review:
      // Fastify's `return value` and Hono's `c.json()` got a second flush, twice the latency under load).
      let endedLate = false;
      const late = budget.late;
      budget.late = () => {
        endedLate = true;
        late?.();
      };
      markSettled = holdResponse(response, () => flushing ?? (responseFlush = flushResponse()), () => (endedLate ? flushResponse() : (flushing ?? Promise.resolve())));
    }
  }
  const lambda = CallbackInvocation.of(callArgs);
  const args: unknown[] | IArguments = lambda === undefined ? callArgs : Array.prototype.slice.call(callArgs);
  if (lambda !== undefined) args[lambda.index] = lambda.callback;
  let result: unknown;
  try {
    // Blocking roots inside wait for delivery within this invocation's budget, not the client's flushTimeoutMillis.
    result = runWithinInvocationBudget(budget, () => Reflect.apply(target, thisArg, args));
  } catch (error) {
    lambda?.release(finish());
    void finish();
    throw error;
  }
  if (lambda?.byCallback) {
    // `result` settles when the callback is called (after the handler's span ended, if traced): flush, then call Lambda's.
    lambda.release((result as Promise<unknown>).then(finish, finish));
    return lambda.result;
  }
  // Called back inside a handler that returns a thenable (an async gRPC method answering, then settling): the flush
  // waits for the handler to settle, at most one turn of the event loop, as a response's end does (see holdResponse):
  // its own span then goes with it (a gRPC reply otherwise went out before the handler's run was delivered).
  const afterCallback = (): Promise<void> => new Promise<void>((resolve) => nextTurn(resolve)).then(finish);
  lambda?.release(lambda.completion.then(afterCallback, afterCallback));
  // A gRPC method's callback (or its call's cancellation) ends it: grpc-js ignores what the method returns, which comes
  // back untouched (a review: an async method calling back later replied before the work it called back from was sent).
  if (lambda?.byCallbackOnly) return result;
  const then = thenOf(result);
  if (then === undefined) {
    // A sync handler stays sync; one answering with an Observable ends when its stream does (see holdObservableEnd).
    if (lambda !== undefined || !holdObservableEnd(result, finish, settings.timeoutMillis)) void finish();
    return result;
  }
  // Where the handler called back first, the callback reaches the platform before the promise settles, as untraced.
  const flushed = lambda === undefined ? finish : () => finish().then(() => lambda.calledBack);
  return Reflect.apply(then, result, [
    (value: unknown) => (lambda === undefined && holdObservableEnd(value, finish, settings.timeoutMillis) ? value : flushed().then(() => value)),
    (error: unknown) =>
      flushed().then(() => {
        throw error;
      }),
  ]);
}

/**
 * What delivers an invocation's late spans (see `spanEndedLate`): one flush per turn of spans ending, handed to
 * `handOff`; a span ending once that flush has begun gets one of its own.
 */
function lateDelivery(named: TracingClient | undefined, budget: InvocationBudget, timeoutMillis: number, handOff: WaitUntil): (() => void) {
  let scheduled = false;
  return () => {
    if (scheduled) return;
    scheduled = true;
    const flushing = Promise.resolve().then(() => {
      scheduled = false;
      return flushInvocationClients(invocationClients(named, budget), timeoutMillis).then(noop);
    });
    try {
      handOff(flushing);
    } catch {
      // The platform refused it (the request is over): they wait for the next request's flush.
    }
  };
}

/**
 * The clients an invocation flushes: the one it names (its `client` option, else the global client) and every client
 * its traces reported to (a tenant's, chosen per call), those still recording. Before, only the one it names: a
 * handler tracing to a tenant's client settled at once, its spans lost when the sandbox froze (a report-only probe).
 */
function invocationClients(named: TracingClient | undefined, budget: InvocationBudget): TracingClient[] {
  const clients = named !== undefined && named.isRecording ? [named] : [];
  for (const client of budget.clients ?? []) if (client !== named && client.isRecording) clients.push(client);
  return clients;
}

/** Flushes (or hands the flush to the platform) and reports; resolves when the handler may settle, never rejects. */
function afterInvocation(clients: TracingClient[], settings: Settings, handOff: WaitUntil | undefined, budget: InvocationBudget, asBackground = false): Promise<void> {
  if (clients.length === 0) return Promise.resolve();
  const now = Date.now();
  // What the budget has left where waits inside the handler (blocking roots') began it: one budget for them all.
  const lambdaMillis = budget.cutoffAt - now;
  const waitMillis = min(settings.timeoutMillis, lambdaMillis, (budget.deadlineAt ?? Infinity) - now);
  const cut = waitMillis === lambdaMillis && waitMillis < settings.timeoutMillis ? ` (Lambda's remaining time less ${LAMBDA_MARGIN_MILLIS} ms)` : '';
  // The langsmith clients its calls were sent through, beside: a langsmith run around them ended after their last wait.
  // Let go of here: the budget is the context of whatever the handler left running (a timer), which would hold them.
  const queues = [...(budget.queues ?? [])].map((queue) => queue.awaitQueueSent(waitMillis));
  budget.queues = undefined;
  const started = performance.now();
  // A blocking root's wait inside it gave up: what it left is waited for (blocking clients too) within what is left.
  const blockingGaveUpAfter = budget.blockingGaveUpAfterMillis;
  const flushing = Promise.all([flushInvocationClients(clients, waitMillis, asBackground || blockingGaveUpAfter !== undefined), ...queues]).then(([result, ...sent]) => {
    const queueLate = !sent.every(Boolean);
    // The queues' wait counted too (the clients' own measured only theirs), and the blocking root's that gave up.
    const waited = { ...result!, waitedMillis: max(result!.waitedMillis, performance.now() - started) + (blockingGaveUpAfter ?? 0) };
    report(clients[0]!, settings, queueLate ? { ...waited, timedOut: true } : waited, waitMillis + (blockingGaveUpAfter ?? 0), cut, queueLate);
  });
  if (handOff === undefined) return flushing;
  try {
    handOff(flushing);
    return Promise.resolve();
  } catch {
    return flushing; // the platform refused the hand-off: wait ourselves
  }
}

function report(client: TracingClient, settings: Settings, result: InvocationFlushResult, waitMillis: number, cut: string, queueLate: boolean): void {
  if (result.timedOut && !warnedTimeout) {
    warnedTimeout = true;
    const queue = queueLate ? ", and a langsmith Client of your own that its calls were sent through had not sent its queue" : '';
    client.warn(`tracewire: @FlushOnExit gave up waiting after ${max(0, Math.round(waitMillis))} ms${cut} with ${result.pending} span(s) undelivered${queue}; the handler returned anyway. Reported once per process; see onFlushResult.`);
  }
  try {
    settings.onFlushResult?.(result);
  } catch {
    // A throwing callback must not change the handler's outcome.
  }
}

function validate(given: FlushOnExitOptions): Settings {
  // Read once, at decoration: every invocation uses the settings checked here.
  const { timeoutMillis = 2_000, onFlushResult, waitUntil, client } = readOptions(given, SHAPE) as FlushOnExitOptions;
  // At most what a timer can wait: Node fires a longer one at once (and warns), ending the wait before it began.
  if (typeof timeoutMillis !== 'number' || !(timeoutMillis > 0 && timeoutMillis <= MAX_TIMER_MILLIS)) refuse('timeoutMillis', timeoutMillis, `milliseconds, more than 0 and at most ${MAX_TIMER_MILLIS}`);
  if (onFlushResult !== undefined && !isFunction(onFlushResult)) refuse('onFlushResult', onFlushResult, A_FUNCTION);
  if (waitUntil !== undefined && waitUntil !== 'auto' && !isFunction(waitUntil)) refuse('waitUntil', waitUntil, "'auto' or a function");
  if (client !== undefined && !readSafely('client', () => isFunction(client.flush))) refuse('client', client, 'a TracingClient');
  return { timeoutMillis, onFlushResult, waitUntil, client };
}
