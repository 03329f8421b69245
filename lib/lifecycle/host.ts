/**
 * @internal The JavaScript runtime this code runs on, and its version where
 * the runtime says (`process.versions.node`, `Bun.version`,
 * `Deno.version.deno`). The names are langsmith's (`getEnv` in
 * langsmith/lib/utils/env.js: `node`, `bun`, `deno`, `browser`, `other`)
 * where it has one; tracewire tells apart two it has none for: `workerd`
 * (Cloudflare Workers: `navigator.userAgent` is `Cloudflare-Workers`) and
 * `edge-light` (`EdgeRuntime` is a string: Vercel Edge, Next.js middleware),
 * which are checked first: both may also define `process.versions.node`.
 * Supabase's Edge Functions run on Deno with an `EdgeRuntime` object (its
 * `waitUntil`): that is `deno` (a report-only probe: taken for Vercel Edge,
 * with no background sender, a client set up from the environment sent
 * nothing there, where langsmith's sent every run).
 */
export function hostRuntime(): { readonly name: string; readonly version: string | undefined } {
  const global = globalThis as {
    navigator?: { userAgent?: unknown };
    EdgeRuntime?: unknown;
    Bun?: { version?: unknown };
    Deno?: { version?: { deno?: unknown } };
    process?: { versions?: { node?: unknown } };
    document?: unknown;
  };
  if (global.navigator?.userAgent === 'Cloudflare-Workers') return { name: 'workerd', version: undefined };
  if (typeof global.EdgeRuntime === 'string') return { name: 'edge-light', version: undefined };
  if (global.Bun !== undefined) return { name: 'bun', version: textOrUndefined(global.Bun.version) };
  // Deno before Node: Deno 2 defines `process.versions.node` too.
  if (global.Deno !== undefined) return { name: 'deno', version: textOrUndefined(global.Deno.version?.deno) };
  const node = global.process?.versions?.node;
  if (typeof node === 'string') return { name: 'node', version: node };
  if (global.document !== undefined) return { name: 'browser', version: undefined };
  return { name: 'other', version: undefined };
}

function textOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * @internal Whether this process outlives the requests it serves, so a
 * background sender may start exports nobody waits for. Not on Cloudflare's
 * workerd nor on an edge runtime (see {@link hostRuntime}): both drop I/O the
 * moment the request that started it is over.
 */
export function isLongLivedHost(): boolean {
  const runtime = hostRuntime().name;
  return runtime !== 'workerd' && runtime !== 'edge-light';
}

/**
 * @internal Node's `process`, where the runtime has one with Node's functions (Node, Bun and Deno each say
 * `versions.node`); else undefined. Next.js's edge sandbox (an edge route or middleware
 * under `next dev` and `next start`) has a `process` whose every Node function throws ("A Node.js API is used
 * (process.hrtime) which is not supported in the Edge Runtime") and no `versions`: none of them may be called. Read
 * through this, never as the expression `process.emit`: Next's edge bundles replace that with `false` (a define),
 * and an assignment to it does not compile.
 */
export function nodeProcess(): NodeJS.Process | undefined {
  const candidate = (globalThis as { process?: NodeJS.Process }).process;
  try {
    return typeof candidate?.versions?.node === 'string' ? candidate : undefined;
  } catch {
    return undefined;
  }
}

/**
 * @internal The Node built-in `id` through `process.getBuiltinModule` (Node ≥ 20.16, Deno, Bun), else `undefined`:
 * Node's own loader, never a bundler's `require` or a test's module registry. Never throws: Next's edge `process` throws
 * from every function (see {@link nodeProcess}).
 */
export function hostBuiltin<T>(id: string): T | undefined {
  try {
    return (nodeProcess() as { getBuiltinModule?(id: string): unknown } | undefined)?.getBuiltinModule?.(id) as T | undefined;
  } catch {
    return undefined;
  }
}

/**
 * @internal What ends when this does, for the warnings at exit: `this worker thread` in a Node worker (its
 * `process.exit()` ends the thread alone), else `the process`. Read at exit, through Node's own module loader.
 */
export function exitingHost(): string {
  return hostBuiltin<{ isMainThread?: unknown }>('node:worker_threads')?.isMainThread === false ? 'this worker thread' : 'the process';
}
