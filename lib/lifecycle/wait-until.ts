import { isFunction, symbolFor } from '../natives.js';
/** Hands a promise to the platform so it may finish after the response was sent. */
export type WaitUntil = (promise: Promise<unknown>) => void;

const VERCEL_REQUEST_CONTEXT = symbolFor('@vercel/request-context');

/**
 * The platform's `waitUntil` for this invocation, if there is one: Vercel's
 * request context (a global getter the runtime installs), else a Cloudflare
 * style `ctx` among the handler's arguments (`fetch(request, env, ctx)`),
 * else the handler's own `this.ctx` (or `this.state`): Cloudflare's class
 * syntax — a `WorkerEntrypoint`'s `fetch(request)` and RPC methods, a Durable
 * Object's `fetch` and `alarm` (whose `waitUntil` only keeps the promise:
 * the object stays alive while its I/O is under way), else Supabase's
 * `EdgeRuntime.waitUntil` (a global of its Edge Functions, for background
 * work after the response). Never throws: a platform object we cannot read
 * means "none".
 */
export function findWaitUntil(args: ArrayLike<unknown>, thisArg?: unknown): WaitUntil | undefined {
  try {
    const vercel = (globalThis as Record<symbol, unknown>)[VERCEL_REQUEST_CONTEXT] as { get?: () => { waitUntil?: unknown } | undefined } | undefined;
    const context = isFunction(vercel?.get) ? vercel.get() : undefined;
    if (isFunction(context?.waitUntil)) return bind(context.waitUntil, context);
    for (let i = args.length - 1; i >= 0; i--) {
      const found = ownerOfWaitUntil(args[i]);
      if (found !== undefined) return found;
    }
    if (thisArg !== null && typeof thisArg === 'object') {
      const own = ownerOfWaitUntil((thisArg as { ctx?: unknown }).ctx) ?? ownerOfWaitUntil((thisArg as { state?: unknown }).state);
      if (own !== undefined) return own;
    }
    return ownerOfWaitUntil((globalThis as { EdgeRuntime?: unknown }).EdgeRuntime);
  } catch {
    // Fall through: no hand-off, the caller awaits instead.
  }
  return undefined;
}

/** `candidate`'s own `waitUntil`, bound to it, when it is an object that has one. */
function ownerOfWaitUntil(candidate: unknown): WaitUntil | undefined {
  if (candidate === null || typeof candidate !== 'object') return undefined;
  const waitUntil = (candidate as { waitUntil?: unknown }).waitUntil;
  return isFunction(waitUntil) ? bind(waitUntil, candidate) : undefined;
}

function bind(waitUntil: Function, owner: unknown): WaitUntil {
  return (promise) => Reflect.apply(waitUntil, owner, [promise]);
}
