// tsyringe needs the Reflect metadata polyfill before it loads; importing it
// here means users of configureTracing() cannot get the order wrong.
import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer, type InjectionToken } from 'tsyringe';
import { resolveDeliveryConfig } from '../config.js';
import { STRATEGY_FOR_MODE, type DeliveryStrategy } from '../client/delivery-strategy.js';
import { globalClient, setGlobalTracingClient } from '../client/global-client.js';
import { toClientOptions, type TracingSetupOptions } from '../client/setup-options.js';
import { TracingClient } from '../client/tracing-client.js';

/**
 * Token for the `TracingClient`, for code that cannot inject by class — e.g.
 * standard (TC39) decorators, which emit no constructor metadata:
 * `container.resolve(TRACING_CLIENT)` or `@inject(TRACING_CLIENT)`.
 */
export const TRACING_CLIENT: InjectionToken<TracingClient> = Symbol.for('tracewire.TracingClient');

/** Token for the `DeliveryStrategy` in force (`BackgroundDelivery`, `ManualDelivery` or `BlockingDelivery`). */
export const DELIVERY_STRATEGY: InjectionToken<DeliveryStrategy> = Symbol.for('tracewire.DeliveryStrategy');

/**
 * Builds a `TracingClient` and registers it, and its strategy, in
 * `container` — by class and by token. The strategy class follows the
 * options, then the environment. The global client that decorators report
 * to is left alone: use {@link configureTracing} for that.
 */
export function registerTracing(container: DependencyContainer, setup?: TracingSetupOptions): TracingClient {
  const options = toClientOptions(setup);
  const { mode } = resolveDeliveryConfig(options);
  container.registerSingleton(DELIVERY_STRATEGY, STRATEGY_FOR_MODE[mode]);
  const client = new TracingClient(options, container.resolve(DELIVERY_STRATEGY));
  container.registerInstance(TracingClient, client);
  container.registerInstance(TRACING_CLIENT, client);
  return client;
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
  const client = registerTracing(rootContainer, options);
  setGlobalTracingClient(client);
  if (previous !== undefined && previous !== client) void previous.shutdown();
  return client;
}
