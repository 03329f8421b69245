/**
 * What the full-text index is fed, and how search words are made to match it.
 *
 * The index holds the text a user reads: string values unescaped, and keys,
 * numbers and booleans, joined by spaces. (It was fed JSON, where a word
 * after a newline was stored as `nWord`, after a quote as `"Word`'s escape.)
 *
 * FTS5's unicode61 tokenizer splits on spaces and punctuation, so a run of
 * Chinese or Japanese (written without spaces) would be one token, and a word
 * inside it never found. Ideographs, kana and hangul are therefore indexed
 * one character per token, and a search word holding them becomes a phrase
 * of its characters: `世界` finds `你好世界，欢迎使用` (characters in a row),
 * at one token per character (the cheapest scheme that finds every substring;
 * bigrams would halve the tokens but miss one-character words).
 */

/**
 * Bumped whenever the text fed to the index changes: a database indexed with
 * an older version is re-indexed when a collector opens it.
 * 1: JSON of inputs, outputs and error; 2: their text, CJK per character;
 * 3: at most `SEARCH_TEXT_MAX_CHARS` of it.
 */
export const SEARCH_TEXT_VERSION = 3;

/**
 * How much of a run's text is indexed: its first 256 Ki characters (name and error first, then inputs, then outputs).
 * Indexing is one synchronous step per run, and the whole text of a big run held the collector still: 2 M characters of
 * Chinese, 0.9 s here, 3.2 s on a slower machine (a report-only probe), in which no request was answered. 256 Ki
 * characters cost at most ≈ 90 ms (Chinese, the dearest: a token per character).
 */
export const SEARCH_TEXT_MAX_CHARS = 256 * 1024;

/** Scripts written without spaces between words (and hangul, whose words take particles). */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;

/** Puts spaces around each character of a script written without spaces, making it a token of its own. */
export function spaceOutUnspaced(text: string): string {
  return text.replace(UNSPACED, ' $& ');
}

/**
 * The text a stored run is found by: its name, error, inputs and outputs (keys and values), from its JSON, up to
 * `SEARCH_TEXT_MAX_CHARS` of it.
 */
export function searchText(data: string): string {
  const run = JSON.parse(data) as { name?: unknown; error?: unknown; inputs?: unknown; outputs?: unknown };
  const parts: string[] = [];
  let room = SEARCH_TEXT_MAX_CHARS;
  const add = (text: string): void => {
    const kept = text.length <= room ? text : text.slice(0, room);
    parts.push(kept);
    room -= kept.length + 1;
  };
  // An explicit stack: values are at most 64 deep once validated, but a stored run is not re-validated here.
  const stack: unknown[] = [run.outputs, run.inputs, run.error, run.name];
  while (stack.length > 0 && room > 0) {
    const value = stack.pop();
    if (typeof value === 'string') add(value);
    else if (typeof value === 'number' || typeof value === 'boolean') add(String(value));
    else if (Array.isArray(value)) for (let i = value.length - 1; i >= 0; i--) stack.push(value[i]);
    else if (typeof value === 'object' && value !== null) {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) stack.push(entries[i]![1], entries[i]![0]);
    }
  }
  return spaceOutUnspaced(parts.join(' '));
}
