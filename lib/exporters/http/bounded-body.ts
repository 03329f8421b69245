/**
 * @internal A fetch `Response`'s body as text, at most `maxBytes` of it (UTF-8, after the runtime's own decoding of a
 * `Content-Encoding`), and whether it had more. A body at most that long is read to its end, so the runtime can reuse
 * the connection; a longer one is cancelled once `maxBytes` are in: `response.text()` read, and inflated, whatever a
 * server or a proxy answered — a 1 MB gzip answer took a process from 160 to ≈ 950 MB of RSS and its flush past its
 * deadline. Never rejects (a body that fails mid-way gives what was read).
 */
export const boundedText = async (response: Response, maxBytes: number): Promise<{ readonly text: string; readonly cut: boolean }> => {
  const body = response.body;
  if (body === null) return { text: '', cut: false };
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text: text + decoder.decode(), cut: false };
      const room = maxBytes - bytes;
      bytes += value.byteLength;
      text += decoder.decode(value.byteLength > room ? value.subarray(0, room) : value, { stream: true });
      if (bytes > maxBytes) break;
    }
  } catch {
    return { text, cut: true };
  }
  // More than is kept: not read further (nor inflated), the connection given up.
  reader.cancel().catch(() => undefined);
  return { text, cut: true };
};
