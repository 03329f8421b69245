import { isCredentialKey, REDACTED } from './http-messages.js';
import { cutString } from './text.js';

/**
 * Keys whose values are secrets, recorded as `"[redacted]"` by the walk.
 *
 * Two rules. Everywhere, a key that can only name a secret (`password`,
 * `apiKey`, `secretAccessKey`, …): a sign-up form's password, an axios
 * response's `config.auth.password`, the AWS SDK's resolved credentials.
 * Beneath a class instance or an error — an SDK client, a database
 * connection, an HTTP client's error: their internals, which a reader of
 * the trace does not need in clear — also a key that contains one
 * (`password2`, `passwordSha1`, `x-portkey-api-key`), ends in `token`
 * (`x-amz-security-token`), or names authentication (`auth`,
 * `Helicone-Auth`; not `author`): reproduced with openai 6.49 (`apiKey`),
 * ioredis (a connected client's `condition.auth`), mysql2
 * (`password2`), gateways' default headers on the OpenAI client. Plain data
 * keeps `token` (an LLM stream's `{ token: "Hello" }`), `auth`, `author` and
 * `max_tokens` as given.
 */
const EVERYWHERE = new Set([
  'apikey',
  'password',
  'passwd',
  'secret',
  'clientsecret',
  'accesstoken',
  'refreshtoken',
  'authtoken',
  'sessiontoken',
  'secretaccesskey',
  'privatekey',
  'connectionstring',
]);
/** Beneath an instance: a name containing one of these, ending in `token`, or naming authentication (not `author`). */
const PART = /password|passwd|secret|apikey|privatekey|credential|cookie|connectionstring|token$|auth(?!or(?!iz))/;
const SEPARATORS = /[-_]/g;

/**
 * Whether the value under `key` is a secret — a credential header's (http-messages.ts) or one named here —,
 * `beneathInstance` or not (any case, `_` and `-` ignored: `api_key`,
 * `API-KEY`). This runs on every key the walk meets, so plain data's keys are mostly rejected by their first and
 * last letters, with no copy, and an instance's by one regular expression.
 */
export function isRedactedKey(key: string, beneathInstance: boolean): boolean {
  if (isCredentialKey(key)) return true;
  const n = key.length;
  if (n < 4 || n > 64) return false;
  if (!beneathInstance) {
    // Every name in EVERYWHERE begins with one of a, c, p, r, s and ends with one of d, g, n, t, y, in any case.
    const first = key.charCodeAt(0) | 0x20;
    const last = key.charCodeAt(n - 1) | 0x20;
    if (first !== 0x61 && first !== 0x63 && first !== 0x70 && first !== 0x72 && first !== 0x73) return false;
    if (last !== 0x64 && last !== 0x67 && last !== 0x6e && last !== 0x74 && last !== 0x79) return false;
    return EVERYWHERE.has(normalized(key));
  }
  return PART.test(normalized(key));
}

/**
 * A variable's name that may hold a secret or a person's data, in any case: langsmith's `isSensitiveEnvVarName`, and
 * more than it reads (`_AUTH`, `_PASSPHRASE`, `_JWT`, `_BEARER`, `_SESSION_COOKIE`, `_PRIVATE_PEM`), and the
 * variables that carry an exporter's credentials under other names, ending in headers or endpoints: `OTEL_EXPORTER_OTLP_HEADERS` (`x-honeycomb-team=…`)
 * and `LANGSMITH_RUNS_ENDPOINTS` (every write replica's key), recorded in clear before 2026-12-07 (a report-only probe:
 * a traced `boot(process.env)` sent each replica's key to the other replica). And the secrets' common names that say
 * none of those words: a DSN (`SENTRY_DSN`'s key, a database's password), a webhook's URL (`SLACK_WEBHOOK_URL`,
 * `SLACK_HOOK_URL`, `DISCORD_WEBHOOK_URI`, `ALERTS_WEBHOOK_URLS`: the path is the key), a personal access token (`GITHUB_PAT`,
 * `PAT_GITHUB`, `GITHUB_PAT_RO`), a secret key as a word of its own (`STRIPE_SK`, `OPENAI_SK`, `APP_SK_PROD`), a
 * connection string (Azure's holds `AccountKey=`), a service account (Firebase's holds a private key), a salt and a
 * wallet's mnemonic. Not the settings named alike: a webhook's path, events, retries and switch (`WEBHOOK_PATH`,
 * `ENABLE_WEBHOOKS`), DynamoDB's sort keys (`GSI1_SK`, `DYNAMODB_SK`, `SK_PREFIX`), a Slovak locale (`LOCALE_SK`),
 * `SALT_ROUNDS`. Two reviews: the first pattern hid `WEBHOOK_PATH` and sort keys, the second let `SLACK_WEBHOOK_URL_2`,
 * `GITHUB_PAT_RO` and `OPENAI_SK` through.
 */
export const SENSITIVE_VARIABLE_NAME =
  /key|secret|token|pass|pwd|credential|email|auth|jwt|bearer|cookie|private|cert|signature|dsn|(?<!enable_)webhook(?!s?_(?:path|events?|max_retries|retries|timeout_ms|timeout|enabled)$)|hook_?ur[il]|(?:^|_)pat(?:_|$)|stripe_sk|(?:^|_)(?<!(?:gsi|lsi)\d*_|dynamodb_|locale_)sk(?!_prefix$)(?:_|$)|connection_?string|service_?account|salt(?!_rounds$)(?:_|$)|mnemonic|seed_?phrase|headers$|endpoints$/i;

/**
 * The string to record for `value` under `key`: as given, unless `key` is written as an environment variable's name
 * is (capitals and digits, at least one `_`: `OPENAI_API_KEY`, `DB_PASSWORD`, `OTLP_AUTHORIZATION`) — a Worker's
 * `env` given to a traced `fetch(request, env, ctx)`, `process.env`, a config copied from them. Then a secret's name
 * (see above) has its value redacted (in clear before 2026-12-06: workerd, a report-only probe), and a URL's query
 * values are hidden: an endpoint's `?code=…` (an Azure Function's, an API gateway's key; `LANGSMITH_ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_ENDPOINT`) is a secret (see config-url-secrets.ts). Only strings: a constant's
 * `MAX_TOKENS: 256` is kept.
 */
export function variableText(key: string, value: string): string {
  if (!isVariableName(key)) return value;
  if (SENSITIVE_VARIABLE_NAME.test(key)) return REDACTED;
  return value.indexOf('?') < 0 || value.indexOf('://') < 0 ? value : withoutUrlQuery(value);
}

/** Whether `key` is written as an environment variable's name is (see {@link variableText}). */
function isVariableName(key: string): boolean {
  const first = key.charCodeAt(0);
  if (first < 0x41 || first > 0x5a) return false;
  let underscore = false;
  for (let i = 1; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c === 0x5f) underscore = true;
    else if (c < 0x30 || (c > 0x39 && c < 0x41) || c > 0x5a) return false;
  }
  return underscore;
}

/**
 * `text` with the query of each URL in it hidden, `?[redacted]`: from the `?` to the next `#` or white space (a query
 * holds neither), whatever comes between its `://` and the `?` (`/api;v=2`, `/a,b`) and in the query (`,`, `;`, quotes).
 * One pass: no character is read twice, however long or hostile the text.
 */
function withoutUrlQuery(text: string): string {
  let out = '';
  let copied = 0;
  let inUrl = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x20) inUrl = false;
    else if (c === 0x3a && text.charCodeAt(i + 1) === 0x2f && text.charCodeAt(i + 2) === 0x2f) inUrl = true;
    else if (c === 0x3f && inUrl) {
      let end = i + 1;
      while (end < text.length && text.charCodeAt(end) > 0x20 && text.charCodeAt(end) !== 0x23) end++;
      out += text.slice(copied, i + 1) + REDACTED;
      copied = end;
      i = end - 1;
      inUrl = false;
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

// Captured once: user code may patch it.
const ownDescriptor = Object.getOwnPropertyDescriptor;

/**
 * Redis commands whose arguments can carry a password: `AUTH`, `HELLO … AUTH user password` (ioredis's handshake),
 * `MIGRATE … AUTH`, `ACL SETUSER … >password`, `CONFIG SET requirepass`.
 */
const CREDENTIAL_COMMANDS = new Set(['auth', 'hello', 'migrate', 'acl', 'config']);

/**
 * Whether `holder`, met beneath an instance, is a queued command that carries credentials in its `args`: an ioredis
 * client caught in its handshake holds `{ name: 'hello', args: ['3', 'AUTH', user, password] }` in its command queue
 * (ioredis 6.1). Its own `name` is read as data, never through a getter.
 */
export function isCredentialCommand(holder: object): boolean {
  const name = ownDescriptor(holder, 'name')?.value;
  return typeof name === 'string' && name.length <= 7 && CREDENTIAL_COMMANDS.has(name.toLowerCase());
}

/** `key` lower case without `_` and `-`; itself, not a copy, when it is lower case letters already (most keys). */
function normalized(key: string): string {
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 0x61 || c > 0x7a) return key.toLowerCase().replace(SEPARATORS, '');
  }
  return key;
}

/** The longest authority (`user:password@host:port`) searched for a password: a hostile text's scan stays linear. */
const MAX_AUTHORITY = 1280;

/**
 * `text` with every URL's password (`scheme://user:password@host`) as `[redacted]`, as OpenTelemetry asks of
 * `url.full`, anywhere in it: a connection string given to a traced `connect(url)`, Node's fetch error ("…a URL that
 * includes credentials: http://user:password@host/"), an app's own message. The password runs to the authority's
 * last `@` (the WHATWG parser's rule), so one with an `@` of its own is hidden whole; an empty user
 * (`redis://:password@host`) counts. `text` itself when there is nothing to hide. A scan, not a regular expression:
 * an authority ends at the next `/`, so no character is read by two scans, where a pattern tried from every word of a
 * hostile megabyte took 50 ms. Longer than `maxLength`, it is cut there (`cutString`'s mark), and the scan stops where
 * the cut falls: a 50 MB log text costs what its kept megabyte does (the whole was scanned: 1.5 s).
 */
export function withoutUrlPassword(text: string, maxLength = Infinity): string {
  if (text.indexOf('@') < 0) return text.length > maxLength ? cutString(text, maxLength) : text;
  let out = '';
  let copied = 0;
  // Past the kept part (out, then text from `copied`), a password is cut away with the rest: not looked for.
  for (let sep = text.indexOf('://'); sep >= 0 && out.length + sep - copied < maxLength; ) {
    const start = sep + 3;
    const limit = Math.min(text.length, start + MAX_AUTHORITY);
    let end = start;
    let colon = -1;
    let lastAt = -1;
    for (; end < limit; end++) {
      const c = text.charCodeAt(end);
      if (c === 0x2f || c === 0x3f || c === 0x23 || c <= 0x20) break; // / ? # or white space: the authority ends
      if (c === 0x40) lastAt = end;
      else if (c === 0x3a && colon < 0) colon = end; // before the last `@`, the user's end (a host's port is after it)
    }
    if (colon >= 0 && lastAt > colon + 1 && sep > 0 && isSchemeEnd(text.charCodeAt(sep - 1))) {
      out += text.slice(copied, colon + 1) + '[redacted]';
      copied = lastAt;
    }
    sep = text.indexOf('://', start); // a URL quoted in this one's authority (`a://b://…`) is read too
  }
  if (copied === 0) return text.length > maxLength ? cutString(text, maxLength) : text;
  const length = out.length + text.length - copied;
  if (length <= maxLength) return out + text.slice(copied);
  // Only what is kept is joined (and one unit more, for cutString's look at a surrogate pair): cutting the whole
  // copied all of it first (a 4 MB text: 11–22 ms).
  return cutString(out + text.slice(copied, Math.max(copied, copied + maxLength + 1 - out.length)), maxLength, length);
}

/** Whether `c` can end a URL's scheme (a letter, a digit, `+`, `-`, `.`). */
function isSchemeEnd(c: number): boolean {
  const lower = c | 0x20;
  return (lower >= 0x61 && lower <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e;
}
