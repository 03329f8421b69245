import { AsyncLocalStorage } from 'node:async_hooks';
import { extractTraceContext, type RemoteTraceContext, type TraceParent } from './remote-context.js';
import { A_FUNCTION, refuse } from '../errors.js';
import { isFunction } from '../natives.js';
import { runInScope } from '../context/span-context.js';

// Created on first use: a process that never continues a trace pays nothing for it.
let storage: AsyncLocalStorage<RemoteTraceContext | undefined> | undefined;

/**
 * Runs `fn` as part of the trace the headers carry: every traced call that
 * starts a trace inside it (through `await`s, timers and callbacks too)
 * becomes a child of the remote parent instead. Spans nested in a traced
 * call stay children of that call. Malformed or oversized headers — or none
 * — start a fresh trace; `continueTrace` never throws and returns `fn`'s own
 * result (a sync `fn` stays sync).
 *
 * @example
 * http.createServer((req, res) => continueTrace(req.headers, () => handle(req, res)));
 */
export function continueTrace<T>(headers: TraceParent | null | undefined, fn: () => T): T {
  if (!isFunction(fn)) refuse('continueTrace(headers, fn)', fn, A_FUNCTION);
  const remote = extractTraceContext(headers);
  // None, or malformed: a fresh trace, even inside a trace continued before (a poller started while a request was handled).
  // Entered as a span is (see runInScope): in a reaction of a frozen promise, Node 20's and 22's run threw (a review).
  if (remote === undefined) return storage === undefined ? fn() : (runInScope(storage, undefined, fn, undefined, []) as T);
  return runInScope((storage ??= new AsyncLocalStorage<RemoteTraceContext | undefined>()), remote, fn, undefined, []) as T;
}

/** @internal The remote context `continueTrace` set for the calling code, if any. */
export function continuedContext(): RemoteTraceContext | undefined {
  return storage?.getStore();
}
