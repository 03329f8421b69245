import { freeze, isInteger, isPositive, isRecord, parseOrUndefined } from '../../natives.js';

/** @internal How many runs, and how many (uncompressed) bytes, one ingest request may carry. */
export interface IngestLimits {
  /** Run operations (posts + patches) per request. */
  readonly maxRuns: number;
  /** Uncompressed body bytes per request; a single run larger than this still goes, alone. */
  readonly maxBytes: number;
  /** `false` when the server says it has no `/runs/multipart`. */
  readonly multipart: boolean;
}

/**
 * @internal langsmith's client defaults when `/info` says nothing:
 * `DEFAULT_BATCH_SIZE_LIMIT` (100 operations) and
 * `DEFAULT_UNCOMPRESSED_BATCH_SIZE_LIMIT_BYTES` (24 MiB) in langsmith/lib/client.js.
 */
export const DEFAULT_INGEST_LIMITS: IngestLimits = freeze({ maxRuns: 100, maxBytes: 24 * 1024 * 1024, multipart: true });

/** @internal The `/info` request gives up after this long; the first export waits no longer. */
export const SERVER_INFO_TIMEOUT_MILLIS = 1_000;

/** @internal An `/info` body larger than this is not read: the defaults apply. */
export const MAX_INFO_BYTES = 256 * 1024;

/** @internal The limits an `/info` body announces, each falling back to its default. */
export function readIngestLimits(body: string): IngestLimits {
  const info = parseOrUndefined(body);
  if (info === undefined) return DEFAULT_INGEST_LIMITS;
  const config = isRecord(info) && isRecord(info.batch_ingest_config) ? info.batch_ingest_config : {};
  const { size_limit: sizeLimit, size_limit_bytes: sizeLimitBytes, use_multipart_endpoint: useMultipart } = config;
  return {
    maxRuns: isInteger(sizeLimit) && (sizeLimit as number) > 0 ? (sizeLimit as number) : DEFAULT_INGEST_LIMITS.maxRuns,
    maxBytes: isPositive(sizeLimitBytes) ? sizeLimitBytes : DEFAULT_INGEST_LIMITS.maxBytes,
    multipart: typeof useMultipart === 'boolean' ? useMultipart : DEFAULT_INGEST_LIMITS.multipart,
  };
}
