import { refuse } from '../errors.js';
import { readSafely } from '../read-options.js';
import type { TracingClient } from '../client/tracing-client.js';
import { globalClient } from '../client/global-client.js';
import { isFunction, isObject, isString, symbolFor } from '../natives.js';

/**
 * A tsyringe token naming a `TracingClient`: a symbol, a string, or a class
 * (e.g. `TRACING_CLIENT` or `TracingClient`), or tsyringe's `delay(() => …)`.
 * Spelled out, not tsyringe's `InjectionToken<TracingClient>` (which any of
 * these is): where tsyringe is not installed — an edge project, a package
 * manager that leaves peers out — that type read as `any` under
 * `skipLibCheck`, and the `client` option took anything.
 */
export type ClientToken = symbol | string | (new (...args: never[]) => TracingClient) | DelayedClientToken;

/** tsyringe's `delay(() => SomeClient)`: what makes the client when it is first used. */
export interface DelayedClientToken {
  /** Called by tsyringe with the class it resolves to. */
  createProxy(createObject: (type: new (...args: never[]) => TracingClient) => TracingClient): TracingClient;
}

/**
 * Where a traced function's client comes from: a client; a function called
 * on every call with the call's `this` (e.g. `(service) => service.tracing`);
 * or a DI token resolved on every call (see `registerTracing`).
 */
export type ClientOption = TracingClient | ((thisArg: never) => TracingClient | undefined) | ClientToken;

/** @internal Resolves a client for one call; `undefined` when it cannot (never throws). */
export type ClientSource = (thisArg: unknown) => TracingClient | undefined;

/** @internal Set by the DI module when loaded: resolves a token for an instance (from the container that built it, else the root). */
export const tokenResolver: { current: ((token: ClientToken, thisArg: unknown) => unknown) | undefined } = ((globalThis as Record<symbol, unknown>)[
  symbolFor('tracewire.tokenResolver')
] ??= { current: undefined }) as { current: ((token: ClientToken, thisArg: unknown) => unknown) | undefined };

/** @internal Validates the `client` option once and returns how to resolve it per call. */
export function clientSource(option: unknown): ClientSource | undefined {
  if (option === undefined) return undefined;
  // Told apart once, safely: a revoked Proxy is refused as the client, not thrown as its TypeError.
  const kind = readSafely('client', () => (isClient(option) ? 'client' : isClass(option) || isDelayed(option) ? 'token' : undefined));
  if (kind === 'client') return () => option as TracingClient;
  if (typeof option === 'symbol' || (isString(option) && option.length > 0) || kind === 'token') {
    const token = option as ClientToken;
    return (thisArg) => asClient(guarded(() => tokenResolver.current?.(token, thisArg)));
  }
  if (isFunction(option)) {
    const resolve = option as (thisArg: unknown) => unknown;
    return (thisArg) => asClient(guarded(() => resolve(thisArg)));
  }
  const accepted = 'a TracingClient, a function returning one, or a DI token (symbol, string or class)';
  refuse('client', option, readSafely('client', () => isLangSmithClient(option)) ? `${accepted}; this is langsmith's Client: tracewire sends with its own, which the LANGSMITH_* variables configure (leave client out), or give a TracingClient` : accepted);
}

/** langsmith's `Client`, passed as it was to langsmith's traceable: told by the methods it sends runs with. */
function isLangSmithClient(value: unknown): boolean {
  return isObject(value) && isFunction((value as { createRun?: unknown }).createRun) && isFunction((value as { updateRun?: unknown }).updateRun);
}

function isClient(value: unknown): value is TracingClient {
  return isObject(value) && typeof (value as { startSpan?: unknown }).startSpan === 'function';
}

/** A class is a token (tsyringe resolves it); any other function is a resolver called with `this`. */
function isClass(value: unknown): boolean {
  // Not guarded: Function.prototype.toString throws only for a non-callable, and typeof 'function' is callable (a
  // revoked proxy included: the language requires a source text for every callable).
  return isFunction(value) && /^class[\s{]/.test(Function.prototype.toString.call(value));
}

/** tsyringe's `delay(() => Class)`. */
function isDelayed(value: unknown): boolean {
  return isObject(value) && typeof (value as { createProxy?: unknown }).createProxy === 'function';
}

function asClient(value: unknown): TracingClient | undefined {
  return isClient(value) ? value : undefined;
}

function guarded(resolve: () => unknown): unknown {
  try {
    return resolve();
  } catch {
    // An unresolvable client falls back to the inherited one, never an error in user code — but said, once: a tenant
    // lookup that failed sent that tenant's calls to the global client unnoticed (a report-only probe).
    globalClient.current?.note(
      'client-resolver-threw',
      "tracewire: a traced function's client option threw when resolved (a DI token, or a function of this); the call reported where it would have without the option. Reported once per client.",
    );
    return undefined;
  }
}
