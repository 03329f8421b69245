import { defineProperty, isFunction } from '../natives.js';
import { noop } from '../noop.js';

/**
 * @internal A Node `http.ServerResponse` among a handler's arguments — Express's `res`, a Cloud Run function's
 * (Google's Functions Framework), Firebase's `onRequest`, a Vercel Node function's `(req, res)` — told by its shape:
 * `end`, `writeHead` and a boolean `headersSent`. One already ended is none.
 */
export interface NodeResponse {
  end(...args: unknown[]): unknown;
  writeHead(...args: unknown[]): unknown;
  readonly headersSent: boolean;
  readonly writableEnded?: boolean;
}

/** @internal The first argument that is a Node response not yet ended, if any; never throws (a proxy that refuses reads is none). */
export function findNodeResponse(args: ArrayLike<unknown>): NodeResponse | undefined {
  for (let i = 0; i < args.length; i++) {
    const candidate = args[i] as Partial<NodeResponse> | null;
    if (candidate === null || typeof candidate !== 'object') continue;
    try {
      if (isFunction(candidate.end) && isFunction(candidate.writeHead) && typeof candidate.headersSent === 'boolean' && candidate.writableEnded !== true) return candidate as NodeResponse;
    } catch {
      // Not one we can read: left alone.
    }
  }
  return undefined;
}

/**
 * @internal Holds `response`'s end until `beforeEnd()` settles: where the platform takes the response's end as the
 * invocation's end (Cloud Run throttles the CPU to nearly nothing once the response is sent; a function's sandbox may
 * be frozen), what the invocation traced must be delivered before it, as Sentry's Cloud Functions and Next.js
 * wrappers hold it. `end` is an own property of `response` until its first call has gone through, wrapping whatever
 * `end` it had (a compression middleware's own one included); it returns the response at once, as Node's does, and
 * calls the one it wrapped with the same `this` and arguments once `beforeEnd()` settled, each call in the order
 * made. A call whose chunk Node would refuse (not a string, bytes, null or a callback) goes through at once: its
 * `TypeError` is thrown to the caller, as untraced. `late`: the first call came after the handler settled (see the
 * function returned, which marks that). Writes before the end go through as they come; until the end does,
 * `headersSent` and `writableEnded` read as they did before it.
 */
export function holdResponseEnd(response: NodeResponse, beforeEnd: (late: boolean) => Promise<unknown>): () => void {
  const own = Object.getOwnPropertyDescriptor(response, 'end');
  const original = response.end;
  let settled = false;
  let held: Promise<unknown> | undefined;
  const end = function (this: unknown, ...args: unknown[]): unknown {
    if (held === undefined && !nodeTakes(args[0])) return Reflect.apply(original, this, args);
    const self = this;
    held ??= beforeEnd(settled).then(restore, restore);
    // The end it wrapped after the flush. Node's reports through the response's events, never by a throw for a chunk
    // it takes; a wrapper that throws anyway is not left an unhandled rejection the untraced call would not make.
    void held.then(() => Reflect.apply(original, self, args)).catch(noop);
    return this;
  };
  const restore = (): void => {
    if (response.end !== end) return; // replaced since (a middleware that wraps it calls ours): left as it is
    if (own !== undefined) defineProperty(response, 'end', own);
    else delete (response as Partial<NodeResponse>).end;
  };
  defineProperty(response, 'end', { value: end, writable: true, configurable: true, enumerable: false });
  return () => (settled = true);
}

/** What Node's `end` takes first without throwing: no chunk, a callback, a string or bytes. */
function nodeTakes(first: unknown): boolean {
  return first === undefined || first === null || typeof first === 'string' || isFunction(first) || first instanceof Uint8Array;
}
