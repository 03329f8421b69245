/**
 * Where there is no `Buffer` (workerd, Deno, browsers), a body's UTF-8 size
 * is counted by hand; it must be the number of bytes `TextEncoder` writes,
 * lone surrogates included (each becomes U+FFFD, 3 bytes). The module reads
 * `globalThis.Buffer` when it loads, so it is loaded here with `Buffer`
 * hidden. (The edge exporters on a real workerd are tested in
 * `test/runtimes/`; this holds the arithmetic, per character class.)
 */
type Utf8Body = typeof import('../../../../lib/exporters/http/utf8-body');

function loadWithoutBuffer(): Utf8Body {
  const saved = globalThis.Buffer;
  let loaded: Utf8Body | undefined;
  try {
    (globalThis as { Buffer?: unknown }).Buffer = undefined;
    jest.isolateModules(() => {
      loaded = jest.requireActual<Utf8Body>('../../../../lib/exporters/http/utf8-body');
    });
  } finally {
    globalThis.Buffer = saved;
  }
  return loaded!;
}

const { utf8Length } = loadWithoutBuffer();
const encoded = (text: string): number => new TextEncoder().encode(text).length;

test.each([
  ['ASCII', 'plain text'],
  ['two-byte characters', 'é ñ ß'],
  ['three-byte characters', '€ 中文'],
  ['a surrogate pair (4 bytes)', '😀'],
  ['the last code point, U+10FFFF (high surrogate DBFF)', '\u{10FFFF}'],
  ['the first pair, U+10000 (high surrogate D800)', '\u{10000}'],
  ['a lone high surrogate at the end', 'a\ud83d'],
  ['a lone high surrogate before ASCII', '\ud83dx'],
  ['a lone high surrogate before a two-byte character', '\ud83dé'],
  ['a lone high surrogate before a three-byte character', '\ud83d€'],
  ['two lone low surrogates', '\ude00\ude00'],
  ['a pair in the wrong order', '\ude00\ud83d'],
  ['a private-use character before a low surrogate', '\ue000\udc00'],
  ['a mix', 'run "😀" → \ud83d ok'],
])('%s: as many bytes as TextEncoder writes', (_, text) => {
  expect(utf8Length(text)).toBe(encoded(text));
});

describe.each([
  ['without Buffer (TextEncoder)', loadWithoutBuffer()],
  ['on Node (Buffer)', jest.requireActual<Utf8Body>('../../../../lib/exporters/http/utf8-body')],
])('%s', (_, body) => {
  const texts = ['', 'plain', 'é ñ ß', '€ 中文', '😀', 'a\ud83d', 'x'.repeat(1000) + '☃'];

  test.each([
    [0x7f, 1], [0x80, 2], [0x7ff, 2], [0x800, 3], [0xd7ff, 3], [0xe000, 3], [0xffff, 3],
  ])('code unit %i is %i bytes', (code, bytes) => {
    expect(body.utf8Length(String.fromCharCode(code))).toBe(bytes);
  });

  test('encodeUtf8 writes the same bytes as TextEncoder', () => {
    for (const text of texts) expect(Array.from(body.encodeUtf8(text))).toEqual(Array.from(new TextEncoder().encode(text)));
  });

  test('texts written one after another into one allocation land at their offsets, ASCII or not', () => {
    const parts = ['head:', 'é☃😀', '-', 'tail'];
    const size = parts.reduce((total, part) => total + body.utf8Length(part), 0);
    const out = body.allocate(size);
    expect(out.length).toBe(size);
    let at = 0;
    for (const part of parts) at += body.write(out, part, at, body.utf8Length(part) === part.length);
    expect(at).toBe(size);
    expect(new TextDecoder().decode(out)).toBe(parts.join(''));
  });
});
