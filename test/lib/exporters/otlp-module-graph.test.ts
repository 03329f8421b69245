import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { OtlpCollector } from '../../helpers/otlp-collector';

/**
 * The built package in fresh node processes: what a JSON exporter loads, and
 * what a protobuf one needs. Requires `dist` (built by `npm test`).
 */
const dist = resolve(__dirname, '../../../dist/index.js');
const exporterModule = resolve(__dirname, '../../../dist/lib/exporters/otlp/otlp-http-exporter.js');
let dir: string;
let collector: OtlpCollector;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tracewire-otlp-'));
  collector = await OtlpCollector.start();
});
afterEach(async () => {
  await collector.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface ChildReport {
  openTelemetryModules: string[];
  flushed?: { delivered: number; failed: number };
  error?: { name: string; setting: string; message: string };
}

/** Traces one call through the built package with an OTLP exporter of `protocol`, then reports the module graph. */
function runChild(protocol: string, preload?: string): Promise<ChildReport> {
  const file = join(dir, 'child.js');
  writeFileSync(
    file,
    `const tracewire = require(${JSON.stringify(dist)});
// Once index.ts exports it, the public entry is used; until then, the built module.
const OtlpHttpExporter = tracewire.OtlpHttpExporter ?? require(${JSON.stringify(exporterModule)}).OtlpHttpExporter;
const report = () => Object.keys(require.cache).filter((path) => path.includes('@opentelemetry'));
(async () => {
  let exporter;
  try {
    exporter = new OtlpHttpExporter({ endpoint: ${JSON.stringify(collector.url)}, protocol: ${JSON.stringify(protocol)} });
  } catch (error) {
    console.log(JSON.stringify({ openTelemetryModules: report(), error: { name: error.name, setting: error.setting, message: error.message } }));
    return;
  }
  const client = new tracewire.TracingClient({ exporter, manualFlushMode: true });
  tracewire.setGlobalTracingClient(client);
  await tracewire.traceable(async function work(n) { return n + 1; })(1);
  const flushed = await client.flush();
  await client.shutdown();
  console.log(JSON.stringify({ openTelemetryModules: report(), flushed }));
})();`,
  );
  const args = preload === undefined ? [file] : ['--require', writePreload(preload), file];
  return new Promise((done, fail) => {
    execFile(process.execPath, args, { env: { PATH: process.env.PATH } }, (error, stdout, stderr) => {
      if (error) fail(new Error(`child failed: ${stderr}`));
      else done(JSON.parse(stdout) as ChildReport);
    });
  });
}

function writePreload(body: string): string {
  const file = join(dir, 'preload.js');
  writeFileSync(file, body);
  return file;
}

/** Makes `@opentelemetry/otlp-transformer` unresolvable, as in an install without it. */
const HIDE_TRANSFORMER = `const Module = require('module');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === '@opentelemetry/otlp-transformer') {
    throw Object.assign(new Error("Cannot find module '" + request + "'"), { code: 'MODULE_NOT_FOUND' });
  }
  return resolveFilename.call(this, request, ...rest);
};`;

test('a JSON exporter sends spans without loading anything from @opentelemetry', async () => {
  const report = await runChild('http/json');
  expect(report.flushed).toMatchObject({ delivered: 1, failed: 0 });
  expect(collector.spans.map((received) => received.span.name)).toEqual(['work']);
  expect(report.openTelemetryModules).toEqual([]);
});

test('a protobuf exporter loads @opentelemetry/otlp-transformer, and only then', async () => {
  const report = await runChild('http/protobuf');
  expect(report.flushed).toMatchObject({ delivered: 1, failed: 0 });
  expect(collector.exports[0]!.headers['content-type']).toBe('application/x-protobuf');
  expect(collector.spans.map((received) => received.span.name)).toEqual(['work']);
  // The positive control for the test above: the check does see OpenTelemetry modules when they load.
  expect(report.openTelemetryModules).toEqual(expect.arrayContaining([expect.stringContaining('@opentelemetry/otlp-transformer')]));
});

test('without @opentelemetry/otlp-transformer, asking for protobuf is a config error saying to install it', async () => {
  const report = await runChild('http/protobuf', HIDE_TRANSFORMER);
  expect(report.error).toMatchObject({ name: 'TracewireConfigError', setting: 'protocol' });
  expect(report.error!.message).toMatch(/npm install @opentelemetry\/otlp-transformer/);
  expect(report.error!.message).toMatch(/http\/json/);
});

test('without @opentelemetry/otlp-transformer, JSON still works', async () => {
  const report = await runChild('http/json', HIDE_TRANSFORMER);
  expect(report.flushed).toMatchObject({ delivered: 1, failed: 0 });
});
