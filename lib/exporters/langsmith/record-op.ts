import { toCompactMicros, toIsoMicros } from '../../model/clock.js';
import { utf8Length } from '../http/utf8-body.js';
import type { Run } from '../../model/run.js';
import type { RunRecord } from '../../model/run-record.js';
import { flat } from '../../serialize/text.js';
import { hasOwn } from '../../natives.js';
import type { LangSmithTexts } from './to-langsmith-run.js';
import type { RunExtraBlock } from './traced-runtime-info.js';
import { wireOp, type LangSmithWireMode } from './wire-op.js';

/**
 * @internal The texts of a pipeline record: its inputs and outputs are JSON
 * already; its main part is written here field by field — the same text
 * `JSON.stringify` makes of {@link MultipartMain} (same keys, same order,
 * undefined ones left out), without building an object per run to
 * stringify. Strings runs share (trace id, name, project, tags) are quoted
 * once per change, not per run.
 *
 * Ids and dotted orders are UUIDs and timestamps wherever the pipeline makes
 * or accepts them: when they are {@link PLAIN}, they are quoted by hand (no
 * `JSON.stringify` per run), and the main part's UTF-8 size is known as it
 * is written (`mainBytes`: its length, plus what the shared non-ASCII
 * pieces add), so the encoder need not measure it. Any other id is quoted
 * by `JSON.stringify` and the text measured, as before.
 */
export function textsOfRecord(record: RunRecord): LangSmithTexts {
  // One writer for both: the exporter's recordOp leaves the main part it wrote (and its size) behind.
  recordOp(record, 'post', 'batch', '');
  const mainOpen = lastMainOpen;
  const error = record.error ?? (record.status === 'cancelled' ? 'Cancelled' : undefined);
  return {
    id: record.id,
    main: mainOpen + '}',
    mainOpen,
    inputs: record.inputsJson,
    outputs: record.outputsJson,
    events: record.events.length > 0 ? JSON.stringify(record.events) : undefined,
    extra: lastExtraJson,
    error: error === undefined ? undefined : JSON.stringify(error),
    mainBytes: lastMainBytes,
    extraBytes: lastExtraBytes,
  };
}

/** The main part the last {@link recordOp} wrote, without its closing brace, for {@link textsOfRecord}. */
let lastMainOpen = '';
/** Its UTF-8 size, closing brace included, when known (its ids plain). */
let lastMainBytes: number | undefined;

/**
 * @internal A pipeline record straight to its wire operation: what
 * {@link serializeOp} makes of {@link textsOfRecord}, without the texts'
 * object in between (one object fewer per run in the flush). Its main part is
 * written here field by field, not in a call of its own: a call per run costs
 * in a fresh process's unoptimised code (bench/calls-per-span.js).
 */
export function recordOp(record: RunRecord, op: 'post' | 'patch', mode: LangSmithWireMode, boundary: string, block?: RunExtraBlock): string {
  const id = record.id;
  const traceId = record.traceId;
  const parentDotted = record.parentDottedOrder;
  const start = record.startMicros;
  const end = record.endMicros;
  const plain = PLAIN.test(id) && (traceId === id || PLAIN.test(traceId)) && (parentDotted === undefined || plainDotted.test(parentDotted));
  // The shared fields' text of the last record, when this one has the same (checked here, not in a call: most have).
  const key = sharedKey;
  const shared =
    key !== undefined && key[0] === record.name && key[1] === record.runType && key[2] === record.tags && record.tags.length === 0 && key[3] === record.projectName
      ? sharedText
      : sharedOf(record);
  // One concat() per main part, not a chain of `+`: a chain is a node per piece in TurboFan's graph, and this
  // function is compiled in every fresh process. Same text; warm, no slower (bench/encode.js, multipart: 0.99
  // against 1.03 µs per run, 2026-12-04).
  const parentId = record.parentId;
  const parentPart = parentId === undefined ? '' : ',"parent_run_id":'.concat(parentIds.of(parentId));
  const endPart = end === undefined ? '' : ',"end_time":"'.concat(toIsoMicros(end), '"');
  const main = plain
    ? // What dottedOrderOf makes: the parent's, a dot, then this run's segment.
      '{"id":"'.concat(
        id, '","trace_id":"', traceId, '","dotted_order":"', parentDotted ?? '', parentDotted === undefined ? '' : '.',
        toCompactMicros(start), id, shared.nameAndType, toIsoMicros(start), shared.tagsAndProject, parentPart, endPart,
      )
    : '{"id":'.concat(
        JSON.stringify(id), ',"trace_id":', traceIds.of(traceId), ',"dotted_order":', JSON.stringify(record.dottedOrder),
        shared.nameAndType.slice(1), toIsoMicros(start), shared.tagsAndProject, parentPart, endPart,
      );
  const mainBytes = plain ? main.length + 1 + shared.excess + (parentId === undefined ? 0 : parentIds.excess) : undefined;
  lastMainOpen = main;
  lastMainBytes = mainBytes;
  const error = record.error ?? (record.status === 'cancelled' ? 'Cancelled' : undefined);
  const extra = record.metadata === lastMetadata && lastMetadata !== undefined && block === lastBlock ? lastExtraJson : metadataExtraJson(record.metadata, block);
  return wireOp(
    op,
    id,
    main,
    mainBytes,
    record.inputsJson,
    record.outputsJson,
    record.events.length > 0 ? JSON.stringify(record.events) : undefined,
    extra,
    lastExtraBytes,
    error === undefined ? undefined : JSON.stringify(error),
    mode,
    boundary,
  );
}

/**
 * Characters that JSON writes as they are and UTF-8 as one byte each: all a
 * UUID, a timestamp or a dotted order is made of. A string of these is its
 * own JSON text between quotes, and its length is its UTF-8 size.
 */
const PLAIN = /^[0-9A-Za-z.-]*$/;

/** {@link PLAIN} for a parent's dotted order, remembered for the last one tested: siblings share it, and it grows with depth. */
const plainDotted = {
  last: undefined as string | undefined,
  verdict: false,
  test(dotted: string): boolean {
    if (dotted !== this.last) {
      this.verdict = PLAIN.test(dotted);
      this.last = dotted;
    }
    return this.verdict;
  },
};

/** A string's JSON text, remembered for the last string seen: consecutive runs mostly share it. `excess`: its UTF-8 size less its length. */
class LastQuoted {
  #last: string | undefined;
  #json = '';
  excess = 0;

  of(text: string): string {
    if (text !== this.#last) {
      this.#json = JSON.stringify(text);
      this.excess = utf8Length(this.#json) - this.#json.length;
      this.#last = text;
    }
    return this.#json;
  }
}

const traceIds = new LastQuoted();
const parentIds = new LastQuoted();
const names = new LastQuoted();
const runTypes = new LastQuoted();
const projects = new LastQuoted();

/**
 * The two runs of fields consecutive runs share, as text:
 * `","name":…,"run_type":…,"start_time":"` and `","tags":…,"session_name":…`
 * (each opens with the quote that closes the dotted order or the start time),
 * and `excess`, what their non-ASCII characters add to their UTF-8 size.
 */
interface SharedFields {
  readonly nameAndType: string;
  readonly tagsAndProject: string;
  readonly excess: number;
}

let sharedKey: readonly [string, string, readonly string[], string] | undefined;
let sharedText: SharedFields = { nameAndType: '', tagsAndProject: '', excess: 0 };

/**
 * The shared fields' text of `record`, kept as the last one. The caller reuses
 * the last text when no field changed. A non-empty tag list may be a caller's
 * own array, so it is written each time; an empty one is compared by identity.
 */
function sharedOf(record: RunRecord): SharedFields {
  // Flat strings (see flat()): every run's main part repeats them.
  const nameAndType = flat('","name":', names.of(record.name), ',"run_type":', runTypes.of(record.runType), ',"start_time":"');
  const tags = tagsJson(record.tags);
  const tagsAndProject = flat('","tags":', tags, ',"session_name":', projects.of(record.projectName));
  sharedText = { nameAndType, tagsAndProject, excess: names.excess + runTypes.excess + projects.excess + utf8Length(tags) - tags.length };
  sharedKey = [record.name, record.runType, record.tags, record.projectName];
  return sharedText;
}

/** Most runs have no tags. */
function tagsJson(tags: readonly string[]): string {
  return tags.length === 0 ? '[]' : JSON.stringify(tags);
}

let lastMetadata: object | undefined;
let lastBlock: RunExtraBlock | undefined;
let lastExtraJson: string | undefined;
/** The UTF-8 size of `lastExtraJson`, measured once per text. */
let lastExtraBytes = 0;

/**
 * @internal `{"metadata":…}` with the exporter's `block` (the environment's
 * metadata, `revision_id`, `extra.runtime`: see `RunExtraBlock`) merged in,
 * or nothing for empty metadata and no block: an `extra` of
 * `{"metadata":{}}` says nothing LangSmith does not assume of a run without
 * one, and as a multipart part it cost 134 of a small run's ≈ 990 bytes.
 * Most runs share one metadata object (spans inherit their parent's, and it
 * is replaced, never mutated, when set), so the text of the last one is
 * reused, by records and `Run`s alike; a run without metadata takes the
 * block's text as it is.
 */
export function metadataExtraJson(metadata: Run['extra']['metadata'], block?: RunExtraBlock): string | undefined {
  if (metadata !== lastMetadata || lastMetadata === undefined || block !== lastBlock) {
    const empty = isEmpty(metadata);
    lastExtraJson = block === undefined ? (empty ? undefined : JSON.stringify({ metadata })) : empty ? block.whole : block.extraWith(metadata);
    lastExtraBytes = lastExtraJson === undefined ? 0 : utf8Length(lastExtraJson);
    lastMetadata = metadata;
    lastBlock = block;
  }
  return lastExtraJson;
}

/** Whether `metadata` has no keys JSON would write (no own enumerable ones). */
function isEmpty(metadata: object): boolean {
  for (const key in metadata) if (hasOwn(metadata, key)) return false;
  return true;
}
