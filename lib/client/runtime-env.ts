import type { Env } from '../config-env.js';

/**
 * @internal The process environment where the runtime has one (Node, Bun,
 * Deno's Node compatibility, workerd with `nodejs_compat`), else nothing:
 * workerd without it and Vercel Edge have no `process`, and every setting
 * then comes from options alone.
 */
export const runtimeEnv = (): Env => {
  return (globalThis as { process?: { env?: Env } }).process?.env ?? {};
};
