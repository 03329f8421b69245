import { OtlpHttpExporter, TracingClient, traceable } from '../../../index';
import { OtlpCollector } from '../../helpers/otlp-collector';

/**
 * A failed span's status message is the error's `Name: message`, every line of the message, without the stack frames —
 * what a backend shows in its list of failed spans. It was the first line only: zod's `ZodError` (its message is the
 * issues as JSON) said `ZodError: [` and nothing else (a report-only probe). Received by a real OTLP receiver on
 * 127.0.0.1, decoded from JSON and from protobuf.
 */

let collector: OtlpCollector;
beforeEach(async () => (collector = await OtlpCollector.start()));
afterEach(() => collector.stop());

class ZodError extends Error {
  override name = 'ZodError';
}
const ISSUES = JSON.stringify([{ code: 'invalid_type', expected: 'string', received: 'number', path: ['email'] }], null, 2);

test.each(['http/json', 'http/protobuf'] as const)('over %s, the status message of a multi-line error is all of its message, no frames', async (protocol) => {
  const exporter = new OtlpHttpExporter({ endpoint: collector.url, serviceName: 'svc', protocol });
  const client = new TracingClient({ exporter, mode: 'manual', logger: { warn() {} } });
  const validate = traceable(
    (_input: unknown) => {
      throw new ZodError(ISSUES);
    },
    { name: 'validate', client },
  );
  expect(() => validate({ email: 3 })).toThrow(ISSUES);
  expect((await client.flush()).delivered).toBe(1);
  const [received] = collector.spans.filter(({ span }) => span.name === 'validate');
  const status = received!.span.status as { code: number; message: string };
  expect(status).toEqual({ code: 2, message: `ZodError: ${ISSUES}` });
  expect(status.message).toContain('"path": [\n      "email"');
  expect(status.message).not.toMatch(/\n\s+at /);
  await client.shutdown();
});
