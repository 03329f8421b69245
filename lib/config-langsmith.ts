import { envValue, HTTP_URL, langsmithVariables, parseHttpUrl, type Env } from './config-env.js';
import { HiddenValue, refuse } from './errors.js';
import { isString } from './natives.js';

/** Where and how the LangSmith exporter sends; every field falls back to the `LANGSMITH_*` environment. */
export interface LangSmithOptions {
  /** Default `LANGSMITH_ENDPOINT`, else `https://api.smith.langchain.com`. */
  readonly endpoint?: string;
  /** Default `LANGSMITH_API_KEY`. Required unless the endpoint is on this machine; `''` sends none (and reads no variable). */
  readonly apiKey?: string;
  /** Sent as `x-tenant-id`. Default `LANGSMITH_WORKSPACE_ID`; `''` sends none. */
  readonly workspaceId?: string;
}

/** @internal */
export interface LangSmithSettings {
  readonly endpoint: URL;
  readonly apiKey: string | undefined;
  readonly workspaceId: string | undefined;
}

const HEADER_TEXT = /^[\x21-\x7e]+$/;
const SECRET = new HiddenValue('API keys are secrets');
const LOCAL_HOSTS = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;
const LANGSMITH_CLOUD = 'https://api.smith.langchain.com';
const ENDPOINT_SETTING = 'LangSmith endpoint';
const PRINTABLE = 'a string of printable characters, no line breaks';

/** @internal LangSmith settings from options over environment. A missing key for a remote endpoint fails now, not as a stream of 401s. */
export const resolveLangSmithSettings = (options: LangSmithOptions, env: Env = process.env): LangSmithSettings => {
  const raw: unknown = options.endpoint ?? envValue(env, ...langsmithVariables('ENDPOINT')) ?? LANGSMITH_CLOUD;
  if (!isString(raw)) refuse(ENDPOINT_SETTING, raw, HTTP_URL);
  const endpoint = parseHttpUrl(raw.replace(/\/+$/, ''), ENDPOINT_SETTING, LANGSMITH_CLOUD, raw);
  // An empty string is "none": the local collector must not receive a LangSmith key found in the environment.
  const apiKey = options.apiKey === '' ? undefined : (options.apiKey ?? envValue(env, ...langsmithVariables('API_KEY')));
  if (apiKey === undefined && !LOCAL_HOSTS.test(endpoint.hostname)) {
    refuse('LANGSMITH_API_KEY', undefined, `an API key for ${endpoint.origin} (set apiKey or LANGSMITH_API_KEY; only a local endpoint may go without)`);
  }
  const workspaceId = options.workspaceId === '' ? undefined : (options.workspaceId ?? envValue(env, 'LANGSMITH_WORKSPACE_ID'));
  // Sent as header values: a key read from a file with its line break would fail every request, so it fails here.
  if (apiKey !== undefined && !HEADER_TEXT.test(apiKey)) refuse('apiKey', SECRET, `${PRINTABLE} (a key read from a file keeps its newline: trim it)`);
  if (workspaceId !== undefined && !HEADER_TEXT.test(workspaceId)) refuse('workspaceId', workspaceId, PRINTABLE);
  return { endpoint, apiKey, workspaceId };
};
