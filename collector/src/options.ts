/** How to run a collector. Every field is optional. */
export interface CollectorOptions {
  /** TCP port; 0 picks a free one. Default 4319 (OTLP/HTTP's 4318, plus one). */
  port?: number;
  /** Interface to bind. Default 127.0.0.1: traces hold inputs and outputs, keep them off the network unless asked. */
  host?: string;
  /** SQLite file. Default `./tracewire.sqlite`; ignored with `memory`. */
  db?: string;
  /** Keep everything in memory (lost when the collector stops). */
  memory?: boolean;
  /** When set, ingestion and the JSON API require it (`Authorization: Bearer <token>` or `x-api-key`). */
  token?: string;
  /** Keep at most this many traces, deleting the oldest. Default: keep all. */
  maxTraces?: number;
  /** Largest request body accepted, compressed or not; larger ones get 413. Default 20 MiB. */
  maxBodyBytes?: number;
  /** Bytes of bodies held at once across all requests still arriving; a body past it gets 503 (clients retry). Default 8 × maxBodyBytes. */
  maxBufferedBytes?: number;
  /**
   * Host names (or addresses) to answer besides loopback names and the
   * address the collector is bound to; `'*'` answers any. Requests naming
   * another Host get 403: that is how DNS-rebinding web pages are kept out.
   */
  allowedHosts?: string[];
  /** A request must arrive whole (headers and body) within this. Default 30 000. */
  requestTimeoutMillis?: number;
  /** A request's headers must arrive within this. Default 10 000. */
  headersTimeoutMillis?: number;
  /** An idle keep-alive connection is closed after this. Default 5 000. */
  idleTimeoutMillis?: number;
}

/** Options with defaults applied. */
export interface ResolvedOptions {
  port: number;
  host: string;
  dbPath: string;
  token: string | undefined;
  maxTraces: number | undefined;
  maxBodyBytes: number;
  maxBufferedBytes: number;
  allowedHosts: string[];
  requestTimeoutMillis: number;
  headersTimeoutMillis: number;
  idleTimeoutMillis: number;
}

export const DEFAULT_PORT = 4319;
export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;

/** Applies defaults and rejects impossible values with a message naming the option. */
export function resolveOptions(options: CollectorOptions): ResolvedOptions {
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`port must be an integer from 0 to 65535, got ${options.port}`);
  const maxTraces = options.maxTraces;
  if (maxTraces !== undefined && (!Number.isInteger(maxTraces) || maxTraces < 1)) throw new RangeError(`maxTraces must be a positive integer, got ${maxTraces}`);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1024) throw new RangeError(`maxBodyBytes must be an integer of at least 1024, got ${maxBodyBytes}`);
  const maxBufferedBytes = options.maxBufferedBytes ?? 8 * maxBodyBytes;
  if (!Number.isInteger(maxBufferedBytes) || maxBufferedBytes < maxBodyBytes) throw new RangeError(`maxBufferedBytes must be an integer of at least maxBodyBytes (${maxBodyBytes}), got ${options.maxBufferedBytes}`);
  const millis = (name: 'requestTimeoutMillis' | 'headersTimeoutMillis' | 'idleTimeoutMillis', fallback: number) => {
    const value = options[name] ?? fallback;
    if (!Number.isInteger(value) || value < 100 || value > 3_600_000) throw new RangeError(`${name} must be an integer from 100 to 3600000, got ${options[name]}`);
    return value;
  };
  const requestTimeoutMillis = millis('requestTimeoutMillis', 30_000);
  const headersTimeoutMillis = Math.min(millis('headersTimeoutMillis', 10_000), requestTimeoutMillis);
  const idleTimeoutMillis = millis('idleTimeoutMillis', 5_000);
  if (options.allowedHosts !== undefined && (!Array.isArray(options.allowedHosts) || !options.allowedHosts.every((host) => typeof host === 'string' && host.length > 0))) {
    throw new RangeError('allowedHosts must be an array of host names (or "*")');
  }
  if (options.token !== undefined && options.token.length === 0) throw new RangeError('token must not be empty: leave it out to accept every client');
  // Node binds every interface to an empty host: refused rather than read as the default.
  if (options.host !== undefined && options.host.trim() === '') throw new RangeError('host must not be empty: leave it out for 127.0.0.1');
  return {
    port,
    host: options.host ?? '127.0.0.1',
    dbPath: options.memory === true ? ':memory:' : (options.db ?? './tracewire.sqlite'),
    token: options.token,
    maxTraces,
    maxBodyBytes,
    maxBufferedBytes,
    allowedHosts: options.allowedHosts ?? [],
    requestTimeoutMillis,
    headersTimeoutMillis,
    idleTimeoutMillis,
  };
}
