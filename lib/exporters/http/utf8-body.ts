/**
 * UTF-8 request bodies without a detour: sizes, allocation and writes, on
 * Node through its `Buffer` (cheaper there), elsewhere through the web's
 * `TextEncoder`. Shared by the LangSmith and OTLP exporters.
 */
/**
 * Node's `Buffer` where the runtime has one. Its `byteLength` is on Node 20
 * about 4× cheaper than a regex scan for non-ASCII (bench/pipeline.js --cpu-prof).
 * Measured the same way, `encodeInto` of the multipart texts cost ~2× a latin1
 * `Buffer` write of the same ASCII text, so Node keeps the `Buffer`; other
 * runtimes (workerd, Vercel Edge, browsers) use `TextEncoder.encodeInto`. Its
 * `latin1Write` / `utf8Write` (what `buf.write(text, at, encoding)` calls after
 * checking its arguments and looking the encoding up) cost about half as much
 * per operation as `write` on Node 20.
 */
const NodeBuffer = (globalThis as { Buffer?: { byteLength(text: string): number; allocUnsafe(size: number): NodeBody } }).Buffer;
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * @internal UTF-8 size: on Node, `Buffer.byteLength` itself (UTF-8 is its
 * default; it reads no `this`), so a measure is no extra call in a fresh
 * process's unoptimised code. Elsewhere most JSON here is ASCII, whose size
 * is its length: one scan, no encoding.
 */
export const utf8Length: (text: string) => number =
  NodeBuffer !== undefined ? NodeBuffer.byteLength : (text) => (NON_ASCII.test(text) ? utf8LengthOf(text) : text.length);

/** The UTF-8 size of any string (lone surrogates count as U+FFFD, 3 bytes, as `TextEncoder` writes them). */
function utf8LengthOf(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

const utf8 = new TextEncoder();


/** @internal A body on Node: a `Buffer`, with its direct writers. */
export interface NodeBody extends Uint8Array {
  latin1Write?(text: string, at: number): number;
  utf8Write?(text: string, at: number): number;
}

/** @internal An uninitialised body of `size` bytes (a `Buffer` on Node). */
export function allocate(size: number): NodeBody {
  return NodeBuffer === undefined ? new Uint8Array(size) : NodeBuffer.allocUnsafe(size);
}

/** @internal Writes `text` as UTF-8 at `at`; returns the bytes written. ASCII text is written byte for byte. */
export function write(body: NodeBody, text: string, at: number, ascii: boolean): number {
  if (body.latin1Write !== undefined && body.utf8Write !== undefined) return ascii ? body.latin1Write(text, at) : body.utf8Write(text, at);
  return utf8.encodeInto(text, at === 0 ? body : body.subarray(at)).written;
}

/** @internal `text` as UTF-8 bytes: an ASCII text (most JSON here) is copied byte for byte on Node. */
export function encodeUtf8(text: string): Uint8Array {
  return NodeBuffer === undefined ? utf8.encode(text) : utf8BodyOf(text);
}

/**
 * @internal `text` as UTF-8 in a body of `bytes` from `alloc`: ASCII exactly
 * when the size is the text's length, then copied byte for byte on Node. A
 * size measured wrong is a bug that must never put a half-written body on the
 * wire: it throws, naming the body (`what`).
 */
export function utf8BodyOf(text: string, bytes = utf8Length(text), what = 'request body', alloc: (size: number) => NodeBody = allocate): Uint8Array {
  if (bytes < text.length) throw new Error(`tracewire: ${what} is at least ${text.length} bytes, ${bytes} expected`);
  const body = alloc(bytes);
  const written = write(body, text, 0, bytes === text.length);
  if (written !== bytes) throw new Error(`tracewire: ${what} is ${written} bytes, ${bytes} expected`);
  return body;
}
