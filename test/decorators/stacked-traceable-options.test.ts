import 'reflect-metadata';
import { FlushOnExit, Traceable, setGlobalTracingClient, type InvocationFlushResult } from '../../index';
import { detectDecoratorMode } from '../helpers/decorator-mode';
import { finishedRuns, installMemoryTracing } from '../helpers/memory-tracing';

/**
 * `@Traceable(options)` over a method another `@Traceable` already traced:
 * one run per call, the outer options over the inner ones, what is recorded
 * only shrinking. Compiled twice by jest.config.ts: once per decorator mode.
 */
const mode = detectDecoratorMode();
let tracing: ReturnType<typeof installMemoryTracing>;
const flushed: InvocationFlushResult[] = [];
beforeEach(() => {
  tracing = installMemoryTracing();
  flushed.length = 0;
});
afterEach(() => setGlobalTracingClient(undefined));

class Accounts {
  @Traceable({ name: 'lookup', runType: 'retriever', captureInputs: false })
  @Traceable({ tags: ['inner'], processOutputs: (outputs) => ({ ...outputs, token: '***' }) })
  find(id: string): { id: string; token: string } {
    return { id, token: 'secret' };
  }

  @Traceable({ name: 'login', captureOutputs: false })
  @FlushOnExit({ onFlushResult: (result) => void flushed.push(result) })
  @Traceable({ runType: 'tool' })
  async login(user: string): Promise<string> {
    return `session of ${user}`;
  }
}

describe(`@Traceable(options) stacked on a traced method (${mode} decorators)`, () => {
  test('one run per call, the outer name and run type, the inner tags; the inner redaction and the outer captureInputs false both apply', async () => {
    expect(new Accounts().find('ada')).toEqual({ id: 'ada', token: 'secret' });
    expect((await finishedRuns(tracing.client, tracing.exporter)).map((run) => [run.name, run.run_type, run.tags, run.inputs, run.outputs])).toEqual([
      ['lookup', 'retriever', ['inner'], {}, { id: 'ada', token: '***' }],
    ]);
  });

  test('over @FlushOnExit around a traced handler: traced once with both settings, flushed once', async () => {
    expect(await new Accounts().login('ada')).toBe('session of ada');
    expect((await finishedRuns(tracing.client, tracing.exporter)).map((run) => [run.name, run.run_type, run.inputs, run.outputs])).toEqual([
      ['login', 'tool', { input: 'ada' }, undefined],
    ]);
    expect(flushed).toHaveLength(1);
    expect(Accounts.prototype.login.name).toBe('login');
    expect(Accounts.prototype.login.length).toBe(1);
  });
});
