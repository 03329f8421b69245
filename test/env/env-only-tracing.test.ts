import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { acceptedRuns, LangSmithSink } from '../helpers/langsmith-sink';
import { OtlpCollector } from '../helpers/otlp-collector';
import { runEnvOnly } from './run-env-only';

/**
 * Programs that only require tracewire and call traced functions — no
 * set-up call — in fresh processes whose environment alone decides whether
 * and where traces go. Requires `dist` (built by `npm test`).
 */
let sink: LangSmithSink;
beforeEach(async () => {
  sink = await LangSmithSink.start();
});
afterEach(() => sink.stop());

/** A traced parent calling a traced child, then the app prints its own result. */
const APP = `
const child = tracewire.traceable(async function lookup(id) { return { id, price: 7 }; });
const checkout = tracewire.traceable(async function checkout(id) { const item = await child(id); return item.price * 2; });
`;

test('LANGSMITH_TRACING, an API key and an endpoint: runs go out as LangSmith multipart, delivered by a natural exit', async () => {
  const outcome = await runEnvOnly(`${APP}
for (let i = 0; i < 20; i++) void checkout(i).then((total) => { if (i === 19) console.log('total', total); });`, {
    LANGSMITH_TRACING: 'true',
    LANGSMITH_API_KEY: 'lsv2-test-key',
    LANGSMITH_ENDPOINT: sink.url,
    LANGSMITH_PROJECT: 'shop',
    LANGSMITH_WORKSPACE_ID: 'ws-42',
  });
  expect(outcome).toEqual({ code: 0, stdout: 'total 14\n', stderr: '' });
  expect(sink.ingestRequests.length).toBeGreaterThan(0);
  for (const request of sink.ingestRequests) {
    expect(request.path).toBe('/runs/multipart');
    // LANGSMITH_WORKSPACE_ID travels as x-tenant-id; the key only in x-api-key.
    expect(request.headers).toMatchObject({ 'x-api-key': 'lsv2-test-key', 'x-tenant-id': 'ws-42' });
  }
  const runs = [...(await acceptedRuns(sink)).values()];
  expect(runs).toHaveLength(40);
  const parents = runs.filter((run) => run.name === 'checkout');
  const children = runs.filter((run) => run.name === 'lookup');
  expect(parents).toHaveLength(20);
  expect(children.every((run) => parents.some((parent) => parent.id === run.parent_run_id))).toBe(true);
  expect(runs.every((run) => run.session_name === 'shop' && run.end_time !== undefined)).toBe(true);
});

test('getGlobalTracingClient() returns the client the environment built, so a handler can flush it', async () => {
  const outcome = await runEnvOnly(`${APP}
checkout(1).then(async () => {
  const result = await tracewire.getGlobalTracingClient().flush();
  console.log(JSON.stringify({ delivered: result.delivered, mode: tracewire.getGlobalTracingClient().config.mode }));
  process.exit(0); // no exit hook gets a chance: only the flush delivered
});`, { TRACEWIRE_TRACING: 'true', TRACEWIRE_MANUAL_FLUSH: 'true', LANGSMITH_ENDPOINT: sink.url });
  expect(outcome).toEqual({ code: 0, stdout: '{"delivered":2,"mode":"manual"}\n', stderr: '' });
  expect((await acceptedRuns(sink)).size).toBe(2);
});

test('LANGSMITH_TRACING_BACKGROUND=false: each traced call resolves only after its runs arrived', async () => {
  // After each call the app pings the sink: in arrival order, every call's runs must come before its ping.
  const outcome = await runEnvOnly(`${APP}
const http = require('node:http');
const ping = (n) => new Promise((done) => http.get(process.env.LANGSMITH_ENDPOINT + '/after-call-' + n, (res) => { res.resume(); res.on('end', done); }));
(async () => {
  for (let n = 1; n <= 3; n++) { await checkout(n); await ping(n); }
  process.exit(0); // nothing is left to an exit hook
})();`, { LANGSMITH_TRACING: 'true', LANGSMITH_TRACING_BACKGROUND: 'false', LANGSMITH_ENDPOINT: sink.url, LANGSMITH_API_KEY: 'k' });
  expect(outcome).toEqual({ code: 0, stdout: '', stderr: '' });
  const order = sink.requests.filter((request) => request.path !== '/info').map((request) => (request.path.startsWith('/runs/') ? 'runs' : request.path));
  expect(order).toEqual(['runs', '/after-call-1', 'runs', '/after-call-2', 'runs', '/after-call-3']);
  expect((await acceptedRuns(sink)).size).toBe(6);
});

describe('OpenTelemetry variables', () => {
  let otlp: OtlpCollector;
  beforeEach(async () => {
    otlp = await OtlpCollector.start();
  });
  afterEach(() => otlp.stop());

  test.each([
    ['OTEL_TRACES_EXPORTER=otlp and an endpoint', { OTEL_TRACES_EXPORTER: 'otlp' }],
    ['TRACEWIRE_TRACING=true and an OTLP endpoint', { TRACEWIRE_TRACING: 'true' }],
    ['OTEL_SDK_DISABLED other than true (the spec reads it as false)', { OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'yes' }],
  ])('%s: spans go out over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT', async (_name, switches) => {
    const outcome = await runEnvOnly(`${APP} void checkout(3);`, {
      ...switches,
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_SERVICE_NAME: 'shop-api',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-team=checkout',
    });
    expect(outcome).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(otlp.exports.map((received) => [received.path, received.headers['x-team'], received.problems])).toEqual([['/v1/traces', 'checkout', []]]);
    expect(otlp.spans.map(({ service, span }) => [service, span.name]).sort()).toEqual([['shop-api', 'checkout'], ['shop-api', 'lookup']]);
  });

  test('OTEL_RESOURCE_ATTRIBUTES joins the resource (its service.name the service), beside tracewire\'s SDK version, and requests name tracewire as their User-Agent', async () => {
    const version = (JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;
    const outcome = await runEnvOnly(`${APP} void checkout(3);`, {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=shop-api,deployment.environment=prod,team=plat%20form',
    });
    expect(outcome).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(otlp.exports.map((received) => received.headers['user-agent'])).toEqual([`tracewire/${version}`]);
    expect(otlp.spans.map(({ resource }) => resource)).toEqual(Array(2).fill({
      'service.name': 'shop-api', 'telemetry.sdk.name': 'tracewire', 'telemetry.sdk.language': 'nodejs', 'telemetry.sdk.version': version, 'deployment.environment': 'prod', team: 'plat form',
    }));
  });

  test('a malformed OTEL_RESOURCE_ATTRIBUTES or OTEL_EXPORTER_OTLP_TIMEOUT: one warning naming it, and the program runs untraced, as for a bad OTEL_EXPORTER_OTLP_HEADERS', async () => {
    const run = (env: Record<string, string>) => runEnvOnly(`${APP} checkout(3).then((total) => console.log(total));`, { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, ...env });
    expect(await run({ OTEL_RESOURCE_ATTRIBUTES: 'team=ops,novalue' })).toEqual({
      code: 0, stdout: '14\n', stderr: 'tracewire: tracing from the environment stays off: Invalid OTEL_RESOURCE_ATTRIBUTES (entry 2): received "novalue"; expected comma-separated key=value pairs, e.g. deployment.environment=prod,service.version=1.2.3.\n',
    });
    expect(await run({ OTEL_EXPORTER_OTLP_TIMEOUT: '10s' })).toEqual({
      code: 0, stdout: '14\n', stderr: 'tracewire: tracing from the environment stays off: Invalid OTEL_EXPORTER_OTLP_TIMEOUT: received "10s"; expected a decimal number.\n',
    });
    expect(otlp.exports).toEqual([]);
  });
});

test('nothing turns tracing on: nothing is sent, nothing printed, the program is untouched', async () => {
  const otlp = await OtlpCollector.start();
  try {
    // Keys and endpoints alone do not turn tracing on (as with LangSmith's SDK); an explicit false wins over an exporter choice.
    const cases: Array<Record<string, string>> = [
      {},
      { LANGSMITH_API_KEY: 'k', LANGSMITH_ENDPOINT: sink.url, OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url },
      { LANGSMITH_TRACING: 'false', TRACEWIRE_EXPORTER: 'console', LANGSMITH_ENDPOINT: sink.url },
      { TRACEWIRE_TRACING: 'false', OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url },
      { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url },
      // OpenTelemetry's kill switch: nothing the environment would send over OTLP goes out.
      { OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url },
      { OTEL_SDK_DISABLED: 'TRUE', TRACEWIRE_TRACING: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url },
      { OTEL_SDK_DISABLED: 'true', TRACEWIRE_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url },
    ];
    for (const env of cases) {
      const outcome = await runEnvOnly(`${APP}
checkout(2).then((total) => console.log(total, tracewire.getGlobalTracingClient() === undefined));`, env);
      expect({ env, outcome }).toEqual({ env, outcome: { code: 0, stdout: '14 true\n', stderr: '' } });
    }
    expect(sink.requests).toEqual([]);
    expect(otlp.exports).toEqual([]);
  } finally {
    await otlp.stop();
  }
}, 600_000); // eight fresh Node processes one after another: minutes under nice beside CPU-bound work

test('TRACEWIRE_EXPORTER=console prints each trace as a tree on stdout', async () => {
  const outcome = await runEnvOnly(`${APP} void checkout(5);`, { TRACEWIRE_EXPORTER: 'console' });
  expect(outcome.stderr).toBe('');
  expect(outcome.stdout).toMatch(/^✓ checkout \[chain\] [\d.]+ ms\n  ✓ lookup \[chain\] [\d.]+ ms\n$/);
});

test('an environment that turns tracing on with a bad setting: one warning naming it, and the program runs untraced', async () => {
  const outcome = await runEnvOnly(`${APP}
Promise.all([checkout(1), checkout(2)]).then((totals) => console.log(totals.join(',')));`, { TRACEWIRE_TRACING: 'true', TRACEWIRE_EXPORTER: 'zipkin' });
  expect(outcome.code).toBe(0);
  expect(outcome.stdout).toBe('14,14\n');
  expect(outcome.stderr).toBe(
    'tracewire: tracing from the environment stays off: Invalid TRACEWIRE_EXPORTER: received "zipkin"; expected one of "langsmith", "otlp", "console", "jsonl", "collector", "memory", "none".\n',
  );
});

test("OTEL_TRACES_EXPORTER beside LangSmith's variables: it still chooses, and one warning says LangSmith gets nothing and how to send there", async () => {
  const otlp = await OtlpCollector.start();
  try {
    const langsmith = { LANGSMITH_TRACING: 'true', LANGSMITH_API_KEY: 'lsv2-secret-value', LANGSMITH_ENDPOINT: sink.url };
    const toOtlp = await runEnvOnly(`${APP} checkout(3).then((total) => console.log(total));`, { ...langsmith, OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url });
    expect(toOtlp.stdout).toBe('14\n');
    expect(toOtlp.stderr).toBe(
      "tracewire: OTEL_TRACES_EXPORTER=otlp chooses the exporter before LangSmith's variables (LANGSMITH_API_KEY is set): traces go to OTLP, not to LangSmith. To send to LangSmith, set TRACEWIRE_EXPORTER=langsmith, which comes first.\n",
    );
    expect(otlp.exports.length).toBeGreaterThan(0);
    const off = await runEnvOnly(`${APP} checkout(3).then((total) => console.log(total));`, { LANGSMITH_TRACING: 'true', OTEL_TRACES_EXPORTER: 'none' });
    expect(off.stderr).toBe(
      "tracewire: OTEL_TRACES_EXPORTER=none chooses the exporter before LangSmith's variables (LANGSMITH_TRACING is set): tracing is off. To send to LangSmith, set TRACEWIRE_EXPORTER=langsmith, which comes first.\n",
    );
    // TRACEWIRE_EXPORTER=langsmith wins over it, silently; OTEL_TRACES_EXPORTER alone says nothing.
    const chosen = await runEnvOnly(`${APP} checkout(3).then((total) => console.log(total));`, { ...langsmith, OTEL_TRACES_EXPORTER: 'otlp', TRACEWIRE_EXPORTER: 'langsmith' });
    expect(chosen).toEqual({ code: 0, stdout: '14\n', stderr: '' });
    expect(sink.ingestRequests.length).toBeGreaterThan(0);
    const alone = await runEnvOnly(`${APP} checkout(3).then((total) => console.log(total));`, { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url });
    expect(alone).toEqual({ code: 0, stdout: '14\n', stderr: '' });
  } finally {
    await otlp.stop();
  }
}, 120_000);
