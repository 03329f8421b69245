import { defineProperty, isFunction } from '../natives.js';
import { nextTurn } from '../pipeline/background-sends.js';
import { noop } from '../noop.js';
import { heldResponses } from './invocation-deadline.js';
import type { NodeResponse } from './node-response.js';

/**
 * @internal Holds what a Node response's end sends (Express's `res`, a Cloud Run function's) until the invocation's spans are
 * delivered: there the platform takes the response's end as the invocation's end, and before, the flush began after
 * it — on Cloud Run, whose CPU is throttled to nearly nothing once the response is sent, the whole trace waited for the
 * next request (Google's Functions Framework, the process killed when the response arrived: 0 of 6 spans). The end
 * itself runs at once, as untraced (see {@link holdResponseEnd}: a review found a deferred end changed what the program saw,
 * `headersSent` false after it, a framework's 500 sent over the program's answer). An end called
 * inside the handler waits for it to settle — at most one turn of the event loop more: a handler may await its own
 * response's end (`await pipeline(file, res)`) — then for `flush()`, the invocation's flush where the handler settled
 * in time, else one of what was traced by then, waited for as in background mode (a blocking root's wait may still be
 * under way), the handler's own flush following it. An end called after the handler settled (a callback that
 * answers later) waits for `flushLate()`, a flush of what was traced since. Returns what marks the handler settled.
 */
export function holdResponse(response: NodeResponse, flush: () => Promise<void>, flushLate: () => Promise<void>): () => void {
  // One hold per response: a response given to two invocations (a stream's reply passed to each message's handler),
  // held by each, lost what the inner hold sent into the outer one once that had let go (a review: the stream's end
  // never arrived). The first invocation holds it; its flush waits for everything queued by then.
  if (responsesHeld.has(response)) return noop;
  responsesHeld.add(response);
  heldResponses.count++;
  let isSettled = false;
  let settle!: () => void;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  holdResponseEnd(response, () => {
    const flushed = isSettled ? flushLate() : Promise.race([settled, new Promise<void>((resolve) => nextTurn(resolve))]).then(flush);
    return flushed.finally(() => heldResponses.count--);
  });
  return () => {
    isSettled = true;
    settle();
  };
}

/** Every response held, or once held (weakly: a response goes with its request). */
const responsesHeld = new WeakSet<object>();

/**
 * Holds what `response`'s end sends on the wire until `beforeSend()` settles: where the platform takes the
 * response's end as the invocation's end (Cloud Run throttles the CPU to nearly nothing once the response is sent; a
 * function's sandbox may be frozen), what the invocation traced must be delivered before it. The end itself runs at
 * once, as untraced — `headersSent` and `writableEnded` are true after it, a header set later throws, a second end is
 * Node's to refuse, what it throws is thrown — only the bytes it hands to Node's `_send` (headers, body, a chunked
 * response's last chunk) wait, with their callbacks (the response's `finish`), then go in the order made. `end` is an
 * own property of `response` until its first call, wrapping whatever `end` it had (a middleware's own, which may end
 * later — compression's, after its zlib — sends through it too). Writes before it go out as they come — but the one
 * that completes a body of declared length (`res.write(body)` with a `Content-Length`, `res.sendFile`,
 * `express.static`: for the client, the answer is whole then, whenever the end comes) is held as the end's sends are,
 * with what follows it (a review: such a body went out before the flush).
 */
function holdResponseEnd(response: NodeResponse, beforeSend: () => Promise<unknown>): void {
  const ownEnd = Object.getOwnPropertyDescriptor(response, 'end');
  const original = response.end;
  const ownSend = Object.getOwnPropertyDescriptor(response, '_send');
  const send = response._send;
  let bodyBytes = 0;
  /** Where a write completing the body began the hold: whether it still holds. */
  let writeHold: 'none' | 'holding' | 'released' = 'none';
  const end = function (this: unknown, ...args: unknown[]): unknown {
    // Detached, or called on another object: Node's to answer, as untraced.
    if (this !== response) return Reflect.apply(original, this, args);
    restore(response, 'end', end, ownEnd);
    // With the body sent (held), Node's end would send nothing and finish at once, unheld: an empty chunk makes it
    // send its end, which then waits with the body.
    if (writeHold !== 'none') return Reflect.apply(original, this, writeHold === 'holding' ? withChunk(args) : args);
    restore(response, '_send', counting, ownSend);
    const release = holdSends(response);
    let ended: unknown;
    try {
      ended = Reflect.apply(original, this, args);
    } catch (error) {
      release();
      throw error;
    }
    beforeSend().then(release, release);
    return ended;
  };
  // Node's `_send` gets the body's bytes (its headers go in front of the first inside it), and the declared length is
  // `_contentLength` (Node 20, 22 and 24) by the first write.
  const counting = function (this: unknown, ...args: unknown[]): unknown {
    if (this === response) {
      bodyBytes += byteLength(args[0], args[1]);
      const declared = (response as { _contentLength?: unknown })._contentLength;
      if (typeof declared === 'number' && bodyBytes > 0 && bodyBytes >= declared) {
        restore(response, '_send', counting, ownSend);
        writeHold = 'holding';
        // However it ends (the flush, the socket's destroy): an end after it is Node's own again.
        const release = holdSends(response, () => {
          writeHold = 'released';
          restore(response, 'end', end, ownEnd);
        });
        beforeSend().then(release, release);
        return Reflect.apply(response._send, response, args); // the holding one now
      }
    }
    return Reflect.apply(send, this, args);
  };
  defineProperty(response, 'end', { value: end, writable: true, configurable: true, enumerable: false });
  defineProperty(response, '_send', { value: counting, writable: true, configurable: true, enumerable: false });
}

/** `end`'s arguments with a chunk, empty where it had none (`end()`, `end(callback)`, `end('')`). */
function withChunk(args: unknown[]): unknown[] {
  if (typeof args[0] === 'function') return [EMPTY_CHUNK, ...args];
  return args[0] === undefined || args[0] === null || args[0] === '' ? [EMPTY_CHUNK, ...args.slice(1)] : args;
}

const EMPTY_CHUNK = new Uint8Array(0);

/** The bytes `data` sends in `encoding` (0 where that cannot be told: Node's send then answers as untraced). */
function byteLength(data: unknown, encoding: unknown): number {
  try {
    if (typeof data === 'string') return Buffer_?.byteLength(data, knownEncoding(encoding) ? (encoding as BufferEncoding | undefined) : undefined) ?? 0;
    return (data as { byteLength?: unknown } | null)?.byteLength as number | undefined ?? 0;
  } catch {
    return 0;
  }
}

/** Holds `response`'s `_send` calls; the function returned sends them, in order, with Node's own `_send` (`onRelease` first). */
function holdSends(response: NodeResponse, onRelease?: () => void): () => void {
  const ownSend = Object.getOwnPropertyDescriptor(response, '_send');
  const send = response._send;
  const held: unknown[][] = [];
  let unhook: (() => void) | undefined;
  const release = (): void => {
    onRelease?.();
    onRelease = undefined;
    restore(response, '_send', holding, ownSend);
    unhook?.();
    unhook = undefined;
    // The client gone meanwhile (its socket destroyed, ended, or let go of): Node would drop these sends and never call
    // their callbacks — the program's write and end callbacks, the response's `finish` — and keep them as output not
    // yet sent, so a later end waits for it too; untraced they went out before the disconnect and were called (a
    // review: a program waiting for `finish` hung). So they are taken as sent, as Node's `_send` marks them (its
    // headers with the first), and their callbacks called.
    const gone = connectionGone(response);
    for (const args of held.splice(0)) {
      try {
        if (!gone) Reflect.apply(send, response, args);
        else {
          const sent = response as { _header?: unknown; _headerSent?: boolean };
          if (sent._header !== null && sent._header !== undefined) sent._headerSent = true;
          if (isFunction(args[2])) queueMicrotask(args[2] as () => void);
        }
      } catch {
        // Node's reports through the response's and the socket's events; nothing here may throw into a timer.
      }
    }
  };
  // `true`, what Node's returns while the socket takes more: backpressure is the socket's, after the hold. A send with
  // an encoding Node does not know throws from the socket's write: the hold ends there (what it held goes first, in
  // order), and Node's send throws it to the caller, as untraced.
  const holding = (...args: unknown[]): unknown => {
    if (!knownEncoding(args[1])) return release(), Reflect.apply(send, response, args);
    held.push(args);
    return true;
  };
  defineProperty(response, '_send', { value: holding, writable: true, configurable: true, enumerable: false });
  // The program ending the connection while its answer is held (`res.destroy()`, Express's error handler destroying
  // the socket of a response already sent): the answer goes first, as it went untraced (a review: it was lost).
  const socket = response.socket as { destroy?: unknown } | null | undefined;
  const destroy = socket?.destroy;
  if (socket && isFunction(destroy)) {
    const ownDestroy = Object.getOwnPropertyDescriptor(socket, 'destroy');
    const releasing = function (this: unknown, ...args: unknown[]): unknown {
      release();
      return Reflect.apply(destroy, this, args);
    };
    defineProperty(socket, 'destroy', { value: releasing, writable: true, configurable: true, enumerable: false });
    unhook = () => restore(socket, 'destroy', releasing, ownDestroy);
  }
  return release;
}

const Buffer_ = (globalThis as { Buffer?: { isEncoding(encoding: string): boolean; byteLength(data: string, encoding?: BufferEncoding): number } }).Buffer;
const isEncoding = Buffer_?.isEncoding;

/**
 * Whether `response` has no connection left to send on: its socket destroyed, ended (the client closed its side: Node
 * ends and destroys it, through the hook on `destroy`), or let go of once closed.
 */
function connectionGone(response: NodeResponse): boolean {
  const socket = response.socket as { destroyed?: unknown; writable?: unknown } | null | undefined;
  return socket === null || socket === undefined || socket.destroyed === true || socket.writable === false;
}

/** Whether Node's socket takes `encoding` (none, or one `Buffer` knows). */
function knownEncoding(encoding: unknown): boolean {
  return typeof encoding !== 'string' || isEncoding === undefined || isEncoding(encoding);
}

/** Puts `key` back as it was (`own`, or none of its own), unless replaced since (by a middleware that wraps ours). */
function restore(target: object, key: string, ours: Function, own: PropertyDescriptor | undefined): void {
  if ((target as Record<string, unknown>)[key] !== ours) return;
  if (own !== undefined) defineProperty(target, key, own);
  else delete (target as Record<string, unknown>)[key];
}
