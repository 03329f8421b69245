import * as otel from '@opentelemetry/api';
import { continueTrace, extractTraceContext } from '../../../index';
import { linesOf, undiciInstrumented, type Received } from '../../helpers/undici-instrumented';

/**
 * `tracedFetch`'s `baggage` under the real `@opentelemetry/instrumentation-undici`:
 * with W3C baggage in OpenTelemetry's context (its HTTP server
 * instrumentation extracts the incoming one), the instrumentation appends a
 * second `baggage` line, a copy of what came in. One line must arrive, each
 * member once, this hop's LangSmith members the ones read.
 */
describe('tracedFetch with OpenTelemetry’s real instrumentation-undici: one baggage', () => {
  const { tracedRequest } = undiciInstrumented();

  test('baggage through hops that also extract it into OpenTelemetry’s context: one line, each member once, each hop’s LangSmith members its own', async () => {
    /** A service between: baggage extracted into OpenTelemetry's context (its HTTP server instrumentation), then continueTrace. */
    const hop = async (incoming: Received['headers'], n: number): Promise<Received> =>
      (await tracedRequest({ metadata: { hop: n }, around: (work) => otel.context.with(otel.propagation.extract(otel.ROOT_CONTEXT, incoming), () => continueTrace(incoming, work)) })).request;
    let request = await hop({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', baggage: 'userId=alice' }, 1);
    for (let n = 2; n <= 4; n++) {
      // Not a second line from the instrumentation: holding the hop before's LangSmith members, it would be read last and win.
      expect(linesOf(request, 'baggage')).toEqual([`userId=alice,langsmith-metadata=${encodeURIComponent(JSON.stringify({ hop: n - 1 }))},langsmith-project=tests`]);
      expect(extractTraceContext(request.headers)).toMatchObject({ baggage: ['userId=alice'], metadata: { hop: n - 1 } });
      request = await hop(request.headers, n);
    }
  });

  test('a member the app set in OpenTelemetry’s baggage wins over the caller’s of the same key, in the one line', async () => {
    const incoming = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', baggage: 'userId=alice' };
    const appSet = otel.propagation.createBaggage({ userId: { value: 'bob' }, tenant: { value: 'acme' } });
    const { request } = await tracedRequest({ around: (work) => otel.context.with(otel.propagation.setBaggage(otel.context.active(), appSet), () => continueTrace(incoming, work)) });
    expect(linesOf(request, 'baggage')).toEqual(['userId=bob,tenant=acme,langsmith-project=tests']);
  });
});
