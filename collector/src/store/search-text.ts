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
 * 1: JSON of inputs, outputs and error; 2: their text, CJK per character.
 */
export const SEARCH_TEXT_VERSION = 2;

/** Scripts written without spaces between words (and hangul, whose words take particles). */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;

/** Puts spaces around each character of a script written without spaces, making it a token of its own. */
export function spaceOutUnspaced(text: string): string {
  return text.replace(UNSPACED, ' $& ');
}

/** The text a stored run is found by: its name, error, inputs and outputs (keys and values), from its JSON. */
export function searchText(data: string): string {
  const run = JSON.parse(data) as { name?: unknown; error?: unknown; inputs?: unknown; outputs?: unknown };
  const parts: string[] = [];
  // An explicit stack: values are at most 64 deep once validated, but a stored run is not re-validated here.
  const stack: unknown[] = [run.outputs, run.inputs, run.error, run.name];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') parts.push(value);
    else if (typeof value === 'number' || typeof value === 'boolean') parts.push(String(value));
    else if (Array.isArray(value)) for (let i = value.length - 1; i >= 0; i--) stack.push(value[i]);
    else if (typeof value === 'object' && value !== null) {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) stack.push(entries[i]![1], entries[i]![0]);
    }
  }
  return spaceOutUnspaced(parts.join(' '));
}
