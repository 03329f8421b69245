import { MemoryExporter, startSpan, traceable, TracingClient, type TracingClientOptions } from '../../../index';

/**
 * A traced call whose span cannot be started (on a Worker's global scope the
 * runtime refuses random values; here the client fails on purpose) runs
 * untraced: its own value or error, counted in `stats().untraced`, warned
 * once — whatever the failure is, and whatever the logger does.
 */
const hostile = new Proxy(new Error('secret input: lsv2-key'), {
  get(target, key) {
    if (key === 'name') throw new Error('a getter that throws');
    return Reflect.get(target, key);
  },
});

/** A client whose every span start fails with `failure`. */
class FailingClient extends TracingClient {
  constructor(private readonly failure: unknown, options: Partial<TracingClientOptions> = {}) {
    super({ exporter: new MemoryExporter(), ...options });
  }
  override startSpan(): never {
    throw this.failure;
  }
}

test.each([
  ['an Error', new TypeError('refused'), 'TypeError'],
  ['an error whose name getter throws', hostile, 'object'],
  ['a thrown string', 'refused', 'string'],
])('%s: the call runs untraced, its value back, counted and warned once by name only', (_case, failure, named) => {
  const warnings: string[] = [];
  const client = new FailingClient(failure, { logger: { warn: (message) => warnings.push(message) } });
  const add = traceable((a: number, b: number) => a + b, { client });
  expect([add(1, 2), add(3, 4)]).toEqual([3, 7]);
  expect(startSpan('manual', { client }).isRecording).toBe(false);
  expect(client.stats().untraced).toBe(3);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toContain(`its span could not be started (${named})`);
  expect(warnings[0]).not.toContain('lsv2-key');
});

test('a logger that throws does not reach the traced call', () => {
  const client = new FailingClient(new Error('refused'), { logger: { warn: () => { throw new Error('logger down'); } } });
  const fails = traceable(() => { throw new RangeError('its own'); }, { client });
  expect(() => fails()).toThrow(RangeError);
  expect(client.stats().untraced).toBe(1);
});

test("with the program's Date deleted (zod's test of an ES5 environment), traced calls run untraced and the warning still reaches the logger", () => {
  const warnings: string[] = [];
  const client = new TracingClient({ exporter: new MemoryExporter(), logger: { warn: (message) => warnings.push(message) } });
  const double = traceable((n: number) => n * 2, { client });
  const date = Object.getOwnPropertyDescriptor(globalThis, 'Date')!;
  const results: number[] = [];
  try {
    delete (globalThis as { Date?: unknown }).Date;
    // Before: the warning's once-a-minute check read Date.now() in the call's catch, and the third call threw a ReferenceError.
    for (const n of [1, 2, 3, 4]) results.push(double(n));
  } finally {
    Object.defineProperty(globalThis, 'Date', date);
  }
  expect(results).toEqual([2, 4, 6, 8]);
  expect(client.stats().untraced).toBeGreaterThan(0);
  expect(warnings.filter((warning) => warning.includes('ran untraced'))).toHaveLength(1);
  void client.shutdown();
});
