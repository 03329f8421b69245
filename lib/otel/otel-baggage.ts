import { parseBaggage } from '../propagation/baggage.js';

type OtelContext = object;

/** The parts of an OpenTelemetry `Baggage` read here: its entries, as `@opentelemetry/api` gives them. */
interface OtelBaggage {
  /** Every entry, as `[key, entry]`. */
  getAllEntries(): Array<
    [
      string,
      {
        /** The entry's value, decoded (tracewire encodes it again for the header). */
        readonly value: string;
        /** The entry's W3C properties, if any. */
        readonly metadata?: {
          /** The properties as the header writes them after the value's `;`. */
          toString(): string;
        };
      },
    ]
  >;
}

/** The part of `@opentelemetry/api`'s `propagation` read here (optional: an API object without it carries no baggage). */
export interface OtelPropagationApi {
  /** The baggage of `context`, if it has any. */
  getBaggage(context: OtelContext): OtelBaggage | undefined;
}

/**
 * @internal The baggage members of OpenTelemetry's active context (what its
 * propagator extracted from the incoming request, or what the program set),
 * as W3C members to pass on with tracewire's outgoing headers, as
 * OpenTelemetry's own `W3CBaggagePropagator` would write them; validated and
 * capped as an incoming header's. LangSmith's members are tracewire's to
 * write, so none is taken from here. `undefined`: none.
 */
export function otelBaggageMembers(propagation: OtelPropagationApi | undefined, active: OtelContext): string[] | undefined {
  const entries = propagation?.getBaggage(active)?.getAllEntries();
  if (entries === undefined || entries.length === 0) return undefined;
  const header = entries
    .map(([key, entry]) => `${encodeURIComponent(key)}=${encodeURIComponent(entry.value)}${entry.metadata === undefined ? '' : `;${entry.metadata.toString()}`}`)
    .join(',');
  const { others } = parseBaggage([header]);
  return others.length === 0 ? undefined : others;
}
