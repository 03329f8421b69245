import { withoutTrailingSlashes } from './url-path.js';
import { runtimeEnv } from './runtime-env.js';
import { firstSet, HEADER_TEXT, HTTP_URL, langsmithVariables, parseHttpUrl, urlText, type Env } from './config-env.js';
import { HiddenValue, refuse } from './errors.js';
import { RUNS_ENDPOINTS, runsEndpoints, type RunsEndpoint } from './config-runs-endpoints.js';
import { isString } from './natives.js';
import { proxySecrets, takeUrlSecrets } from './config-url-secrets.js';

/** Where and how the LangSmith exporter sends; every field falls back to the `LANGSMITH_*` environment. */
export interface LangSmithOptions {
  /**
   * Default: the endpoints `LANGSMITH_RUNS_ENDPOINTS` names (langsmith's
   * write replicas: every run goes to each), else `LANGSMITH_ENDPOINT`, else
   * `https://api.smith.langchain.com`. Given, it is the one place runs go.
   * A query (an API gateway's `?code=…`) goes on every request, after the
   * path (`/runs/multipart`, `/info`); `user:password@` travels as an
   * `Authorization: Basic` header — a replica's too, each its own. Neither is
   * ever quoted in a logged error.
   */
  readonly endpoint?: string | URL | undefined;
  /**
   * Default: the key `LANGSMITH_RUNS_ENDPOINTS` gives each endpoint, else
   * `LANGSMITH_API_KEY` (not with several replicas: each has its own). Required unless the endpoint is on this machine;
   * `''` sends none (and reads no variable).
   */
  readonly apiKey?: string | undefined;
  /** Sent as `x-tenant-id`. Default: a replica's `workspace_id`, else `LANGSMITH_WORKSPACE_ID`; `''` sends none. */
  readonly workspaceId?: string | undefined;
  /**
   * Your application's revision (a commit, a release), recorded in every
   * run's metadata as `revision_id` unless the run sets its own, as
   * langsmith's client records it. Default `LANGSMITH_REVISION_ID` (also
   * `LANGCHAIN_REVISION_ID`); `''` records none.
   */
  readonly revisionId?: string | undefined;
}

/** @internal */
export interface LangSmithSettings {
  /** Without trailing slashes or credentials; with its query, which every request carries. */
  readonly endpoint: URL;
  /** `Basic …` of the endpoint's `user:password@`, if it had one. */
  readonly authorization: string | undefined;
  /** What a logged error must never quote: the API key, the endpoint's query values and credentials. */
  readonly secrets: readonly string[];
  readonly apiKey: string | undefined;
  readonly workspaceId: string | undefined;
  readonly revisionId: string | undefined;
}

/** @internal Stands in for a refused key. */
export const SECRET = new HiddenValue('API keys are secrets');
/** @internal Hosts on this machine: an endpoint there may go without a key. */
export const LOCAL_HOSTS = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;
/** @internal langsmith's default endpoint, as its client has it. */
export const LANGSMITH_CLOUD = 'https://api.smith.langchain.com';
const ENDPOINT_SETTING = 'LangSmith endpoint';
/** @internal What a header setting accepts, as its errors say. */
export const PRINTABLE = 'a string of printable characters, no line breaks';

/**
 * @internal LangSmith settings from options over environment. A missing key for a remote endpoint fails now, not as a
 * stream of 401s. `replica`: one of langsmith's write replicas (`LANGSMITH_RUNS_ENDPOINTS`; by default the first), which
 * takes the place of `LANGSMITH_ENDPOINT` and its key, as in its traceable.
 */
export function resolveLangSmithSettings(
  options: LangSmithOptions,
  env: Env = runtimeEnv(),
  replica: RunsEndpoint | undefined = options.endpoint === undefined ? runsEndpoints(env)[0] : undefined,
): LangSmithSettings {
  // Each refusal names where the value came from: the option, else the variable that was set.
  const endpointVariable = replica === undefined ? firstSet(env, langsmithVariables('ENDPOINT')) : { name: RUNS_ENDPOINTS, value: replica.url };
  const raw: unknown = urlText(options.endpoint ?? endpointVariable?.value ?? LANGSMITH_CLOUD);
  const endpointSetting = options.endpoint === undefined && endpointVariable !== undefined ? endpointVariable.name : ENDPOINT_SETTING;
  if (!isString(raw)) refuse(endpointSetting, raw, HTTP_URL);
  const endpoint = parseHttpUrl(raw, endpointSetting, LANGSMITH_CLOUD);
  // Slashes trimmed off the path only, as langsmith trims the URL's end: a query value may end in one.
  endpoint.pathname = withoutTrailingSlashes(endpoint.pathname);
  const { authorization, secrets } = takeUrlSecrets(endpoint);
  // An empty string is "none": the local collector must not receive a LangSmith key found in the environment.
  const keyVariable = options.apiKey !== undefined ? undefined : replica !== undefined ? { name: RUNS_ENDPOINTS, value: replica.apiKey } : firstSet(env, langsmithVariables('API_KEY'));
  const apiKey: unknown = options.apiKey === '' ? undefined : (options.apiKey ?? keyVariable?.value);
  if (apiKey === undefined && !LOCAL_HOSTS.test(endpoint.hostname)) {
    refuse('LANGSMITH_API_KEY', undefined, `an API key for ${endpoint.origin} (set apiKey or LANGSMITH_API_KEY; only a local endpoint may go without)`);
  }
  const workspaceVariable =
    options.workspaceId !== undefined ? undefined : replica?.workspaceId !== undefined ? { name: RUNS_ENDPOINTS, value: replica.workspaceId } : firstSet(env, ['LANGSMITH_WORKSPACE_ID']);
  const workspaceId: unknown = options.workspaceId === '' ? undefined : (options.workspaceId ?? workspaceVariable?.value);
  // Sent as header values: a key read from a file with its line break would fail every request, so it fails here.
  if (apiKey !== undefined && !(isString(apiKey) && HEADER_TEXT.test(apiKey))) refuse(keyVariable?.name ?? 'apiKey', SECRET, `${PRINTABLE} (a key read from a file keeps its newline: trim it)`);
  if (workspaceId !== undefined && !(isString(workspaceId) && HEADER_TEXT.test(workspaceId))) refuse(workspaceVariable?.name ?? 'workspaceId', workspaceId, PRINTABLE);
  const revisionVariable = options.revisionId === undefined ? firstSet(env, langsmithVariables('REVISION_ID')) : undefined;
  const revisionId: unknown = options.revisionId ?? revisionVariable?.value;
  if (revisionId !== undefined && !isString(revisionId)) refuse(revisionVariable?.name ?? 'revisionId', revisionId, 'a string (a commit or a release), or "" for none');
  // The proxies' credentials too: a proxy's error page may quote the Proxy-Authorization it refused.
  const redacted = [...secrets, ...proxySecrets(env)];
  return { endpoint, authorization, secrets: apiKey === undefined ? redacted : [apiKey, ...redacted], apiKey, workspaceId, revisionId: revisionId === '' ? undefined : revisionId };
}
