import { firstSet, HEADER_TEXT, isHttpUrl, langsmithVariables, type Env } from './config-env.js';
import { HiddenValue, refuse } from './errors.js';
import { isArray, isRecord, isString, keys } from './natives.js';

/** @internal langsmith's write replicas: where its `traceable` sends runs instead of `LANGSMITH_ENDPOINT`. */
export const RUNS_ENDPOINTS = 'LANGSMITH_RUNS_ENDPOINTS';
/** Its value holds API keys: never shown. */
const HIDDEN = new HiddenValue('it holds API keys');
const ACCEPTED =
  'JSON: {"<url>": "<api key>", …} (not beside LANGSMITH_ENDPOINT), or [{ "api_url", "api_key", "workspace_id"?, "project_name"?, "primary"? }, …] with at most one primary';

/** @internal One LangSmith destination `LANGSMITH_RUNS_ENDPOINTS` names. */
export interface RunsEndpoint {
  readonly url: string;
  readonly apiKey: string;
  readonly workspaceId: string | undefined;
  /** The project its runs go to; undefined: each run's own. */
  readonly projectName: string | undefined;
  /** langsmith's `primary`: true keeps the runs' ids there, false gives them ids of its own (see `IdPolicy`). */
  readonly primary: boolean | undefined;
}

/**
 * @internal The destinations `LANGSMITH_RUNS_ENDPOINTS` sets, read as
 * langsmith reads it (`_getWriteReplicasFromEnv` in langsmith/lib/run_trees.js):
 * a JSON object of endpoint URL → API key, or an array of `{ api_url,
 * api_key, workspace_id, project_name, primary }`. langsmith then sends
 * every run to each of them, and not to `LANGSMITH_ENDPOINT`. Like
 * langsmith, the object form beside `LANGSMITH_ENDPOINT` is refused
 * (langsmith throws `ConflictingEndpointsError`), so is more than one
 * `primary` (langsmith throws too), and an item's other fields (`updates`,
 * which langsmith reads only from replicas given in code) are not read.
 * Where langsmith warns and skips a malformed value or item, tracewire
 * refuses it, naming what is wrong and never the value: tracing stays off
 * rather than sending the runs to fewer places than the environment said.
 * Empty when unset, or when it names none.
 */
export function runsEndpoints(env: Env): RunsEndpoint[] {
  const text = firstSet(env, [RUNS_ENDPOINTS])?.value;
  if (text === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Refused below, as any other value that is neither form.
  }
  if (isArray(parsed)) return checkedPrimary(parsed.map(replicaOf));
  if (!isRecord(parsed)) refuse(RUNS_ENDPOINTS, HIDDEN, ACCEPTED);
  const urls = keys(parsed);
  if (urls.length > 0 && firstSet(env, langsmithVariables('ENDPOINT')) !== undefined) refuse(RUNS_ENDPOINTS, HIDDEN, ACCEPTED);
  return urls.map((url, n) => replicaOf({ api_url: url, api_key: parsed[url] }, n));
}

/** Item `n` of the array form, or an entry of the object form, checked: a refusal says which field is wrong, not its value. */
function replicaOf(item: unknown, n: number): RunsEndpoint {
  const wrong = (what: string): never => refuse(RUNS_ENDPOINTS, new HiddenValue(`it holds API keys; replica ${n + 1}: ${what}`), ACCEPTED);
  if (!isRecord(item)) return wrong('not an object');
  const { api_url: url, api_key: apiKey, workspace_id: workspace, project_name: project, primary } = item;
  if (!isString(url)) return wrong('api_url is not text');
  if (!isString(apiKey)) return wrong('api_key is not text');
  // Checked here, not where the URL is read: that refusal quotes what it could not read, and a key given as the
  // api_url (the two swapped) would be shown whole.
  if (!isHttpUrl(url)) wrong('api_url is not an http(s) URL (api_url and api_key swapped?)');
  if (apiKey === '') wrong('api_key is empty');
  if (!HEADER_TEXT.test(apiKey)) wrong('api_key has a space or a control character (a key read from a file keeps its newline: trim it)');
  if (!(workspace == null || isString(workspace))) wrong('workspace_id is not text');
  // A blank project is no project anyone could find the runs in.
  if (!(project == null || (isString(project) && project.trim() !== ''))) wrong('project_name is not a non-blank text');
  if (!(primary == null || typeof primary === 'boolean')) wrong('primary is not true or false');
  return {
    url: url as string,
    apiKey: apiKey as string,
    workspaceId: isString(workspace) && workspace.trim() !== '' ? workspace.trim() : undefined,
    projectName: (project ?? undefined) as string | undefined,
    primary: (primary ?? undefined) as boolean | undefined,
  };
}

/** langsmith keeps the runs' own ids in one replica at most. */
function checkedPrimary(replicas: RunsEndpoint[]): RunsEndpoint[] {
  const primaries = replicas.filter((replica) => replica.primary === true).length;
  if (primaries > 1) refuse(RUNS_ENDPOINTS, new HiddenValue(`it holds API keys; ${primaries} replicas are marked primary`), ACCEPTED);
  return replicas;
}
