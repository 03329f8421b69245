/**
 * @internal Whether a value is a Proxy, told without running any of its
 * traps. A Proxy's traps are program behaviour — tsyringe's delayed
 * injection, lazy clients, ORMs' lazy relations create their object on the
 * first trap — so recording one must not touch it: it is recorded as
 * `"[Proxy]"`, and never probed for `then`, prototypes or keys. Node's
 * `util.types.isProxy` is provided by the Node entry (node-proxy-check.ts);
 * where it is not (the edge entry), no value is taken for a Proxy.
 */
export const proxyCheck: { isProxy: (value: object) => boolean } = { isProxy: () => false };

/** @internal What a Proxy is recorded as. */
export const PROXY_MARKER = '[Proxy]';
