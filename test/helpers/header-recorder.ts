import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server on 127.0.0.1 that answers every request at once and keeps its headers, in arrival order. */
export interface HeaderRecorder {
  readonly url: string;
  /** The headers of every request since the last `clear()`. */
  readonly received: IncomingHttpHeaders[];
  clear(): void;
  close(): Promise<void>;
}

export async function headerRecorder(answer = '{}'): Promise<HeaderRecorder> {
  const received: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    received.push(request.headers);
    response.end(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    received,
    clear: () => void (received.length = 0),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
