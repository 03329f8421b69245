import { configureTracing, MemoryExporter, TracewireConfigError, TracingClient } from '../../../index';

/** langsmith's `Client` options, given to tracewire's client as a migrant would: refused with what does their work here. */
test.each([
  ['hideInputs', true, 'redact: { inputs }'],
  ['hideOutputs', true, 'redact: { outputs }'],
  ['apiUrl', 'https://api.smith.langchain.com', 'new LangSmithExporter({ endpoint })'],
  ['apiKey', 'lsv2-secret', 'new LangSmithExporter({ apiKey })'],
  ['tracingSamplingRate', 0.5, 'sampleRate'],
  ['blockOnRootRunFinalization', true, "mode: 'blocking'"],
  ['autoBatchTracing', false, 'tracewire always batches'],
])("langsmith's Client option %s is refused, naming what to use instead, in new TracingClient() and configureTracing()", (option, value, instead) => {
  for (const make of [() => new TracingClient({ exporter: new MemoryExporter(), [option]: value } as never), () => configureTracing({ exporter: 'memory', [option]: value } as never)]) {
    let error: unknown;
    try {
      make();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TracewireConfigError);
    // Its name, then what to use: not `received "apiKey"`, which read as if the name were the value set.
    expect((error as Error).message).toMatch(new RegExp(`^Invalid option "${option}": langsmith's Client option ${option} is not taken; use `));
    expect((error as Error).message).not.toContain('received');
    expect((error as Error).message).toContain(instead);
    // A value given in the wrong place is never quoted (an apiKey's least of all).
    expect((error as Error).message).not.toContain('lsv2-secret');
  }
});
