import { refuse } from '../errors.js';
import { readSafely } from '../read-options.js';
import type { TracingClient } from '../client/tracing-client.js';
import { globalClient } from '../client/global-client.js';
import { hasOwn, isFunction, isObject, isString, symbolFor } from '../natives.js';

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
  if (isFunction(option)) return functionSource(option as (thisArg: unknown) => unknown);
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

/**
 * A function that is not a class by its source text: a resolver called with the call's `this` — or a class compiled
 * to ES5 (swc's default target, Babel's for old browsers: `function Tenant() { _class_call_check(this, Tenant) }`),
 * a DI token, which throws when called, or returns nothing. Asked of tsyringe when it throws, and at the first call
 * that gives no client: registered there, it is a token from then on. Before 2026-12-07 such a token was called as a
 * resolver, which threw, and the tenant's runs went to the global client (a report-only probe of compilers).
 */
function functionSource(resolve: (thisArg: unknown) => unknown): ClientSource {
  // Arrow functions and methods have no prototype: never a class.
  let token: boolean | undefined = hasOwn(resolve, 'prototype') ? undefined : false;
  return (thisArg) => {
    if (token === true) return asClient(guarded(() => tokenResolver.current?.(resolve as unknown as ClientToken, thisArg)));
    let threw = false;
    let value: unknown;
    try {
      value = resolve(thisArg);
    } catch {
      threw = true;
    }
    if (isClient(value)) return value;
    if (token === undefined || threw) {
      token ??= false;
      const registered = registeredClient(resolve, thisArg);
      if (registered !== undefined) {
        token = true;
        return registered;
      }
    }
    return asClient(threw ? resolverThrew() : value);
  };
}

/** `fn` resolved as a tsyringe token, when tsyringe is there and knows it; else `undefined` (never throws). */
function registeredClient(fn: Function, thisArg: unknown): TracingClient | undefined {
  try {
    return asClient(tokenResolver.current?.(fn as ClientToken, thisArg));
  } catch {
    return undefined; // tsyringe not installed: no token
  }
}

function asClient(value: unknown): TracingClient | undefined {
  if (isClient(value)) return value;
  if (value === THREW) return undefined; // said already
  // Said once: a resolver or token giving nothing (a service whose client was never injected: esbuild and tsx write no
  // design:paramtypes, so NestJS injects undefined) sent a tenant's calls to the global client unnoticed (a probe).
  globalClient.current?.note(
    'client-resolved-none',
    "tracewire: a traced function's client option gave no TracingClient (a DI token nobody registered, or a function of this returning something else, such as a service whose client was not injected); the call reported where it would have without the option. Reported once per client.",
  );
  return undefined;
}

function guarded(resolve: () => unknown): unknown {
  try {
    return resolve();
  } catch {
    return resolverThrew();
  }
}

/**
 * An unresolvable client falls back to the inherited one, never an error in user code — but said, once: a tenant
 * lookup that failed sent that tenant's calls to the global client unnoticed (a report-only probe).
 */
function resolverThrew(): typeof THREW {
  globalClient.current?.note(
    'client-resolver-threw',
    "tracewire: a traced function's client option threw when resolved (a DI token, or a function of this); the call reported where it would have without the option. Reported once per client.",
  );
  return THREW;
}

/** What a resolver that threw gave: warned about already. */
const THREW: unique symbol = Symbol('threw');
