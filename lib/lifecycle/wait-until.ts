import { isFunction, symbolFor } from '../natives.js';
/** Hands a promise to the platform so it may finish after the response was sent. */
export type WaitUntil = (promise: Promise<unknown>) => void;

const VERCEL_REQUEST_CONTEXT = symbolFor('@vercel/request-context');

/**
 * The platform's `waitUntil` for this invocation, if there is one: Vercel's
 * request context (a global getter the runtime installs), else a Cloudflare
 * style `ctx` among the handler's arguments (`fetch(request, env, ctx)`).
 * Never throws: a platform object we cannot read means "none".
 */
export function findWaitUntil(args: ArrayLike<unknown>): WaitUntil | undefined {
  try {
    const vercel = (globalThis as Record<symbol, unknown>)[VERCEL_REQUEST_CONTEXT] as { get?: () => { waitUntil?: unknown } | undefined } | undefined;
    const context = isFunction(vercel?.get) ? vercel.get() : undefined;
    if (isFunction(context?.waitUntil)) return bind(context.waitUntil, context);
    for (let i = args.length - 1; i >= 0; i--) {
      const candidate = args[i] as { waitUntil?: unknown } | null | undefined;
      if (candidate !== null && typeof candidate === 'object' && isFunction(candidate.waitUntil)) {
        return bind(candidate.waitUntil, candidate);
      }
    }
  } catch {
    // Fall through: no hand-off, the caller awaits instead.
  }
  return undefined;
}

function bind(waitUntil: Function, owner: unknown): WaitUntil {
  return (promise) => Reflect.apply(waitUntil, owner, [promise]);
}
