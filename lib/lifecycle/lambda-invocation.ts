import { noop } from '../noop.js';
import { proxyCheck } from '../serialize/proxy-check.js';
import { isFunction, defineProperty } from '../natives.js';
import { isGrpcServerCall, type GrpcServerCall } from './grpc-call.js';

/**
 * Time kept back from AWS Lambda's deadline for what follows the flush: the
 * runtime posting the response. A flush that ran to the deadline itself would
 * turn the response into "Task timed out", and lose the spans anyway.
 */
export const LAMBDA_MARGIN_MILLIS = 150;

type LambdaContext = { getRemainingTimeInMillis(): unknown };

function isLambdaContext(value: unknown): value is LambdaContext {
  return value !== null && typeof value === 'object' && typeof (value as Partial<LambdaContext>).getRemainingTimeInMillis === 'function';
}

/**
 * @internal The instant (`Date.now()` ms) by which an invocation's waits must
 * end: Lambda's deadline less {@link LAMBDA_MARGIN_MILLIS}, read from the
 * context among the handler's arguments (the one with a
 * `getRemainingTimeInMillis` function; Lambda passes it second). `Infinity`
 * without one, or when it cannot be read.
 */
export function lambdaCutoffAt(args: ArrayLike<unknown>): number {
  for (let i = 0; i < args.length; i++) {
    const context = args[i];
    if (!isLambdaContext(context)) continue;
    try {
      const left = Number(context.getRemainingTimeInMillis());
      if (Number.isFinite(left)) return Date.now() + left - LAMBDA_MARGIN_MILLIS;
    } catch {
      // An unreadable deadline is no deadline: the handler's own timeoutMillis still bounds the wait.
    }
  }
  return Infinity;
}

/** Replacements for Lambda's callback: the invocation each was made for. */
const invocations = new WeakMap<Function, CallbackInvocation>();

/**
 * @internal One call of a handler that answers through an error-first callback: a callback-style Lambda handler,
 * `(event, context, callback)` — a function third, next to a Lambda context second (an Express / Nest `next` is not
 * one) — or a gRPC unary or client-streaming method, `(call, callback)` — a function second, next to a grpc-js call
 * (a report-only probe: its response went out before the invocation's spans, 1 of 2 delivered). The handler gets
 * {@link callback} instead of the platform's: each call of it settles {@link completion} (the first one counts:
 * error-first, as Lambda and grpc-js read it), then, once {@link release} was given the invocation's flush and it
 * ended, calls the platform's callback with the same `this` and arguments, exactly once.
 */
export class CallbackInvocation {
  /** What the handler returned, when it was no thenable: the wrapper returns it. */
  result: unknown;
  /** True when the handler returned no thenable: its callback ends it (a thenable wins, as in Lambda's runtime). */
  byCallback = false;
  /**
   * Taken by the handler it was made for (see {@link settlingOnCallback}): another `@FlushOnExit` function the handler
   * hands the callback to, called inside the invocation, leaves it alone (a review: its result was replaced).
   */
  claimed = false;
  /** A gRPC call's: its callback, not what the method returns, ends the invocation. */
  readonly byCallbackOnly: boolean;
  /** Settles once the platform's callback was called, where the stand-in was (see {@link calledBack}). */
  #calledBack: Promise<unknown> | undefined;
  readonly completion: Promise<unknown>;
  readonly callback: Function;
  #release!: (flushed: Promise<unknown>) => void;

  static of(args: ArrayLike<unknown>): CallbackInvocation | undefined {
    // `this`, not the class by name: see `Span`'s constructor (a bundle would name this class `_CallbackInvocation`).
    if (isFunction(args[2]) && isLambdaContext(args[1])) return new this(args[2], 2, undefined);
    return isFunction(args[1]) && isGrpcServerCall(args[0]) ? new this(args[1], 1, args[0] as GrpcServerCall) : undefined;
  }

  /**
   * `index`: where the platform's callback is among the handler's arguments: the handler gets {@link callback} there.
   * `grpcCall`: a gRPC call's, whose callback alone ends it (grpc-js ignores what a method returns) — or the call's
   * cancellation (the client gone, its deadline passed), where a method never calls back (a review: its span never
   * ended, nothing was flushed).
   */
  private constructor(
    lambda: Function,
    readonly index: number,
    grpcCall: GrpcServerCall | undefined,
  ) {
    let settle!: (error: unknown, value: unknown) => void;
    this.completion = new Promise((resolve, reject) => {
      settle = (error, value) => (error !== undefined && error !== null ? reject(error) : resolve(value));
    });
    // Whoever reads it handles it; a handler that throws after calling back with an error leaves no unhandled rejection.
    this.completion.catch(noop);
    this.byCallbackOnly = grpcCall !== undefined;
    if (grpcCall !== undefined && isFunction(grpcCall.once)) {
      grpcCall.once('cancelled', () => settle(new Error('the gRPC call was cancelled before the method called back'), undefined));
    }
    const released = new Promise<unknown>((resolve) => (this.#release = resolve));
    const invocation = this;
    this.callback = function (this: unknown): void {
      settle(arguments[0], arguments[1]);
      const self = this;
      const args = arguments;
      void released.then(() => Reflect.apply(lambda, self, args));
      // Registered after that call on the same promise, so it settles once the platform's callback was called.
      invocation.#calledBack ??= released.then(noop);
    };
    defineProperty(this.callback, 'name', { value: lambda.name });
    invocations.set(this.callback, this);
  }

  /**
   * Once the platform's callback was called, if the handler called the stand-in; else undefined. A Lambda handler that
   * calls back and then settles its promise: the callback goes first, as untraced (Lambda's runtime 3, Node 20 and 22,
   * takes the first of the two; a review: traced, the promise won).
   */
  get calledBack(): Promise<unknown> | undefined {
    return this.#calledBack;
  }

  /** Lets the callback's calls through once `flushed` settled (it never rejects). */
  release(flushed: Promise<unknown>): void {
    this.#release(flushed);
  }
}

/**
 * @internal Wraps a handler so that, called with a {@link CallbackInvocation}'s
 * callback (second or third) and returning no thenable, it returns that invocation's
 * completion instead: a `@Traceable` wrapper around it then ends the
 * handler's span when the callback is called, with its result or error.
 * Any other call passes through untouched.
 */
export function settlingOnCallback(original: Function): Function {
  return function (this: unknown): unknown {
    let invocation = invocationOf(arguments[2]) ?? invocationOf(arguments[1]);
    if (invocation?.claimed === true) invocation = undefined;
    else if (invocation !== undefined) invocation.claimed = true;
    const result = Reflect.apply(original, this, arguments);
    if (invocation === undefined || thenOf(result) !== undefined) return result;
    invocation.result = result;
    invocation.byCallback = true;
    return invocation.completion;
  };
}

function invocationOf(argument: unknown): CallbackInvocation | undefined {
  return isFunction(argument) ? invocations.get(argument) : undefined;
}

/** @internal A value's `then` when it is a thenable; reading it never throws, and a Proxy is never read (see proxyCheck). */
export function thenOf(value: unknown): Function | undefined {
  if (value === null || (typeof value !== 'object' && !isFunction(value)) || proxyCheck.isProxy(value)) return undefined;
  try {
    const then = (value as { then?: unknown }).then;
    return isFunction(then) ? then : undefined;
  } catch {
    return undefined;
  }
}
