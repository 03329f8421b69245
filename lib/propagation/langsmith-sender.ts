import { envBoolean, envValue, langsmithVariables, type Env } from '../config-env.js';
import { runsEndpoints } from '../config-runs-endpoints.js';
import { LANGSMITH_CLOUD } from '../config-langsmith.js';
import { LC_CONTEXT_VARIABLES } from './langchain-context.js';
import { runtimeEnv } from '../runtime-env.js';
import { isArray, isFunction, isObject, stringify } from '../natives.js';

/** What is read of a langsmith `Client` (langsmith 0.3 – 0.12: plain fields). */
interface LangSmithClientFields {
  readonly apiUrl?: unknown;
  readonly apiKey?: unknown;
  readonly workspaceId?: unknown;
  readonly hideInputs?: unknown;
  readonly hideOutputs?: unknown;
  readonly hideMetadata?: unknown;
  readonly anonymizer?: unknown;
}

/** What is read of a langsmith run (a `RunTree`, LangChain's too). */
interface LangSmithRunFields {
  readonly client?: unknown;
  readonly replicas?: unknown;
}

/**
 * @internal How a langsmith run is sent when that is not as langsmith's
 * default client would send it: the tracewire calls inside it are sent the
 * same way (see `TracingClient.throughLangSmith`).
 */
export interface LangSmithSender {
  /** The run's langsmith `Client`. */
  readonly client: object;
  /** The run's write replicas (`traceable({ replicas })`), when not the environment's: a child takes them from its parent. */
  readonly replicas: readonly object[] | undefined;
  /** The run's class (langsmith's `RunTree`): it posts each tracewire run as langsmith posts its own, replicas and all. */
  readonly RunTree: new (fields: object) => { postRun(): Promise<unknown>; patchRun(options?: { excludeInputs?: boolean }): Promise<unknown> };
  /** The replicas as text: with the client, which sender this is. Holds their keys: kept in private fields only. */
  readonly replicasKey: string;
  /** The run's trace, and where a replica rerooted it (`reroot`): langsmith's children read it from their parent. */
  readonly traceId: string | undefined;
  readonly replicaTraceRoots: object | undefined;
}

/** @internal Among a run's context variables (`LC_CONTEXT_VARIABLES`), where a replica's trace was rerooted. */
export const REPLICA_TRACE_ROOTS: unique symbol = Symbol.for('langsmith:replica_trace_roots') as never;


/** Each langsmith client's verdict, read once: a client's settings do not change after it is made. */
const verdicts = new WeakMap<object, boolean>();

/**
 * @internal How `run` is sent, when not as langsmith's default client would
 * send it: by a client of your own — one that sends elsewhere (its endpoint,
 * key or workspace differ from the `LANGSMITH_*` environment: a tenant's
 * `new Client({ apiUrl, apiKey })`) or hides more than the environment asks
 * (`hideInputs`, `hideOutputs`, `hideMetadata`, `anonymizer`) — or to write
 * replicas of its own (`traceable({ replicas })`, not
 * `LANGSMITH_RUNS_ENDPOINTS`'). `undefined` for a run langsmith's default
 * client sends as configured by the environment; never throws.
 *
 * Why: a tracewire call inside such a run was sent by tracewire's client
 * (the global one), to the operator's endpoint under its key, with the
 * tenant's inputs — where langsmith's own child goes with its parent's client
 * and replicas (a report-only probe, 2026-12-06; its replicas, a review).
 */
export function langsmithSenderOf(run: LangSmithRunFields): LangSmithSender | undefined {
  try {
    const client = run.client;
    const RunTree = (run as { constructor?: unknown }).constructor;
    if (!isObject(client) || !isFunction(RunTree)) return undefined;
    const env = runtimeEnv();
    const replicas = ownReplicas(run.replicas, env);
    if (replicas === undefined && !clientOfItsOwn(client, env)) return undefined;
    const roots = replicas === undefined ? undefined : (run as { [LC_CONTEXT_VARIABLES]?: { [REPLICA_TRACE_ROOTS]?: unknown } })[LC_CONTEXT_VARIABLES]?.[REPLICA_TRACE_ROOTS];
    return {
      client,
      replicas,
      RunTree: RunTree as LangSmithSender['RunTree'],
      replicasKey: replicas === undefined ? '' : stringify(replicas),
      traceId: typeof (run as { trace_id?: unknown }).trace_id === 'string' ? (run as { trace_id: string }).trace_id : undefined,
      replicaTraceRoots: isObject(roots) ? roots : undefined,
    };
  } catch {
    // A run of another make (a getter that throws): its children stay with tracewire's client.
    return undefined;
  }
}

function clientOfItsOwn(client: object, env: Env): boolean {
  let own = verdicts.get(client);
  if (own === undefined) verdicts.set(client, (own = differsFromDefault(client as LangSmithClientFields, env)));
  return own;
}

/** As langsmith's Client reads a variable: trimmed, its surrounding quotes taken off. */
function langsmithEnv(env: Env, suffix: string): string | undefined {
  return envValue(env, ...langsmithVariables(suffix))?.replace(/^(["'])(.*)\1$/s, '$2').trim() || undefined;
}

function differsFromDefault(client: LangSmithClientFields, env: Env): boolean {
  // langsmith takes one trailing slash off its URL.
  const apiUrl = (langsmithEnv(env, 'ENDPOINT') ?? LANGSMITH_CLOUD).replace(/\/$/, '');
  if (client.apiUrl !== apiUrl) return true;
  if ((client.apiKey || undefined) !== langsmithEnv(env, 'API_KEY')) return true;
  if ((client.workspaceId || undefined) !== langsmithEnv(env, 'WORKSPACE_ID')) return true;
  // langsmith's own variables, not TRACEWIRE_HIDE_*: what its default client hides.
  const hidden = (name: string): boolean => envBoolean(env, langsmithVariables(name)) === true;
  return hidesMore(client.hideInputs, hidden('HIDE_INPUTS')) || hidesMore(client.hideOutputs, hidden('HIDE_OUTPUTS')) || hidesMore(client.hideMetadata, hidden('HIDE_METADATA')) || client.anonymizer != null;
}

/** A client's `hide…` setting asks for more than the environment hides: a function of its own, or `true` where the environment hides nothing. */
function hidesMore(setting: unknown, hiddenByEnvironment: boolean): boolean {
  return setting != null && setting !== false && !(setting === true && hiddenByEnvironment);
}

/** A run's replicas, unless none or `LANGSMITH_RUNS_ENDPOINTS`' (which tracewire's LangSmith exporter writes to itself). */
function ownReplicas(replicas: unknown, env: Env): readonly object[] | undefined {
  if (!isArray(replicas) || replicas.length === 0) return undefined;
  // langsmith takes one trailing slash off each URL of the variable.
  const fromEnv = runsEndpoints(env).map((endpoint) => [endpoint.url.replace(/\/$/, ''), endpoint.apiKey, endpoint.workspaceId, endpoint.projectName]);
  const given = replicas.map((replica: { apiUrl?: unknown; apiKey?: unknown; workspaceId?: unknown; projectName?: unknown; updates?: unknown; reroot?: unknown; client?: unknown }) =>
    replica.updates === undefined && replica.reroot === undefined && replica.client === undefined ? [replica.apiUrl, replica.apiKey, replica.workspaceId, replica.projectName] : undefined,
  );
  return stringify(given) === stringify(fromEnv) ? undefined : (replicas as object[]);
}
