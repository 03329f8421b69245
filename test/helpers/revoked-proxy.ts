/** A Proxy already revoked: every read of it, even `Array.isArray`, throws the engine's TypeError. */
export const revokedProxy = (): object => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
};
