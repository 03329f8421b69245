import { outsideOtelTracing } from '../../otel/outside-otel-tracing.js';
import { inLoadContext } from '../../context/load-context.js';
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import { promisify } from '../../peers/node-util.js';
import type * as Zlib from 'node:zlib';
import { lazyBuiltin, nodeHttp as http, nodeHttps as https } from '../../peers/node-builtin.js';
import { EXPORT_OK, type ExportResult } from '../span-exporter.js';
import { releaseBody } from './body-pool.js';
import { classifyResponse, exportFailure, MAX_ERROR_BODY_CHARS } from './classify-response.js';
import { isAbortNotice, type HttpPost, type Transport } from './transport.js';
import { deliveredAnswer, MAX_ANSWER_BYTES } from './partial-success.js';

/**
 * Bytes of an error body kept to quote MAX_ERROR_BODY_CHARS characters
 * (UTF-16 units) of it: a unit is at most 3 UTF-8 bytes, and 3 more cover a
 * sequence cut at the end, so its U+FFFD falls past the quoted characters.
 */
const MAX_ERROR_BODY_BYTES = 3 * MAX_ERROR_BODY_CHARS + 3;

// Loaded on first send, not at import: they are most of a cold start's load time otherwise (see node-builtin.ts).
const zlib = lazyBuiltin<typeof Zlib>('node:zlib');
let gzipAsync: ((body: Uint8Array) => Promise<Buffer>) | undefined;

/** The parts of a URL `http.request` reads, as Node's `urlToHttpOptions` makes them. */
interface RequestTarget {
  readonly protocol: string;
  readonly hostname: string;
  readonly port: number | undefined;
  readonly path: string;
}

/**
 * A URL as request options, made once per URL: given the URL itself,
 * `http.request` converts it on every request (`urlToHttpOptions` reads a
 * dozen getters; bench/pipeline.js --cpu-prof: 4-6 % of a fresh process's flush).
 */
function targetOf(url: URL): RequestTarget {
  const hostname = url.hostname;
  return {
    protocol: url.protocol,
    hostname: hostname.startsWith('[') ? hostname.slice(1, -1) : hostname,
    port: url.port === '' ? undefined : Number(url.port),
    // No credentials: an exporter's URL carries none (the OTLP exporter sends a URL's as its Authorization header).
    path: url.pathname + url.search,
  };
}

/** What Node's own `signal` option destroys an aborted request with: an `AbortError` whose cause is the signal's reason. */
function abortError(reason: unknown): Error {
  const error = new Error('The operation was aborted', { cause: reason });
  error.name = 'AbortError';
  (error as Error & { code?: string }).code = 'ABORT_ERR';
  return error;
}

/**
 * @internal Node's transport: keep-alive agents, answers classified as an
 * `ExportResult`, never rejects.
 *
 * The agents are true private fields, which `util.inspect` never shows: a
 * socket an agent keeps after a failed request still points at that request
 * and its `x-api-key` header, and `inspect(client, { depth: Infinity })`
 * would otherwise print it.
 */
export class HttpTransport implements Transport {
  /** Each URL's request target, read from it once: an exporter posts to one or two URL objects it keeps. */
  readonly #targets = new WeakMap<URL, RequestTarget>();

  post(request: HttpPost): Promise<ExportResult> {
    return new Promise<ExportResult>((resolve) => this.send(request, resolve));
  }

  send(request: HttpPost, resolve: (result: ExportResult) => void): void {
    // Made, written and answered in no request's async context (see `inLoadContext`): an APM agent sees the request
    // start as it is written, after it was made.
    inLoadContext(() => this.#sendNow(request, resolve));
  }

  #sendNow(request: HttpPost, resolve: (result: ExportResult) => void): void {
    const url = request.url;
    let target = this.#targets.get(url);
    if (target === undefined) this.#targets.set(url, (target = targetOf(url)));
    const secure = target.protocol === 'https:';
    const open = secure ? https().request : http().request;
    let outgoing: Http.ClientRequest;
    const options = request.options;
    // The request is aborted through a listener of our own, not Node's `signal` option: that one also follows the
    // request's end with end-of-stream listeners on every request (bench/pipeline.js --cpu-prof: ≈ 3 % of a flush).
    // From the pipeline, the listener is a callback of its abort handle: no signal made, no listener on one.
    let stopListening: (() => void) | undefined;
    const abortWith = (reason: unknown): void => void outgoing.destroy(abortError(reason));
    // Called once: a request may report more than one ending (an error after its answer), and only the first counts.
    let answered = false;
    const done = (result: ExportResult): void => {
      if (answered) return;
      answered = true;
      stopListening?.();
      resolve(result);
    };
    // The request or its answer broke off: a later try may get through.
    const broken = (error: Error): void => done({ ok: false, retryable: true, error });
    try {
      // Not recorded by OpenTelemetry's HTTP instrumentation, where the application runs it: delivery is not its work.
      outgoing = outsideOtelTracing(() =>
        open({
          ...target,
          method: 'POST',
          agent: this.agentFor(secure),
          headers: { ...request.headers, 'Content-Length': String(request.body.byteLength) },
        }),
      );
    } catch (error) {
      // Never on the caller's stack, as the request's own answers.
      const result = exportFailure(false, error);
      queueMicrotask(() => resolve(result));
      return;
    }
    // A request in flight does not hold the process open by itself: whoever waits for it (a flush, a blocking call,
    // the natural-exit hook) holds it open until their deadline, and no longer. Ref'd, a request to an endpoint that
    // never answers kept a finished program alive for exportTimeoutMillis after a flush had given up (per retry).
    outgoing.once('socket', unrefSocket);
    stopListening = isAbortNotice(options) ? options.onAbort(abortWith) : undefined;
    if (stopListening === undefined) {
      const signal = options.signal;
      const abort = (): void => abortWith(signal.reason);
      if (signal.aborted) abort();
      else {
        signal.addEventListener('abort', abort, { once: true });
        stopListening = () => signal.removeEventListener('abort', abort);
      }
    }
    outgoing.on('response', (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        response.on('error', broken);
        const read = request.readAnswer;
        // An answer declared empty or of 2 bytes (LangSmith's `{}`) names no refusal: drained, not kept.
        const length = response.headers['content-length'];
        if (read === undefined || length === '0' || length === '2') {
          // Success needs no body: read it to the end (so the socket is reused), keep none of it.
          response.on('end', () => done(EXPORT_OK));
          response.resume();
          return;
        }
        // Read to the end, as above; its start kept for what it says was refused.
        const answer: Buffer[] = [];
        let answerBytes = 0;
        response.on('data', (chunk: Buffer) => {
          if (answerBytes <= MAX_ANSWER_BYTES) answer.push(chunk);
          answerBytes += chunk.length;
        });
        response.on('end', () => done(deliveredAnswer(read, Buffer.concat(answer).subarray(0, MAX_ANSWER_BYTES), answerBytes > MAX_ANSWER_BYTES)));
        return;
      }
      const chunks: Buffer[] = [];
      let kept = 0;
      response.on('data', (chunk: Buffer) => {
        if (kept < MAX_ERROR_BODY_BYTES) {
          chunks.push(chunk);
          kept += chunk.length;
        }
      });
      response.on('error', broken);
      response.on('end', () => done(classifyResponse(status, response.headers['retry-after'], Buffer.concat(chunks).toString('utf8', 0, MAX_ERROR_BODY_BYTES))));
    });
    outgoing.on('error', broken);
    // Closed: its socket was released once all of the body was written, or destroyed; nothing reads the body any more.
    if (request.bodyReusable === true) outgoing.on('close', () => releaseBody(request.body));
    outgoing.end(request.body);
  }

  /**
   * @internal The keep-alive agent of a protocol, made on first use. Also
   * what the LangSmith exporter asks `/info` through: the first export then
   * goes on the connection that answered it, not a new one (over TLS, two
   * handshake round trips fewer in a fresh process's first flush).
   */
  agentFor(secure: boolean): Http.Agent {
    if (secure) return (sharedAgents.https ??= idleClosing(new (https().Agent)(agentOptions(https().globalAgent))));
    return (sharedAgents.http ??= idleClosing(new (http().Agent)(agentOptions(http().globalAgent))));
  }

  prepare(url: URL): void {
    this.agentFor(url.protocol === 'https:');
  }

  gzip(body: Uint8Array): Promise<Uint8Array> {
    gzipAsync ??= promisify(zlib().gzip);
    return gzipAsync(body);
  }

  /**
   * Nothing to close: the keep-alive sockets are the process's (see {@link sharedAgents}), closed once idle 4 s and
   * never holding the process open. Destroying them when the last client using them shut down opened a connection per
   * request again for clients made and shut down per request (the review of the shared agents).
   */
  close(): void {}
}

/**
 * The keep-alive agents of every transport of the process, one per protocol, as `fetch` shares undici's pool: a
 * client made per request (a tenant's) reuses the connections the others keep. With an agent per transport, each
 * such client opened a connection of its own and, closing it when idle, left a socket in TIME-WAIT: 10 014 of them
 * after 10 000 requests, `listen()` failing with EADDRINUSE meanwhile (a report-only probe; langsmith's client per
 * request left 2). Module state, not a client's: nothing an `inspect` of a client reaches, where a socket kept after a
 * failed request still points at that request and its `x-api-key` header. Their sockets close when idle (see
 * {@link idleClosing}) and are unreferenced: they never hold the process open.
 */
const sharedAgents: { http?: Http.Agent | undefined; https?: Https.Agent | undefined } = {};

type TimedSocket = { setTimeout(millis: number): unknown };

/** How long a kept-alive socket may stay idle: 4 s, what undici (`fetch`) keeps one for. */
const IDLE_SOCKET_MILLIS = 4_000;

/**
 * `agent`, its sockets closed once idle {@link IDLE_SOCKET_MILLIS} (Node's
 * agent destroys a free socket that times out). Without it an exporter
 * dropped without `shutdown()` (a client per request) kept its agent and an
 * open connection for as long as the server did — for good behind a proxy
 * that never closes idle ones. The timeout runs only while the socket is
 * free, not as a request uses it: the agent's own `timeout` option would be
 * a timer refreshed on every chunk of every request (bench/calls-per-span.js:
 * 0.8 more calls per span), and a request's deadline is `exportTimeoutMillis`.
 */
function idleClosing<A extends Http.Agent>(agent: A): A {
  const keepSocketAlive = agent.keepSocketAlive;
  const reuseSocket = agent.reuseSocket;
  // Node's agent returns whether it keeps the socket (its types say void); its sockets are `net.Socket`s.
  agent.keepSocketAlive = function (socket) {
    const kept = keepSocketAlive.call(this, socket) as unknown as boolean | undefined;
    if (kept !== false) (socket as unknown as TimedSocket).setTimeout(IDLE_SOCKET_MILLIS);
    return kept as unknown as void;
  };
  agent.reuseSocket = function (socket, request) {
    (socket as unknown as TimedSocket).setTimeout(0);
    reuseSocket.call(this, socket, request);
  };
  return agent;
}

function unrefSocket(socket: { unref?(): unknown }): void {
  socket.unref?.();
}

/**
 * Keep-alive, and the proxy settings Node gave its own global agent: where
 * Node is told to use the environment's proxy (`NODE_USE_ENV_PROXY=1` or
 * `--use-env-proxy`, Node 22.21 / 24.5 and later), it builds that agent with
 * `proxyEnv: process.env`, which an agent of one's own does not inherit —
 * behind an egress proxy every export failed. Elsewhere `proxyEnv` is
 * undefined, and older Nodes ignore the option.
 */
function agentOptions(globalAgent: Http.Agent): Http.AgentOptions {
  const proxyEnv = (globalAgent as { options?: { proxyEnv?: unknown } }).options?.proxyEnv;
  return proxyEnv === undefined || proxyEnv === null ? { keepAlive: true } : ({ keepAlive: true, proxyEnv } as Http.AgentOptions);
}
