import { getCurrentSpan, getTraceHeaders, setGlobalTracingClient, traceable } from '../../../index';
import { installMemoryTracing } from '../../helpers/memory-tracing';

beforeEach(() => installMemoryTracing());
afterEach(() => setGlobalTracingClient(undefined));

describe('code under a function whose tracing is turned off sees no span', () => {
  test('getCurrentSpan() is undefined there, not the marker that keeps the children off', () => {
    const seen: unknown[] = [];
    const quiet = traceable(function quiet() {
      seen.push(getCurrentSpan());
    }, { enabled: false });
    traceable(function outer() {
      quiet();
    })();
    expect(seen).toEqual([undefined]);
  });

  test('getTraceHeaders() there carries nothing: the receiver starts its own trace', () => {
    let headers: unknown;
    traceable(function quiet() {
      headers = getTraceHeaders();
    }, { enabled: false })();
    expect(headers).toEqual({});
  });
});
