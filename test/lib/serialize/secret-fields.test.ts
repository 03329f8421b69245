import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import Redis from 'ioredis';
import { createServer as createTcpServer } from 'node:net';
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '../../helpers/source-files';
import OpenAI from 'openai';
import { setGlobalTracingClient, traceable } from '../../../index';
import { finishedRuns, installMemoryTracing, only } from '../../helpers/memory-tracing';

/**
 * A traced function given an SDK client or a database connection records it
 * without the secrets it holds: a key that can only name a secret
 * (`apiKey`, `password`, `secretAccessKey`, …) is `"[redacted]"` anywhere,
 * and beneath a class instance (or an error) more of them are (see
 * lib/serialize/secret-fields.ts). Before, `answer(openai, question)`
 * recorded the OpenAI key; an ioredis client, a connected one's password.
 */
let tracing: ReturnType<typeof installMemoryTracing>;
beforeEach(() => {
  tracing = installMemoryTracing();
});
afterEach(() => setGlobalTracingClient(undefined));

test("a traced function given the OpenAI client records it without its API key", async () => {
  const openai = new OpenAI({ apiKey: 'sk-OPENAISECRETKEY', baseURL: 'http://127.0.0.1:9/v1' });
  const answer = traceable(async function answer(client: OpenAI, question: string) {
    return `${client.baseURL} ${question}`;
  });
  expect(await answer(openai, 'why?')).toBe('http://127.0.0.1:9/v1 why?');
  const run = only(await finishedRuns(tracing.client, tracing.exporter), 'answer');
  expect(JSON.stringify(run)).not.toContain('OPENAISECRETKEY');
  const [client] = (run.inputs as { args: [Record<string, unknown>] }).args;
  expect(client).toMatchObject({ $type: 'OpenAI', apiKey: '[redacted]', baseURL: 'http://127.0.0.1:9/v1' });
  expect(openai.apiKey).toBe('sk-OPENAISECRETKEY'); // the client itself is untouched
});

test("a class instance's secret fields are redacted at any depth beneath it, in any spelling; the rest is recorded", async () => {
  class Connection {
    config = { host: 'db.internal', user: 'app', password: 'DBPASSWORDSECRET', options: { connection_string: 'postgres://app:DBURLSECRET@db/app' } };
    credentials = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'AWSSECRET', sessionToken: 'AWSSESSIONSECRET' };
    'API-KEY' = 'DASHEDKEYSECRET';
    auth_token = 'TOKENSECRET';
    maxTokens = 256;
  }
  const save = traceable(function save(_db: Connection, row: { id: number }) {
    return row.id;
  });
  save(new Connection(), { id: 7 });
  const run = only(await finishedRuns(tracing.client, tracing.exporter), 'save');
  const text = JSON.stringify(run);
  for (const secret of ['DBPASSWORDSECRET', 'DBURLSECRET', 'AWSSECRET', 'AWSSESSIONSECRET', 'DASHEDKEYSECRET', 'TOKENSECRET']) expect(text).not.toContain(secret);
  expect(run.inputs).toEqual({
    args: [
      {
        $type: 'Connection',
        config: { host: 'db.internal', user: 'app', password: '[redacted]', options: { connection_string: '[redacted]' } },
        credentials: '[redacted]',
        'API-KEY': '[redacted]',
        auth_token: '[redacted]',
        maxTokens: 256,
      },
      { id: 7 },
    ],
  });
});

test("in plain data, a key that can only name a secret is redacted; token, auth, author and max_tokens are data, kept", async () => {
  const signUp = traceable(function signUp(form: Record<string, unknown>) {
    return form['user'];
  });
  signUp({ user: 'ada', password: 'typed-by-the-user', api_key: 'sk-PLAINKEYSECRET', token: 'Hello', auth: 'oauth', author: 'ada', max_tokens: 256, headers: { 'x-goog-api-key': 'GOOGSECRET', 'x-ratelimit-remaining-tokens': '9000' } });
  const run = only(await finishedRuns(tracing.client, tracing.exporter), 'signUp');
  expect(run.inputs).toEqual({ user: 'ada', password: '[redacted]', api_key: '[redacted]', token: 'Hello', auth: 'oauth', author: 'ada', max_tokens: 256, headers: { 'x-goog-api-key': '[redacted]', 'x-ratelimit-remaining-tokens': '9000' } });
});

test("an environment variable's name for a secret hides its string anywhere: a Worker's env, Node's process.env; other variables and a constant's number are kept", async () => {
  const handle = traceable(function handle(_request: string, _env: Record<string, unknown>) {
    return 'ok';
  });
  const named = {
    GITHUB_PAT: 'ghp_PATSECRET',
    STRIPE_SK: 'sk_live_SKSECRET',
    SENTRY_DSN: 'https://DSNSECRET@o1.ingest.sentry.io/2',
    SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/HOOKSECRET',
    SLACK_HOOK_URL: 'https://hooks.slack.com/services/T0/B0/HOOKSECRET',
    AZURE_STORAGE_CONNECTION_STRING: 'AccountName=a;AccountKey=AZSECRET',
    FIREBASE_SERVICE_ACCOUNT: '{"private_key":"FBSECRET"}',
    HASH_SALT: 'SALTSECRET',
    WALLET_MNEMONIC: 'abandon MNEMOSECRET',
    SLACK_WEBHOOK_URL_2: 'https://hooks.slack.com/services/T0/B0/HOOKSECRET',
    ALERTS_WEBHOOK_URLS: 'https://a.example/HOOKSECRET',
    GITHUB_PAT_RO: 'github_pat_PATSECRET',
    PAT_GITHUB: 'ghp_PATSECRET',
    OPENAI_SK: 'sk-proj-SKSECRET',
    APP_SK_PROD: 'SKSECRET',
    HASH_SALT_V2: 'SALTSECRET',
  };
  // Settings named alike: a webhook's path, events and switch, DynamoDB's sort keys, a locale, an SKU, salt rounds.
  const wordsAlike = {
    URL_PATTERN: '/a/*', SKU_COUNT: 'twelve', PATH_PREFIX: '/api', WEBHOOK_PATH: '/hooks', WEBHOOK_EVENTS: 'push', ENABLE_WEBHOOKS: 'true',
    GSI1_SK: 'GSI1SK', DYNAMODB_SK: 'sk', SK_PREFIX: 'ORDER#', LOCALE_SK: 'sk-SK', SALT_ROUNDS: '10',
  };
  handle('GET /', { OTLP_ENDPOINT: 'https://otlp.example', OTLP_AUTHORIZATION: 'Bearer OTLPSECRET', OPENAI_API_KEY: 'sk-OPENAISECRET', JWT_SECRET: 'JWTSECRET', DB_PASSWORD: 'DBSECRET', GITHUB_TOKEN: 'GITHUBSECRET', ADMIN_EMAIL: 'ada@example.com', MAX_TOKENS: 256, LOG_LEVEL: 'debug', Api_Key_Name: 'kept', ...named, ...wordsAlike });
  const runs = await finishedRuns(tracing.client, tracing.exporter);
  expect(JSON.stringify(runs)).not.toMatch(/OTLPSECRET|OPENAISECRET|JWTSECRET|DBSECRET|GITHUBSECRET|ada@example|PATSECRET|SKSECRET|DSNSECRET|HOOKSECRET|AZSECRET|FBSECRET|SALTSECRET|MNEMOSECRET/);
  expect((only(runs, 'handle').inputs as { args: unknown[] }).args[1]).toEqual({ OTLP_ENDPOINT: 'https://otlp.example', OTLP_AUTHORIZATION: '[redacted]', OPENAI_API_KEY: '[redacted]', JWT_SECRET: '[redacted]', DB_PASSWORD: '[redacted]', GITHUB_TOKEN: '[redacted]', ADMIN_EMAIL: '[redacted]', MAX_TOKENS: 256, LOG_LEVEL: 'debug', Api_Key_Name: 'kept', ...Object.fromEntries(Object.keys(named).map((name) => [name, '[redacted]'])), ...wordsAlike });
  // Node's own process.env (jest gives tests a proxy of it, recorded as "[Proxy]"), in a process of its own.
  const script = `const { traceable, TracingClient, MemoryExporter, setGlobalTracingClient } = require(${JSON.stringify(REPO_ROOT)});
    const exporter = new MemoryExporter(); const client = new TracingClient({ exporter }); setGlobalTracingClient(client);
    traceable(function configure(env) { return 'configured'; })(process.env);
    client.flush().then(() => process.stdout.write(JSON.stringify(exporter.findByName('configure')[0].inputs.input)));`;
  const inputs = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, SIGNING_KEY: 'SIGNINGSECRET', SIGNING_KEY_ID: 'key-7' } })) as Record<string, unknown>;
  expect(inputs).toMatchObject({ SIGNING_KEY: '[redacted]', SIGNING_KEY_ID: '[redacted]', PATH: process.env['PATH'] });
});

test("the variables that carry an exporter's credentials under other names are hidden from a traced process.env: OTLP headers, write replicas' keys, an endpoint's query; the rest of the URL and other variables are kept", async () => {
  const handle = traceable(function boot(_env: Record<string, unknown>) {
    return 'ok';
  });
  const prompt = `Answer briefly. ${'Be kind. '.repeat(300)}Docs: https://docs.example/search?q=Q3SECRET then the rest.`;
  handle({
    OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-honeycomb-team=HDRSECRET',
    LANGCHAIN_RUNS_ENDPOINTS: '{"https://a.example":"lsv2_REPLSECRET"}',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'https://fn.example/api/otlp?code=QRYSECRET&x=1#top',
    LANGSMITH_ENDPOINT: "https://fn.example/api;v=2,o'brien/x?code=Q4SECRET,TAIL4SECRET;more'",
    SERVICE_URLS: 'https://a.example/?k=Q2SECRET, https://b.example/plain',
    SYSTEM_PROMPT: prompt,
    HTTP_HEADERS_COUNT: 'twelve',
    LOG_LEVEL: 'debug?',
  });
  // A Map of the same variables (`new Map(Object.entries(process.env))`).
  handle(new Map([['OPENAI_API_KEY', 'sk-MAPSECRET'], ['LANGSMITH_ENDPOINT', 'https://x.example/?code=MAPQSECRET'], ['LOG_LEVEL', 'debug']]) as never);
  const runs = await finishedRuns(tracing.client, tracing.exporter);
  expect(JSON.stringify(runs)).not.toMatch(/HDRSECRET|REPLSECRET|QRYSECRET|Q2SECRET|Q3SECRET|Q4SECRET|TAIL4SECRET|MAPSECRET|MAPQSECRET/);
  const [objects, map] = runs.filter((run) => run.name === 'boot');
  expect(objects!.inputs).toEqual({
    OTEL_EXPORTER_OTLP_TRACES_HEADERS: '[redacted]',
    LANGCHAIN_RUNS_ENDPOINTS: '[redacted]',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'https://fn.example/api/otlp?[redacted]#top',
    LANGSMITH_ENDPOINT: "https://fn.example/api;v=2,o'brien/x?[redacted]",
    SERVICE_URLS: 'https://a.example/?[redacted] https://b.example/plain',
    SYSTEM_PROMPT: prompt.replace('?q=Q3SECRET', '?[redacted]'),
    HTTP_HEADERS_COUNT: 'twelve',
    LOG_LEVEL: 'debug?',
  });
  expect(map!.inputs).toEqual({ input: { $type: 'Map', entries: [['OPENAI_API_KEY', '[redacted]'], ['LANGSMITH_ENDPOINT', 'https://x.example/?[redacted]'], ['LOG_LEVEL', 'debug']] } });
  // Node's own process.env, in a process of its own, set up from that environment: each replica got the other's key.
  const script = `const { traceable, TracingClient, MemoryExporter, setGlobalTracingClient } = require(${JSON.stringify(REPO_ROOT)});
    const exporter = new MemoryExporter(); const client = new TracingClient({ exporter }); setGlobalTracingClient(client);
    traceable(function configure(env) { return 'configured'; })(process.env);
    client.flush().then(() => process.stdout.write(JSON.stringify(exporter.findByName('configure')[0].inputs.input)));`;
  const env = { ...process.env, OTEL_EXPORTER_OTLP_HEADERS: 'x-honeycomb-team=HDRSECRET', LANGSMITH_RUNS_ENDPOINTS: '{"http://127.0.0.1:9/a":"lsv2_REPLSECRET"}', LANGSMITH_ENDPOINT: 'http://127.0.0.1:9/api?code=QRYSECRET' };
  const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env });
  expect(out).not.toMatch(/HDRSECRET|REPLSECRET|QRYSECRET/);
  expect(JSON.parse(out)).toMatchObject({ OTEL_EXPORTER_OTLP_HEADERS: '[redacted]', LANGSMITH_RUNS_ENDPOINTS: '[redacted]', LANGSMITH_ENDPOINT: 'http://127.0.0.1:9/api?[redacted]' });
});

test("a URL's password is hidden in any captured string — an argument, a result, a field, mid-text — and the rest kept", async () => {
  const connect = traceable(function connect(url: string, _options: Record<string, string>) {
    return `connected to ${url}`;
  });
  const url = 'postgres://app:PGSECRET@db.internal:5432/app';
  expect(connect(url, { fallback: 'redis://:REDISSECRET@cache:6379/0', note: 'tried amqp://u:P@SS@WORDSECRET@mq/ for ada@example.com', mailUser: 'smtp://ada@example.com:MAILSECRET@mx:587', quoted: 'a://b://u:NESTEDSECRET@h/' })).toBe(`connected to ${url}`);
  const run = only(await finishedRuns(tracing.client, tracing.exporter), 'connect');
  for (const secret of ['PGSECRET', 'REDISSECRET', 'SS@WORDSECRET', 'WORDSECRET', 'MAILSECRET', 'NESTEDSECRET']) expect(JSON.stringify(run)).not.toContain(secret);
  expect(run.inputs).toEqual({
    args: ['postgres://app:[redacted]@db.internal:5432/app', { fallback: 'redis://:[redacted]@cache:6379/0', note: 'tried amqp://u:[redacted]@mq/ for ada@example.com', mailUser: 'smtp://ada@example.com:[redacted]@mx:587', quoted: 'a://b://u:[redacted]@h/' }],
  });
  expect(run.outputs).toEqual({ outputs: 'connected to postgres://app:[redacted]@db.internal:5432/app' });
  // Arguments that are all primitives are captured without the walk: a string with a password goes through it.
  const ping = traceable(function ping(_target: string, _email: string) {
    return 'mailto:ada@example.com';
  });
  const path = '/v1/' + 'segment/'.repeat(8); // over 64 characters, and one under
  ping(`https://u:PINGSECRET@h${path}`, 'https://u:SHORTSECRET@h/');
  const pinged = only(await finishedRuns(tracing.client, tracing.exporter), 'ping');
  expect(pinged.inputs).toEqual({ args: [`https://u:[redacted]@h${path}`, 'https://u:[redacted]@h/'] });
  expect(pinged.outputs).toEqual({ outputs: 'mailto:ada@example.com' });
});

test("a run's error hides a URL's password its message quotes (Node's fetch; an app's own message); the caller gets the error as thrown", async () => {
  const load = traceable(async function load(url: string) {
    return (await fetch(url)).status;
  });
  const open = traceable(function open(url: string) {
    throw new Error(`cannot reach ${url}: refused`);
  });
  const fetched = await load('http://user:FETCHSECRET@127.0.0.1:9/x').catch((error: Error) => error);
  expect(String(fetched)).toContain('FETCHSECRET'); // the program's own error, unchanged
  expect(() => open('amqp://user:OWNSECRET@mq:5672/')).toThrow('cannot reach amqp://user:OWNSECRET@mq:5672/: refused');
  const runs = await finishedRuns(tracing.client, tracing.exporter);
  expect(JSON.stringify(runs)).not.toMatch(/FETCHSECRET|OWNSECRET/);
  expect(only(runs, 'load').error).toMatch(/^TypeError: .*http:\/\/user:\[redacted\]@127\.0\.0\.1:9\/x/);
  expect(only(runs, 'open').error).toMatch(/^Error: cannot reach amqp:\/\/user:\[redacted\]@mq:5672\/: refused\n\s+at /);
});

test("a text past maxStringLength keeps the passwords hidden in all it keeps, however hiding them moves the cut, in a value and in an error's message", async () => {
  const { client, exporter } = installMemoryTracing({ serializeLimits: { maxStringLength: 1_000 } });
  // Each line hides a 60-character password behind 10: the 1 000 characters kept reach about 2 400 of the text.
  const log = Array.from({ length: 60 }, (_, i) => `${i} postgres://app:${'S'.repeat(60)}@db/x\n`).join('');
  const hidden = log.replaceAll('S'.repeat(60), '[redacted]');
  const keep = traceable(function keep(_text: string) {
    throw new Error(log);
  });
  expect(() => keep(log)).toThrow(log);
  // A password across the cut.
  const across = `${'x'.repeat(980)}postgres://app:${'S'.repeat(100)}@db/x`;
  traceable(function straddle(_text: string) {
    return 'ok';
  })(across);
  const runs = await finishedRuns(client, exporter);
  expect(JSON.stringify(runs)).not.toContain('SSSS');
  const kept = (only(runs, 'keep').inputs as { input: string }).input;
  expect(kept.slice(0, 1_000)).toBe(hidden.slice(0, 1_000));
  expect(kept.slice(1_000)).toMatch(/^\.\.\.\[truncated \d+ chars\]$/);
  expect(only(runs, 'keep').error!.slice(0, 1_000)).toBe(`Error: ${hidden}`.slice(0, 1_000));
  expect((only(runs, 'straddle').inputs as { input: string }).input).toBe(`${'x'.repeat(980)}postgres://app:[reda...[truncated 10 chars]`);
});

test('beneath a class instance, a key containing a secret, ending in token or naming authentication is redacted, and a URL loses its password', async () => {
  class Driver {
    connectionConfig = { password2: 'MFASECRET2', passwordSha1: 'SHA1SECRET', user: 'app' };
    condition = { auth: ['app', 'AUTHARRAYSECRET'], select: 0 };
    defaultHeaders = { 'Helicone-Auth': 'Bearer HELICONESECRET', 'x-portkey-api-key': 'PORTKEYSECRET', 'x-amz-security-token': 'AMZSECRET', 'x-ratelimit-remaining-tokens': '9000' };
    url = 'mongodb://app:URLPASSWORDSECRET@db.internal:27017/app?authSource=admin';
    author = 'ada';
    maxTokens = 256;
    tokenizer = 'cl100k';
  }
  const connect = traceable(function connect(_driver: Driver) {
    return true;
  });
  connect(new Driver());
  const run = only(await finishedRuns(tracing.client, tracing.exporter), 'connect');
  const text = JSON.stringify(run);
  for (const secret of ['MFASECRET2', 'SHA1SECRET', 'AUTHARRAYSECRET', 'HELICONESECRET', 'PORTKEYSECRET', 'AMZSECRET', 'URLPASSWORDSECRET']) expect(text).not.toContain(secret);
  expect(run.inputs).toEqual({
    input: {
      $type: 'Driver',
      connectionConfig: { password2: '[redacted]', passwordSha1: '[redacted]', user: 'app' },
      condition: { auth: '[redacted]', select: 0 },
      defaultHeaders: { 'Helicone-Auth': '[redacted]', 'x-portkey-api-key': '[redacted]', 'x-amz-security-token': '[redacted]', 'x-ratelimit-remaining-tokens': '9000' },
      url: 'mongodb://app:[redacted]@db.internal:27017/app?authSource=admin',
      author: 'ada',
      maxTokens: 256,
      tokenizer: 'cl100k',
    },
  });
});

test("an error's own fields are its internals: an HTTP client's error records its request config without the password", async () => {
  const call = traceable(function call(failure: Error) {
    return failure.message;
  });
  const failure = Object.assign(new Error('Request failed with status code 401'), { config: { url: '/v1/me', auth: { username: 'ada', password: 'BASICAUTHSECRET' } }, status: 401 });
  call(failure);
  const run = only(await finishedRuns(tracing.client, tracing.exporter), 'call');
  expect(JSON.stringify(run)).not.toContain('BASICAUTHSECRET');
  expect(run.inputs).toMatchObject({ input: { $type: 'Error', status: 401, config: { url: '/v1/me', auth: '[redacted]' } } });
});

test("axios's error from a refused connection, with the auth option, records neither the password nor the socket's unsent request", async () => {
  const failed = await axios.get('http://127.0.0.1:9/x', { auth: { username: 'u', password: 'AXIOSAUTHSECRET' }, headers: { 'X-Api-Key': 'AXIOSHEADERSECRET' } }).catch((error: unknown) => error);
  expect(axios.isAxiosError(failed)).toBe(true);
  const report = traceable(function report(_failure: unknown) {
    return 'reported';
  });
  report(failed);
  const run = only(await finishedRuns(tracing.client, tracing.exporter), 'report');
  const text = JSON.stringify(run);
  for (const secret of ['AXIOSAUTHSECRET', 'AXIOSHEADERSECRET', Buffer.from('u:AXIOSAUTHSECRET').toString('base64')]) expect(text).not.toContain(secret);
  expect(text.length).toBeLessThan(20_000);
});

test("an agent with a request in flight is recorded as its settings: not its sockets, their unsent headers, or other requests'", async () => {
  const server = createServer(() => undefined); // never answers: the request stays in flight
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const agent = new Agent({ keepAlive: true });
  const pending = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/v1/models?view=1', agent, headers: { 'x-amz-security-token': 'SESSIONHEADERSECRET', authorization: 'AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/SIGNATURESECRET' } });
  pending.on('error', () => undefined);
  pending.end();
  await new Promise((connected) => pending.once('socket', (socket) => socket.once('connect', connected)));
  try {
    const inspect = traceable(function inspect(_shared: Agent, _socket: unknown) {
      return 'inspected';
    });
    inspect(agent, pending.socket);
    const run = only(await finishedRuns(tracing.client, tracing.exporter), 'inspect');
    const text = JSON.stringify(run);
    for (const secret of ['SESSIONHEADERSECRET', 'SIGNATURESECRET']) expect(text).not.toContain(secret);
    const [shared, socket] = (run.inputs as { args: Record<string, unknown>[] }).args;
    expect(shared).toEqual({ $type: 'Agent', keepAlive: true, maxSockets: Infinity === agent.maxSockets ? '[Infinity]' : agent.maxSockets });
    expect(socket).toMatchObject({ remoteAddress: '127.0.0.1', destroyed: false });
  } finally {
    pending.destroy();
    agent.destroy();
    server.closeAllConnections();
    await new Promise((closed) => server.close(closed));
  }
});

test("an ioredis client caught in its handshake is recorded without the password its queued HELLO … AUTH carries; other commands keep their arguments", async () => {
  const server = createTcpServer((socket) => socket.on('data', () => undefined)); // reads the handshake, never answers
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const redis = new Redis({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, username: 'app', password: 'HANDSHAKESECRET', lazyConnect: true, maxRetriesPerRequest: 0 });
  redis.on('error', () => undefined);
  const handshake = new Promise((sent) => server.once('connection', (socket) => socket.once('data', sent)));
  redis.connect().catch(() => undefined);
  const queued = redis.get('user:42').catch(() => undefined); // waits in the offline queue behind the handshake
  await handshake;
  try {
    const use = traceable(function use(_client: Redis) {
      return 'used';
    });
    use(redis);
    const run = only(await finishedRuns(tracing.client, tracing.exporter), 'use');
    const text = JSON.stringify(run);
    expect(text).toContain('"name":"hello","');
    expect(text).not.toContain('HANDSHAKESECRET');
    expect(text).toContain('"args":["user:42"]');
  } finally {
    redis.disconnect();
    await queued;
    server.close();
  }
});
