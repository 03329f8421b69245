import type { Run } from '../model/run.js';
import { SealedBatch } from './sealed-batch.js';
import type { ExportBatch, SpanExporter } from './span-exporter.js';

/**
 * @internal Where one destination of an exporter that sends every batch to
 * several (LangSmith's write replicas) stands with a batch: what the pipeline
 * reads when it gives the batch up, so that it spools for each destination
 * only what that one lacks, and counts a span delivered once any took it.
 */
export interface DestinationStanding {
  /** What a spool file owed to it names it by: its endpoint, workspace and project, never its key. */
  readonly label: string;
  /** Its endpoint's origin: what warnings name. */
  readonly origin: string;
  /** `all`, or which of the batch's keys (see `SealedBatch.keys`) it took. */
  readonly took: 'all' | ReadonlySet<object>;
  /** It refused what it lacks (a 4xx): sent again, it would refuse it again, so it is not spooled for it. */
  readonly refused: boolean;
  /** Its last failure, if any. */
  readonly error: Error | undefined;
}

/** @internal What the pipeline asks of an exporter that fans out. */
export interface Replicated {
  /** How each destination `records` is owed to stands with it (all of them, unless it is an {@link AddressedBatch}). */
  standings(records: ExportBatch): DestinationStanding[];
  /**
   * The pipeline gave up on a batch these destinations (by label) still lacked after its retries: they are down. Until
   * one takes a batch again, a batch it fails is not retried for it alone (see `ReplicaFanOut`).
   */
  down(labels: readonly string[]): void;
}

/** @internal What an exporter that names its destinations (LangSmith's) tells the pipeline about them. */
export interface Destinations {
  /** The labels of the destinations it sends to (see {@link DestinationStanding.label}). */
  readonly labels: readonly string[];
  /** How its destinations stand with a batch, when it sends every batch to several; absent for one destination. */
  readonly replicated?: Replicated;
}

/** One record per exporter, registered once, at its construction. */
const destinations = new WeakMap<SpanExporter, Destinations>();

/** @internal Called by a LangSmith exporter: the destinations it sends to, and how they stand when it fans out. */
export function nameDestinations(exporter: SpanExporter, named: Destinations): void {
  destinations.set(exporter, named);
}

/** @internal `exporter`'s destinations, when it sends every batch to several; undefined for any other. */
export function replicatedOf(exporter: SpanExporter): Replicated | undefined {
  return destinations.get(exporter)?.replicated;
}

/**
 * @internal Runs owed to some of an exporter's destinations only, named by
 * their labels: a spool file kept for a replica that missed them while the
 * others took them. Replayed, they go to those alone.
 */
export class AddressedBatch implements ExportBatch {
  declare readonly post: readonly Run[];
  declare readonly patch: readonly Run[];
  declare readonly to: readonly string[];

  constructor(post: readonly Run[], patch: readonly Run[], to: readonly string[]) {
    this.post = post;
    this.patch = patch;
    this.to = to;
  }
}

/** @internal What each operation of a batch is remembered by: a sealed batch's keys, else its runs (posts, then patches). */
export function keysOf(batch: ExportBatch): readonly object[] {
  return batch instanceof SealedBatch ? batch.keys() : [...batch.post, ...batch.patch];
}

/** @internal The labels of `exporter`'s destinations; undefined for an exporter that names none (not LangSmith's). */
export function destinationLabels(exporter: SpanExporter): readonly string[] | undefined {
  return destinations.get(exporter)?.labels;
}
