import type { IngestResult } from './ingest-result.js';

/** How many rejections a reply names; the count is always complete. */
const MAX_NAMED = 100;

/**
 * The LangSmith reply: `{}` when every run was stored (what LangSmith
 * answers); otherwise the stored count and the rejected runs by place, id
 * and reason. Some stored: 202. None stored: 400, as the request was useless.
 */
export function langSmithReply(result: IngestResult): { status: number; body: object } {
  if (result.rejected.length === 0) return { status: 202, body: {} };
  const named = result.rejected.slice(0, MAX_NAMED);
  const detail = `${result.rejected.length} run(s) rejected, ${result.ops.length} stored: ${named.map((r) => `${r.where}: ${r.reason}`).slice(0, 3).join('; ')}`;
  return { status: result.ops.length === 0 ? 400 : 202, body: { detail, accepted: result.ops.length, rejected_count: result.rejected.length, rejected: named } };
}

/** OTLP/HTTP JSON `ExportTraceServiceResponse`: `partialSuccess` with the rejected span count and why. */
export function otlpJsonReply(result: IngestResult): object {
  if (result.rejected.length === 0) return { partialSuccess: {} };
  return { partialSuccess: { rejectedSpans: String(result.rejected.length), errorMessage: otlpErrorMessage(result) } };
}

/**
 * The same in protobuf: field 1 `partial_success` { 1: int64 rejected_spans, 2: string error_message }.
 * No rejection: zero bytes (the empty message).
 */
export function otlpProtobufReply(result: IngestResult): Uint8Array {
  if (result.rejected.length === 0) return new Uint8Array(0);
  const message = Buffer.from(otlpErrorMessage(result), 'utf8');
  const inner = Buffer.concat([Buffer.from([0x08]), varint(result.rejected.length), Buffer.from([0x12]), varint(message.length), message]);
  return Buffer.concat([Buffer.from([0x0a]), varint(inner.length), inner]);
}

function otlpErrorMessage(result: IngestResult): string {
  const named = result.rejected.slice(0, MAX_NAMED).map((r) => `${r.where}: ${r.reason}`);
  return `${result.rejected.length} span(s) rejected: ${named.join('; ')}${result.rejected.length > MAX_NAMED ? '; …' : ''}`;
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}
