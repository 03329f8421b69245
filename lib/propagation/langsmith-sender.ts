import { envValue, langsmithVariables } from '../config-env.js';
import { hiddenByEnv } from '../config.js';
import { runtimeEnv } from '../runtime-env.js';
import { isObject } from '../natives.js';

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

const LANGSMITH_CLOUD = 'https://api.smith.langchain.com';

/** Each langsmith client's verdict, read once: a client's settings do not change after it is made. */
const verdicts = new WeakMap<object, boolean>();

/**
 * @internal `client` — the langsmith `Client` a langsmith run is sent by —
 * when it is a client of your own: one that sends elsewhere than langsmith's
 * default client would (its endpoint, key or workspace differ from the
 * `LANGSMITH_*` environment: a tenant's `new Client({ apiUrl, apiKey })`), or
 * hides more than the environment asks (its `hideInputs`, `hideOutputs`,
 * `hideMetadata`, `anonymizer`). `undefined` for langsmith's default client,
 * LangChain's, any other made from the environment alone, and anything that
 * is not an object; never throws.
 *
 * Why: a tracewire call inside such a run was sent by tracewire's client
 * (the global one), to the operator's endpoint under its key, with the
 * tenant's inputs — where langsmith's own child goes with its parent's
 * client (a report-only probe, 2026-12-06).
 */
export function langsmithClientOfItsOwn(client: unknown): object | undefined {
  if (!isObject(client)) return undefined;
  let own = verdicts.get(client);
  if (own === undefined) verdicts.set(client, (own = differsFromDefault(client as LangSmithClientFields)));
  return own ? client : undefined;
}

function differsFromDefault(client: LangSmithClientFields): boolean {
  try {
    const env = runtimeEnv();
    // As langsmith's Client reads its environment: the first variable set, its URL without a trailing slash.
    const apiUrl = (envValue(env, ...langsmithVariables('ENDPOINT')) ?? LANGSMITH_CLOUD).replace(/\/+$/, '');
    if (client.apiUrl !== apiUrl) return true;
    if ((client.apiKey || undefined) !== envValue(env, ...langsmithVariables('API_KEY'))) return true;
    if ((client.workspaceId || undefined) !== envValue(env, ...langsmithVariables('WORKSPACE_ID'))) return true;
    const hidden = hiddenByEnv(env);
    return hidesMore(client.hideInputs, hidden.inputs) || hidesMore(client.hideOutputs, hidden.outputs) || hidesMore(client.hideMetadata, hidden.metadata) || client.anonymizer != null;
  } catch {
    // A client of another make (a getter that throws): its runs' children stay with tracewire's client.
    return false;
  }
}

/** A client's `hide…` setting asks for more than the environment hides: a function of its own, or `true` where the environment hides nothing. */
function hidesMore(setting: unknown, hiddenByEnvironment: boolean): boolean {
  return setting != null && setting !== false && !(setting === true && hiddenByEnvironment);
}
