import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback server answering every request 200 `{}` once its body is read. */
export interface OkServer {
  readonly server: Server;
  readonly url: string;
  /** Closes its connections, then the server. */
  close(): Promise<void>;
}

/** Starts an {@link OkServer} on 127.0.0.1 on a free port; `answerAfterMillis` holds each answer that long (a backend's latency). */
export async function startOkServer(answerAfterMillis = 0): Promise<OkServer> {
  const answer = (res: import('node:http').ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  const server = createServer((req, res) => req.resume().on('end', () => (answerAfterMillis > 0 ? setTimeout(answer, answerAfterMillis, res) : answer(res))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
