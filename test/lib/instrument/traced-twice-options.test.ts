import { MemoryExporter, TracingClient, traceable, type Run } from '../../../index';

/**
 * A traced function traced again with options is still traced once per
 * call; the outer options take effect over the inner ones, and what is
 * recorded can only shrink.
 */
const recording = () => {
  const exporter = new MemoryExporter();
  const client = new TracingClient({ exporter });
  const runs = async (): Promise<Run[]> => {
    await client.flush({ timeoutMillis: 2_000 });
    return exporter.finishedRuns;
  };
  return { client, runs };
};

test('the outer options replace the inner ones they name, in the one run of each call', async () => {
  const { client, runs } = recording();
  const inner = traceable(function fetchUser(id: number) {
    return { id };
  }, { client, tags: ['inner'], metadata: { layer: 'repo' } });
  const outer = traceable(inner, { name: 'renamed', runType: 'retriever', tags: ['db'], metadata: { a: 1 } });
  expect(outer(7)).toEqual({ id: 7 });
  expect((await runs()).map((run) => [run.name, run.run_type, run.tags, run.extra?.metadata])).toEqual([
    ['renamed', 'retriever', ['db'], { a: 1 }],
  ]);
});

test('options the outer wrap does not name stay the inner ones; the inner function is left as it was, and returned as it is with no options', async () => {
  const { client, runs } = recording();
  const inner = traceable(function fetchUser(id: number) {
    return id;
  }, { client, runType: 'tool', tags: ['inner'] });
  expect(traceable(inner)).toBe(inner);
  expect(traceable(inner, {})).toBe(inner);
  const outer = traceable(inner, { name: 'renamed' });
  expect(outer).not.toBe(inner);
  expect(outer.name).toBe('fetchUser');
  outer(1);
  inner(2);
  expect((await runs()).map((run) => [run.name, run.run_type, run.tags, run.inputs])).toEqual([
    ['renamed', 'tool', ['inner'], { input: 1 }],
    ['fetchUser', 'tool', ['inner'], { input: 2 }],
  ]);
});

test('captureInputs / captureOutputs false on either wrap records no inputs / outputs', async () => {
  const { client, runs } = recording();
  const open = traceable((secret: string) => secret.length, { client, name: 'open' });
  const closedInside = traceable((secret: string) => secret.length, { client, name: 'closedInside', captureInputs: false, captureOutputs: false });
  traceable(open, { captureInputs: false, captureOutputs: false })('hunter2');
  traceable(closedInside, { captureInputs: true, processOutputs: (outputs) => outputs })('hunter2');
  expect((await runs()).map((run) => [run.name, run.inputs, run.outputs])).toEqual([
    ['open', {}, undefined],
    ['closedInside', {}, undefined],
  ]);
});

test("a redaction (capture function or process hook) on either wrap applies; with both, the outer one gets what the inner one would record", async () => {
  const { client, runs } = recording();
  const login = (form: { user: string; pin: string; otp: string }) => form.user;
  const hidePassword = (inputs: Readonly<Record<string, unknown>>) => ({ ...inputs, pin: '***' });
  const redactedInside = traceable(login, { client, name: 'inside', processInputs: hidePassword });
  traceable(redactedInside, { tags: ['outer'] })({ user: 'ada', pin: 'pw', otp: '123' });
  traceable(traceable(login, { client, name: 'outside' }), { processInputs: hidePassword })({ user: 'ada', pin: 'pw', otp: '123' });
  const both = traceable(traceable(login, { client, name: 'both', processInputs: hidePassword }), {
    captureInputs: ([recorded]) => ({ ...(recorded as object), otp: '***' }),
  });
  both({ user: 'ada', pin: 'pw', otp: '123' });
  expect((await runs()).map((run) => [run.name, run.inputs])).toEqual([
    ['inside', { user: 'ada', pin: '***', otp: '123' }],
    ['outside', { user: 'ada', pin: '***', otp: '123' }],
    ['both', { user: 'ada', pin: '***', otp: '***' }],
  ]);
});
