import { inspect } from 'node:util';
import { MemoryExporter, TracewireConfigError, TracewireUsageError, TracingClient } from '../../index';

/** A log line or a stack trace says which of tracewire's errors it is before the message. */
test('tracewire’s errors print under their own class name', () => {
  const usage = new TracewireUsageError('put it on a method or a class.');
  expect(usage.name).toBe('TracewireUsageError');
  expect(String(usage)).toBe('TracewireUsageError: put it on a method or a class.');
  expect(inspect(usage).startsWith('TracewireUsageError: put it on a method or a class.')).toBe(true);

  let config: unknown;
  try {
    new TracingClient({ exporter: new MemoryExporter(), projectName: '' });
  } catch (error) {
    config = error;
  }
  expect(config).toBeInstanceOf(TracewireConfigError);
  expect(String(config)).toBe('TracewireConfigError: Invalid projectName: received ""; expected a non-empty string.');
});

/** `maxBatchSize: 10n` once read "received 10; expected a whole number…": the refused value looked like an accepted one. */
test('a refused bigint is shown as a bigint, and options that are not an object (nor null: no options, see config-null-options) are refused as options', () => {
  expect(() => new TracingClient({ exporter: new MemoryExporter(), maxBatchSize: 10n as never })).toThrow(/received 10n;/);
  for (const options of ['x', []]) {
    expect(() => new TracingClient(options as never)).toThrow(expect.objectContaining({ setting: 'TracingClient options' }));
  }
});
