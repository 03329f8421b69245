import { AsyncLocalStorage } from 'node:async_hooks';

/** The wait budget of one `@FlushOnExit` invocation, shared by every delivery wait inside it. */
interface InvocationBudget {
  readonly timeoutMillis: number;
  /** Set by the first wait: later waits share what is left. */
  deadlineAt?: number;
}

const invocation = new AsyncLocalStorage<InvocationBudget>();

/**
 * @internal Runs a handler so the delivery waits inside it (a blocking
 * root's) together last at most `timeoutMillis`, counted from the first.
 */
export function runWithinInvocationBudget<T>(timeoutMillis: number, handler: () => T): T {
  return invocation.run({ timeoutMillis }, handler);
}

/**
 * @internal How long a delivery wait may last: `fallbackMillis`, cut to
 * what the enclosing `@FlushOnExit` invocation has left.
 */
export function invocationWaitMillis(fallbackMillis: number): number {
  const budget = invocation.getStore();
  if (budget === undefined) return fallbackMillis;
  budget.deadlineAt ??= Date.now() + budget.timeoutMillis;
  return Math.max(0, Math.min(fallbackMillis, budget.deadlineAt - Date.now()));
}
