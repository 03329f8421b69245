import 'reflect-metadata';
import { container } from 'tsyringe';
import {
  ConsoleExporter,
  configureTracing,
  LangSmithExporter,
  MemoryExporter,
  OtlpHttpExporter,
  setGlobalTracingClient,
  startSpan,
  Traceable,
  traceable,
  TracingClient,
} from '../../index';

afterEach(() => {
  setGlobalTracingClient(undefined);
  container.reset();
});

/** `options` with every property turned into an enumerable getter that counts its reads, and the counts. */
const counted = <T extends object>(options: T): { options: T; reads: Record<string, number> } => {
  const reads: Record<string, number> = {};
  const given = {} as T;
  for (const [key, value] of Object.entries(options)) {
    reads[key] = 0;
    Object.defineProperty(given, key, {
      enumerable: true,
      get() {
        reads[key]!++;
        return value;
      },
    });
  }
  return { options: given, reads };
};

const once = (reads: Record<string, number>): Record<string, number> => Object.fromEntries(Object.keys(reads).map((key) => [key, 1]));

/**
 * Options are read once, into a snapshot that every check and the object built read: a getter runs once, so a
 * getter that returns something else on each read cannot pass a check with one value and be used with another.
 */
test.each([
  ['new TracingClient', () => ({ exporter: new MemoryExporter(), logger: { warn() {} }, projectName: 'p', redact: { inputs: (value: unknown) => value } }), (options: never) => new TracingClient(options)],
  ['configureTracing', () => ({ exporter: new MemoryExporter(), enabled: true, projectName: 'p' }), (options: never) => configureTracing(options)],
  ['new LangSmithExporter', () => ({ endpoint: 'http://127.0.0.1:9', apiKey: 'key' }), (options: never) => new LangSmithExporter(options)],
  ['new OtlpHttpExporter', () => ({ endpoint: 'http://127.0.0.1:9', headers: { 'x-team': 'ops' } }), (options: never) => new OtlpHttpExporter(options)],
  ['new ConsoleExporter', () => ({ write: () => {} }), (options: never) => new ConsoleExporter(options)],
  ['traceable (an anonymous function, named by the options)', () => ({ name: 'named', runType: 'tool' }), (options: never) => traceable(() => 1, options)],
  [
    '@Traceable on two methods',
    () => ({ runType: 'tool', tags: ['t'] }),
    (options: never) => {
      const decorate = Traceable(options);
      for (const name of ['a', 'b']) decorate({}, name, { value: function () {} });
    },
  ],
  ['startSpan', () => ({ runType: 'tool', inputs: { q: 1 } }), (options: never) => startSpan('step', options).end()],
])('%s reads each option once', (_entry, options, call) => {
  setGlobalTracingClient(new TracingClient({ exporter: new MemoryExporter() }));
  const { options: given, reads } = counted(options());
  call(given as never);
  expect(reads).toEqual(once(reads));
});

test('the logger a client checked is the logger it warns through, whatever its getter returns later', async () => {
  const warnings: string[] = [];
  const loggers = [{ warn: (message: string) => void warnings.push(message) }, { warn: 'not a function' }];
  const client = new TracingClient({
    exporter: new MemoryExporter(),
    get logger() {
      return loggers.shift() ?? loggers[0];
    },
  } as never);
  await client.flush({ timeoutMillis: -1 }); // a bad deadline: warned through the logger
  expect(warnings).toEqual([expect.stringContaining('timeoutMillis -1 is not 0 to 2147483647 ms')]);
});

describe('options given as an instance of a class of your own', () => {
  // A config class whose values are getters on its prototype: `options.x` read them before options were snapshotted.
  class TracingSettings {
    readonly exporter = new MemoryExporter();
    get projectName(): string {
      return 'from-a-getter';
    }
    get maxBatchSize(): number {
      return 7;
    }
  }
  class SpanSettings {
    get name(): string {
      return 'named-by-a-getter';
    }
    get tags(): string[] {
      return ['inherited'];
    }
  }

  test('what it inherits is read (getters on its prototype), for a client and for traceable', async () => {
    const settings = new TracingSettings();
    const client = new TracingClient(settings);
    expect(client.config).toMatchObject({ projectName: 'from-a-getter', maxBatchSize: 7 });
    setGlobalTracingClient(client);
    traceable(() => 1, new SpanSettings())();
    await client.flush();
    expect(settings.exporter.finishedRuns.map((run) => [run.name, run.session_name, run.tags])).toEqual([['named-by-a-getter', 'from-a-getter', ['inherited']]]);
  });

  test('an object made with Object.create(proto) is read through its prototype too', () => {
    const exporter = new MemoryExporter();
    expect(() => new TracingClient({ exporter })).not.toThrow();
    const withProto = Object.assign(Object.create({ projectName: 'inherited-plain' }), { exporter }) as { exporter: MemoryExporter };
    expect(new TracingClient(withProto).config.projectName).toBe('inherited-plain');
  });
});
