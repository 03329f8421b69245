import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { BUILT_ENTRY } from '../../helpers/built-entry';

/**
 * A serverless handler pays at cold start for every built-in tracewire
 * initialises at load. `node:http`/`node:https` (with net, stream, tls),
 * `node:zlib`, `node:fs/promises` and `node:crypto` are needed only to send
 * or to spool, so loading tracewire and tracing calls through an exporter of
 * one's own must not initialise them. Checked on the built package (`dist/`,
 * `npm run build`) as users load it: `require('tracewire')`, and a bundle
 * esbuild makes of an ESM handler (the serverless case). The child runs
 * from a file: `node -e` preloads `node:crypto` itself. `perf_hooks` (a dozen
 * internal modules behind the `performance` global) is not needed either:
 * on Node the clock reads `process.hrtime()`. Nor is Web Crypto
 * (`internal/crypto/webcrypto`, ~30 modules with all of `stream`, ~8 ms of
 * CPU on Node 20): on Node, ids draw from the kernel's CSPRNG. Nor is
 * undici, fetch's implementation, which the first read of the `Request`,
 * `Response` or `Headers` globals loads (≈ 35 ms of a cold start on Node 20:
 * the serializer tells those classes by their tag, and the call passes a
 * class instance, which the serializer asks whether it is one).
 */
const ROOT = resolve(__dirname, '../../..');
const SEND_ONLY = ['http', 'https', 'net', 'tls', 'zlib', 'fs/promises', 'crypto'];
const NOT_FOR_A_CALL = [...SEND_ONLY, 'perf_hooks', 'internal/crypto/webcrypto', 'internal/deps/undici/undici'];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tw-builtins-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `handler` (a CommonJS file exporting `handler`) once, flushes, and lists the Node built-ins the process initialised. */
function builtinsAfterFirstCall(handlerFile: string): { result: unknown; builtins: string[] } {
  const child = join(dir, 'child.js');
  writeFileSync(
    child,
    `const { handler, flush } = require(${JSON.stringify(handlerFile)});
handler({ n: 1, detail: new (class Detail { constructor() { this.x = 1; } })() }).then(async (result) => {
  await flush();
  const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
  console.log(JSON.stringify({ result, builtins }));
});
`,
  );
  return JSON.parse(execFileSync(process.execPath, [child], { encoding: 'utf8', timeout: 30_000 })) as { result: unknown; builtins: string[] };
}

const handlerBody = `setGlobalTracingClient(new TracingClient({ exporter: { export: async () => ({ ok: true }) } }));
const handler = traceable(async (event) => ({ ok: true, n: event.n }));
const flush = () => getGlobalTracingClient().flush();`;

test('require("tracewire") and a traced call through an exporter of its own initialise no send-only built-in, nor perf_hooks, Web Crypto or undici', () => {
  const file = join(dir, 'cjs-handler.js');
  writeFileSync(
    file,
    `const { traceable, TracingClient, setGlobalTracingClient, getGlobalTracingClient } = require(${JSON.stringify(BUILT_ENTRY)});
${handlerBody}
module.exports = { handler, flush };
`,
  );
  const { result, builtins } = builtinsAfterFirstCall(file);
  expect(result).toEqual({ ok: true, n: 1 });
  expect(builtins).toContain('async_hooks'); // the check sees what was loaded
  expect(builtins.filter((m) => NOT_FOR_A_CALL.includes(m))).toEqual([]);
});

test('the same for an esbuild bundle of an ESM handler (platform node, cjs)', async () => {
  const entry = join(dir, 'handler.mjs');
  writeFileSync(
    entry,
    `import { traceable, TracingClient, setGlobalTracingClient, getGlobalTracingClient } from ${JSON.stringify(join(ROOT, 'dist/esm/index.js'))};
${handlerBody}
export { handler, flush };
`,
  );
  const outfile = join(dir, 'handler.bundle.js');
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: true, logLevel: 'silent', nodePaths: [join(ROOT, 'node_modules')] });
  const { result, builtins } = builtinsAfterFirstCall(outfile);
  expect(result).toEqual({ ok: true, n: 1 });
  expect(builtins.filter((m) => NOT_FOR_A_CALL.includes(m))).toEqual([]);
});

test('the OTLP exporter loads node:https as its client\'s first span starts (the first export then need not), not when it is made; it sends nothing then', () => {
  const child = join(dir, 'otlp-warm-up.js');
  writeFileSync(
    child,
    `const { traceable, TracingClient, OtlpHttpExporter } = require(${JSON.stringify(BUILT_ENTRY)});
const loaded = () => process.moduleLoadList.includes('NativeModule https');
const client = new TracingClient({ exporter: new OtlpHttpExporter({ endpoint: 'https://127.0.0.1:9', protocol: 'http/json' }), mode: 'manual', logger: { warn() {} } });
const made = loaded();
const value = traceable((x) => x + 1, { client, name: 'first' })(1);
const onTheCallsStack = loaded();
setTimeout(() => {
  const report = JSON.stringify({ value, made, onTheCallsStack, afterATurn: loaded(), exportRequests: client.stats().exportRequests });
  // Now, not after the exit flush's tries to a port where nothing listens.
  process.stdout.write(report + '\\n', () => process.exit(0));
}, 50);
`,
  );
  const report = JSON.parse(execFileSync(process.execPath, [child], { encoding: 'utf8', timeout: 30_000 }));
  expect(report).toEqual({ value: 2, made: false, onTheCallsStack: false, afterATurn: true, exportRequests: 0 });
});
