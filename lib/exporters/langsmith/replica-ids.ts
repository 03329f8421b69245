import type { Run } from '../../model/run.js';
import type { ExportBatch } from '../span-exporter.js';
import { xxh3x128 } from '../../model/xxh3-128.js';

const encoder = new TextEncoder();
/** A dotted order segment's id: its last 36 characters, after the start time. */
const ID_LENGTH = 36;

/**
 * @internal The id a run `id` has in a write replica keyed by `seed` (its
 * project), as langsmith derives it (`nonCryptographicUuid7Deterministic`,
 * langsmith/lib/utils/_uuid.js): a UUIDv7 with `id`'s 48-bit time, and bits
 * from XXH3-128 of `<id>:<seed>` where the version and variant go. The same
 * id and project always give the same replica id, so a run's start and end,
 * and a child and its parent, still match there — in tracewire and in
 * langsmith's own runs of the same trace alike. One difference: for an id
 * that is not a UUIDv7 (a caller's UUIDv4 trace), langsmith takes the time
 * of the call, so the same run gets another id at its end; tracewire keeps
 * that id's first 48 bits instead, so the result stays a function of the id.
 */
export function replicaRunId(id: string, seed: string): string {
  const hash = xxh3x128(encoder.encode(`${id}:${seed}`));
  const hex = (from: number, to: number): string => Array.from(hash.subarray(from, to), (byte) => byte.toString(16).padStart(2, '0')).join('');
  const time = id.replace(/-/g, '').slice(0, 12);
  // Version 7 with 4 bits of the hash, 8 more, the variant (10) with 6, then 7 bytes: langsmith's layout, byte for byte.
  const versioned = (0x70 | (hash[0]! & 0x0f)).toString(16) + hex(1, 2);
  const variant = (0x80 | (hash[2]! & 0x3f)).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-${versioned}-${variant}${hex(3, 4)}-${hex(4, 10)}`;
}

/**
 * @internal How a replica writes a run, in langsmith's terms
 * (`RunTree._remapForProject`): `keep` its ids (a replica marked `primary`),
 * `rekey` them (`primary: false`, or another replica is the primary), or
 * `auto` — keep them when the run goes to its own project, re-key them
 * otherwise (no replica marked primary: langsmith's behaviour before there
 * was a `primary`).
 */
export type IdPolicy = 'keep' | 'rekey' | 'auto';

/**
 * @internal A batch's runs as a replica with `policy` and its own `project`
 * (if any: else each run's own) receives them: `session_name` that project,
 * and where the policy says so, every id re-keyed with it — the run's, its
 * trace's, its parent's and each of its dotted order's. New runs; the
 * batch's are untouched (other destinations send them as they are).
 */
export function replicaRuns(batch: ExportBatch, policy: IdPolicy, project: string | undefined): ExportBatch {
  // One trace's runs share ids (trace, parents): each is hashed once per batch.
  const known = new Map<string, string>();
  const rekey = (id: string, seed: string): string => {
    const key = `${id}:${seed}`;
    let replica = known.get(key);
    if (replica === undefined) known.set(key, (replica = replicaRunId(id, seed)));
    return replica;
  };
  const rewrite = (run: Run): Run => {
    const session = project ?? run.session_name;
    if (policy === 'keep' || (policy === 'auto' && session === run.session_name)) return { ...run, session_name: session };
    const rewritten: Run = {
      ...run,
      id: rekey(run.id, session),
      trace_id: rekey(run.trace_id, session),
      dotted_order: run.dotted_order
        .split('.')
        .map((segment) => segment.slice(0, -ID_LENGTH) + rekey(segment.slice(-ID_LENGTH), session))
        .join('.'),
      session_name: session,
    };
    if (run.parent_run_id !== undefined) rewritten.parent_run_id = rekey(run.parent_run_id, session);
    return rewritten;
  };
  return { post: batch.post.map(rewrite), patch: batch.patch.map(rewrite) };
}

/**
 * @internal A replica's {@link IdPolicy} from its `primary` (`LANGSMITH_RUNS_ENDPOINTS`' field), as langsmith reads
 * it: `true` keeps the ids, `false` re-keys them; left out, `auto` — unless another replica is the primary, then
 * `rekey` (langsmith keeps the original ids for that one alone).
 */
export function idPolicy(primary: boolean | undefined, anyPrimary: boolean): IdPolicy {
  return primary === true ? 'keep' : primary === false || anyPrimary ? 'rekey' : 'auto';
}
