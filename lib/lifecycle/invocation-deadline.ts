import { AsyncLocalStorage } from '../context/span-context.js';
import { min, max } from '../natives.js';

/** The wait budget of one `@FlushOnExit` invocation, shared by every delivery wait inside it. */
interface InvocationBudget {
  readonly timeoutMillis: number;
  /** No wait may last past this instant (`Date.now()` ms): the Lambda deadline less a margin, or `Infinity`. */
  readonly cutoffAt: number;
  /** Set by the first wait: later waits share what is left. */
  deadlineAt?: number;
}

const invocation = new AsyncLocalStorage<InvocationBudget>();

/**
 * @internal Runs a handler so the delivery waits inside it (a blocking
 * root's) together last at most `timeoutMillis`, counted from the first,
 * and end by `cutoffAt`.
 */
export const runWithinInvocationBudget = <T>(timeoutMillis: number, cutoffAt: number, handler: () => T): T => {
  return invocation.run({ timeoutMillis, cutoffAt }, handler);
};

/** @internal True inside a `@FlushOnExit` invocation: a handler it calls leaves the flush to it. */
export const insideInvocation = (): boolean => {
  return invocation.getStore() !== undefined;
};

/**
 * @internal How long a delivery wait may last: `fallbackMillis`, cut to
 * what the enclosing `@FlushOnExit` invocation has left.
 */
export const invocationWaitMillis = (fallbackMillis: number): number => {
  const budget = invocation.getStore();
  if (budget === undefined) return fallbackMillis;
  budget.deadlineAt ??= min(Date.now() + budget.timeoutMillis, budget.cutoffAt);
  return max(0, min(fallbackMillis, budget.deadlineAt - Date.now()));
};
