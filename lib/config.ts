import { hasSpool } from './pipeline/spool-provider.js';
import { runtimeEnv } from './runtime-env.js';
import { booleanOption, envBoolean, envChoice, envNumber, envValue, isTimerMillis, langsmithVariables, nonEmptyOption, TIMER_MILLIS, type Env } from './config-env.js';
import { tracingSwitch } from './config-exporter.js';
import { refuse } from './errors.js';
import { hasOwn, isSafeInteger, isString } from './natives.js';
import { STRATEGY_FOR_MODE } from './client/delivery-strategy.js';
import { isLongLivedHost } from './lifecycle/host.js';

/** How traced calls hand their spans over; see the README's strategy table. */
export type DeliveryMode = 'background' | 'manual' | 'blocking';

/** What a full queue gives up: the incoming span (default) or the oldest waiting batch. */
export type DropPolicy = 'drop-newest' | 'drop-oldest';

/** Delivery settings. Every field is optional; defaults are stated per field. */
export interface DeliveryOptions {
  /** Default `background`, or from `TRACEWIRE_TRACING_BACKGROUND=false` → `blocking`, `TRACEWIRE_MANUAL_FLUSH=true` → `manual`. */
  readonly mode?: DeliveryMode | undefined;
  /** `true` is `mode: 'manual'`: nothing is sent until `flush()`. */
  readonly manualFlushMode?: boolean | undefined;
  /** When false, traced calls run untouched. Default true (`TRACEWIRE_TRACING`, `LANGSMITH_TRACING`). */
  readonly enabled?: boolean | undefined;
  /** `session_name` of every run. Default `default` (`TRACEWIRE_PROJECT`, `LANGSMITH_PROJECT`). */
  readonly projectName?: string | undefined;
  /** Fraction of traces kept, decided once per trace from its id. Default 1 (`TRACEWIRE_SAMPLE_RATE`, `LANGSMITH_TRACING_SAMPLING_RATE`). */
  readonly sampleRate?: number | undefined;
  /**
   * A batch closes at this many runs (a span whose start and end share the
   * batch is one run). Default 100: LangSmith takes at most 100 runs per
   * request by default, so a batch is never split and never half full.
   */
  readonly maxBatchSize?: number | undefined;
  /** …or at this many bytes of serialized runs. Default 4 MiB. */
  readonly maxBatchBytes?: number | undefined;
  /** …or this long after its first event — a maximum delay, not a debounce. Default 1 000. */
  readonly flushIntervalMillis?: number | undefined;
  /** Exports in flight at once. Default 4. */
  readonly maxConcurrentExports?: number | undefined;
  /** Span events held (queued and in flight) before the drop policy applies. Default 100 000. */
  readonly maxQueueSize?: number | undefined;
  /**
   * Bytes held (queued and in flight) before the drop policy applies: a sealed
   * batch counts its request body's real size, framing included; runs not yet
   * sealed, their estimated JSON size. Default 128 MiB (room for the default
   * 100 000 small runs as LangSmith multipart bodies, ≈ 1.1 KB each), but at
   * most a quarter of the memory the platform grants: on AWS Lambda, a
   * quarter of `AWS_LAMBDA_FUNCTION_MEMORY_SIZE` (32 MiB for a 128 MB function); on
   * workerd and edge runtimes (128 MB isolates), 32 MiB. A dead endpoint
   * must not take a function's memory.
   */
  readonly maxQueueBytes?: number | undefined;
  /** Default `drop-newest`. */
  readonly dropPolicy?: DropPolicy | undefined;
  /** Retries of a batch after a retryable failure (408, 429, 5xx, network); 0 sends each batch once. Default 5. */
  readonly maxRetries?: number | undefined;
  /** First back-off; doubles per retry, with full jitter. Default 200. */
  readonly initialBackoffMillis?: number | undefined;
  /** Longest back-off, and the longest `Retry-After` honoured. Default 30 000. */
  readonly maxBackoffMillis?: number | undefined;
  /** One export attempt is aborted after this long. Default 10 000. */
  readonly exportTimeoutMillis?: number | undefined;
  /** Cap on export requests per second; unset means no cap. */
  readonly maxRequestsPerSecond?: number | undefined;
  /** Deadline of `flush()`, `awaitPendingTraceBatches()`, `shutdown()` and blocking calls. Default 5 000. */
  readonly flushTimeoutMillis?: number | undefined;
  /**
   * A traced call's returned stream (generator, async iterable, ReadableStream,
   * Observable, Node Readable) whose consumption has not begun this long
   * after it was handed out ends its run `cancelled`, metadata `stream_end:
   * "never consumed…"`, so no run stays open forever. Default 60 000
   * (`TRACEWIRE_UNCONSUMED_STREAM_TIMEOUT_MILLIS`). The timer never keeps a process alive.
   */
  readonly unconsumedStreamTimeoutMillis?: number | undefined;
  /**
   * A directory (created `0700` if missing) where batches that could not be
   * delivered — retries ran out, or shutdown's deadline passed — are kept
   * (up to `maxSpoolBytes`) and sent by the next client started with the same
   * directory. Unset (the default, or `TRACEWIRE_SPOOL_DIR`): such spans are dropped.
   */
  readonly spoolDir?: string | undefined;
  /**
   * Bytes of files the spool in `spoolDir` holds at most (every process sharing the directory counts): a batch that
   * would take it past this is dropped, counted in `stats().dropped.exportFailed`, and a full spool is warned about
   * once. Default 64 MiB (`TRACEWIRE_MAX_SPOOL_BYTES`). Without `spoolDir`, unused.
   */
  readonly maxSpoolBytes?: number | undefined;
}

/** Every delivery setting resolved (`TracingClient.config`): options over `TRACEWIRE_*` over `LANGSMITH_*` over defaults. */
export type DeliveryConfig = Required<Omit<DeliveryOptions, 'manualFlushMode' | 'maxRequestsPerSecond' | 'spoolDir'>> & {
  /** Cap on export requests per second; `undefined`: no cap. */
  readonly maxRequestsPerSecond: number | undefined;
  /** The spool's directory; `undefined`: no spool (spans that could not be delivered are dropped). */
  readonly spoolDir: string | undefined;
};

const DROP_POLICIES = ['drop-newest', 'drop-oldest'] as const;
const MANUAL_FLUSH = 'manualFlushMode';
const DROP_POLICY = 'dropPolicy';
const ENABLED = 'enabled';
const PROJECT_NAME = 'projectName';
const RATE_SETTING = 'maxRequestsPerSecond';

const INTEGER = 0;
const RATE = 1;
const FRACTION = 2;
/** A timer's delay: Node runs a longer one after 1 ms (TimeoutOverflowWarning), so every export would time out at once. */
const MILLIS = 3;
/** A count that may be none: `maxRetries: 0` sends each batch once. */
const COUNT = 4;
type NumberKind = typeof INTEGER | typeof RATE | typeof FRACTION | typeof MILLIS | typeof COUNT;
const MIB = 1024 * 1024;

/**
 * The default of `maxQueueBytes` where the platform grants little memory: a
 * quarter of a Lambda function's (`AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, in MB),
 * a quarter of an edge isolate's 128 MB; elsewhere `fallback`.
 */
function platformQueueBytes(env: Env, fallback: number): number {
  const lambdaMegabytes = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  if (lambdaMegabytes > 0) return Math.min(fallback, Math.floor((lambdaMegabytes * MIB) / 4));
  return isLongLivedHost() ? fallback : MIB * 32;
}

// Each numeric setting's variable is derived from its name (see numericVariable), so the table
// carries no variable names: test/lib/config-env-documented.test.ts holds every documented name to it.
// A default is a number, or made from the environment (the platform's memory).
// A fourth entry: variables read after the setting's own (langsmith's names).
const NUMERIC: ReadonlyArray<[keyof DeliveryConfig, number | ((env: Env) => number), NumberKind, string[]?]> = [
  ['sampleRate', 1, FRACTION, langsmithVariables('TRACING_SAMPLING_RATE')],
  ['maxBatchSize', 100, INTEGER],
  ['maxBatchBytes', 4_194_304 /* 4 MiB */, INTEGER],
  ['flushIntervalMillis', 1_000, MILLIS],
  ['maxConcurrentExports', 4, INTEGER],
  ['maxQueueSize', 100_000, INTEGER],
  ['maxQueueBytes', (env) => platformQueueBytes(env, MIB * 128), INTEGER],
  ['maxRetries', 5, COUNT],
  ['initialBackoffMillis', 200, MILLIS],
  ['maxBackoffMillis', 30_000, MILLIS],
  ['exportTimeoutMillis', 10_000, MILLIS],
  ['flushTimeoutMillis', 5_000, MILLIS],
  ['unconsumedStreamTimeoutMillis', 60_000, MILLIS],
  ['maxSpoolBytes', MIB * 64, INTEGER],
];

/**
 * @internal The sampling rate the environment sets, as the client reads it (`TRACEWIRE_SAMPLE_RATE`, then langsmith's
 * `LANGSMITH_TRACING_SAMPLING_RATE` / `LANGCHAIN_…`), refused as the client refuses it; undefined when none is set.
 */
export function sampleRateInEnv(env: Env): number | undefined {
  const [key, , kind, aliases = []] = NUMERIC.find(([setting]) => setting === 'sampleRate')!;
  const fromEnv = envNumber(env, [numericVariable(key), ...aliases]);
  return fromEnv === undefined ? undefined : checkNumber(fromEnv.name, fromEnv.value, kind);
}

/** @internal Every delivery option's name: one not among them (a typo such as `flushIntervalMs`) is refused, not ignored. */
export const DELIVERY_OPTIONS: readonly string[] = ['mode', MANUAL_FLUSH, ENABLED, PROJECT_NAME, DROP_POLICY, RATE_SETTING, 'spoolDir', ...NUMERIC.map(([name]) => name)];

const SPOOL_DIR_VARIABLE = 'TRACEWIRE_SPOOL_DIR';

/** @internal Whether the environment names a spool this runtime cannot have (no files): ignored, and worth a warning. */
export function spoolDirIgnored(options: DeliveryOptions, env: Env): boolean {
  return options.spoolDir === undefined && !hasSpool() && envValue(env, SPOOL_DIR_VARIABLE) !== undefined;
}

/** @internal A numeric setting's variable: `TRACEWIRE_` and the name in upper snake case (`maxBatchSize` → `TRACEWIRE_MAX_BATCH_SIZE`). */
export function numericVariable(setting: string): string {
  return 'TRACEWIRE_' + setting.replace(/[A-Z]/g, '_$&').toUpperCase();
}

/**
 * @internal The one place tracewire reads environment variables. Explicit
 * options win; then `TRACEWIRE_*`; then the LangSmith aliases. A value that
 * cannot be used throws a `TracewireConfigError` naming it.
 */
export function resolveDeliveryConfig(options: DeliveryOptions, env: Env = runtimeEnv()): DeliveryConfig {
  const config: Record<string, unknown> = {
    mode: resolveMode(options, env),
    enabled: booleanOption(options.enabled, ENABLED, tracingSwitch(env) ?? true),
    projectName: options.projectName ?? envValue(env, 'TRACEWIRE_PROJECT', ...langsmithVariables('PROJECT')) ?? 'default',
    dropPolicy: options.dropPolicy ?? envChoice(env, ['TRACEWIRE_DROP_POLICY'], DROP_POLICIES) ?? DROP_POLICIES[0],
    maxRequestsPerSecond: undefined,
    // A shared environment may name a spool for every service: where there are no files it is ignored (and warned
    // about by the client), not refused; a spoolDir given in code is refused there.
    spoolDir: options.spoolDir ?? (hasSpool() ? envValue(env, SPOOL_DIR_VARIABLE) : undefined),
  };
  if (!(DROP_POLICIES as readonly unknown[]).includes(config.dropPolicy)) {
    refuse(DROP_POLICY, config.dropPolicy, DROP_POLICIES.join(' or '));
  }
  nonEmptyOption(config.projectName, PROJECT_NAME);
  // Where each setting given came from (the option, else its variable); absent: its default.
  const given: Record<string, string> = {};
  for (const [key, fallback, kind, aliases = []] of NUMERIC) {
    const fromEnv = envNumber(env, [numericVariable(key), ...aliases]);
    const explicit = (options as Record<string, unknown>)[key];
    const [setting, value] =
      explicit !== undefined ? [key, explicit] : fromEnv ? [fromEnv.name, fromEnv.value] : [key, typeof fallback === 'number' ? fallback : fallback(env)];
    config[key] = checkNumber(setting, value, kind);
    if (explicit !== undefined || fromEnv) given[key] = setting;
  }
  backoffInOrder(config as { initialBackoffMillis: number; maxBackoffMillis: number }, given);
  // The error names where the value came from: the option, else the variable.
  const rateEnv = options.maxRequestsPerSecond === undefined ? envNumber(env, [numericVariable(RATE_SETTING)]) : undefined;
  const [rateSetting, rate] = rateEnv ? [rateEnv.name, rateEnv.value] : [RATE_SETTING, options.maxRequestsPerSecond];
  if (rate !== undefined) config.maxRequestsPerSecond = checkNumber(rateSetting, rate, RATE);
  return config as DeliveryConfig;
}

/**
 * The first back-off is at most the longest. Both given the other way round
 * (every retry would wait the longest: a swapped pair, most likely) is
 * refused; one given past the other's default moves that default to it
 * (`maxBackoffMillis: 100` alone backs off 100 ms from the first retry).
 */
function backoffInOrder(config: { initialBackoffMillis: number; maxBackoffMillis: number }, given: Record<string, string>): void {
  const { initialBackoffMillis: initial, maxBackoffMillis: longest } = config;
  if (initial <= longest) return;
  const initialSetting = given.initialBackoffMillis;
  const longestSetting = given.maxBackoffMillis;
  if (initialSetting !== undefined && longestSetting !== undefined) {
    refuse(initialSetting, initial, `milliseconds, at most ${longestSetting} (${longest})`);
  }
  if (initialSetting !== undefined) config.maxBackoffMillis = initial;
  else config.initialBackoffMillis = longest;
}

/**
 * @internal Whether the environment hides every run's inputs, outputs and
 * metadata (they are recorded as `{}`), as langsmith's client does:
 * `TRACEWIRE_HIDE_INPUTS`, `LANGSMITH_HIDE_INPUTS`, `LANGCHAIN_HIDE_INPUTS`,
 * and the same for `…_OUTPUTS` and `…_METADATA`.
 */
export function hiddenByEnv(env: Env): { readonly inputs: boolean; readonly outputs: boolean; readonly metadata: boolean } {
  return {
    inputs: envBoolean(env, ['TRACEWIRE_HIDE_INPUTS', ...langsmithVariables('HIDE_INPUTS')]) === true,
    outputs: envBoolean(env, ['TRACEWIRE_HIDE_OUTPUTS', ...langsmithVariables('HIDE_OUTPUTS')]) === true,
    metadata: envBoolean(env, ['TRACEWIRE_HIDE_METADATA', ...langsmithVariables('HIDE_METADATA')]) === true,
  };
}

function resolveMode(options: DeliveryOptions, env: Env): DeliveryMode {
  if (options.mode !== undefined) {
    // A string first: hasOwn would turn any other value into a key, and one without a string form throws a TypeError.
    if (!isString(options.mode) || !hasOwn(STRATEGY_FOR_MODE, options.mode)) refuse('mode', options.mode, 'background, manual or blocking');
    if (options.manualFlushMode === true && options.mode !== 'manual') {
      refuse(MANUAL_FLUSH, true, `no ${MANUAL_FLUSH} with mode "${options.mode}" (pick one)`);
    }
    return options.mode;
  }
  if (booleanOption(options.manualFlushMode, MANUAL_FLUSH, undefined) ?? envBoolean(env, ['TRACEWIRE_MANUAL_FLUSH'])) return 'manual';
  const background = envBoolean(env, ['TRACEWIRE_TRACING_BACKGROUND', 'LANGSMITH_TRACING_BACKGROUND']);
  return background === false ? 'blocking' : 'background';
}

/** What each kind of number accepts, and how a refusal says so; a kind is an index here. */
const NUMBER_KINDS: ReadonlyArray<readonly [(value: number) => boolean, string]> = [
  // Up to 2^53 − 1: past it a count cannot be told from the next one, and 1e300 is a typo, not a limit.
  [(value) => value > 0 && isSafeInteger(value), `a whole number from 1 to ${Number.MAX_SAFE_INTEGER}`],
  // Below one a second too, but the wait between two requests within a timer's reach (2^31 - 1 ms).
  [(value) => value >= 0.000001, 'a number of requests per second, at least 0.000001 (one every 11.6 days)'],
  [(value) => value >= 0 && value <= 1, 'a number from 0 to 1'],
  [isTimerMillis, TIMER_MILLIS],
  [(value) => value >= 0 && isSafeInteger(value), `a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`],
];

function checkNumber(setting: string, value: unknown, kind: NumberKind): number {
  const [test, accepted] = NUMBER_KINDS[kind];
  if (typeof value !== 'number' || !test(value)) refuse(setting, value, accepted);
  return value;
}
