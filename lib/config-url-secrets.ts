import { encodeUtf8 } from './exporters/http/utf8-body.js';

/** @internal What an endpoint URL carries that is a credential: see {@link takeUrlSecrets}. */
export interface UrlSecrets {
  /** `Basic <base64>` of the URL's `user:password`; undefined when it has none. */
  readonly authorization: string | undefined;
  /** Every form of its query values and credentials a server may quote back: what a logged error must never show. */
  readonly secrets: readonly string[];
}

/**
 * @internal Reads an endpoint's credentials out of `url`, which keeps its
 * query but loses its `user:password@`: those travel as the Authorization
 * header, as Node's own `http` (and curl, and Python's `requests`) sends a
 * URL's credentials, and by every transport alike — `fetch` refuses a URL
 * that carries them, with an error quoting the URL, password included. The
 * query goes on every request as written: an API gateway's key
 * (`?code=…`, `?api_key=…`) is often there. Both are secrets, listed for the
 * exporter's redactor.
 */
export function takeUrlSecrets(url: URL): UrlSecrets {
  const secrets = querySecrets(url.search);
  const authorization = credentialSecrets(url, secrets);
  url.username = url.password = '';
  return { authorization, secrets };
}

/**
 * @internal The credentials of the proxies in the environment (`HTTPS_PROXY`,
 * `HTTP_PROXY`, `ALL_PROXY`, either case), in every form a proxy's error page
 * may quote back (it may echo the `Proxy-Authorization` header it refused):
 * Node (with `NODE_USE_ENV_PROXY`) and Deno send them to the proxy, so they
 * are the exporters' secrets too, for their redactors.
 */
export function proxySecrets(env: Readonly<Record<string, string | undefined>>): string[] {
  const secrets: string[] = [];
  for (const name of PROXY_VARIABLES) {
    const value = env[name];
    if (value === undefined || !value.includes('@')) continue;
    let url: URL;
    try {
      url = new URL(value.trim());
    } catch {
      continue; // no URL, so no proxy: nothing is sent to one
    }
    credentialSecrets(url, secrets);
  }
  return secrets;
}

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];

/** Pushes every form of `url`'s `user:password` onto `secrets`; its `Basic …` header value, or undefined when it has none. */
function credentialSecrets(url: URL, secrets: string[]): string | undefined {
  let credentials = url.username + ':' + url.password;
  if (credentials === ':') return undefined;
  // As typed (percent-encoded: what a URL quoted back shows) and decoded, each part alone too (a key given as the user name).
  secrets.push(credentials, url.username, url.password, decodedOrAsIs(url.username), decodedOrAsIs(url.password));
  credentials = decodedOrAsIs(credentials);
  const authorization = 'Basic ' + btoa(String.fromCharCode(...encodeUtf8(credentials)));
  secrets.push(credentials, credentials.slice(credentials.indexOf(':') + 1), authorization);
  return authorization;
}

/**
 * The URL's query values, each as it is in the URL (percent-encoded: what a server quoting the request line shows) and
 * as the server decodes it (`+` a space); an entry without `=` (`?<token>`) whole. A form of a value not listed here
 * (quoted encoded otherwise, or decoded) is still found: the redaction reads every encoding of each.
 */
function querySecrets(search: string): string[] {
  const found: string[] = [];
  if (search === '') return found;
  for (const entry of search.slice(1).split('&')) {
    const raw = entry.slice(entry.indexOf('=') + 1);
    found.push(raw, new URLSearchParams('v=' + raw).get('v')!);
  }
  return found;
}

/** `text` percent-decoded; as it is when that is not valid percent-encoding (sent as typed). */
function decodedOrAsIs(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
