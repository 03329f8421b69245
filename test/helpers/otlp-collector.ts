import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { EXPORT_TRACE_REQUEST, canonical, decodeProtobuf, verifyOtlpJson, type Json } from './otlp-proto';

type JsonObject = { [key: string]: Json };

/** One request as the collector saw it, its body decoded with the official OTLP definitions. */
export interface ReceivedExport {
  path: string;
  headers: IncomingMessage['headers'];
  /** The bytes as they arrived (before gunzip). */
  raw: Buffer;
  /** The ExportTraceServiceRequest in OTLP/JSON form, whichever encoding carried it. */
  request: JsonObject;
  /** Ways a JSON body breaks the OTLP/JSON encoding (empty for protobuf: decoding already checked it). */
  problems: string[];
  answered: number;
  /** When the answer was sent (`Date.now()`); undefined while it is held (see answerAfter). */
  answeredAt?: number;
}

/** A span as received, with the `service.name` of its resource, the resource's attributes and its own as plain objects. */
export interface ReceivedSpan {
  service: string;
  resource: Record<string, Json>;
  span: JsonObject;
  attributes: Record<string, Json>;
}

/**
 * An OTLP/HTTP trace receiver on 127.0.0.1: accepts `application/json` and
 * `application/x-protobuf` bodies (gzip or not), decodes each with the
 * official definitions, and answers 200 — or the statuses scripted, in order.
 */
export class OtlpCollector {
  readonly exports: ReceivedExport[] = [];
  private readonly statuses: number[] = [];
  /** How long each answer waits, for a collector too slow for a request timeout. */
  private delayMillis = 0;
  private server!: Server;

  static async start(): Promise<OtlpCollector> {
    const collector = new OtlpCollector();
    collector.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const status = collector.statuses.shift() ?? 200;
        const received: ReceivedExport = { ...collector.decode(req, Buffer.concat(chunks)), answered: status };
        collector.exports.push(received);
        const json = req.headers['content-type'] === 'application/json';
        const answer = () => {
          received.answeredAt = Date.now();
          res.writeHead(status, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : '');
        };
        if (collector.delayMillis === 0) answer();
        else setTimeout(answer, collector.delayMillis).unref();
      });
    });
    collector.server.keepAliveTimeout = 100;
    await new Promise<void>((resolve) => collector.server.listen(0, '127.0.0.1', resolve));
    return collector;
  }

  /** Base URL, as `OTEL_EXPORTER_OTLP_ENDPOINT` takes it. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Answers the next requests with these statuses, then 200. */
  script(...statuses: number[]): this {
    this.statuses.push(...statuses);
    return this;
  }

  /** Answers 200 from now on: what is left of the script is dropped. */
  unscript(): this {
    this.statuses.length = 0;
    return this;
  }

  /** Answers every request from now on only after `millis` (0: at once again). */
  answerAfter(millis: number): this {
    this.delayMillis = millis;
    return this;
  }

  /** Every span of every request answered 2xx, in arrival order. */
  get spans(): ReceivedSpan[] {
    return this.exports.filter((received) => received.answered < 300).flatMap((received) => spansOf(received.request));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private decode(req: IncomingMessage, raw: Buffer): Omit<ReceivedExport, 'answered'> {
    const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
    const base = { path: req.url ?? '', headers: req.headers, raw };
    if (req.headers['content-type'] === 'application/x-protobuf') {
      return { ...base, request: decodeProtobuf(EXPORT_TRACE_REQUEST, body), problems: [] };
    }
    const request = JSON.parse(body.toString('utf8')) as JsonObject;
    return { ...base, request, problems: verifyOtlpJson(EXPORT_TRACE_REQUEST, request) };
  }
}

/** The spans of a decoded request, in order. */
export function spansOf(request: JsonObject): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const resourceSpans of (request.resourceSpans ?? []) as JsonObject[]) {
    const resource = attributesOf(((resourceSpans.resource ?? {}) as JsonObject).attributes);
    for (const scopeSpans of (resourceSpans.scopeSpans ?? []) as JsonObject[]) {
      for (const span of (scopeSpans.spans ?? []) as JsonObject[]) {
        out.push({ service: resource['service.name'] as string, resource, span, attributes: attributesOf(span.attributes) });
      }
    }
  }
  return out;
}

/** KeyValue list → `{ key: plain value }`: strings, booleans, doubles as is, ints as numbers, arrays as arrays. */
export function attributesOf(keyValues: Json | undefined): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const { key, value } of (keyValues ?? []) as { key: string; value: JsonObject }[]) out[key] = plain(value);
  return out;
}

function plain(value: JsonObject): Json {
  if ('intValue' in value) return Number(value.intValue);
  if ('arrayValue' in value) return (((value.arrayValue as JsonObject).values ?? []) as JsonObject[]).map(plain);
  const [only] = Object.values(value);
  return only ?? null;
}

/** The request with proto3 defaults removed, for comparing a JSON body with a protobuf one. */
export function canonicalRequest(request: JsonObject): JsonObject {
  return canonical(EXPORT_TRACE_REQUEST, request);
}
