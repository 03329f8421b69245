import { RUNS_ENDPOINTS } from './config-runs-endpoints.js';
import { envBoolean, envValue, firstSet, HEADER_TEXT, langsmithVariables, otlpVariables, parseHttpUrl, TRACING_SWITCHES, type Env } from './config-env.js';
import { LOCAL_HOSTS, PRINTABLE, SECRET } from './config-langsmith.js';
import { refuse } from './errors.js';
import { isString } from './natives.js';

/**
 * Exporters that can be chosen by name — in `configureTracing({ exporter })`
 * or through `TRACEWIRE_EXPORTER`. `collector` is tracewire's local
 * collector (`npx tracewire serve`); `none` turns tracing off.
 */
export const EXPORTER_NAMES = ['langsmith', 'otlp', 'console', 'jsonl', 'collector', 'memory', 'none'] as const;

/** The name of a built-in exporter; see {@link EXPORTER_NAMES}. */
export type ExporterName = (typeof EXPORTER_NAMES)[number];

/** @internal A chosen exporter and the setting that chose it (for error messages). */
export interface ExporterChoice {
  readonly name: ExporterName;
  readonly setting: string;
}

/** Where the `collector` exporter sends by default: `tracewire serve`'s address. */
export const DEFAULT_COLLECTOR_ENDPOINT = 'http://127.0.0.1:4319';
/** Where the `jsonl` exporter appends by default, relative to the working directory. */
export const DEFAULT_JSONL_PATH = 'tracewire.jsonl';

const OWN_CHOICE = 'TRACEWIRE_EXPORTER';
const OTEL_CHOICE = 'OTEL_TRACES_EXPORTER';
const SDK_DISABLED = 'OTEL_SDK_DISABLED';

// OpenTelemetry's own names; `logging` is its deprecated spelling of `console`.
const OTEL_NAMES: Readonly<Record<string, ExporterName>> = { otlp: 'otlp', console: 'console', logging: 'console', none: 'none' };

/** Accepted names, as error messages list them. */
export function acceptedExporters(): string {
  return `one of ${EXPORTER_NAMES.map((name) => `"${name}"`).join(', ')}`;
}

/** @internal Checks a name given in code or in `setting`; anything else fails listing the names. */
export function exporterName(value: unknown, setting: string): ExporterName {
  const name = isString(value) ? value.trim().toLowerCase() : undefined;
  if ((EXPORTER_NAMES as readonly unknown[]).includes(name)) return name as ExporterName;
  refuse(setting, value, setting === 'exporter' ? `${acceptedExporters()}, or a SpanExporter instance` : acceptedExporters());
}

/**
 * @internal The exporter the environment chooses, first match wins:
 * `TRACEWIRE_EXPORTER`; OpenTelemetry's `OTEL_TRACES_EXPORTER` (`otlp`,
 * `console`, `none`); a LangSmith key or endpoint → `langsmith`; an OTLP
 * endpoint → `otlp`. `undefined` when nothing chooses one. With
 * `OTEL_SDK_DISABLED=true`, a choice of OTLP, or one made by an `OTEL_*`
 * variable, becomes `none`.
 */
export function exporterFromEnv(env: Env): ExporterChoice | undefined {
  const choice = envChoice(env);
  // OpenTelemetry's kill switch: whatever the environment would send over OTLP stays off (code still wins).
  if (choice !== undefined && otelSdkDisabled(env) && (choice.name === 'otlp' || choice.setting.startsWith('OTEL_'))) return { name: 'none', setting: SDK_DISABLED };
  return choice;
}

/**
 * @internal OpenTelemetry's `OTEL_SDK_DISABLED`: only `true` (any case)
 * counts; every other value is false, as the specification says.
 */
export function otelSdkDisabled(env: Env): boolean {
  return env[SDK_DISABLED]?.trim().toLowerCase() === 'true';
}

function envChoice(env: Env): ExporterChoice | undefined {
  const own = firstSet(env, [OWN_CHOICE]);
  if (own !== undefined) return { name: exporterName(own.value, own.name), setting: own.name };
  const otel = firstSet(env, [OTEL_CHOICE]);
  if (otel !== undefined) {
    const name = OTEL_NAMES[otel.value.toLowerCase()];
    // The spec allows a comma-separated list; tracewire sends to one place, so a list is refused rather than half-honoured.
    if (name === undefined) refuse(otel.name, otel.value, 'one of otlp, console, none (a single exporter; for LangSmith or the collector set TRACEWIRE_EXPORTER)');
    return { name, setting: otel.name };
  }
  const langsmith = langsmithChooser(env);
  if (langsmith !== undefined) return { name: 'langsmith', setting: langsmith.name };
  const otlp = firstSet(env, otlpVariables('ENDPOINT'));
  if (otlp !== undefined) return { name: 'otlp', setting: otlp.name };
  return undefined;
}

/**
 * @internal What an `OTEL_TRACES_EXPORTER` choice overrides, said once at
 * set-up: LangSmith's variables set beside it (an OpenTelemetry deployment
 * sets that variable for its own SDK, and a LangSmith user's traces would
 * go to OTLP, the console or nowhere without a word). Names only, never a
 * value but the exporter's name. Undefined when nothing is overridden.
 */
export function overriddenLangSmith(env: Env): string | undefined {
  const choice = envChoice(env);
  if (choice?.setting !== OTEL_CHOICE) return undefined;
  // LangSmith's own switches (not TRACEWIRE_TRACING) say as much as a key or an endpoint that LangSmith was meant.
  const langsmith = langsmithChooser(env)?.name ?? TRACING_SWITCHES.slice(1).find((variable) => envBoolean(env, [variable]) === true);
  if (langsmith === undefined) return undefined;
  const outcome = exporterFromEnv(env)?.name === 'none' ? 'tracing is off' : `traces go to ${choice.name === 'otlp' ? 'OTLP' : 'the console'}, not to LangSmith`;
  return `tracewire: ${OTEL_CHOICE}=${env[OTEL_CHOICE]!.trim().toLowerCase()} chooses the exporter before LangSmith's variables (${langsmith} is set): ${outcome}. To send to LangSmith, set TRACEWIRE_EXPORTER=langsmith, which comes first.`;
}

/** The first of LangSmith's variables that choose its exporter when set: a key, an endpoint, write replicas. */
function langsmithChooser(env: Env): { name: string; value: string } | undefined {
  return firstSet(env, [...langsmithVariables('API_KEY'), ...langsmithVariables('ENDPOINT'), RUNS_ENDPOINTS]);
}

/** @internal The first `*_TRACING` switch set (`TRACEWIRE_TRACING`, then LangSmith's), if any. */
export function tracingSwitch(env: Env): boolean | undefined {
  return envBoolean(env, TRACING_SWITCHES);
}

/**
 * @internal Whether the environment turns tracing on for a program that set
 * up nothing: a `*_TRACING` switch when one is set (`false` wins over
 * everything), else an explicit exporter choice (`TRACEWIRE_EXPORTER` or
 * `OTEL_TRACES_EXPORTER`, other than `none`). A key or endpoint alone does
 * not: LangSmith's own SDK stays off without `LANGSMITH_TRACING=true` too.
 */
export function tracingOnFromEnv(env: Env): boolean {
  const switched = tracingSwitch(env);
  if (switched === true && otelSdkDisabled(env)) return exporterFromEnv(env)?.name !== 'none';
  if (switched !== undefined) return switched;
  if (firstSet(env, [OWN_CHOICE, OTEL_CHOICE]) === undefined) return false;
  // One of the two is set, so a choice is made (or a bad name has thrown).
  return exporterFromEnv(env)!.name !== 'none';
}

/** @internal Settings of the `collector` exporter: `TRACEWIRE_COLLECTOR_ENDPOINT`, `TRACEWIRE_COLLECTOR_TOKEN`. */
export function collectorSettings(env: Env): { endpoint: string; token: string | undefined } {
  const endpoint = envValue(env, COLLECTOR_ENDPOINT) ?? DEFAULT_COLLECTOR_ENDPOINT;
  const token = envValue(env, COLLECTOR_TOKEN);
  // Checked here, by these variables' names: the LangSmith exporter they configure would name its own options.
  const { hostname, origin } = parseHttpUrl(endpoint, COLLECTOR_ENDPOINT, DEFAULT_COLLECTOR_ENDPOINT);
  if (token === undefined && !LOCAL_HOSTS.test(hostname)) refuse(COLLECTOR_TOKEN, undefined, `a token for ${origin} (only a collector on this machine may go without)`);
  if (token !== undefined && !HEADER_TEXT.test(token)) refuse(COLLECTOR_TOKEN, SECRET, PRINTABLE);
  return { endpoint, token };
}

const COLLECTOR_ENDPOINT = 'TRACEWIRE_COLLECTOR_ENDPOINT';
const COLLECTOR_TOKEN = 'TRACEWIRE_COLLECTOR_TOKEN';

/** @internal The file of the `jsonl` exporter: `TRACEWIRE_JSONL_PATH`, else {@link DEFAULT_JSONL_PATH}. */
export function jsonlPath(env: Env): string {
  return envValue(env, 'TRACEWIRE_JSONL_PATH') ?? DEFAULT_JSONL_PATH;
}
