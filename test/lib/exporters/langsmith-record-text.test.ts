import type { RunRecord } from '../../../lib/model/run-record';
import { CHILD, ROOT, runRecord } from '../../helpers/run-records';
import { recordOp, textsOfRecord } from '../../../lib/exporters/langsmith/record-op';
import { textsOfRun, type LangSmithTexts, type MultipartMain } from '../../../lib/exporters/langsmith/to-langsmith-run';
import { LangSmithFraming } from '../../../lib/exporters/langsmith/wire-body';
import { serializeOp, wireOpBytes } from '../../../lib/exporters/langsmith/wire-op';

/**
 * The pipeline's records are written as LangSmith JSON text field by field
 * (no object per run): the text must be exactly what stringifying the run's
 * main part gives, and every size on the wire must be the UTF-8 size.
 */
const record = runRecord;

/** The main part as langsmith's client makes it: the run without its separate fields and status, stringified. */
function stringifiedMain(r: RunRecord): string {
  const run = r.toRun();
  const main: MultipartMain = {
    id: run.id, trace_id: run.trace_id, dotted_order: run.dotted_order, name: run.name, run_type: run.run_type, start_time: run.start_time,
    tags: run.tags, session_name: run.session_name, parent_run_id: run.parent_run_id, end_time: run.end_time,
  };
  return JSON.stringify(main);
}

/** A run in a `/runs/batch` document: the main part with the separate fields, in langsmith's order. */
function batchRun(texts: LangSmithTexts): unknown {
  const run = JSON.parse(texts.main) as Record<string, unknown>;
  for (const field of ['inputs', 'outputs', 'events', 'extra', 'error'] as const) if (texts[field] !== undefined) run[field] = JSON.parse(texts[field]);
  return run;
}

function bodyText(texts: LangSmithTexts[], mode: 'multipart' | 'batch'): string {
  const ops = texts.map((t, i) => serializeOp(t, i === 0 ? 'post' : 'patch', mode, 'b0'));
  const patches = ops.filter((op) => op.op === 'patch').length; // the first op a post, the others patches
  return Buffer.from(new LangSmithFraming(mode, 'b0').seal(ops.map((op) => op.text), Uint32Array.from(ops, (op) => op.bytes), ops.length - patches).body).toString('utf8');
}

const CASES: Array<[string, Partial<Record<keyof RunRecord, unknown>>]> = [
  ['a child with inputs and outputs', {}],
  ['a root', { id: ROOT, parentId: undefined, parentDottedOrder: undefined }],
  ['a start still running (no end)', { phase: 'start', endMicros: undefined, status: undefined, outputsJson: undefined }],
  ['names, tags and project that need escaping or are not ASCII', { name: 'lo"ok\\up\n ☃', tags: ['a', 'b"c', 'ünï'], projectName: 'pro"jéct 🚀' }],
  ['a run type that is not ASCII (records are not checked)', { runType: 'tÿpe' }],
  ['a lone surrogate in the name and inputs', { name: 'half \ud83d', inputsJson: JSON.stringify({ input: 'half \ud83d' }) }],
  ['a cancelled run without outputs', { status: 'cancelled', outputsJson: undefined }],
  ['an error and events', { status: 'error', error: 'TypeError: bad\n    at f (x.js:1:1)', events: [{ name: 'retry', time: '2024-11-19T07:13:20.124000Z', kwargs: { attempt: 2 } }] }],
  ['ids and a parent dotted order that are not plain (quotes, backslashes, non-ASCII)', { id: 'run "1" ☃', traceId: 'tr\\ace', parentId: 'pa\u00e9rent', parentDottedOrder: '2024"x\\.é' }],
  ['a root whose id is not plain', { id: 'rööt', traceId: 'rööt', parentId: undefined, parentDottedOrder: undefined }],
  ['a plain child of a parent whose id is not ASCII', { parentId: 'pärent' }],
  ['metadata of every JSON kind', { metadata: { tenant: 'acme', n: 3, ok: true, nested: { x: [1] }, none: null, 'ünï': 'naïve' } }],
];

test.each(CASES)('%s: the main part is exactly the stringified run', (_name, overrides) => {
  const r = record(overrides);
  expect(textsOfRecord(r).main).toBe(stringifiedMain(r));
});

test('consecutive records with different names, run types, tags, projects and trace ids each get their own text', () => {
  // Spans without tags share one empty list, as here: each record differs from the one before it in one field only.
  const none: string[] = [];
  const usual = (overrides: Partial<Record<keyof RunRecord, unknown>> = {}): RunRecord => record({ tags: none, ...overrides });
  const records = [
    usual(), usual({ name: 'other' }), usual(), usual({ projectName: 'billing' }), usual(), usual({ runType: 'llm' }), usual(), usual({ traceId: CHILD }), usual(),
    usual({ name: 'ünï' }), usual(), usual({ projectName: 'prö' }), usual(), usual({ tags: ['a'] }), usual({ tags: ['b'] }), usual({ tags: [] }), usual({ tags: ['ü'] }), usual(),
  ];
  for (const r of records) expect(textsOfRecord(r).main).toBe(stringifiedMain(r));
});

test('a tag list changed in place between two records is written as it is now', () => {
  const tags = ['a'];
  expect(textsOfRecord(record({ tags })).main).toBe(stringifiedMain(record({ tags })));
  tags.push('b');
  expect(textsOfRecord(record({ tags })).main).toBe(stringifiedMain(record({ tags })));
});

test.each(CASES)('%s: a main size known as written is its UTF-8 size', (_name, overrides) => {
  const texts = textsOfRecord(record(overrides));
  if (texts.mainBytes !== undefined) expect(texts.mainBytes).toBe(Buffer.byteLength(texts.main));
  expect(texts.extraBytes).toBe(texts.extra === undefined ? 0 : Buffer.byteLength(texts.extra));
});

test('the main size is known for plain ids, and left to the encoder otherwise', () => {
  expect(textsOfRecord(record()).mainBytes).toBe(Buffer.byteLength(textsOfRecord(record()).main));
  expect(textsOfRecord(record({ id: 'rün' })).mainBytes).toBeUndefined();
  expect(textsOfRecord(record({ parentDottedOrder: 'ä' })).mainBytes).toBeUndefined();
  expect(textsOfRecord(record({ traceId: 'ä' })).mainBytes).toBeUndefined();
});

test.each(CASES)('%s: the same bodies as from the public run', (_name, overrides) => {
  const r = record(overrides);
  const run = r.toRun();
  // Inputs and outputs go through JSON.parse in toRun(); these cases stringify back to the same text.
  for (const mode of ['multipart', 'batch'] as const) expect(bodyText([textsOfRecord(r), textsOfRecord(record())], mode)).toBe(bodyText([textsOfRun(run), textsOfRun(record().toRun())], mode));
});

test.each(CASES)('%s: a batch body is exactly the stringified runs', (_name, overrides) => {
  const texts = [textsOfRecord(record(overrides)), textsOfRecord(record({ phase: 'end', inputsJson: undefined }))];
  expect(bodyText(texts, 'batch')).toBe(JSON.stringify({ post: [batchRun(texts[0]!)], patch: [batchRun(texts[1]!)] }));
});

test.each(CASES)('%s: every multipart part declares its UTF-8 size', (_name, overrides) => {
  const r = record(overrides);
  const text = bodyText([textsOfRecord(r), textsOfRecord(record())], 'multipart');
  expect(text.endsWith('\r\n--b0--\r\n')).toBe(true);
  const parts = text.slice(0, -'--b0--\r\n'.length).split('--b0\r\n').slice(1);
  expect(parts.length).toBeGreaterThanOrEqual(5);
  for (const part of parts) {
    const [head, rest] = part.split('\r\n\r\n') as [string, string];
    const declared = Number(/length=(\d+)/.exec(head)![1]);
    expect(rest.endsWith('\r\n')).toBe(true);
    const json = rest.slice(0, -2);
    expect(Buffer.byteLength(json)).toBe(declared);
    expect(() => JSON.parse(json)).not.toThrow();
  }
});

test.each(CASES)('%s: the exporter\'s one-step operation (recordOp) is the texts\' operation, byte for byte and size', (_name, overrides) => {
  for (const mode of ['multipart', 'batch'] as const) {
    for (const op of ['post', 'patch'] as const) {
      const r = record(overrides);
      const direct = recordOp(r, op, mode, 'b0');
      const bytes = wireOpBytes;
      const viaTexts = serializeOp(textsOfRecord(r), op, mode, 'b0');
      expect([direct, bytes]).toEqual([viaTexts.text, viaTexts.bytes]);
    }
  }
});
