/**
 * @internal A fetch `Response`'s body, at most `maxBytes` of it (after the runtime's own decoding of a
 * `Content-Encoding`), and whether it had more. A body at most that long is read to its end, so the runtime can reuse
 * the connection; a longer one is cancelled once `maxBytes` are in: `response.text()` read, and inflated, whatever a
 * server or a proxy answered — a 1 MB gzip answer took a process from 160 to ≈ 950 MB of RSS and its flush past its
 * deadline. Never rejects (a body that fails mid-way gives what was read).
 */
export async function boundedBytes(response: Response, maxBytes: number): Promise<{ readonly bytes: Uint8Array; readonly cut: boolean }> {
  const body = response.body;
  if (body === null) return { bytes: new Uint8Array(0), cut: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let cut = true;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        cut = false;
        break;
      }
      const room = maxBytes - bytes;
      bytes += value.byteLength;
      chunks.push(value.byteLength > room ? value.subarray(0, room) : value);
      if (bytes > maxBytes) break;
    }
  } catch {
    return { bytes: joined(chunks), cut: true };
  }
  // More than is kept: not read further (nor inflated), the connection given up.
  if (cut) reader.cancel().catch(() => undefined);
  return { bytes: joined(chunks), cut };
}

/** @internal As {@link boundedBytes}, as UTF-8 text. */
export async function boundedText(response: Response, maxBytes: number): Promise<{ readonly text: string; readonly cut: boolean }> {
  const { bytes, cut } = await boundedBytes(response, maxBytes);
  return { text: new TextDecoder().decode(bytes), cut };
}

function joined(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const all = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return all;
}
