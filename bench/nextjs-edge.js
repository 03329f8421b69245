'use strict';
/**
 * bench/nextjs-edge.js — tracewire in a real Next.js app's edge runtime, by
 * hand (Next.js and React are ≈ 400 MB installed, and its two builds take a
 * minute: not in CI, where webpack with Next's edge define and a stand-in for
 * its sandbox's `process` run instead, test/package/packed-tarball.test.ts).
 *
 *   npm run build
 *   node bench/nextjs-edge.js [requests=10]
 *
 * Installs Next.js (scripts/npm-cache.cjs: .test-runtimes/tracewire-nextjs,
 * first use only), writes an app into that directory — an edge route of two
 * nested traced calls, and a traced middleware (Next's edge runtime too) in
 * front of a plain Node route — with tracewire from an `npm pack` of this
 * checkout, then for each bundler (Turbopack, `--webpack`): `next build`,
 * `next start` on 127.0.0.1 with `LANGSMITH_TRACING=true` and the endpoint a
 * loopback LangSmith sink, `requests` requests to each route 5 at a time.
 * Each handler flushes before it answers (`await
 * getGlobalTracingClient()?.flush()`: an edge runtime has no background
 * sender). Expected: both builds print nothing of tracewire's (Next warns of
 * each Node API an edge module names), every response is 200, and every run
 * arrives once, ended, the route's two in one trace.
 *
 * Before 2026-12-06: Turbopack's build failed for the edge route (the clock
 * called `process.hrtime`, which Next's edge sandbox gives as a function that
 * throws, as the module loaded) and the middleware answered 500; webpack's
 * build failed (`Assigning to rvalue`: Next defines `process.emit` as false
 * in edge bundles, and tracewire assigned it).
 */
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT, machine } = require('./support/machine');
const { printTable } = require('./support/table');
const { startLiveSink } = require('./support/live-sink');
const { distMissing } = require('./support/dist');
const { nextjsProject, NEXT_PACKAGES } = require('../scripts/npm-cache.cjs');

const REQUESTS = Number(process.argv[2] ?? 10);
const PARALLEL = 5;

const FILES = {
  'package.json': '{ "name": "tracewire-nextjs-edge", "private": true }\n',
  'app/api/edge/route.js': `import { getGlobalTracingClient, traceable } from 'tracewire';
const hello = traceable(async function hello() { return 'hi'; }, { name: 'hello' });
const handle = traceable(async function handle() { return (await hello()) + '!'; }, { name: 'edgeRoute' });
export const runtime = 'edge';
export async function GET() {
  const text = await handle();
  await getGlobalTracingClient()?.flush();
  return new Response(text);
}
`,
  'app/api/plain/route.js': `export function GET() { return new Response('plain'); }
`,
  'middleware.js': `import { NextResponse } from 'next/server';
import { getGlobalTracingClient, traceable } from 'tracewire';
const guard = traceable(async function guard() { return NextResponse.next({ headers: { 'x-guarded': '1' } }); }, { name: 'middleware' });
export async function middleware() {
  const response = await guard();
  await getGlobalTracingClient()?.flush();
  return response;
}
export const config = { matcher: ['/api/plain'] };
`,
};

/** The app in `dir`, tracewire from an `npm pack` of this checkout in its node_modules. */
function writeApp(dir) {
  for (const [file, text] of Object.entries(FILES)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-next-pack-'));
  try {
    const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', packDir], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').at(-1);
    const target = path.join(dir, 'node_modules', 'tracewire');
    fs.rmSync(target, { recursive: true, force: true });
    fs.mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', path.join(packDir, tarball), '-C', target, '--strip-components=1']);
  } finally {
    fs.rmSync(packDir, { recursive: true, force: true });
  }
}

function freePort() {
  return new Promise((resolve) => {
    const server = require('node:net').createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function serve(dir, port, env) {
  const child = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '-H', '127.0.0.1', '-p', String(port)], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    try {
      await fetch(`http://127.0.0.1:${port}/api/none`);
      return { child, output: () => output };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`next start did not answer within 60 s:\n${output}`);
}

async function main() {
  if (distMissing()) return;
  const m = machine();
  console.log('tracewire in Next.js edge routes and middleware (by hand)');
  console.log(`node ${m.node} | ${m.platform} ${m.release} ${m.arch} | cpu: ${m.cpuModel} | cores: ${m.cores} | date: ${new Date().toISOString()} | ${NEXT_PACKAGES.join(', ')}`);
  const dir = nextjsProject();
  writeApp(dir);
  const rows = [];
  let failed = false;
  for (const bundler of ['turbopack', 'webpack']) {
    fs.rmSync(path.join(dir, '.next'), { recursive: true, force: true });
    const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
    let build = '';
    let built = true;
    try {
      build = execFileSync(process.execPath, ['node_modules/next/dist/bin/next', 'build', ...(bundler === 'webpack' ? ['--webpack'] : [])], { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      built = false;
      build = `${error.stdout ?? ''}${error.stderr ?? ''}`;
    }
    const tracewireLines = build
      .split('\n')
      .filter((line) => /tracewire|Node\.js API is used|rvalue/.test(line))
      .map((line) => (line.length > 120 ? line.trim().slice(0, 117) + '…' : line.trim()));
    if (!built) {
      failed = true;
      rows.push({ bundler, build: `FAILED: ${tracewireLines.slice(0, 3).join(' / ')}`, responses: '—', runs: '—', traces: '—', result: 'FAIL' });
      continue;
    }
    const sink = await startLiveSink();
    const port = await freePort();
    const server = await serve(dir, port, { ...env, LANGSMITH_TRACING: 'true', LANGSMITH_ENDPOINT: sink.url });
    const statuses = [];
    try {
      for (let next = 0; next < REQUESTS; next += PARALLEL) {
        const wave = Array.from({ length: Math.min(PARALLEL, REQUESTS - next) }, () => ['/api/edge', '/api/plain']).flat();
        statuses.push(...(await Promise.all(wave.map(async (route) => (await fetch(`http://127.0.0.1:${port}${route}`)).status))));
      }
      await new Promise((resolve) => setTimeout(resolve, 500)); // a late duplicate would arrive now
    } finally {
      server.child.kill('SIGTERM');
      await sink.close();
    }
    const unique = new Set(sink.posted);
    const perTrace = new Map();
    for (const id of unique) perTrace.set(sink.traceOf.get(id), (perTrace.get(sink.traceOf.get(id)) ?? 0) + 1);
    const twoRunTraces = [...perTrace.values()].filter((n) => n === 2).length;
    const expected = REQUESTS * 3;
    const ok = tracewireLines.length === 0 && statuses.every((s) => s === 200) && unique.size === expected && sink.posted.length === expected && sink.ended.size === expected && twoRunTraces === REQUESTS;
    failed ||= !ok;
    rows.push({
      bundler,
      build: tracewireLines.length === 0 ? 'clean' : tracewireLines.slice(0, 3).join(' / '),
      responses: `${statuses.filter((s) => s === 200).length} / ${statuses.length}`,
      runs: `${unique.size} / ${expected} (${sink.posted.length - unique.size} duplicated, ${sink.ended.size} ended)`,
      traces: `${twoRunTraces} / ${REQUESTS}`,
      result: ok ? 'PASS' : 'FAIL',
    });
  }
  printTable(
    [
      { title: 'bundler', key: 'bundler' },
      { title: 'next build (lines naming tracewire or a Node API)', key: 'build' },
      { title: 'responses 200', key: 'responses', right: true },
      { title: 'runs arrived', key: 'runs' },
      { title: "edge route's two runs in one trace", key: 'traces', right: true },
      { title: 'result', key: 'result' },
    ],
    rows,
  );
  process.exitCode = failed ? 1 : 0;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
