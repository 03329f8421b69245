import { ts } from 'ts-morph';
import { change, hasModifier, type FileContext } from './context.js';
import { backOverWhitespace, indentBefore, type TextEdit } from './edits.js';

/**
 * Where tracewire must be imported for `--functions`: a forwarder may be
 * called while its module is still loading — by a module in an import cycle,
 * as soon as the first other module this one loads starts to load, or by
 * this module's own code. tsc's CommonJS output declares each import's
 * `const` where the import stands (a forwarder reading one declared further
 * down throws a ReferenceError), and native ESM evaluates imported modules
 * in source order (tracewire would not have run yet). So tracewire's import
 * must come before every statement that runs anything at load: imports,
 * `import x = require()`, `export … from`, and code (a `require()`, a call).
 * Types, `declare`, function declarations and the directive prologue run nothing.
 */
export function runsAtLoad(statement: ts.Statement): boolean {
  if (ts.isImportDeclaration(statement)) return statement.importClause?.isTypeOnly !== true;
  if (ts.isImportEqualsDeclaration(statement)) return !statement.isTypeOnly;
  if (ts.isExportDeclaration(statement)) return statement.moduleSpecifier !== undefined && !statement.isTypeOnly;
  if (hasModifier(statement, ts.SyntaxKind.DeclareKeyword)) return false;
  return !(ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isFunctionDeclaration(statement) || ts.isEmptyStatement(statement));
}

/** The first statement that runs at load (where tracewire's import must go), if any; never a directive ('use strict'), which must stay first. */
export function firstToRun(sf: ts.SourceFile): ts.Statement | undefined {
  const directives = sf.statements.findIndex((st) => !ts.isExpressionStatement(st) || !ts.isStringLiteral(st.expression));
  return directives < 0 ? undefined : sf.statements.slice(directives).find(runsAtLoad);
}

/** True when something runs before `declaration` (an import) that may call a forwarder before that import has run. */
export function runsBefore(sf: ts.SourceFile, declaration: ts.Statement): boolean {
  const first = firstToRun(sf);
  return first !== undefined && first.pos < declaration.pos;
}

/**
 * Edits moving `declaration` (an import from 'tracewire' that stands below
 * another import or code) up to before the first statement that runs at load,
 * with `names` joined to its named imports. Its comments go with it: those
 * on the lines right above it and one at the end of its line. `--remove`
 * leaves it there (where it stood is not recorded).
 */
export function moveImportEdits(ctx: FileContext, declaration: ts.ImportDeclaration, names: readonly string[]): TextEdit[] {
  const { sf, text, eol } = ctx;
  const target = firstToRun(sf)!;
  const start = withCommentsAbove(sf, declaration);
  change(ctx, declaration, "import from 'tracewire' moved up, above what runs before it: a function it traces may be called that early (import cycle)");
  const end = (ts.getTrailingCommentRanges(text, declaration.end) ?? []).reduce((_, c) => c.end, declaration.end);
  let moved = text.slice(start, end);
  const named = declaration.importClause?.namedBindings;
  if (names.length > 0 && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0) {
    const at = named.elements[named.elements.length - 1]!.end - start;
    moved = moved.slice(0, at) + names.map((n) => `, ${n}`).join('') + moved.slice(at);
  }
  const to = topOf(sf, target);
  // Its lines go whole, leaving the blank lines around them as they were; one shared with other code goes from that code's end.
  const indent = indentBefore(text, start);
  const rest = /^[ \t]*\r?\n/.exec(text.slice(end));
  const removal = indent !== undefined && rest !== null ? { start: start - indent.length, end: end + rest[0].length } : { start: backOverWhitespace(text, start), end };
  // …but between two blank lines, one of them goes too.
  const blankAfter = /^[ \t]*\r?\n/.exec(text.slice(removal.end));
  if (rest !== null && blankAfter !== null && /\n[ \t]*\r?\n$/.test(text.slice(0, removal.start))) removal.end += blankAfter[0].length;
  return [{ start: to, end: to, text: moved + eol }, { ...removal, text: '' }];
}

/** Where an import goes above `target`: right above an import (as always), above the comments on the lines right above anything else (its doc comment stays its own). */
export function topOf(sf: ts.SourceFile, target: ts.Statement): number {
  return ts.isImportDeclaration(target) ? target.getStart(sf) : withCommentsAbove(sf, target);
}

/** Start of `node` with the comments on the lines right above it (no blank line between). */
function withCommentsAbove(sf: ts.SourceFile, node: ts.Node): number {
  const text = sf.text;
  let start = node.getStart(sf);
  for (const comment of (ts.getLeadingCommentRanges(text, node.pos) ?? []).reverse()) {
    const directlyAbove = (text.slice(comment.end, start).match(/\n/g) ?? []).length === 1;
    if (!directlyAbove || indentBefore(text, comment.pos) === undefined) break;
    start = comment.pos;
  }
  return start;
}
