import type { Env } from '../../config-env.js';
import { hostRuntime } from '../../lifecycle/host.js';
import type { Run } from '../../model/run.js';
import { hasOwn, keys, stringify } from '../../natives.js';
import { SENSITIVE_VARIABLE_NAME } from '../../serialize/secret-fields.js';
import { TRACEWIRE_VERSION } from '../../version.js';

/**
 * `LANGSMITH_*` / `LANGCHAIN_*` variables langsmith's client never records
 * (`getLangSmithEnvVarsMetadata` in langsmith/lib/utils/env.js), and one it
 * does that tracewire does not: `LANGSMITH_RUNS_ENDPOINTS`, whose value holds
 * every write replica's API key (langsmith 0.12 sends it, keys and all, in
 * every run's metadata). The revision variables are recorded as `revision_id`.
 */
const NOT_RECORDED = new Set([
  'LANGCHAIN_API_KEY',
  'LANGCHAIN_ENDPOINT',
  'LANGCHAIN_TRACING_V2',
  'LANGCHAIN_PROJECT',
  'LANGCHAIN_SESSION',
  'LANGSMITH_API_KEY',
  'LANGSMITH_ENDPOINT',
  'LANGSMITH_TRACING_V2',
  'LANGSMITH_CONFIG_FILE',
  'LANGSMITH_PROJECT',
  'LANGSMITH_SESSION',
  'LANGSMITH_AGENT_ID',
  'LANGSMITH_AGENT_ENVIRONMENT',
  'LANGSMITH_REVISION_ID',
  'LANGCHAIN_REVISION_ID',
  'LANGSMITH_RUNS_ENDPOINTS',
  'LANGCHAIN_RUNS_ENDPOINTS',
]);

/** A URL with credentials (`postgres://user:pw@…`, a proxy's `http://user:pw@…`): not recorded, whatever its name. */
const URL_WITH_CREDENTIALS = /\w:\/\/[^\s/?#@]*@/;

/** Where CI and hosting platforms put the commit being run: langsmith's `getShas`, recorded in `extra.runtime`. */
const RELEASE_VARIABLES = [
  'VERCEL_GIT_COMMIT_SHA',
  'NEXT_PUBLIC_VERCEL_GIT_COMMIT_SHA',
  'COMMIT_REF',
  'RENDER_GIT_COMMIT',
  'CI_COMMIT_SHA',
  'CIRCLE_SHA1',
  'CF_PAGES_COMMIT_SHA',
  'REACT_APP_GIT_SHA',
  'SOURCE_VERSION',
  'GITHUB_SHA',
  'TRAVIS_COMMIT',
  'GIT_COMMIT',
  'BUILD_VCS_NUMBER',
  'bamboo_planRepository_revision',
  'Build.SourceVersion',
  'BITBUCKET_COMMIT',
  'DRONE_COMMIT_SHA',
  'SEMAPHORE_GIT_SHA',
  'BUILDKITE_COMMIT',
];

/** The metadata key langsmith's client records its sampling rate under: it wins over a run's own. */
const SAMPLE_RATE_KEY = 'ls_tracing_sample_rate';

/**
 * @internal What langsmith's client adds to every run it sends
 * (`mergeRuntimeEnvIntoRun` in langsmith/lib/client.js), made once per
 * exporter: `under`, the metadata a run's own overrides (the environment's
 * `LANGSMITH_*` / `LANGCHAIN_*` variables, then `revision_id`); `over`, what
 * overrides a run's own (`ls_tracing_sample_rate`); and `runtime`, put under
 * the run's own `extra.runtime` (absent with `omitTracedRuntimeInfo`).
 *
 * Its JSON text is made here once too: the `extra` of a run without metadata
 * is {@link RunExtraBlock.whole} as it is, and a run with metadata of its own
 * is spliced between its pieces (see {@link extraWithBlock}), so the
 * per-span path builds no object and stringifies nothing more than before.
 */
export class RunExtraBlock {
  declare readonly under: Readonly<Record<string, string>>;
  declare readonly over: Readonly<Record<string, number>>;
  declare readonly runtime: Readonly<Record<string, string>> | undefined;
  /** `under`'s and `over`'s key/value pairs as JSON, without braces ('' for none). */
  readonly #underPairs: string;
  readonly #overPairs: string;
  /** `,"runtime":{…}`, or ''. */
  readonly #runtimePart: string;
  /** The `extra` of a run without metadata of its own. */
  declare readonly whole: string;

  constructor(under: Record<string, string>, over: Record<string, number>, runtime: Record<string, string> | undefined) {
    this.under = under;
    this.over = over;
    this.runtime = runtime;
    this.#underPairs = stringify(under).slice(1, -1);
    this.#overPairs = stringify(over).slice(1, -1);
    this.#runtimePart = runtime === undefined ? '' : ',"runtime":' + stringify(runtime);
    this.whole = this.#text('');
  }

  /**
   * `{"metadata":{<under>,<own>,<over>},"runtime":{…}}`, `ownPairs` a run's own metadata pairs sharing no key with the
   * block's. Empty metadata is left out (langsmith sends `"metadata":{}`): it says nothing LangSmith does not assume,
   * and it kept a run in batch mode from being smaller than langsmith's.
   */
  #text(ownPairs: string): string {
    const pairs = [this.#underPairs, ownPairs, this.#overPairs].filter((text) => text !== '').join(',');
    return pairs === '' ? '{' + this.#runtimePart.slice(1) + '}' : '{"metadata":{' + pairs + '}' + this.#runtimePart + '}';
  }

  /** The `extra` of a run with metadata `metadata` (not empty): the block's text around the run's, or, where they share a key, the two merged as langsmith merges them. */
  extraWith(metadata: Run['extra']['metadata']): string {
    for (const key in metadata) {
      if (hasOwn(this.under, key) || hasOwn(this.over, key)) return stringify(this.merged({ metadata }));
    }
    return this.#text(stringify(metadata).slice(1, -1));
  }

  /** `extra` with the block merged in, as langsmith's `mergeRuntimeEnvIntoRun` merges it: a run's own metadata and runtime keys win, but `over`'s. */
  merged(extra: Run['extra']): Record<string, unknown> {
    const own = extra as Run['extra'] & { runtime?: object };
    const runtime = this.runtime === undefined ? {} : { runtime: { ...this.runtime, ...own.runtime } };
    return { ...extra, ...runtime, metadata: { ...this.under, ...extra.metadata, ...this.over } };
  }
}

/** @internal What goes into {@link runExtraBlock}, each read once, when the exporter is made. */
export interface RunExtraSources {
  readonly env: Env;
  /** The exporter's revision (`revisionId`, else the environment's), recorded as `revision_id`. */
  readonly revisionId: string | undefined;
  /** Whether the revision came from the `revisionId` option (recorded even with `omitTracedRuntimeInfo`). */
  readonly revisionGiven: boolean;
  readonly sampleRate: number | undefined;
  /** Values never recorded, nor any value that contains one: the API keys, endpoint query values and credentials. */
  readonly secrets: readonly string[];
  readonly omitTracedRuntimeInfo: boolean;
  /** The environment hides metadata (`LANGSMITH_HIDE_METADATA`): langsmith's client hides what it adds with the run's own. */
  readonly hideMetadata: boolean;
}

/**
 * @internal The block every run of an exporter carries, or undefined when it
 * would add nothing (a run's `extra` is then its own metadata, or none).
 * Environment variables are langsmith's selection, and never one whose name
 * is sensitive, nor one whose value contains a secret the exporter knows.
 * With `omitTracedRuntimeInfo` (langsmith's client option), only a
 * `revisionId` given in code is recorded.
 */
export function runExtraBlock(sources: RunExtraSources): RunExtraBlock | undefined {
  const { env, revisionId, omitTracedRuntimeInfo } = sources;
  if (omitTracedRuntimeInfo) {
    return revisionId !== undefined && sources.revisionGiven ? new RunExtraBlock({ revision_id: revisionId }, {}, undefined) : undefined;
  }
  if (sources.hideMetadata) return new RunExtraBlock({}, {}, runtimeInfo(env));
  const under = environmentMetadata(env, sources.secrets);
  if (revisionId !== undefined) under.revision_id = revisionId;
  const over: Record<string, number> = sources.sampleRate === undefined ? {} : { [SAMPLE_RATE_KEY]: sources.sampleRate };
  return new RunExtraBlock(under, over, runtimeInfo(env));
}

/** The `LANGSMITH_*` and `LANGCHAIN_*` variables langsmith's client records, in the environment's order. */
function environmentMetadata(env: Env, secrets: readonly string[]): Record<string, string> {
  const recorded: Record<string, string> = {};
  for (const name of keys(env)) {
    if (!(name.startsWith('LANGSMITH_') || name.startsWith('LANGCHAIN_')) || NOT_RECORDED.has(name) || SENSITIVE_VARIABLE_NAME.test(name)) continue;
    const value = env[name];
    if (typeof value !== 'string' || URL_WITH_CREDENTIALS.test(value) || secrets.some((secret) => secret !== '' && value.includes(secret))) continue;
    recorded[name] = value;
  }
  return recorded;
}

/** `extra.runtime`: langsmith's keys (`library`, `runtime`, `sdk`, `sdk_version`, the release commit), tracewire's values; `runtime_version` as langsmith's Python SDK names it. */
function runtimeInfo(env: Env): Record<string, string> {
  const host = hostRuntime();
  const runtime: Record<string, string> = { library: 'tracewire', runtime: host.name };
  if (host.version !== undefined) runtime.runtime_version = host.version;
  runtime.sdk = 'tracewire-js';
  runtime.sdk_version = TRACEWIRE_VERSION;
  for (const name of RELEASE_VARIABLES) {
    const value = env[name];
    if (value !== undefined) runtime[name] = value;
  }
  return runtime;
}
