import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';

/** What the sink does with one request. */
export type Behaviour =
  | { kind: 'ok'; delayMillis?: number; after?: Promise<unknown> }
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string; delayMillis?: number; after?: Promise<unknown> }
  | { kind: 'drop' } // destroy the socket without answering
  | { kind: 'hang' }; // never answer

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: { post?: { id: string }[]; patch?: { id: string }[] };
  answered: number | 'dropped' | 'hung';
}

/**
 * `/runs/batch` JSON as is; `/runs/multipart` through a real multipart parser
 * (undici's), reduced to the run ids its `post.<id>` / `patch.<id>` parts name.
 */
async function parseBody(body: Buffer, contentType: string | undefined): Promise<Received['body']> {
  if (body.length === 0) return {};
  if (!contentType?.startsWith('multipart/form-data')) return JSON.parse(body.toString('utf8'));
  const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  const parsed: Required<Received['body']> = { post: [], patch: [] };
  for (const name of form.keys()) {
    const match = /^(post|patch)\.([^.]+)$/.exec(name);
    if (match) parsed[match[1] as 'post' | 'patch'].push({ id: match[2]! });
  }
  return parsed;
}

/**
 * A LangSmith-speaking HTTP server on 127.0.0.1 that follows a script, one
 * behaviour per request (then `ok`), and records what it accepted.
 */
export class ScriptedSink {
  readonly requests: Received[] = [];
  private readonly queued: Behaviour[] = [];
  private unscripted: Behaviour = { kind: 'ok' };
  private server!: Server;
  private readonly hung: ServerResponse[] = [];
  /** Requests left unanswered (`hang`) whose connection the client then closed: exports it aborted. */
  hungClosed = 0;

  /** Listens on `port` (0: any free port), e.g. the port of a sink that was stopped, to play a restarted endpoint. */
  static async start(port = 0): Promise<ScriptedSink> {
    const sink = new ScriptedSink();
    sink.server = createServer((req, res) => sink.handle(req, res));
    sink.server.keepAliveTimeout = 100;
    await new Promise<void>((resolve) => sink.server.listen(port, '127.0.0.1', resolve));
    return sink;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  script(...behaviours: Behaviour[]): this {
    this.queued.push(...behaviours);
    return this;
  }

  /** How requests past the script are answered from now on (at first `ok`): a 503 plays a destination that is down, `ok` one that is back. */
  otherwise(behaviour: Behaviour): this {
    this.unscripted = behaviour;
    return this;
  }

  /** Run ids in requests answered 2xx, with repeats. */
  get acceptedIds(): string[] {
    return this.requests
      .filter((request) => typeof request.answered === 'number' && request.answered < 300)
      .flatMap((request) => [...(request.body.post ?? []), ...(request.body.patch ?? [])].map((run) => run.id));
  }

  /** `post:<id>` / `patch:<id>` for every run in requests answered 2xx: a run's start and end may travel apart, but neither twice. */
  get acceptedOps(): string[] {
    return this.requests
      .filter((request) => typeof request.answered === 'number' && request.answered < 300)
      .flatMap((request) => [...(request.body.post ?? []).map((run) => `post:${run.id}`), ...(request.body.patch ?? []).map((run) => `patch:${run.id}`)]);
  }

  async stop(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      // A server that predates /info: the exporter keeps its defaults, and the script is left for ingestion.
      if (req.method === 'GET' && req.url === '/info') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
        return;
      }
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      const record: Received = { path: req.url ?? '', headers: req.headers, body: await parseBody(body, req.headers['content-type']), answered: 'hung' };
      this.requests.push(record);
      const behaviour = this.queued.shift() ?? this.unscripted;
      // `after`: the answer is held until that promise settles, then `delayMillis` more.
      if ('after' in behaviour) await behaviour.after?.then(noop, noop);
      if (behaviour.kind === 'drop') {
        record.answered = 'dropped';
        req.socket.destroy();
      } else if (behaviour.kind === 'hang') {
        this.hung.push(res);
        res.on('close', () => this.hungClosed++);
      } else if (behaviour.kind === 'status') {
        const answer = (): void => {
          record.answered = behaviour.status;
          res.writeHead(behaviour.status, { 'content-type': 'application/json', ...behaviour.headers }).end(behaviour.body ?? '{"detail":"scripted"}');
        };
        if (behaviour.delayMillis === undefined) answer();
        else setTimeout(answer, behaviour.delayMillis);
      } else {
        setTimeout(() => {
          record.answered = 200;
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        }, behaviour.delayMillis ?? 0);
      }
    });
  }
}

function noop(): void {}
