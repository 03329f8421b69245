import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServe } from './serve-process';

/** The `tracewire` executable as package.json's `bin` names it, built by `npm run build`. */
const repo = resolve(__dirname, '../..');
const bin = join(repo, 'dist/cli/bin.js');

function tracewire(args: string[], cwd = repo, file = bin): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [file, ...args], { cwd, timeout: 30_000 }, (error, stdout, stderr) => {
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('package.json points `tracewire` at the dispatcher', () => {
  expect(require(join(repo, 'package.json')).bin).toEqual({ tracewire: './dist/cli/bin.js' });
});

test('--help lists serve and instrument, one line each', async () => {
  const { code, stdout, stderr } = await tracewire(['--help']);
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  expect(stdout.split('\n').filter((line) => /^ {2}(serve|instrument) /.test(line))).toEqual([
    expect.stringMatching(/^ {2}serve +start the local collector and trace viewer/),
    expect.stringMatching(/^ {2}instrument +add @Traceable\(\)/),
  ]);
});

test('no command, or an unknown one, is a usage error (exit 2) that shows the commands', async () => {
  for (const args of [[], ['deploy']]) {
    const { code, stdout, stderr } = await tracewire(args);
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(args.length === 0 ? /^tracewire: no command given\n/ : /^tracewire: unknown command "deploy"\n/);
    expect(stderr).toContain('  serve ');
  }
});

test('instrument reaches the codemod (its own usage, exit 0 for --help)', async () => {
  const { code, stdout } = await tracewire(['instrument', '--help']);
  expect(code).toBe(0);
  expect(stdout).toMatch(/^Usage: tracewire instrument \[paths\.\.\.\] \[options\]/);
});

test('serve starts the collector, prints the viewer URL and the two variables that point an app at it', async () => {
  const serve = await startServe(process.execPath, [bin, 'serve', '--port', '0', '--memory'], repo);
  try {
    expect(serve.banner).toContain(`LANGSMITH_TRACING=true LANGSMITH_ENDPOINT=${serve.url}`);
    expect(serve.banner).toMatch(new RegExp(`viewer: +${serve.url.replace(/[.]/g, '\\.')}`));
    const health = await fetch(`${serve.url}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { ok: true }]);
  } finally {
    expect(await serve.stop()).toBe(0);
  }
});

describe('the variables serve prints to point an app at it trace a tracewire app with nothing else set', () => {
  const app = `const { traceable } = require(${JSON.stringify(join(repo, 'dist/tracewire.cjs'))});
traceable(async function checkout(n) { return n * 2; })(21).then((total) => console.log(total));`;

  /** Runs the app with exactly `assignments` (`NAME=value` words) in its environment. */
  const runApp = (assignments: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-serve-hint-'));
    writeFileSync(join(dir, 'app.js'), app);
    const env = Object.fromEntries(assignments.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
    return new Promise((done) =>
      execFile(process.execPath, ['app.js'], { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
        rmSync(dir, { recursive: true, force: true });
        done({ code: error ? 1 : 0, stdout, stderr });
      }),
    );
  };

  test.each([
    ['LangSmith', undefined],
    ['OTLP', undefined],
    ['LangSmith', 'HINTtoken123'],
    ['OTLP', 'HINTtoken123'],
  ])('%s, token %s', async (which, token) => {
    const serve = await startServe(process.execPath, [bin, 'serve', '--port', '0', '--memory', ...(token === undefined ? [] : ['--token', token])], repo);
    try {
      const line = /point an app at it: (.*)\((?:OTLP: )(.*)\)/.exec(serve.banner)!;
      const words = (which === 'OTLP' ? line[2]! : line[1]!).trim().split(/\s+/);
      // The token is never printed: the user puts theirs where the line says.
      const assignments = words.map((word) => (token === undefined ? word : word.replace('<token>', token)));
      expect(assignments.join(' ')).not.toContain('<');
      expect(await runApp(assignments)).toEqual({ code: 0, stdout: '42\n', stderr: '' });
      const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
      const traces = (await (await fetch(`${serve.url}/api/traces`, { headers })).json()) as { traces: Array<{ name: string }> };
      expect(traces.traces.map((trace) => trace.name)).toEqual(['checkout']);
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  });
});

test('serve --token never prints the token: the viewer line says how to open it, and /?token= still signs the viewer in', async () => {
  const token = 'COLLTOKENsecret777';
  const serve = await startServe(process.execPath, [bin, 'serve', '--port', '0', '--memory', '--token', token], repo);
  try {
    expect(serve.banner).toContain(`viewer:    ${serve.url}/   (token required: open ${serve.url}/?token=<your --token>)`);
    // The viewer's page loads without the token; the token in its URL is what it then sends to the API.
    const page = await fetch(`${serve.url}/?token=${token}`);
    expect([page.status, await page.text()]).toEqual([200, expect.stringContaining('<html')]);
    expect((await fetch(`${serve.url}/api/traces`)).status).toBe(401);
    expect((await fetch(`${serve.url}/api/traces`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  } finally {
    expect(await serve.stop()).toBe(0);
  }
  expect(serve.banner).toMatch(/closing…/); // all of its output, to its last line
  expect(serve.banner + serve.stderr).not.toContain(token);
  expect(serve.banner + serve.stderr).not.toContain('COLLTOKEN');
});

test("serve passes flags to the collector, whose usage error is serve's", async () => {
  const { code, stderr } = await tracewire(['serve', '--colour']);
  expect(code).toBe(2);
  expect(stderr).toMatch(/Unknown option "--colour"\nUsage: tracewire-collector serve/);
});

test("serve --help shows the collector's flags (exit 0) and starts nothing", async () => {
  const { code, stdout, stderr } = await tracewire(['serve', '--help']);
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  expect(stdout).toMatch(/^Usage: tracewire-collector serve \[--port 4319\]/);
  expect(stdout).not.toContain('listening');
});

test('serve without the collector installed says in one line how to install it (exit 1)', async () => {
  // The dispatcher alone, where no node_modules can be found from it or from the working directory.
  const dir = mkdtempSync(join(tmpdir(), 'tracewire-cli-'));
  try {
    mkdirSync(join(dir, 'pkg/dist'), { recursive: true });
    cpSync(join(repo, 'dist/cli'), join(dir, 'pkg/dist/cli'), { recursive: true });
    writeFileSync(join(dir, 'pkg/package.json'), '{"name":"tracewire","version":"0.0.0"}');
    const { code, stdout, stderr } = await tracewire(['serve'], dir, join(dir, 'pkg/dist/cli/bin.js'));
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toBe('tracewire serve needs the collector, a separate package: npm install --save-dev @tracewire/collector  (then run npx tracewire serve again)\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
