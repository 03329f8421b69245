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
