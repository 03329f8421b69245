import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** What the sink answers to `GET /info`: a JSON body, a status, or nothing at all. */
export type InfoBehaviour = { body: unknown } | { status: number } | 'hang';

export interface LangSmithSinkOptions {
  /** Default `{ body: {} }`: the server exists and announces nothing. */
  info?: InfoBehaviour;
  /** Status for every `POST /runs/multipart` (e.g. 404: an old server without it). Default: as scripted, else 202. */
  multipartStatus?: number;
  /**
   * How long the server keeps an idle connection. Default 100 ms, which Node's
   * server announces as `Keep-Alive: timeout=0`: Node's agent then reuses no
   * connection. A real server keeps them for seconds.
   */
  keepAliveTimeoutMillis?: number;
  /** Listen on this port (default: any free one): e.g. a stopped sink's, to play an endpoint that came back. */
  port?: number;
  /** Answers every ingest request this much later (a far endpoint); `Infinity`: never (until `stop()`). Default 0: at once. */
  ingestDelayMillis?: number;
}

/** One request as the sink received it. */
export interface SinkRequest {
  method: string;
  /** As the request line had it, query included. */
  path: string;
  /** `path` without its query: what the sink routes by (an endpoint's query goes on every request). */
  pathname: string;
  headers: IncomingHttpHeaders;
  /** Body bytes as they travelled (compressed if compressed). */
  wireBytes: number;
  /** The body, gunzipped if it came gzipped. */
  body: Buffer;
  /** What the sink answered; `hung` while it has not. */
  answered: number | 'hung';
}

/** A run record as one request carried it: `op` and every field it sent. */
export interface WireRecord {
  op: 'post' | 'patch';
  record: Record<string, unknown>;
}

/**
 * A LangSmith stand-in on 127.0.0.1 for both tracewire and langsmith's own
 * client: `GET /info`, `POST /runs/multipart`, `POST /runs/batch`. Records
 * every request; ingest requests can be scripted to fail, one status each.
 */
export class LangSmithSink {
  readonly requests: SinkRequest[] = [];
  /** TCP connections clients opened to the sink. */
  connections = 0;
  private readonly scripted: number[] = [];
  private server!: Server;
  private readonly hung: ServerResponse[] = [];

  private constructor(private options: LangSmithSinkOptions) {}

  static async start(options: LangSmithSinkOptions = {}): Promise<LangSmithSink> {
    const sink = new LangSmithSink(options);
    sink.server = createServer((req, res) => sink.handle(req, res));
    sink.server.on('connection', () => sink.connections++);
    sink.server.keepAliveTimeout = options.keepAliveTimeoutMillis ?? 100;
    await new Promise<void>((resolve) => sink.server.listen(options.port ?? 0, '127.0.0.1', resolve));
    return sink;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Answers the next ingest requests with these statuses, one each (then 2xx). */
  script(...statuses: number[]): this {
    this.scripted.push(...statuses);
    return this;
  }

  /** Drops the statuses still scripted: 2xx from now on. */
  unscript(): this {
    this.scripted.length = 0;
    return this;
  }

  /** Changes what `GET /info` answers from now on (a new langsmith `Client` asks again). */
  setInfo(info: InfoBehaviour): this {
    this.options = { ...this.options, info };
    return this;
  }

  /** `POST /runs/*` requests, in arrival order. */
  get ingestRequests(): SinkRequest[] {
    return this.requests.filter((request) => request.method === 'POST' && request.pathname.startsWith('/runs/'));
  }

  get infoRequests(): SinkRequest[] {
    return this.requests.filter((request) => request.pathname === '/info');
  }

  clear(): void {
    this.requests.length = 0;
  }

  async stop(): Promise<void> {
    if (!this.server.listening) return;
    for (const res of this.hung) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** Runs an ingest answer after `ingestDelayMillis`, at once without one; never for `Infinity`. */
  private later(res: ServerResponse, answer: () => void): void {
    const delay = this.options.ingestDelayMillis ?? 0;
    if (delay === Infinity) this.hung.push(res);
    else if (delay === 0) answer();
    else setTimeout(answer, delay);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      const path = req.url ?? '';
      const request: SinkRequest = { method: req.method ?? '', path, pathname: path.replace(/\?.*/s, ''), headers: req.headers, wireBytes: raw.length, body, answered: 'hung' };
      this.requests.push(request);
      const answer = (status: number, json: unknown): void => {
        request.answered = status;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
      };
      if (request.pathname === '/info') {
        const info = this.options.info ?? { body: {} };
        if (info === 'hang') this.hung.push(res);
        else if ('status' in info) answer(info.status, { detail: 'scripted' });
        else answer(200, info.body);
      } else if (request.method === 'POST' && request.pathname === '/runs/multipart') {
        const status = this.options.multipartStatus ?? this.scripted.shift() ?? 202;
        this.later(res, () => answer(status, status < 300 ? {} : { detail: 'scripted' }));
      } else if (request.method === 'POST' && request.pathname === '/runs/batch') {
        const status = this.scripted.shift() ?? 200;
        this.later(res, () => answer(status, status < 300 ? {} : { detail: 'scripted' }));
      } else {
        answer(404, { detail: 'Not Found' });
      }
    });
  }
}

/** The parts of a multipart request, read by a real parser (undici's, behind `Response.formData()`), in body order. */
export async function multipartParts(request: SinkRequest): Promise<Array<{ name: string; value: string }>> {
  const contentType = String(request.headers['content-type']);
  const form = await new Response(new Uint8Array(request.body), { headers: { 'content-type': contentType } }).formData();
  const parts: Array<{ name: string; value: string }> = [];
  for (const [name, value] of form.entries()) {
    if (typeof value !== 'string') throw new Error(`part ${name} came as a file`);
    parts.push({ name, value });
  }
  return parts;
}

/**
 * The header lines of each part, by part name, in body order. undici's
 * `FormData` keeps no per-part headers, so this reads them off the body
 * (only the header blocks; contents are checked through `multipartParts`).
 */
export function multipartPartHeaders(request: SinkRequest): Array<{ name: string; headers: Record<string, string> }> {
  const boundary = /boundary=([^;]+)/.exec(String(request.headers['content-type']))?.[1];
  if (boundary === undefined) throw new Error('no boundary');
  const text = request.body.toString('latin1');
  const result: Array<{ name: string; headers: Record<string, string> }> = [];
  for (const chunk of text.split(`--${boundary}`).slice(1)) {
    if (chunk.startsWith('--')) break;
    const headerBlock = chunk.slice(2, chunk.indexOf('\r\n\r\n'));
    const headers: Record<string, string> = {};
    for (const line of headerBlock.split('\r\n')) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    result.push({ name: /name="([^"]*)"/.exec(headers['content-disposition'] ?? '')?.[1] ?? '', headers });
  }
  return result;
}

/**
 * Every run record a request carried, by run id: for multipart the part
 * `<op>.<id>` with its `<op>.<id>.<field>` parts put back as fields; for
 * batch the `post` and `patch` lists.
 */
export async function wireRecords(request: SinkRequest): Promise<Map<string, WireRecord>> {
  const records = new Map<string, WireRecord>();
  if (request.pathname === '/runs/batch') {
    const body = JSON.parse(request.body.toString('utf8')) as { post?: Array<Record<string, unknown>>; patch?: Array<Record<string, unknown>> };
    for (const op of ['post', 'patch'] as const) for (const record of body[op] ?? []) records.set(`${op}.${String(record.id)}`, { op, record });
    return records;
  }
  for (const { name, value } of await multipartParts(request)) {
    const [op, id, field] = name.split('.') as ['post' | 'patch', string, string | undefined];
    const key = `${op}.${id}`;
    if (field === undefined) {
      records.set(key, { op, record: { ...JSON.parse(value), ...records.get(key)?.record } });
    } else {
      const entry = records.get(key) ?? { op, record: {} };
      entry.record[field] = JSON.parse(value);
      records.set(key, entry);
    }
  }
  return records;
}

/**
 * All runs the sink accepted (2xx ingest requests), one record per run id:
 * a patch's fields laid over its post's, as LangSmith merges them.
 */
export async function acceptedRuns(sink: LangSmithSink): Promise<Map<string, Record<string, unknown>>> {
  const runs = new Map<string, Record<string, unknown>>();
  for (const request of sink.ingestRequests) {
    if (typeof request.answered !== 'number' || request.answered >= 300) continue;
    for (const { record } of (await wireRecords(request)).values()) {
      const id = String(record.id);
      runs.set(id, { ...runs.get(id), ...record });
    }
  }
  return runs;
}

/** Operations (`post.<id>`, `patch.<id>`) in accepted ingest requests, with repeats: one sent twice appears twice. */
export async function acceptedOps(sink: LangSmithSink): Promise<string[]> {
  const ops: string[] = [];
  for (const request of sink.ingestRequests) {
    if (typeof request.answered !== 'number' || request.answered >= 300) continue;
    ops.push(...(await wireRecords(request)).keys());
  }
  return ops;
}
