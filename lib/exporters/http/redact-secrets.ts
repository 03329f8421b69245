import type { ExportResult } from '../span-exporter.js';
import { encodeUtf8 } from './utf8-body.js';

/** Cuts every secret it was made for out of a result's error message; see {@link secretsRedactor}. */
export type SecretsRedactor = (result: ExportResult) => ExportResult;

/** What stands in for a secret cut out. */
const REDACTED = '[redacted]';
/** Characters of a secret a quote of it must have, when the quote is cut short by the message's end. */
const MIN_KEPT = 4;

/**
 * How one character of a secret may appear in a server's text: as itself, and in every escaped form an echo of it may
 * take. `escapes` are upper-case and compared without regard to case (`%2b` is `%2B`); the character itself is not.
 */
interface SecretChar {
  readonly literal: string;
  readonly escapes: readonly string[];
}

function hex(n: number, digits: number): string {
  return n.toString(16).toUpperCase().padStart(digits, '0');
}

/** Escapes a character has beyond the generic ones (form-encoding, HTML's named entities, JSON's short escapes). */
const SPECIAL_ESCAPES: Readonly<Record<string, readonly string[]>> = {
  ' ': ['+'],
  '&': ['&AMP;'],
  '<': ['&LT;'],
  '>': ['&GT;'],
  '"': ['&QUOT;', '\\"'],
  "'": ['&APOS;'],
  '/': ['\\/'],
  '\\': ['\\\\'],
};

function secretChar(literal: string): SecretChar {
  const codePoint = literal.codePointAt(0)!;
  let percent = '';
  let twicePercent = '';
  for (const byte of codePoint < 0x80 ? [codePoint] : encodeUtf8(literal)) {
    percent += '%' + hex(byte, 2);
    twicePercent += '%25' + hex(byte, 2);
  }
  let unicode = '';
  for (let i = 0; i < literal.length; i++) unicode += '\\U' + hex(literal.charCodeAt(i), 4);
  // Percent-encoded (encodeURIComponent, a form, a URL's parser), twice (a URL quoted inside another), JSON or JS
  // (`\u002B`), HTML's numeric references.
  const escapes = [percent, twicePercent, unicode, `&#${codePoint};`, `&#X${hex(codePoint, 1)};`, ...(SPECIAL_ESCAPES[literal] ?? [])];
  return { literal, escapes };
}

/** Where form `form` of `char` (0: the character itself, then its escapes) at `pos` of `text` ends; -1 when it is not there. */
function formEnd(text: string, pos: number, char: SecretChar, form: number): number {
  if (form === 0) return text.startsWith(char.literal, pos) ? pos + char.literal.length : -1;
  const escape = char.escapes[form - 1]!;
  return text.slice(pos, pos + escape.length).toUpperCase() === escape ? pos + escape.length : -1;
}

/** Whether `rest` (the end of the message) is the start of a form of `char`: a quote cut in the middle of an escape. */
function startsAForm(rest: string, char: SecretChar): boolean {
  const upper = rest.toUpperCase();
  return char.literal.startsWith(rest) || char.escapes.some((escape) => escape.startsWith(upper));
}

/**
 * Where a quote of `chars` that starts at `start` of `text` ends, each character in any of its forms: the whole
 * secret, or — at the end of `text`, which a quote cut short ends with — its first {@link MIN_KEPT} characters or
 * more; -1 when there is none. Forms of one character may begin alike (`%` and `%25`): each is tried, and a state
 * (character, position) found a dead end is not tried again, so a search takes at most characters × positions steps.
 */
function quoteEnd(text: string, start: number, chars: readonly SecretChar[]): number {
  const deadEnds = new Set<number>();
  const width = text.length + 1;
  // Explicit stack of [character index, position, next form to try]: a secret of thousands of characters (a JWT) would
  // overflow the call stack when searched by recursion.
  const stack: Array<[number, number, number]> = [[0, start, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [index, pos] = top;
    if (index === chars.length) return pos;
    const char = chars[index]!;
    if (top[2] === 0 && index >= MIN_KEPT && (pos === text.length || startsAForm(text.slice(pos), char))) return text.length;
    if (top[2] > char.escapes.length) {
      deadEnds.add(index * width + pos);
      stack.pop();
      continue;
    }
    const end = formEnd(text, pos, char, top[2]++);
    if (end > pos && !deadEnds.has((index + 1) * width + end)) stack.push([index + 1, end, 0]);
  }
  return -1;
}

/** `text` with every quote of `chars` (see {@link quoteEnd}) replaced by {@link REDACTED}. */
function cutOut(text: string, chars: readonly SecretChar[]): string {
  let out = '';
  let copied = 0;
  for (let pos = 0; pos < text.length; ) {
    const end = quoteEnd(text, pos, chars);
    if (end < 0) {
      pos++;
      continue;
    }
    out += text.slice(copied, pos) + REDACTED;
    pos = copied = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * @internal What cuts `secrets` out of a failed result's error message (and of what a 2xx answer said it refused). A
 * server may quote the request back in its error body (a proxy's 400 page
 * echoing the headers; Express's `Cannot POST /v1/traces?api_key=…`), and
 * that body is quoted in the message the pipeline logs: no secret may travel
 * that way either. Each is found however it is quoted: as itself and with
 * any of its characters percent-encoded (in either case of hex, or twice),
 * form-encoded (a space as `+`), JSON-escaped (`\u002B`, `\/`) or as an HTML
 * character reference. A value with a scheme (`Bearer <token>`) is cut out
 * whole and by its parts of 8 characters or more: a server that rejects a
 * token tends to quote the token alone. Made once per exporter: the work of
 * reading each secret is done once, not on every failure.
 */
export function secretsRedactor(secrets: readonly string[]): SecretsRedactor {
  const parts = new Set<string>();
  for (const secret of secrets) {
    if (secret.length >= 4) parts.add(secret);
    for (const part of secret.split(/\s+/)) if (part.length >= 8) parts.add(part);
  }
  // Read at the first failure, not when the exporter is made (its start-up): most never fail.
  let patterns: ReadonlyArray<readonly SecretChar[]> | undefined;
  const redacted = (text: string): string => {
    // Longest first: a secret within another (a password within its `user:password`) must not break the other's quote.
    patterns ??= [...parts].sort((a, b) => b.length - a.length).map((part) => Array.from(part, secretChar));
    for (const chars of patterns) text = cutOut(text, chars);
    return text;
  };
  return (result) => {
    if (parts.size === 0 || (result.ok && result.partialSuccess === undefined)) return result;
    // What a 2xx answer said it refused is quoted in a warning too.
    const partial = result.partialSuccess;
    const partialMessage = partial === undefined ? '' : redacted(partial.errorMessage);
    if (partial !== undefined && partialMessage !== partial.errorMessage) result = { ...result, partialSuccess: { ...partial, errorMessage: partialMessage } };
    if (result.ok) return result;
    const message = redacted(result.error.message);
    return message === result.error.message ? result : { ...result, error: new Error(message) };
  };
}
