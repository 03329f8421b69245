import type { LangSmithSettings } from '../../config-langsmith.js';
import type { SealedBatch } from '../sealed-batch.js';
import type { ExportBatch } from '../span-exporter.js';
import { destinationLabel, rewriteFor, rewriteKey, type LangSmithDestination } from './replica-destinations.js';
import { ReplicaFanOut, type ReplicaSender } from './replica-fan-out.js';
import { LangSmithFraming } from './wire-body.js';
import type { RunExtraBlock } from './traced-runtime-info.js';
import { newBoundary, type LangSmithWireMode } from './wire-op.js';

/** @internal Both wire forms of one boundary. */
export type Framings = Readonly<Record<LangSmithWireMode, LangSmithFraming>>;

/**
 * @internal What the sender of one write replica shares with the exporter that fans out to it: the exporter's
 * settings, and with the replicas that write the runs alike, their wire forms and the bodies sealed in them.
 */
export interface ReplicaWiring {
  readonly settings: LangSmithSettings;
  /** What its redactor cuts out of a failure's message: every replica's key, query values and credentials (see `LangSmithSettings.secrets`). */
  readonly secrets: readonly string[];
  readonly gzip: boolean;
  readonly fetchServerInfo: boolean;
  readonly mode: LangSmithWireMode;
  readonly framings: () => Framings;
  readonly sealed: WeakMap<ExportBatch, SealedBatch>;
  readonly rewrite: ((batch: ExportBatch) => ExportBatch) | undefined;
}

/** @internal A replica's sender: one LangSmith exporter of a single destination. */
type Sender = ReplicaSender['sender'] & { readonly endpoint: string };

/**
 * @internal The senders of `destinations`, each made by `makeSender` with its wiring, and the fan-out over them.
 * Those that write the runs alike (as they are, or with the same project and ids) share wire forms, so each distinct
 * body is sealed once per batch. `canonical`: the wire forms of the runs as they are, which the pipeline seals every
 * batch in (the spool and every rewrite read the runs back from it); `first`: the sender whose mode it seals in, the
 * first that takes the runs so, else the first.
 */
export function wireReplicas<S extends Sender>(
  destinations: readonly LangSmithDestination[],
  shared: Pick<ReplicaWiring, 'gzip' | 'fetchServerInfo' | 'mode'> & { readonly extraBlock: RunExtraBlock | undefined },
  makeSender: (wiring: ReplicaWiring) => S,
): { readonly fanOut: ReplicaFanOut; readonly senders: readonly S[]; readonly canonical: () => Framings; readonly first: S } {
  let boundary: string | undefined;
  const groups = new Map<string, { framings: () => Framings; sealed: WeakMap<ExportBatch, SealedBatch> }>();
  const groupOf = (key: string): { framings: () => Framings; sealed: WeakMap<ExportBatch, SealedBatch> } => {
    let group = groups.get(key);
    if (group === undefined) {
      let made: Framings | undefined;
      // Made at first use, as a single destination's are (a Cloudflare Worker refuses random values at global scope).
      const framings = (): Framings => (made ??= { multipart: new LangSmithFraming('multipart', (boundary ??= newBoundary()), shared.extraBlock), batch: new LangSmithFraming('batch', boundary, shared.extraBlock) });
      groups.set(key, (group = { framings, sealed: new WeakMap() }));
    }
    return group;
  };
  // Every replica's secrets, each once: a failure one replica answers may quote another's (a gateway in front of both).
  const secrets = [...new Set(destinations.flatMap((destination) => destination.settings.secrets))];
  const senders = destinations.map((destination) => makeSender({ ...shared, ...groupOf(rewriteKey(destination)), settings: destination.settings, secrets, rewrite: rewriteFor(destination) }));
  const seen = new Map<string, number>();
  const replicas = senders.map((sender, i) => {
    const destination = destinations[i]!;
    const plain = destinationLabel(destination, sender.endpoint, 1);
    const nth = (seen.get(plain) ?? 0) + 1;
    seen.set(plain, nth);
    return { sender, label: destinationLabel(destination, sender.endpoint, nth), origin: destination.settings.endpoint.origin };
  });
  const first = senders[destinations.findIndex((destination) => rewriteKey(destination) === '')] ?? senders[0]!;
  return { fanOut: new ReplicaFanOut(replicas), senders, canonical: groupOf('').framings, first };
}
