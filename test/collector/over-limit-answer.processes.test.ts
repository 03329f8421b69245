import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/source-files';

/**
 * A client still sending a body over `--max-body-bytes` reads the collector's 413 and its reason, as README promises
 * ("any over-limit body … gets 413"), with fetch and with node:http. Before, the answer closed the connection: Node
 * destroyed the socket once the answer was written, and a client still sending got EPIPE instead (a report-only
 * probe: 11 of 12 bodies of 21–60 MB against the default 20 MiB), then retried the same body. The collector runs in
 * a process of its own, as it does for users: in the test's own process the client's writes and the server's answer
 * take turns on one thread, and the race never shows. Needs `npm run build:collector`.
 */
let collector: ChildProcess;
let url: string;

beforeAll(async () => {
  const script = `require(${JSON.stringify(join(REPO_ROOT, 'collector/dist/index.js'))}).startCollector({ memory: true, port: 0, maxBodyBytes: 1024 * 1024 }).then((c) => console.log(c.url));`;
  collector = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  url = await new Promise<string>((resolve) => collector.stdout!.once('data', (chunk: Buffer) => resolve(String(chunk).trim())));
});
afterAll(() => collector.kill());

/** POSTs `body` with node:http; the status the collector answered with. */
function post(body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/runs/batch`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test.each([4, 16, 48])('a %i MB body against a 1 MiB limit: fetch and node:http read 413 and its reason', async (megabytes) => {
  const body = Buffer.alloc(megabytes * 1024 * 1024, 0x20);
  const fetched = await fetch(`${url}/runs/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  expect(fetched.status).toBe(413);
  expect(((await fetched.json()) as { detail: string }).detail).toContain('--max-body-bytes');
  expect(await post(body)).toBe(413);
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
});
