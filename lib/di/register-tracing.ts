import type { DependencyContainer, InjectionToken } from 'tsyringe';
import { resolveDeliveryConfig } from '../config.js';
import { STRATEGY_FOR_MODE, type DeliveryStrategy } from '../client/delivery-strategy.js';
import { globalClient, setGlobalTracingClient } from '../client/global-client.js';
import { toClientOptions, type TracingSetupOptions } from '../client/setup-options.js';
import { NODE_EXPORTERS } from '../exporters/by-name.js';
import { TracingClient, type TracingClientOptions } from '../client/tracing-client.js';
import { refuse } from '../errors.js';
import { readSafely } from '../read-options.js';
import { tokenResolver } from '../instrument/client-source.js';
import { resolveForInstance, trackResolutions } from './instance-containers.js';
import { tsyringe } from './peer-tsyringe.js';
import { symbolFor } from '../natives.js';

/**
 * Token for the `TracingClient`, for code that cannot inject by class — e.g.
 * standard (TC39) decorators, which emit no constructor metadata:
 * `container.resolve(TRACING_CLIENT)` or `@inject(TRACING_CLIENT)`. As a
 * `client` option (`@Traceable({ client: TRACING_CLIENT })`) it is resolved
 * on every call from the container that built the service.
 */
export const TRACING_CLIENT: InjectionToken<TracingClient> = symbolFor('tracewire.TracingClient');

/** Token for the `DeliveryStrategy` in force (`BackgroundDelivery`, `ManualDelivery` or `BlockingDelivery`). */
export const DELIVERY_STRATEGY: InjectionToken<DeliveryStrategy> = symbolFor('tracewire.DeliveryStrategy');

/** The strategies registerTracing() registered itself, per container: those it may replace; any other is the app's. */
const ownStrategies = new WeakMap<DependencyContainer, DeliveryStrategy>();

/** What registerTracing() last provided in each container, by token: what the container's one registration of each reads. */
const provided = new WeakMap<DependencyContainer, Map<InjectionToken<unknown>, unknown>>();

/**
 * Provides `value` for `token` in `container`: registered once, as a factory
 * reading the value of the moment; later calls replace the value.
 * tsyringe keeps every registration made (one more per `registerInstance`),
 * so a set-up repeated on one container (`configureTracing()` again, tests)
 * kept each replaced client, its exporter and its queue, for good.
 */
function provide<T>(container: DependencyContainer, token: InjectionToken<T>, value: T): void {
  let values = provided.get(container);
  if (values === undefined) provided.set(container, (values = new Map()));
  // Registered anew where the container was reset (`container.reset()` drops every registration) or never had it.
  const registered = values.has(token) && container.isRegistered(token, false);
  values.set(token, value);
  if (!registered) container.register(token, { useFactory: () => values.get(token) as T });
}

// A `client` token is resolved per call; tsyringe is loaded only if one is used.
tokenResolver.current = (token, instance) => resolveForInstance(token, instance, tsyringe().container);

/**
 * Builds a `TracingClient` and registers it in `container` — by class and
 * by token. The delivery strategy is the one the app registered in this
 * container under `DELIVERY_STRATEGY`, if any (an explicit `mode` that
 * disagrees with it is a `TracewireConfigError`); otherwise one follows the
 * options, then the environment, and is registered. Services this container
 * resolves from then on report to this client when their `@Traceable`
 * names `client: TRACING_CLIENT`. The global client is left alone: use
 * {@link configureTracing} for that.
 *
 * @example
 * const tenant = container.createChildContainer();
 * registerTracing(tenant, { exporter, projectName: 'tenant-a' });
 * tenant.resolve(Orders); // @Traceable({ client: TRACING_CLIENT }) methods report to tenant-a
 */
export function registerTracing(container: DependencyContainer, setup?: TracingSetupOptions): TracingClient {
  tsyringe(); // a clear error now if the peer dependencies are missing
  if (!readSafely('container', () => typeof (container as Partial<DependencyContainer> | null)?.register === 'function')) {
    refuse('container', container, 'a tsyringe DependencyContainer (its container, or a child of it)');
  }
  const options = toClientOptions(setup, NODE_EXPORTERS);
  const client = new TracingClient(options, strategyFor(container, options));
  provide(container, TracingClient, client);
  provide(container, TRACING_CLIENT, client);
  trackResolutions(container);
  return client;
}

function strategyFor(container: DependencyContainer, options: TracingClientOptions): DeliveryStrategy {
  if (container.isRegistered(DELIVERY_STRATEGY, false)) {
    const registered = container.resolve(DELIVERY_STRATEGY);
    if (registered !== ownStrategies.get(container)) return registered; // the app's choice: use it, never overwrite it
  }
  const strategy = new STRATEGY_FOR_MODE[resolveDeliveryConfig(options).mode]();
  provide(container, DELIVERY_STRATEGY, strategy);
  ownStrategies.set(container, strategy);
  return strategy;
}

/**
 * The one-call set-up: builds a `TracingClient`, registers it in tsyringe's
 * root container, and makes it the client every `@Traceable` reports to. A
 * client configured earlier is shut down (its queue delivered first).
 * With no exporter, the environment chooses it (and whether tracing is on).
 *
 * @example
 * configureTracing({ exporter: 'langsmith', mode: 'background' });
 * configureTracing(); // all from TRACEWIRE_* / LANGSMITH_* / OTEL_* variables
 */
export function configureTracing(options?: TracingSetupOptions): TracingClient {
  const previous = globalClient.peek(); // not .current: that would build a client from the environment only to replace it
  const client = registerTracing(tsyringe().container, options);
  setGlobalTracingClient(client);
  if (previous !== undefined && previous !== client) void previous.shutdown();
  return client;
}
