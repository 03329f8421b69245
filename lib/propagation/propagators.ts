import { runtimeEnv } from '../runtime-env.js';
import { globalClient } from '../client/global-client.js';
import { freeze, max } from '../natives.js';

/**
 * @internal Which OpenTelemetry propagators tracewire speaks, as
 * `OTEL_PROPAGATORS` names them (the variable an OpenTelemetry SDK in the
 * same process reads too): W3C `traceparent`/`tracestate` (`tracecontext`),
 * W3C `baggage`'s other members (`baggage`), B3 single-header (`b3`) and
 * multi-header (`b3multi`). LangSmith's own headers — `langsmith-trace` and
 * the `langsmith-*` members of `baggage` — are LangSmith's protocol, not a
 * propagator, and always go.
 */
export interface Propagators {
  readonly tracecontext: boolean;
  readonly baggage: boolean;
  readonly b3: boolean;
  readonly b3multi: boolean;
  /** Where several give a remote parent, the one listed last (OpenTelemetry's composite propagator: each later extraction wins). */
  readonly parentOrder: readonly ParentPropagator[];
}

/** @internal The propagators that carry a parent span. */
export type ParentPropagator = 'tracecontext' | 'b3';

/** OpenTelemetry's default: `tracecontext,baggage`. */
const DEFAULT: Propagators = freeze({ tracecontext: true, baggage: true, b3: false, b3multi: false, parentOrder: freeze(['tracecontext'] as const) });
const VARIABLE = 'OTEL_PROPAGATORS';
const SPOKEN = ['tracecontext', 'baggage', 'b3', 'b3multi', 'none'];
/** OpenTelemetry's other known values, for propagators tracewire does not speak (OpenTelemetry's own propagator packages do). */
const NOT_SPOKEN = ['jaeger', 'xray', 'ottrace'];
/** Propagation off: what OpenTelemetry makes of `none` anywhere in the list. */
const NONE: Propagators = freeze({ tracecontext: false, baggage: false, b3: false, b3multi: false, parentOrder: freeze([]) });

let readFrom: string | undefined;
let current: Propagators = DEFAULT;

/**
 * @internal The propagators `OTEL_PROPAGATORS` names (comma-separated, any
 * case — the specification's rule, where OpenTelemetry JS takes lower case
 * only; unset or empty: `tracecontext,baggage`; `none` anywhere in the list:
 * none, as OpenTelemetry JS reads it). Read at each
 * use and parsed again only when the variable changed: a header is made or
 * read per request, not per traced call. A name tracewire does not speak is
 * left out and said once per value of the variable: refusing it would turn
 * tracing off for a setting an OpenTelemetry SDK in the process may read
 * rightly (`xray`), and OpenTelemetry itself warns and goes on.
 */
export function propagators(): Propagators {
  const value = runtimeEnv()[VARIABLE];
  if (value === readFrom) return current;
  readFrom = value;
  current = value === undefined ? DEFAULT : parse(value);
  return current;
}

function parse(value: string): Propagators {
  const names = value.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '');
  if (names.length === 0) return DEFAULT;
  const unknown = names.filter((name) => !SPOKEN.includes(name));
  if (unknown.length > 0) say(unknown);
  if (names.includes('none')) return NONE;
  // OpenTelemetry's composite propagator: one extractor per name, a name given twice where it first appears, the last
  // extractor that finds a parent wins. Both B3 names extract either variant: B3's place is the later of theirs.
  const tracecontext = names.indexOf('tracecontext');
  const b3 = max(names.indexOf('b3'), names.indexOf('b3multi'));
  const parentOrder: ParentPropagator[] = [];
  if (tracecontext >= 0) parentOrder.push('tracecontext');
  if (b3 >= 0) b3 > tracecontext ? parentOrder.push('b3') : parentOrder.unshift('b3');
  return freeze({ tracecontext: tracecontext >= 0, baggage: names.includes('baggage'), b3: names.includes('b3'), b3multi: names.includes('b3multi'), parentOrder: freeze(parentOrder) });
}

function say(unknown: readonly string[]): void {
  const others = unknown.filter((name) => NOT_SPOKEN.includes(name));
  const wrong = unknown.filter((name) => !NOT_SPOKEN.includes(name));
  const message =
    `tracewire: ${VARIABLE} names ${unknown.map((name) => `"${name}"`).join(', ')}, left out: tracewire reads and writes ${SPOKEN.join(', ')}` +
    (others.length > 0 ? ` (${others.join(', ')}: OpenTelemetry's own propagator packages do)` : '') +
    (wrong.length > 0 ? `; ${wrong.join(', ')} ${wrong.length === 1 ? 'is' : 'are'} no propagator OpenTelemetry knows either` : '') +
    '.';
  const client = globalClient.peek();
  if (client !== undefined) client.warn(message);
  else console.warn(message);
}

/** @internal Whether a header (lower-case) carries the OpenTelemetry parent span — `traceparent`, `tracestate`, `b3`, `X-B3-*` — as against LangSmith's and `baggage`. */
export function isParentHeader(name: string): boolean {
  return name === 'traceparent' || name === 'tracestate' || name === 'b3' || name.startsWith('x-b3-');
}
