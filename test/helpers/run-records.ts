import type { ExportBatch, Run } from '../../index';
import { RunRecord } from '../../lib/model/run-record';

/** A root run's id and a child's, UUIDv7s as tracewire makes them. */
export const ROOT = '0192f3a4-5b6c-7d8e-9f01-23456789abcd';
export const CHILD = '0192f3a4-5b6c-7d8e-af01-23456789abce';
export const START = 1_732_000_000_123_456;

/**
 * The OpenTelemetry ids of a run whose parent is of another service: `traceId` (the W3C trace), `parentId` (an
 * OpenTelemetry parent that is not the LangSmith one), `tracestate` (the one the trace came with, if any).
 */
export function remoteParent(traceId: string, parentId?: string, tracestate?: string): RunRecord['otel'] {
  return { traceId, parentId, parentIsRemote: true, entry: true, tracestate, children: undefined };
}

/** A complete child run's record (inputs with non-ASCII and escapes, outputs), with `overrides`. */
export function runRecord(overrides: Partial<Record<keyof RunRecord, unknown>> = {}): RunRecord {
  const r = {
    phase: 'full', id: CHILD, traceId: ROOT, parentId: ROOT, otel: undefined, parentDottedOrder: '20241119T071320123456Z' + ROOT,
    name: 'lookup "user"', runType: 'tool', projectName: 'checkout', startMicros: START, endMicros: START + 2_345, status: 'success',
    error: undefined, tags: [], metadata: {}, events: [], inputsJson: '{"input":"caf\u00e9 \\"q\\" \u2028"}', outputsJson: '{"outputs":[1,2]}',
    ...overrides,
  };
  return new RunRecord(r.phase as never, r.id as string, r.traceId as string, r.parentId as never, r.otel as never, r.parentDottedOrder as never,
    r.name as string, r.runType as never, r.projectName as string, r.startMicros as number, r.endMicros as never, r.status as never, r.error as never,
    r.tags as string[], r.metadata as never, r.events as never, r.inputsJson as never, r.outputsJson as never);
}

/** A complete root run as an exporter of your own receives it, in a batch of its own. */
export function oneRunBatch(): ExportBatch {
  const run: Run = {
    id: ROOT, trace_id: ROOT, dotted_order: `20241119T071320123456Z${ROOT}`,
    name: 'f', run_type: 'chain', start_time: '2024-11-19T07:13:20.123456Z', end_time: '2024-11-19T07:13:20.124456Z', status: 'success',
    inputs: { a: 1 }, outputs: { output: 2 }, tags: [], extra: { metadata: {} }, events: [], session_name: 'default',
  };
  return { post: [run], patch: [] };
}
