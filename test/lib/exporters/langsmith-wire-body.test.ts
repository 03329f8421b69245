import type { LangSmithTexts } from '../../../lib/exporters/langsmith/to-langsmith-run';
import { LangSmithFraming, splitIntoRequests as splitSealed } from '../../../lib/exporters/langsmith/wire-body';
import { newBoundary, serializeOp, WireOp, type LangSmithWireMode } from '../../../lib/exporters/langsmith/wire-op';
import { SealedBatch } from '../../../lib/exporters/sealed-batch';

/** `ops` sealed as one batch (batch mode: posts first, as batches are sealed), and the order they were sealed in. */
function sealOps(ops: readonly WireOp[], mode: LangSmithWireMode, boundary: string): { framing: LangSmithFraming; sealed: SealedBatch; order: WireOp[] } {
  const framing = new LangSmithFraming(mode, boundary);
  const order = mode === 'batch' ? [...ops.filter((op) => op.op === 'post'), ...ops.filter((op) => op.op === 'patch')] : [...ops];
  const firstPatch = mode === 'batch' ? ops.filter((op) => op.op === 'post').length : ops.length;
  const { body, spans } = framing.seal(order.map((op) => op.text), Uint32Array.from(order, (op) => op.bytes), firstPatch);
  const sealed = new SealedBatch(framing, body, spans, Uint8Array.from(order, (op) => (op.op === 'patch' ? 1 : 0)), undefined);
  return { framing, sealed, order };
}

/** The whole body of `ops` as one request, as a batch is sealed. */
function buildBody(ops: readonly WireOp[], mode: LangSmithWireMode, boundary: string): { body: Uint8Array; contentType: string } {
  const { framing, sealed } = sealOps(ops, mode, boundary);
  return { body: sealed.body, contentType: framing.contentType };
}

/** `ops` sealed as one batch, then cut into requests: each request as the operations it carries. */
function splitIntoRequests(ops: readonly WireOp[], mode: LangSmithWireMode, boundary: string, maxRuns: number, maxBytes: number): WireOp[][] {
  const { framing, sealed, order } = sealOps(ops, mode, boundary);
  return splitSealed(sealed, framing, undefined, maxRuns, maxBytes).map((request) => request.map((i) => order[i]!));
}

/**
 * The LangSmith wire formats, byte for byte: multipart (`POST /runs/multipart`,
 * as langsmith's `Client._serializeRunParts` frames it) and batch
 * (`POST /runs/batch`, one JSON document), and how operations are cut into
 * requests under the server's run and byte limits.
 */

const ID = '0192f3a4-5b6c-7d8e-9f01-23456789abcd';

function texts(fields: Partial<LangSmithTexts> = {}): LangSmithTexts {
  return {
    id: ID,
    main: `{"id":"${ID}","name":"f"}`,
    inputs: undefined,
    outputs: undefined,
    events: undefined,
    extra: '{"metadata":{}}',
    error: undefined,
    ...fields,
  };
}

const FULL = texts({ inputs: '{"q":"é"}', outputs: '{"a":1}', events: '[{"name":"retry"}]', error: '"TypeError: x"' });

function part(boundary: string, name: string, json: string): string {
  return `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\nContent-Type: application/json; length=${Buffer.byteLength(json)}\r\n\r\n${json}\r\n`;
}

function body(list: LangSmithTexts[], ops: Array<'post' | 'patch'>, mode: LangSmithWireMode, boundary = 'b0'): { text: string; contentType: string; bytes: number } {
  const wire = list.map((t, i) => serializeOp(t, ops[i]!, mode, boundary));
  const built = buildBody(wire, mode, boundary);
  const sum = wire.reduce((total, op) => total + op.bytes, 0);
  return { text: Buffer.from(built.body).toString('utf8'), contentType: built.contentType, bytes: sum };
}

describe('multipart', () => {
  test('parts in langsmith\'s order: <op>.<id>, then .inputs, .outputs, .events, .extra, .error, each with its JSON content type and UTF-8 length, then the closing boundary', () => {
    const { text, contentType } = body([FULL], ['post'], 'multipart');
    expect(contentType).toBe('multipart/form-data; boundary=b0');
    const name = `post.${ID}`;
    expect(text).toBe(
      part('b0', name, FULL.main) +
        part('b0', `${name}.inputs`, FULL.inputs!) +
        part('b0', `${name}.outputs`, FULL.outputs!) +
        part('b0', `${name}.events`, FULL.events!) +
        part('b0', `${name}.extra`, FULL.extra!) +
        part('b0', `${name}.error`, FULL.error!) +
        '--b0--\r\n',
    );
  });

  test.each([9, 10, 99, 100, 999, 1000, 9999, 10000, 99999, 100000, 1000000])('a part of %i bytes: its length= header and the request\'s measured size agree with the bytes written', (n) => {
    const inputs = JSON.stringify('x'.repeat(n - 2));
    const { text, bytes } = body([texts({ inputs })], ['post'], 'multipart');
    expect(text).toBe(part('b0', `post.${ID}`, texts().main) + part('b0', `post.${ID}.inputs`, inputs) + part('b0', `post.${ID}.extra`, texts().extra!) + '--b0--\r\n');
    expect(Buffer.byteLength(text)).toBe(bytes + '--b0--\r\n'.length);
  });

  test('parts of different kinds and the same size each name their own kind', () => {
    const json = `{"k":"${'x'.repeat(20)}"}`;
    const first = texts({ inputs: json, outputs: json, extra: json });
    const second = texts({ main: json, events: json, error: json });
    const { text } = body([first, second], ['post', 'patch'], 'multipart');
    expect(text).toBe(
      part('b0', `post.${ID}`, first.main) + part('b0', `post.${ID}.inputs`, json) + part('b0', `post.${ID}.outputs`, json) + part('b0', `post.${ID}.extra`, json) +
        part('b0', `patch.${ID}`, json) + part('b0', `patch.${ID}.events`, json) + part('b0', `patch.${ID}.extra`, second.extra!) + part('b0', `patch.${ID}.error`, json) +
        '--b0--\r\n',
    );
  });

  test('absent fields have no part; extra always has one; a patch\'s parts are named patch.<id>', () => {
    const { text } = body([texts(), texts({ outputs: '{"a":2}' })], ['post', 'patch'], 'multipart', 'xyz');
    expect(text).toBe(
      part('xyz', `post.${ID}`, texts().main) +
        part('xyz', `post.${ID}.extra`, texts().extra!) +
        part('xyz', `patch.${ID}`, texts().main) +
        part('xyz', `patch.${ID}.outputs`, '{"a":2}') +
        part('xyz', `patch.${ID}.extra`, texts().extra!) +
        '--xyz--\r\n',
    );
  });

  // length=<n> is written in decimal: the measured size must count its digits at every power of ten.
  test.each([1, 8, 9, 10, 11, 98, 99, 100, 101, 999, 1000, 1001, 10_000])('a field of %i bytes is declared and measured exactly', (size) => {
    const json = '"' + 'x'.repeat(size - 2 < 0 ? 0 : size - 2) + '"';
    const field = size === 1 ? '1' : json;
    const one = texts({ inputs: field, outputs: field, events: field, extra: field, error: field, main: size < 20 ? texts().main : `{"id":"${ID}","p":"${'y'.repeat(size)}"}` });
    for (const op of ['post', 'patch'] as const) {
      const { text, bytes } = body([one], [op], 'multipart');
      expect(Buffer.byteLength(text)).toBe(bytes + '--b0--\r\n'.length);
      expect(text).toContain(`length=${Buffer.byteLength(field)}\r\n`);
    }
  });

  test('names and texts that are not ASCII are measured and written as UTF-8', () => {
    const odd = texts({ id: 'ünï-☃', main: '{"name":"🚀 naïve"}', inputs: '{"q":"\u00e9\u4e2d"}', extra: '{"metadata":{"k":"ß"}}' });
    const { text, bytes } = body([odd], ['post'], 'multipart');
    expect(Buffer.byteLength(text)).toBe(bytes + '--b0--\r\n'.length);
    expect(text).toBe(part('b0', 'post.ünï-☃', odd.main) + part('b0', 'post.ünï-☃.inputs', odd.inputs!) + part('b0', 'post.ünï-☃.extra', odd.extra!) + '--b0--\r\n');
  });
});

describe('batch', () => {
  test('one JSON document: posts then patches, each run its main part with the fields spliced in, in langsmith\'s order', () => {
    const { text, contentType } = body([FULL, texts({ outputs: '{"a":2}' }), texts()], ['patch', 'post', 'post'], 'batch');
    expect(contentType).toBe('application/json');
    const main = FULL.main.slice(0, -1);
    expect(text).toBe(
      `{"post":[${main},"outputs":{"a":2},"extra":{"metadata":{}}},${main},"extra":{"metadata":{}}}],` +
        `"patch":[${main},"inputs":{"q":"é"},"outputs":{"a":1},"events":[{"name":"retry"}],"extra":{"metadata":{}},"error":"TypeError: x"}]}`,
    );
    expect(JSON.parse(text)).toEqual({
      post: [{ id: ID, name: 'f', outputs: { a: 2 }, extra: { metadata: {} } }, { id: ID, name: 'f', extra: { metadata: {} } }],
      patch: [{ id: ID, name: 'f', inputs: { q: 'é' }, outputs: { a: 1 }, events: [{ name: 'retry' }], extra: { metadata: {} }, error: 'TypeError: x' }],
    });
  });

  test.each([
    ['only posts', ['post', 'post'], '{"post":[R,R],"patch":[]}'],
    ['only patches', ['patch', 'patch'], '{"post":[],"patch":[R,R]}'],
    ['one of each', ['patch', 'post'], '{"post":[R],"patch":[R]}'],
  ] as const)('%s: empty lists stay, commas only between runs', (_, ops, expected) => {
    const run = `{"id":"${ID}","name":"f","extra":{"metadata":{}}}`;
    expect(body([texts(), texts()], [...ops], 'batch').text).toBe(expected.replace(/R/g, run));
  });

  test('a run\'s bytes are its UTF-8 size plus its comma', () => {
    for (const t of [texts(), FULL, texts({ main: '{"name":"☃"}' })]) {
      const op = serializeOp(t, 'post', 'batch', 'unused');
      expect(op.bytes).toBe(Buffer.byteLength(body([t], ['post'], 'batch').text) - '{"post":[],"patch":[]}'.length + 1);
    }
  });
});

describe('a size measured wrong', () => {
  const mismeasured = (mode: LangSmithWireMode, by: number): WireOp => {
    const op = serializeOp(texts(), 'post', mode, 'b0');
    return new WireOp(op.op, op.text, op.bytes + by);
  };

  test.each(['multipart', 'batch'] as const)('%s: a body measured one byte short is refused, never written cut off', (mode) => {
    expect(() => buildBody([mismeasured(mode, -1)], mode, 'b0')).toThrow(/LangSmith request body is at least/);
  });

  test.each(['multipart', 'batch'] as const)('%s: a body measured one byte long is refused, never sent with a tail of garbage', (mode) => {
    expect(() => buildBody([mismeasured(mode, 1)], mode, 'b0')).toThrow(/LangSmith request body is \d+ bytes, \d+ expected/);
  });
});

describe('cutting operations into requests', () => {
  const ops = (n: number, mode: LangSmithWireMode) => Array.from({ length: n }, () => serializeOp(texts(), 'post', mode, 'b0'));
  const sizes = (requests: unknown[][]) => requests.map((request) => request.length);

  test.each(['multipart', 'batch'] as const)('%s: operations whose measured size is exactly maxBytes are one request; one byte less cuts it', (mode) => {
    const three = ops(3, mode);
    const exact = body([texts(), texts(), texts()], ['post', 'post', 'post'], mode);
    const full = Buffer.byteLength(exact.text) + (mode === 'batch' ? 1 : 0); // batch counts a comma per run, the body has n - 1: one byte to spare
    expect(sizes(splitIntoRequests(three, mode, 'b0', 100, full))).toEqual([3]);
    expect(sizes(splitIntoRequests(three, mode, 'b0', 100, full - 1))).toEqual([2, 1]);
  });

  test('maxRuns operations fit in a request; one more starts the next', () => {
    expect(sizes(splitIntoRequests(ops(7, 'batch'), 'batch', 'b0', 3, 1e9))).toEqual([3, 3, 1]);
    expect(sizes(splitIntoRequests(ops(3, 'batch'), 'batch', 'b0', 3, 1e9))).toEqual([3]);
    expect(sizes(splitIntoRequests(ops(1, 'batch'), 'batch', 'b0', 1, 1e9))).toEqual([1]);
  });

  test('an operation larger than maxBytes alone still goes, alone; nothing to send is no request', () => {
    const small = serializeOp(texts(), 'post', 'multipart', 'b0');
    const big = serializeOp(texts({ inputs: JSON.stringify('x'.repeat(5000)) }), 'post', 'multipart', 'b0');
    const requests = splitIntoRequests([small, big, small], 'multipart', 'b0', 100, 2000);
    expect(requests.map((request) => request.map((op) => op === big))).toEqual([[false], [true], [false]]);
    expect(splitIntoRequests([], 'multipart', 'b0', 100, 2000)).toEqual([]);
  });

  test('operations keep their order across requests', () => {
    const list = Array.from({ length: 5 }, (_, i) => serializeOp(texts({ id: `id-${i}` }), i % 2 === 0 ? 'post' : 'patch', 'multipart', 'b0'));
    expect(splitIntoRequests(list, 'multipart', 'b0', 2, 1e9).map((request) => request.map((op) => /name="([^"]*)"/.exec(op.text)![1]))).toEqual([
      ['post.id-0', 'patch.id-1'],
      ['post.id-2', 'patch.id-3'],
      ['post.id-4'],
    ]);
  });
});

test('a boundary is tw and 16 random hex digits, fresh each time', () => {
  const a = newBoundary();
  expect(a).toMatch(/^tw[0-9a-f]{16}$/);
  expect(newBoundary()).not.toBe(a);
});
