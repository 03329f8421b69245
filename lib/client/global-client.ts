import type { TracingClient } from './tracing-client.js';
import { isFunction, symbolFor } from '../natives.js';
import { refuse } from '../errors.js';
import { readSafely } from '../read-options.js';

/**
 * @internal The slot behind the global client. `current` is the one place
 * that answers "which client do traced calls without their own use?": the
 * client set by `setGlobalTracingClient()` / `configureTracing()`, else —
 * once, on first read — the client the environment asks for (the Node entry
 * installs that factory), else none. After that first read it costs one
 * field read and a branch, as a plain slot did.
 */
class GlobalClientSlot {
  #client: TracingClient | undefined;
  /** True once a client was set or the environment was consulted: the environment is read at most once. */
  #settled = false;
  #fromEnvironment: (() => TracingClient | undefined) | undefined;

  /** Whether the environment's set-up failed and said so: once, whoever asked. */
  #warned = false;

  get current(): TracingClient | undefined {
    if (this.#settled) return this.#client;
    this.#settled = true;
    this.#client = this.#fromEnvironmentOrWarn();
    return this.#client;
  }

  /** The client the environment asks for; `undefined` if none, or if its set-up fails (said once). */
  #fromEnvironmentOrWarn(): TracingClient | undefined {
    const create = this.#fromEnvironment;
    if (create === undefined) return undefined;
    try {
      return create();
    } catch (error) {
      // A traced call must never fail because of tracing: say why once, and run untraced.
      if (!this.#warned) console.warn(`tracewire: tracing from the environment stays off: ${(error as Error)?.message ?? String(error)}`);
      this.#warned = true;
      return undefined;
    }
  }

  /**
   * `current` for a program that asks, not for a traced call: an environment that turns nothing on is not taken as
   * the final word here, since the program may load its `.env` (`process.loadEnvFile()`, dotenv) after a module read
   * the client at its top level; the first traced call's read is (see README: the environment is read when the first
   * traced call runs). Settled by one, a client read before the load turned tracing off for good, silently (a
   * report-only probe: 0 of 3 runs delivered).
   */
  consult(): TracingClient | undefined {
    if (this.#settled || this.#fromEnvironment === undefined) return this.current;
    // A set-up that fails now (`LANGSMITH_TRACING=true` in the shell, the key still in the `.env` to load) is not the
    // final word either: said once, and settled by a traced call only (a review).
    const client = this.#fromEnvironmentOrWarn();
    if (client !== undefined) this.current = client;
    return client;
  }

  set current(client: TracingClient | undefined) {
    this.#client = client;
    this.#settled = true;
  }

  /** The client set so far, without consulting the environment. */
  peek(): TracingClient | undefined {
    return this.#client;
  }

  /** Installs how to build a client from the environment, if nothing is set when one is first needed. */
  installEnvironmentFactory(create: () => TracingClient | undefined): void {
    this.#fromEnvironment = create;
  }
}

/**
 * @internal It lives on `globalThis` so that the CommonJS and ESM builds, if
 * an app ends up loading both, share one client instead of silently having two.
 */
export const globalClient: GlobalClientSlot = ((globalThis as Record<symbol, unknown>)[symbolFor('tracewire.globalClient')] ??=
  new GlobalClientSlot()) as GlobalClientSlot;

/**
 * Makes `client` the one every `@Traceable` / `traceable()` without an
 * explicit `client` option reports to; `undefined` turns tracing off (and
 * keeps the environment from turning it on). `configureTracing()` calls this for you.
 */
export function setGlobalTracingClient(client: TracingClient | undefined): void {
  // Anything else turned tracing off silently, and `getGlobalTracingClient()?.flush()` then threw in the caller's code.
  const setting = 'setGlobalTracingClient(client)';
  if (client !== undefined && !readSafely(setting, () => isFunction((client as Partial<TracingClient> | null)?.startSpan))) refuse(setting, client, 'a TracingClient, or undefined to clear it');
  globalClient.current = client;
}

/**
 * The client set by `setGlobalTracingClient()` / `configureTracing()`, or
 * the one built from the environment when that turns tracing on
 * (`TRACEWIRE_TRACING=true`, `LANGSMITH_TRACING=true`, …) and nothing was
 * set — e.g. to `await getGlobalTracingClient()?.flush()` in a handler.
 * Before the first traced call, an environment that turns nothing on yet
 * gives `undefined` without deciding: a `.env` loaded later still counts.
 */
export function getGlobalTracingClient(): TracingClient | undefined {
  return globalClient.consult();
}
