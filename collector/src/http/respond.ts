import type { ServerResponse } from 'node:http';

/** Answers with a JSON body (an object, or JSON text already serialised). */
export function sendJson(res: ServerResponse, status: number, body: unknown, raw = false): void {
  const text = raw ? (body as string) : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
