import { firstSet, langsmithVariables, type Env } from './config-env.js';
import { HiddenValue, refuse } from './errors.js';
import { isArray, isRecord, isString, keys } from './natives.js';

/** @internal langsmith's write replicas: where its `traceable` sends runs instead of `LANGSMITH_ENDPOINT`. */
export const RUNS_ENDPOINTS = 'LANGSMITH_RUNS_ENDPOINTS';
/** Its value holds API keys: never shown. */
const HIDDEN = new HiddenValue('it holds API keys');
const ACCEPTED = 'JSON naming one endpoint: {"<url>": "<api key>"} (not beside LANGSMITH_ENDPOINT), or [{ "api_url", "api_key", "workspace_id"? }] without a project_name';

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
 * destination: one endpoint is honoured; several, a replica's own project
 * (langsmith re-keys the runs it copies there), the object form beside
 * `LANGSMITH_ENDPOINT` (langsmith refuses that) or a malformed value are
 * refused — tracing stays off, rather than sending the runs somewhere the
 * environment did not say (before, the variable was ignored and runs went
 * to `LANGSMITH_ENDPOINT`, or LangSmith's cloud). Undefined when unset, or
 * when it names none.
 */
export const runsEndpoint = (env: Env): RunsEndpoint | undefined => {
  const text = firstSet(env, [RUNS_ENDPOINTS])?.value;
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Refused below, as any other value that is neither form.
  }
  const replicas: unknown[] | undefined = isArray(parsed) ? parsed : isRecord(parsed) ? keys(parsed).map((url) => ({ api_url: url, api_key: parsed[url] })) : undefined;
  if (replicas === undefined || (!isArray(parsed) && replicas.length > 0 && firstSet(env, langsmithVariables('ENDPOINT')) !== undefined)) refuse(RUNS_ENDPOINTS, HIDDEN, ACCEPTED);
  if (replicas.length > 1) refuse(RUNS_ENDPOINTS, new HiddenValue(`${replicas.length} endpoints`), ACCEPTED);
  const replica = replicas[0];
  if (replica === undefined) return undefined;
  const workspace = isRecord(replica) ? replica.workspace_id : undefined;
  if (!isRecord(replica) || !isString(replica.api_url) || !isString(replica.api_key) || (replica.project_name ?? null) !== null || !(workspace == null || isString(workspace))) {
    refuse(RUNS_ENDPOINTS, HIDDEN, ACCEPTED);
  }
  return { url: replica.api_url, apiKey: replica.api_key, workspaceId: isString(workspace) && workspace.trim() !== '' ? workspace.trim() : undefined };
};
