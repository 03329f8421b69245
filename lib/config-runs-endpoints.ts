import { firstSet, langsmithVariables, type Env } from './config-env.js';
import { HiddenValue, refuse } from './errors.js';
import { isArray, isRecord, isString, keys } from './natives.js';

/** @internal langsmith's write replicas: where its `traceable` sends runs instead of `LANGSMITH_ENDPOINT`. */
export const RUNS_ENDPOINTS = 'LANGSMITH_RUNS_ENDPOINTS';
/** Its value holds API keys: never shown. */
const HIDDEN = new HiddenValue('it holds API keys');
const ACCEPTED = 'JSON: an object of one endpoint URL to its API key, or an array of one { "api_url", "api_key", "workspace_id"? }';

/** @internal The one LangSmith destination `LANGSMITH_RUNS_ENDPOINTS` names. */
export interface RunsEndpoint {
  readonly url: string;
  readonly apiKey: string;
  readonly workspaceId: string | undefined;
}

/**
 * @internal The destination `LANGSMITH_RUNS_ENDPOINTS` sets, read as
 * langsmith reads it (`_getWriteReplicasFromEnv`): a JSON object of
 * endpoint URL → API key, or an array of `{ api_url, api_key, project_name,
 * workspace_id, primary }`. langsmith then sends every run to those
 * endpoints only, not to `LANGSMITH_ENDPOINT`. tracewire sends to one
 * destination: one endpoint is honoured; several, or a replica's own project
 * (langsmith re-keys the runs it copies there), are refused — tracing stays
 * off, rather than sending the runs somewhere the environment did not say
 * (before, the variable was ignored and runs went to `LANGSMITH_ENDPOINT`,
 * or LangSmith's cloud). Undefined when unset, or when it names none.
 */
export const runsEndpoint = (env: Env): RunsEndpoint | undefined => {
  const text = firstSet(env, [RUNS_ENDPOINTS])?.value;
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    refuse(RUNS_ENDPOINTS, HIDDEN, ACCEPTED);
  }
  const replicas = isArray(parsed) ? parsed.map(replicaOf) : isRecord(parsed) ? endpointsOf(parsed, env) : refuse(RUNS_ENDPOINTS, HIDDEN, ACCEPTED);
  if (replicas.length > 1) {
    refuse(RUNS_ENDPOINTS, new HiddenValue(`${replicas.length} endpoints`), 'one endpoint: tracewire sends each run to one LangSmith (set LANGSMITH_ENDPOINT and LANGSMITH_API_KEY to the one to use)');
  }
  return replicas[0];
};

/** The object form: endpoint URL → API key. langsmith refuses it beside `LANGSMITH_ENDPOINT` (ConflictingEndpointsError). */
const endpointsOf = (map: Record<string, unknown>, env: Env): RunsEndpoint[] => {
  const urls = keys(map);
  if (urls.length > 0 && firstSet(env, langsmithVariables('ENDPOINT')) !== undefined) {
    refuse(RUNS_ENDPOINTS, HIDDEN, 'unset while LANGSMITH_ENDPOINT is set (langsmith refuses the two together)');
  }
  return urls.map((url) => {
    const apiKey = map[url];
    if (!isString(apiKey)) refuse(`${RUNS_ENDPOINTS} (the key for ${url})`, HIDDEN, 'an API key string');
    return { url, apiKey, workspaceId: undefined };
  });
};

/** One item of the array form; a wrong one is refused (langsmith skips it with a warning, and may then send nowhere it was told). */
const replicaOf = (item: unknown, index: number): RunsEndpoint => {
  const at = `${RUNS_ENDPOINTS}[${index}]`;
  if (!isRecord(item)) refuse(at, HIDDEN, 'an object with api_url and api_key');
  if (!isString(item.api_url)) refuse(`${at}.api_url`, item.api_url, 'an http(s) URL string');
  if (!isString(item.api_key)) refuse(`${at}.api_key`, HIDDEN, 'an API key string');
  if (item.project_name !== undefined && item.project_name !== null) {
    refuse(`${at}.project_name`, item.project_name, "absent: a replica's own project is not supported (set LANGSMITH_PROJECT)");
  }
  const workspace = item.workspace_id;
  if (workspace !== undefined && workspace !== null && !isString(workspace)) refuse(`${at}.workspace_id`, workspace, 'a string');
  if (item.primary !== undefined && typeof item.primary !== 'boolean') refuse(`${at}.primary`, item.primary, 'true or false');
  return { url: item.api_url, apiKey: item.api_key, workspaceId: isString(workspace) && workspace.trim() !== '' ? workspace.trim() : undefined };
};
