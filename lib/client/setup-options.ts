import { runtimeEnv } from '../runtime-env.js';
import { booleanOption, type Env } from '../config-env.js';
import { acceptedExporters, exporterFromEnv, exporterName, overriddenLangSmith, tracingOnFromEnv, tracingSwitch, type ExporterName } from '../config-exporter.js';
import { refuse } from '../errors.js';
import { NoExporter, type ExporterMakers } from '../exporters/exporter-makers.js';
import type { SpanExporter } from '../exporters/span-exporter.js';
import { CLIENT_OPTIONS, TracingClient, type TracingClientOptions } from './tracing-client.js';
import { LANGSMITH_CLIENT_INSTEAD } from './langsmith-client-options.js';
import { isFunction, isObject } from '../natives.js';
import { readOptions, readSafely, type OptionsShape } from '../read-options.js';

/**
 * Options of `configureTracing()` and `registerTracing()`: a client's
 * options, with the exporter optional and choosable by name.
 */
export interface TracingSetupOptions extends Omit<TracingClientOptions, 'exporter'> {
  /**
   * A `SpanExporter`, or a built-in one by name (its settings from the
   * environment). Default: the one the environment chooses (README,
   * "Set-up"); when the environment turns nothing on, tracing is off.
   */
  readonly exporter?: SpanExporter | ExporterName | undefined;
}

/** A client's options, its exporter optional: `exporter: null` is refused as any null is (its default is the environment's choice). */
const SETUP_SHAPE: OptionsShape = {
  setting: 'tracing options',
  accepted: 'an object such as { exporter: "langsmith" }, or nothing',
  known: CLIENT_OPTIONS,
  instead: LANGSMITH_CLIENT_INSTEAD,
};

const NO_EXPORTER_CHOSEN = `${acceptedExporters()}, or a SpanExporter — or set TRACEWIRE_EXPORTER, LANGSMITH_API_KEY or OTEL_EXPORTER_OTLP_ENDPOINT`;

/**
 * @internal Client options from set-up options: the exporter built from its
 * name or from the environment. Tracing that is off (by `enabled: false`, a
 * `*_TRACING=false` switch, `'none'`, or — with no exporter named — by
 * nothing turning it on) builds no exporter, so a missing API key cannot
 * fail a program that does not trace. Every bad argument throws
 * `TracewireConfigError`.
 */
export function toClientOptions(options: unknown, exporters: ExporterMakers, env: Env = runtimeEnv()): TracingClientOptions {
  // Read once: the client built from them reads this snapshot, not the caller's object again.
  const given = readOptions(options, SETUP_SHAPE) as unknown as TracingSetupOptions;
  const { exporter, enabled } = given;
  booleanOption(enabled, 'enabled', undefined);
  if (readSafely('exporter', () => isObject(exporter) && isFunction((exporter as SpanExporter).export))) return given as TracingClientOptions;
  // exporterName refuses a non-string too, with the same message: no separate check here.
  const name = exporter === undefined ? exporterFromEnv(env)?.name : exporterName(exporter, 'exporter');
  if (exporter === undefined) warnOverridden(overriddenLangSmith(env), given.logger);
  const on = name !== 'none' && (enabled ?? (exporter === undefined ? tracingOnFromEnv(env) : (tracingSwitch(env) ?? true)));
  if (!on) return { ...given, exporter: new NoExporter(), enabled: false };
  if (name === undefined) refuse('exporter', undefined, NO_EXPORTER_CHOSEN);
  return { ...given, exporter: exporters[name](env) };
}

/** Says what the environment's exporter choice overrode, through the client's logger (checked by the client itself). */
function warnOverridden(message: string | undefined, logger: TracingClientOptions['logger']): void {
  if (message === undefined) return;
  try {
    (readSafely('logger', () => isFunction(logger?.warn)) ? logger! : console).warn(message);
  } catch {
    // A logger that throws must not fail the set-up: the client refuses a bad one itself.
  }
}

/**
 * @internal The client a program that set nothing up gets on its first
 * traced call: `undefined` unless the environment turns tracing on.
 */
export function clientFromEnv(env: Env, exporters: ExporterMakers): TracingClient | undefined {
  if (!tracingOnFromEnv(env)) return undefined;
  return new TracingClient(toClientOptions({}, exporters, env));
}

