/**
 * @internal Whether this process outlives the requests it serves, so a
 * background sender may start exports nobody waits for. Not on Cloudflare's
 * workerd (`navigator.userAgent` is `Cloudflare-Workers`) nor on an edge
 * runtime (`EdgeRuntime` is defined: Vercel Edge, Next.js middleware): both
 * drop I/O the moment the request that started it is over.
 */
export const isLongLivedHost = (): boolean => {
  const global = globalThis as { navigator?: { userAgent?: unknown }; EdgeRuntime?: unknown };
  if (global.navigator?.userAgent === 'Cloudflare-Workers') return false;
  return global.EdgeRuntime === undefined;
};
