/** Something with queued spans to deliver when the process is about to exit on its own. */
export interface ExitFlushable {
  /** Starts a flush if there is anything new to deliver; `undefined` when there is not. */
  flushBeforeExit(): Promise<unknown> | undefined;
}

const live = new Set<ExitFlushable>();
let installed = false;

/**
 * @internal Delivers queued spans on a natural exit. `beforeExit` fires when
 * the event loop runs dry — batch timers are `unref()`ed so they never keep a
 * process alive — and the flush's own deadline timer keeps it up just long
 * enough. One listener serves every client. Returns the unregister function.
 */
export function flushBeforeExit(target: ExitFlushable): () => void {
  live.add(target);
  if (!installed && typeof process !== 'undefined' && typeof process.on === 'function') {
    installed = true;
    process.on('beforeExit', () => {
      for (const flushable of live) void flushable.flushBeforeExit();
    });
  }
  return () => live.delete(target);
}
