import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { HttpError } from './http-error.js';

/**
 * Which `Host` names the collector answers. A web page can make a browser
 * send requests to loopback under its own DNS name (DNS rebinding); such a
 * request carries that foreign name as `Host`, so answering only known names
 * keeps pages from reading traces. IP literals of this machine and loopback
 * names are known; more come from `--allow-host`.
 */
export class HostAllowList {
  private readonly names: ReadonlySet<string>;
  private readonly any: boolean;

  constructor(boundHost: string, extra: readonly string[], interfaceAddresses: readonly string[]) {
    this.any = extra.includes('*');
    this.names = new Set(['localhost', '127.0.0.1', '::1', normalizeHost(boundHost), ...extra.map(normalizeHost), ...interfaceAddresses.map(normalizeHost)]);
  }

  /** Throws 403 unless the request's Host is allowed. A request without Host (HTTP/1.0 tools) is not from a browser. */
  check(req: IncomingMessage): void {
    const header = req.headers.host;
    if (header === undefined || this.any) return;
    const host = hostName(header);
    if (this.names.has(host) || host.endsWith('.localhost') || (isIP(host) === 4 && host.startsWith('127.'))) return;
    throw new HttpError(403, `Host ${JSON.stringify(header.slice(0, 200))} is not one this collector answers (it protects traces from DNS-rebinding web pages): use localhost or the address it listens on, or start it with --allow-host ${JSON.stringify(host.slice(0, 200))}`);
  }
}

/**
 * Refuses requests a browser sends on behalf of another site: its fetches
 * and form posts carry `Sec-Fetch-Site` (cross-site, same-site) or an
 * `Origin` that is not this collector. LangSmith and OTLP clients send
 * neither; the viewer's own requests are same-origin.
 */
export function refuseCrossOrigin(req: IncomingMessage): void {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new HttpError(403, `Cross-origin browser request refused (Sec-Fetch-Site: ${site.slice(0, 40)}): only the collector's own viewer may call it from a browser`);
  }
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = '';
  }
  if (originHost === '' || originHost.toLowerCase() !== (req.headers.host ?? '').toLowerCase()) {
    throw new HttpError(403, `Cross-origin browser request refused (Origin: ${origin.slice(0, 200)}): only the collector's own viewer may call it from a browser`);
  }
}

/** Bodies a browser can send cross-origin without asking first (text/plain, forms) are not JSON: 415. */
export function requireJson(req: IncomingMessage): void {
  const type = mediaType(req);
  if (type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type)) return;
  throw new HttpError(415, `Content-Type ${JSON.stringify(type.slice(0, 100))} is not accepted here: send application/json`);
}

/** The request's media type, lower-case, without parameters; JSON when absent (as OTLP/HTTP senders that omit it mean). */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
}

function hostName(header: string): string {
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) return normalizeHost(value.slice(1, value.indexOf(']') === -1 ? undefined : value.indexOf(']')));
  const colon = value.indexOf(':');
  return normalizeHost(colon === -1 ? value : value.slice(0, colon));
}

function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
}
