import 'reflect-metadata';
import { FlushOnExit, TracewireConfigError, TracingClient, setGlobalTracingClient, traceable, type FlushOnExitOptions, type InvocationFlushResult } from '../../index';
import { detectDecoratorMode } from '../helpers/decorator-mode';
import { GatedExporter, settle } from '../helpers/gated-exporter';

const mode = detectDecoratorMode();

/** The error `FlushOnExit(options)` throws, or undefined. */
function rejection(options: unknown): unknown {
  try {
    FlushOnExit(options as FlushOnExitOptions);
    return undefined;
  } catch (error) {
    return error;
  }
}

describe(`FlushOnExit options are checked when the decorator is made (${mode} decorators)`, () => {
  test.each([
    ['a number', 5, 'Invalid FlushOnExit options: received 5; expected an options object or nothing.'],
    ['an unknown option', { timeout: 5 }, 'Invalid option "timeout": not an option; expected one of timeoutMillis, onFlushResult, waitUntil, client.'],
    ['a timeout given as text', { timeoutMillis: '100' }, 'Invalid timeoutMillis: received "100"; expected milliseconds, more than 0 and at most 2147483647.'],
    ['a zero timeout', { timeoutMillis: 0 }, 'Invalid timeoutMillis: received 0; expected milliseconds, more than 0 and at most 2147483647.'],
    ['a NaN timeout', { timeoutMillis: NaN }, 'Invalid timeoutMillis: received NaN; expected milliseconds, more than 0 and at most 2147483647.'],
    // Longer than a timer can wait: it would fire at once, and the first call fell back to another timeout.
    ['a timeout past what a timer can wait', { timeoutMillis: 3e9 }, 'Invalid timeoutMillis: received 3000000000; expected milliseconds, more than 0 and at most 2147483647.'],
    ['an infinite timeout', { timeoutMillis: Infinity }, 'Invalid timeoutMillis: received Infinity; expected milliseconds, more than 0 and at most 2147483647.'],
    ['an onFlushResult that is no function', { onFlushResult: 'log' }, 'Invalid onFlushResult: received "log"; expected a function.'],
    ['a null client', { client: null }, `Invalid client: received null; expected the option left out (or undefined) for its default, or a value it takes: null is not read as "none".`],
    ['a client without flush', { client: {} }, 'Invalid client: received an object; expected a TracingClient.'],
  ])('%s is a TracewireConfigError naming the setting and what is accepted', (_what, options, message) => {
    const error = rejection(options);
    expect(error).toBeInstanceOf(TracewireConfigError);
    expect((error as Error).message).toBe(message);
  });

  test('every documented option, and none, is accepted', () => {
    const client = new TracingClient({ exporter: new GatedExporter(), logger: { warn() {} } });
    expect(rejection(undefined)).toBeUndefined();
    expect(rejection({})).toBeUndefined();
    expect(rejection({ timeoutMillis: 0.5, onFlushResult: () => undefined, waitUntil: 'auto', client })).toBeUndefined();
    expect(rejection({ waitUntil: () => undefined })).toBeUndefined();
  });
});

describe(`@FlushOnExit around unusual handler results (${mode} decorators)`, () => {
  let exporter: GatedExporter;
  const reports: InvocationFlushResult[] = [];
  const warnings: string[] = [];
  const step = traceable(function step(i: number) {
    return i;
  });

  beforeEach(() => {
    reports.length = 0;
    exporter = new GatedExporter();
    setGlobalTracingClient(new TracingClient({ exporter, flushIntervalMillis: 60_000, flushTimeoutMillis: 60_000, logger: { warn: (message) => warnings.push(message) } }));
  });
  afterEach(() => setGlobalTracingClient(undefined));

  test('a sync handler that throws throws its own error at once, and its flush still starts', async () => {
    const failure = new Error('bad event');
    class Handler {
      @FlushOnExit({ onFlushResult: (result) => reports.push(result) })
      handle(): string {
        step(1);
        throw failure;
      }
    }
    expect(() => new Handler().handle()).toThrow(failure);
    const deadline = Date.now() + 20_000;
    while (reports.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(reports).toHaveLength(1);
    expect(exporter.completePosts).toEqual(['step']);
  });

  test('a primitive result is returned as is and synchronously, even if a prototype has a then (the language never awaits primitives)', () => {
    const stringPrototype = String.prototype as { then?: unknown };
    stringPrototype.then = function then(resolve: (value: unknown) => void) {
      resolve('followed');
    };
    try {
      class Handler {
        @FlushOnExit()
        handle(): string {
          step(1);
          return 'plain';
        }
      }
      expect(new Handler().handle()).toBe('plain');
    } finally {
      delete stringPrototype.then;
    }
  });

  test('a callable thenable (a function with a then) is followed: it settles only after delivery', async () => {
    exporter.holding = true;
    const lazy = Object.assign(() => 'called', {
      then(resolve: (value: string) => unknown, reject: (error: unknown) => unknown) {
        return Promise.resolve('resolved').then(resolve, reject);
      },
    });
    class Handler {
      @FlushOnExit({ onFlushResult: (result) => reports.push(result) })
      handle(): typeof lazy {
        step(1);
        return lazy;
      }
    }
    const returned = new Handler().handle() as unknown as PromiseLike<string>;
    let settledEarly = false;
    void Promise.resolve(returned).then(() => (settledEarly = reports.length === 0));
    for (let i = 0; i < 20; i++) await settle();
    expect(reports).toHaveLength(0);
    exporter.holding = false;
    exporter.releaseAll();
    await expect(Promise.resolve(returned)).resolves.toBe('resolved');
    expect(settledEarly).toBe(false);
    expect(reports).toHaveLength(1);
  });

  // One test: the warning is once per process (per loaded copy of the library, here this file).
  test('only a timed-out flush warns, once per process, naming the deadline and what was left', async () => {
    const onFlushResult = (result: InvocationFlushResult) => reports.push(result);
    class Handler {
      // Generous: this one must never time out, however loaded the machine.
      @FlushOnExit({ timeoutMillis: 20_000, onFlushResult })
      async delivered(): Promise<string> {
        step(1);
        return 'ok';
      }

      @FlushOnExit({ timeoutMillis: 150, onFlushResult })
      async handle(): Promise<string> {
        step(1);
        return 'ok';
      }
    }
    await expect(new Handler().delivered()).resolves.toBe('ok');
    expect(reports.at(-1)).toMatchObject({ timedOut: false });
    expect(warnings).toEqual([]);
    exporter.holding = true; // from now on the endpoint never answers
    await expect(new Handler().handle()).resolves.toBe('ok');
    await expect(new Handler().handle()).resolves.toBe('ok');
    expect(reports.slice(-2)).toMatchObject([{ timedOut: true }, { timedOut: true }]);
    expect(warnings).toEqual([
      'tracewire: @FlushOnExit gave up waiting after 150 ms with 1 span(s) undelivered; the handler returned anyway. Reported once per process; see onFlushResult.',
    ]);
    exporter.releaseAll();
  });
});
