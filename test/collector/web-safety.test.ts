import { request } from 'node:http';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { RunStore } from '../../collector/src/store/run-store.js';
import { memoryCollector } from './collector-client.js';
import { batch, postedRun } from './run-builders.js';

/**
 * What a hostile web page (or a slow or bombing client) can make the
 * collector do, over real HTTP on loopback: a foreign Host (DNS rebinding)
 * is refused for reads and writes; browser cross-origin writes (text/plain,
 * forms, foreign Origin, Sec-Fetch-Site) are refused; slow bodies, gzip
 * bombs and oversized bodies are cut off with a status, never a crash.
 */
type Collector = Awaited<ReturnType<typeof memoryCollector>>;
const open: Collector[] = [];
async function collectorWith(options: Parameters<typeof memoryCollector>[0] = {}): Promise<Collector> {
  const collector = await memoryCollector(options);
  open.push(collector);
  return collector;
}
afterAll(async () => {
  for (const collector of open) await collector.close();
});

interface Answer {
  status: number;
  body: string;
}

/** One request through node:http, so Host and any header can be set as a browser (or attacker) would. */
function send(port: number, method: string, path: string, headers: Record<string, string | number>, body?: Buffer | string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = { 'content-type': 'application/json' };

describe('Host allow-list (DNS rebinding)', () => {
  test('a foreign Host is refused on reads, writes and the viewer; loopback names and allowed hosts are answered', async () => {
    const collector = await collectorWith({ allowedHosts: ['traces.lan'] });
    const run = postedRun({ name: 'secret-inputs' });
    expect((await send(collector.port, 'POST', '/runs/batch', { ...json, host: `localhost:${collector.port}` }, batch([run]))).status).toBe(202);
    for (const [method, path, body] of [['GET', `/api/traces/${run.id}`], ['GET', '/api/traces'], ['GET', '/'], ['POST', '/runs/batch', batch([postedRun()])]] as const) {
      const answer = await send(collector.port, method, path, { ...json, host: `evil.example:${collector.port}` }, body);
      expect(answer.status).toBe(403);
      expect(answer.body).toContain('--allow-host');
      expect(answer.body).not.toContain('secret-inputs');
    }
    for (const host of [`localhost:${collector.port}`, `127.0.0.1:${collector.port}`, `app.localhost:${collector.port}`, `traces.lan:${collector.port}`, 'TRACES.LAN.']) {
      expect((await send(collector.port, 'GET', `/api/traces/${run.id}`, { host })).status).toBe(200);
    }
    expect((await collector.traces()).length).toBe(1);
  });
});

describe('the viewer’s pages', () => {
  test('carry a Content-Security-Policy that allows only the collector’s own scripts, and are never sniffed', async () => {
    const collector = await collectorWith();
    for (const path of ['/', '/app.js', '/viewer.css']) {
      const response = await fetch(collector.url + path);
      expect(response.status).toBe(200);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect((await fetch(`${collector.url}/api/traces`)).headers.get('content-type')).toMatch(/^application\/json/);
  });
});

describe('browser cross-origin writes', () => {
  test.each([
    ['text/plain (no preflight)', { 'content-type': 'text/plain' }, 415],
    ['a form (no preflight)', { 'content-type': 'application/x-www-form-urlencoded' }, 415],
    ['a foreign Origin', { ...json, origin: 'http://evil.example' }, 403],
    ['Origin null (sandboxed page)', { ...json, origin: 'null' }, 403],
    ['Sec-Fetch-Site: cross-site', { ...json, 'sec-fetch-site': 'cross-site' }, 403],
    ['Sec-Fetch-Site: same-site', { ...json, 'sec-fetch-site': 'same-site' }, 403],
  ])('%s is refused and stores nothing', async (_what, headers, status) => {
    const collector = await collectorWith();
    const answer = await send(collector.port, 'POST', '/runs/batch', headers, batch([postedRun()]));
    expect(answer.status).toBe(status);
    expect(JSON.parse(answer.body).detail).toMatch(/application\/json|Cross-origin/);
    expect(await collector.traces()).toEqual([]);
  });

  test('a multipart form from a foreign page is refused by its Origin', async () => {
    const collector = await collectorWith();
    const form = new FormData();
    const run = postedRun();
    form.append(`post.${run.id}`, JSON.stringify(run));
    const response = await fetch(`${collector.url}/runs/multipart`, { method: 'POST', body: form, headers: { origin: 'http://evil.example' } });
    expect(response.status).toBe(403);
    expect(await collector.traces()).toEqual([]);
  });

  test('the viewer’s own same-origin requests and plain clients are served', async () => {
    const collector = await collectorWith();
    const host = `127.0.0.1:${collector.port}`;
    expect((await send(collector.port, 'POST', '/runs/batch', { ...json, host, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' }, batch([postedRun()]))).status).toBe(202);
    expect((await send(collector.port, 'GET', '/api/traces', { host, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await send(collector.port, 'GET', '/api/traces', { host, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
  });
});

describe('slow, huge and compressed bodies', () => {
  test('a body trickling in slower than the request timeout is cut off; the collector keeps serving', async () => {
    const collector = await collectorWith({ requestTimeoutMillis: 1000, headersTimeoutMillis: 1000 });
    const started = Date.now();
    const outcome = await new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.1', port: collector.port, method: 'POST', path: '/runs/batch', headers: { ...json, 'content-length': 10_000 }, agent: false }, (res) => resolve(`status ${res.statusCode}`));
      req.on('error', (error) => resolve(`closed: ${(error as NodeJS.ErrnoException).code}`));
      const timer = setInterval(() => req.write(' '), 100);
      req.on('close', () => clearInterval(timer));
      setTimeout(() => clearInterval(timer), 30_000).unref();
    });
    expect(outcome).toBe('status 408');
    // Cut off near its deadline, not after the slow client gave up (generous bound for a loaded machine).
    expect(Date.now() - started).toBeLessThan(15_000);
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
    expect(await collector.traces()).toEqual([]);
  });

  test('headers trickling in slower than the headers timeout are cut off; so is a keep-alive connection left idle', async () => {
    const collector = await collectorWith({ headersTimeoutMillis: 1000, idleTimeoutMillis: 500 });
    // A slowloris client: one header line every 100 ms, never the blank line that ends them (it would go on for 20 s).
    const slow = await new Promise<{ reply: string; millis: number }>((resolve) => {
      const started = Date.now();
      let reply = '';
      const socket = connect(collector.port, '127.0.0.1', () => socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n'));
      const timer = setInterval(() => socket.writable && socket.write(`x-slow-${Date.now()}: 1\r\n`), 100);
      const giveUp = setTimeout(() => socket.destroy(), 20_000);
      socket.on('data', (chunk) => (reply += chunk));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(timer);
        clearTimeout(giveUp);
        resolve({ reply, millis: Date.now() - started });
      });
    });
    expect(slow.reply).toMatch(/^HTTP\/1\.1 408/);
    expect(slow.millis).toBeLessThan(15_000);

    // After one answered request, a keep-alive connection that says nothing more is closed by the collector.
    const idle = await new Promise<{ answered: boolean; millis: number }>((resolve) => {
      let answered = false;
      let since = Date.now();
      const socket = connect(collector.port, '127.0.0.1', () => socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n'));
      const giveUp = setTimeout(() => socket.destroy(), 20_000);
      socket.on('data', (chunk) => {
        answered ||= String(chunk).startsWith('HTTP/1.1 200');
        since = Date.now();
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearTimeout(giveUp);
        resolve({ answered, millis: Date.now() - since });
      });
    });
    expect(idle.answered).toBe(true);
    expect(idle.millis).toBeLessThan(15_000);
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
  });

  test('gzip bombs get 413, are inflated no further than the limit, and never stall other requests', async () => {
    // Room for all 20 at once (each inflated to its 1 MiB limit): what is tested is each bomb's limit, not the shared one (trace-api.test.ts).
    const collector = await collectorWith({ maxBodyBytes: 1024 * 1024, maxBufferedBytes: 32 * 1024 * 1024 });
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)); // ~64 KB on the wire, 64 MiB inflated
    const bombs = Array.from({ length: 20 }, () => send(collector.port, 'POST', '/runs/batch', { ...json, 'content-encoding': 'gzip' }, bomb));
    const health = await fetch(`${collector.url}/healthz`);
    expect(health.status).toBe(200);
    for (const answer of await Promise.all(bombs)) {
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body).detail).toContain('once decompressed');
    }
  });

  test('a body declared over the limit gets 413 before it is read, even when far over it; so does an undeclared (chunked) one', async () => {
    const collector = await collectorWith({ maxBodyBytes: 64 * 1024 });
    const huge = Buffer.alloc(8 * 1024 * 1024, 0x20); // 128 x the limit
    const declared = await send(collector.port, 'POST', '/runs/batch', json, huge);
    expect(declared.status).toBe(413);
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: collector.port, method: 'POST', path: '/runs/batch', headers: json, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      for (let i = 0; i < 16; i++) req.write(Buffer.alloc(16 * 1024, 0x20));
      req.end();
    });
    expect(chunked).toBe(413);
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
  });
});

describe('the token in a logged URL', () => {
  test("an internal error on a request whose URL carries ?token= is logged without the token's value", async () => {
    const token = 'COLLTOKENsecret777';
    const collector = await collectorWith({ token });
    const failing = jest.spyOn(RunStore.prototype, 'listTraces').mockImplementation(() => {
      throw new Error('disk on fire');
    });
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const answer = await send(collector.port, 'GET', `/api/traces?limit=5&token=${token}&q=x`, { authorization: `Bearer ${token}` });
      expect(answer.status).toBe(500);
      expect(logged).toHaveBeenCalledTimes(1);
      const line = String(logged.mock.calls[0]![0]);
      expect(line).toBe('tracewire-collector: GET /api/traces?limit=5&token=***&q=x failed:');
      expect(logged.mock.calls.flat().map(String).join(' ')).not.toContain(token);
    } finally {
      failing.mockRestore();
      logged.mockRestore();
    }
  });
});
