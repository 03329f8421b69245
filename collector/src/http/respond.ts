import type { ServerResponse } from 'node:http';

/** Answers with a JSON body (an object, or JSON text already serialised). */
export function sendJson(res: ServerResponse, status: number, body: unknown, raw = false): void {
  const text = raw ? (body as string) : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/** Answers with a binary body of the given content type (OTLP/HTTP protobuf responses). */
export function sendBytes(res: ServerResponse, status: number, contentType: string, body: Uint8Array): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': body.byteLength, 'cache-control': 'no-store' });
  res.end(body);
}
