import { OUTPUTS_DROPPED_PREFIX } from '../../model/dropped-outputs.js';

/** @internal What a run's `error` string says, in OpenTelemetry's `exception.*` terms. */
export interface ParsedError {
  /** `exception.type`: the error's name (`TypeError`), when the string starts with one. */
  readonly type: string | undefined;
  /** `exception.message`: the message, all its lines, without the stack frames. */
  readonly message: string;
  /** `exception.stacktrace`: the error string, unless it is tracewire's own words with no stack in them. */
  readonly stacktrace: string | undefined;
  /**
   * The span status message: `Name: message`, all the message's lines, without the stack frames. Not the first line
   * only: a message of several lines (zod's `ZodError` is its issues as JSON, from `[`) said nothing in its first.
   */
  readonly statusMessage: string;
}

/** `Name: message` or `Name [CODE]: message` (how Node prints errors with a `code`). */
const HEADLINE = /^([A-Za-z_$][\w$.]*)(?: \[[^\]\n]*\])?:(?: ([\s\S]*))?$/;
/** The first stack frame line: `    at fn (file:1:2)`. Spaces or tabs only before `at`: `\s+` also takes newlines, and a message with a long run of them cost time quadratic in the run (80 000 newlines: 3 s). */
const FRAME = /\n[ \t]+at /;
/** How tracewire records a thrown value that is not an object (`throw 'boom'`): it has no type. */
const NOT_AN_ERROR = 'Thrown';

/**
 * @internal Splits an error string as tracewire records it — an error's
 * `stack` (`Name: message` then `    at …` frames), or `Name: message`, or
 * `Thrown: value` — into type, message and status message. Anything else is kept
 * whole as the message: the parse never loses text, `exception.stacktrace`
 * carries the original anyway.
 *
 * The close of a run whose end was dropped (evicted or failed for good:
 * `OUTPUTS_DROPPED_PREFIX`, see `closeOf`) is tracewire's, not an error the user's code threw: its
 * `tracewire:` is no exception type. It has none (the semantic conventions
 * ask for a type or a message, the message is enough), its message is the
 * whole text up to any stack frames, and it carries a stack trace only when
 * the call's own error it quotes had one.
 */
export function parseError(error: string): ParsedError {
  const frame = FRAME.exec(error);
  const head = frame === null ? error : error.slice(0, frame.index);
  if (error.startsWith(OUTPUTS_DROPPED_PREFIX)) return { type: undefined, message: head, stacktrace: frame === null ? undefined : error, statusMessage: head };
  const match = HEADLINE.exec(head);
  if (match === null) return { type: undefined, message: head, stacktrace: error, statusMessage: head };
  const type = match[1] === NOT_AN_ERROR ? undefined : match[1];
  return { type, message: match[2] ?? '', stacktrace: error, statusMessage: head };
}
