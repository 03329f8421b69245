import type { Env } from './config-env.js';

/** Deno's environment and permission API, as far as it is used here. */
interface DenoEnvAccess {
  readonly env?: { get(name: string): string | undefined; toObject(): Record<string, string> };
  readonly permissions?: { querySync?(descriptor: { name: 'env'; variable?: string }): { state: string } };
}

/**
 * @internal The process environment where the runtime has one (Node, Bun,
 * Deno, workerd with `nodejs_compat`), else nothing: workerd without it and
 * Vercel Edge have no `process`, and every setting then comes from options
 * alone.
 *
 * On Deno, a variable is read only if the program may read it
 * (`--allow-env`, or a list naming it); any other reads as unset. Deno
 * would otherwise ask for permission at the first read, which holds a
 * program run from a terminal at a prompt and throws where prompts are off:
 * a client made in code, with every setting in its options, threw at
 * construction on a program run without `--allow-env`. The environment is
 * listed (its `LANGSMITH_*` variables recorded on runs, as on Node) only
 * where all of it may be read (`--allow-env` without a list).
 */
export function runtimeEnv(): Env {
  const deno = (globalThis as { Deno?: DenoEnvAccess }).Deno;
  if (deno?.env !== undefined && deno.permissions?.querySync !== undefined) return permittedEnv(deno.env, deno.permissions.querySync.bind(deno.permissions));
  return (globalThis as { process?: { env?: Env } }).process?.env ?? {};
}

/** Deno's environment, each variable read only where its read is granted (asked without prompting). */
function permittedEnv(env: NonNullable<DenoEnvAccess['env']>, query: NonNullable<NonNullable<DenoEnvAccess['permissions']>['querySync']>): Env {
  const read = (name: string): string | undefined => {
    try {
      return query({ name: 'env', variable: name }).state === 'granted' ? env.get(name) : undefined;
    } catch {
      return undefined;
    }
  };
  const names = (): string[] => {
    try {
      return query({ name: 'env' }).state === 'granted' ? Object.keys(env.toObject()) : [];
    } catch {
      return [];
    }
  };
  return new Proxy(
    {},
    {
      get: (_target, name) => (typeof name === 'string' ? read(name) : undefined),
      ownKeys: () => names(),
      // What `Object.keys` asks of each listed name: configurable, as the empty target lacks it (a proxy invariant).
      getOwnPropertyDescriptor: (_target, name) => {
        const value = typeof name === 'string' ? read(name) : undefined;
        return value === undefined ? undefined : { value, enumerable: true, configurable: true, writable: false };
      },
    },
  );
}
