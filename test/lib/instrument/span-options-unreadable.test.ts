import { getCurrentSpan, setGlobalTracingClient, startSpan, withSpan } from '../../../index';
import { finishedRuns, installMemoryTracing } from '../../helpers/memory-tracing';
import { revokedProxy } from '../../helpers/revoked-proxy';

let tracing: ReturnType<typeof installMemoryTracing>;
let warnings: string[];
beforeEach(() => {
  warnings = [];
  tracing = installMemoryTracing({ logger: { warn: (message: string) => void warnings.push(message) } });
});
afterEach(() => setGlobalTracingClient(undefined));

const SECRET = 'sk-live-0123456789-from-the-vault';

const throwing = (key: string, thrown: unknown): object => {
  return Object.defineProperty({}, key, {
    enumerable: true,
    get() {
      throw thrown;
    },
  });
};

/**
 * startSpan and withSpan never throw (README, "Run handles and manual spans"): options that cannot be read give a
 * handle that records nothing, warned once per setting — the warning names the setting, and quotes nothing of what
 * a getter threw (a getter may load a secret).
 */
test('unreadable options record nothing and are warned about by setting, without what the getter threw', async () => {
  const revoked = startSpan('revoked', revokedProxy() as never);
  expect(revoked.isRecording).toBe(false);
  revoked.end();
  startSpan('getter', throwing('tags', new Error(SECRET)) as never).end();
  expect(withSpan('block', () => 'ran', throwing('metadata', new Error(SECRET)) as never)).toBe('ran');
  expect(await finishedRuns(tracing.client, tracing.exporter)).toEqual([]);
  expect(warnings).toHaveLength(3);
  expect(warnings[0]).toContain('Invalid startSpan/withSpan options: received [value not shown: reading it threw]');
  expect(warnings[1]).toContain('Invalid tags: received [value not shown: reading it threw]');
  expect(warnings[2]).toContain('Invalid metadata: received [value not shown: reading it threw]');
  expect(warnings.join('\n')).not.toContain(SECRET);
});

test.each([
  ['null', null],
  ['a revoked Proxy', revokedProxy()],
])('a getter that throws %s never escapes startSpan or withSpan', (_label, thrown) => {
  expect(() => startSpan('step', throwing('runType', thrown) as never).end()).not.toThrow();
  expect(withSpan('block', () => 'ran', throwing('inputs', thrown) as never)).toBe('ran');
  expect(warnings).toEqual([expect.stringContaining('Invalid runType: received [value not shown: reading it threw]'), expect.stringContaining('Invalid inputs: received [value not shown: reading it threw]')]);
});

test('options refused beside a client given as the client option are warned to that client, with no global client (a tenant’s)', () => {
  setGlobalTracingClient(undefined);
  const tenantWarnings: string[] = [];
  const tenant = installMemoryTracing({ logger: { warn: (message: string) => void tenantWarnings.push(message) } }).client;
  setGlobalTracingClient(undefined);
  startSpan('step', { client: tenant, tags: 'not-an-array' as never }).end();
  expect(withSpan('block', () => 'ran', { client: tenant, metadata: null as never })).toBe('ran');
  expect(tenantWarnings).toEqual([expect.stringContaining('Invalid tags'), expect.stringContaining('Invalid metadata')]);
  expect(warnings).toEqual([]);
});

test('addTags given what cannot be read (a revoked Proxy, an array whose element throws) adds nothing and never throws into the caller', async () => {
  const handle = startSpan('tagged');
  expect(() => handle.addTags(revokedProxy() as never)).not.toThrow();
  const throwingElement = Object.defineProperty([] as string[], 0, { enumerable: true, get: () => { throw new Error(SECRET); } });
  expect(withSpan('inner', () => (getCurrentSpan()!.addTags(throwingElement), 'ran'))).toBe('ran');
  handle.addTags('kept').end();
  const runs = await finishedRuns(tracing.client, tracing.exporter);
  expect(runs.map((run) => [run.name, run.tags])).toEqual(expect.arrayContaining([['tagged', ['kept']], ['inner', []]]));
});
