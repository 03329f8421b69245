import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './http/http-error.js';
import { readBody } from './http/read-body.js';
import type { BodyBudget } from './http/body-budget.js';
import { mediaType, requireJson } from './http/request-guard.js';
import { sendBytes, sendJson } from './http/respond.js';
import type { IngestResult } from './ingest/ingest-result.js';
import { parseLangSmithBatch, parseLangSmithRun } from './ingest/langsmith-batch.js';
import { parseLangSmithMultipart } from './ingest/langsmith-multipart.js';
import { parseOtlpTraces, parseOtlpTracesProtobuf } from './ingest/otlp-traces.js';
import { langSmithReply, otlpJsonReply, otlpProtobufReply } from './ingest/replies.js';
import type { ResolvedOptions } from './options.js';
import type { RunStore } from './store/run-store.js';

type IngestParser = (body: Buffer, req: IncomingMessage) => IngestResult | Promise<IngestResult>;

const PROTOBUF = 'application/x-protobuf';

/** The parser of an ingestion route, or undefined if `method path` is not one. */
export function ingestParser(method: string, path: string): IngestParser | undefined {
  if (method === 'POST' && path === '/runs/batch') return json(parseLangSmithBatch);
  if (method === 'POST' && path === '/runs/multipart') return (body, req) => parseLangSmithMultipart(body, req.headers['content-type']);
  if (method === 'POST' && path === '/runs') return json((body) => parseLangSmithRun('post', body));
  if (method === 'PATCH' && path.startsWith('/runs/')) return json((body) => parseLangSmithRun('patch', body, path.slice('/runs/'.length)));
  if (method === 'POST' && path === '/v1/traces') return otlpParser;
  return undefined;
}

/** Reads, checks and stores one ingestion request, then answers in the route's protocol. */
export async function ingest(req: IncomingMessage, res: ServerResponse, parse: IngestParser, path: string, store: RunStore, options: ResolvedOptions, bodies: BodyBudget): Promise<void> {
  // The content type is checked before the body is read: a refused body is not worth reading.
  if (path !== '/runs/multipart' && path !== '/v1/traces') requireJson(req);
  if (path === '/v1/traces') otlpMediaType(req);
  const body = await readBody(req, options.maxBodyBytes, options.requestTimeoutMillis, bodies);
  const result = await parse(body, req);
  const refused = store.ingest(result.ops);
  if (refused.length > 0) {
    // Named in the reply like any run refused while parsing; the rest of the request was stored.
    const ids = new Set(refused.map((rejection) => rejection.id));
    result.ops = result.ops.filter((op) => !ids.has(op.run.id));
    result.rejected.push(...refused);
  }
  if (path === '/v1/traces') {
    // OTLP/HTTP answers in the request's encoding; partial_success says what was refused.
    if (mediaType(req) === PROTOBUF) return sendBytes(res, 200, PROTOBUF, otlpProtobufReply(result));
    return sendJson(res, 200, otlpJsonReply(result));
  }
  const reply = langSmithReply(result);
  return sendJson(res, reply.status, reply.body);
}

function json(parse: (body: Buffer) => IngestResult): IngestParser {
  return (body) => parse(body);
}

function otlpMediaType(req: IncomingMessage): string {
  const type = mediaType(req);
  if (type === 'application/json' || type === PROTOBUF) return type;
  throw new HttpError(415, `Content-Type ${JSON.stringify(type.slice(0, 100))} is not supported on /v1/traces: send OTLP/HTTP as application/json (http/json) or application/x-protobuf (http/protobuf)`);
}

const otlpParser: IngestParser = (body, req) => (otlpMediaType(req) === PROTOBUF ? parseOtlpTracesProtobuf(body) : parseOtlpTraces(body));
