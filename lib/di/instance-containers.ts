import type { DependencyContainer } from 'tsyringe';
import type { ClientToken } from '../instrument/client-source.js';
import { defineProperty } from '../natives.js';

const owners = new WeakMap<object, DependencyContainer>();
const tracked = new WeakSet<DependencyContainer>();

/**
 * @internal Remembers which container built each object it resolves
 * (dependencies included: tsyringe resolves them through the same
 * `resolve`), so a `client` token on a `@Traceable` method resolves from
 * the container that built the service — a tenant's child container
 * reports to that tenant's client. Only containers given to
 * `registerTracing()` are tracked; the first container to resolve a shared
 * singleton owns it.
 */
export function trackResolutions(container: DependencyContainer): void {
  if (tracked.has(container)) return;
  tracked.add(container);
  const resolve = container.resolve;
  defineProperty(container, 'resolve', {
    configurable: true,
    writable: true,
    value: function (this: DependencyContainer): unknown {
      const instance: unknown = Reflect.apply(resolve, this, arguments);
      if (instance !== null && typeof instance === 'object' && !owners.has(instance)) owners.set(instance, container);
      return instance;
    },
  });
}

/** @internal Resolves `token` from the container that built `instance`, else from `fallback`; `undefined` when neither has it. */
export function resolveForInstance(token: ClientToken, instance: unknown, fallback: DependencyContainer): unknown {
  const owner = instance !== null && typeof instance === 'object' ? owners.get(instance) : undefined;
  const container = owner ?? fallback;
  const key = token as Parameters<DependencyContainer['resolve']>[0];
  return container.isRegistered(key, true) ? container.resolve(key) : undefined;
}
