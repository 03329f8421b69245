import { ts } from 'ts-morph';
import { change, type FileContext } from './context.js';
import { backOverWhitespace, indentBefore, type TextEdit } from './edits.js';

/**
 * Where tracewire must be imported for `--functions`: a forwarder may be
 * called by a module in an import cycle while this module is still loading,
 * i.e. right after the first other module it loads starts to load. tsc's
 * CommonJS output declares each import's `const` where the import stands
 * (a forwarder reading one declared further down throws a ReferenceError),
 * and native ESM evaluates imported modules in source order (tracewire would
 * not have run yet). So tracewire's import must come before every statement
 * that loads a module: imports, `import x = require()`, `export … from`, and
 * `require()` calls run at the top level.
 */
export function loadsModule(statement: ts.Statement): boolean {
  if (ts.isImportDeclaration(statement)) return statement.importClause?.isTypeOnly !== true;
  if (ts.isImportEqualsDeclaration(statement)) return !statement.isTypeOnly && ts.isExternalModuleReference(statement.moduleReference);
  if (ts.isExportDeclaration(statement)) return statement.moduleSpecifier !== undefined && !statement.isTypeOnly;
  return callsRequire(statement);
}

/** True when `node` calls `require(…)` outside any function body (so while the module loads). */
function callsRequire(node: ts.Node): boolean {
  if (ts.isFunctionLike(node)) return false;
  if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require') return true;
  return ts.forEachChild(node, callsRequire) === true;
}

/** The first statement that loads another module (where a first import must go), if any. */
export function firstLoad(sf: ts.SourceFile): ts.Statement | undefined {
  return sf.statements.find(loadsModule);
}

/** True when a statement before `declaration` loads another module, which may reach this one back before `declaration` has run. */
export function importsBefore(sf: ts.SourceFile, declaration: ts.Statement): boolean {
  const at = sf.statements.indexOf(declaration);
  return sf.statements.slice(0, at).some(loadsModule);
}

/**
 * Edits moving `declaration` (an import from 'tracewire' that stands below
 * another import) up to before the first statement that loads a module,
 * with `names` joined to its named imports. Its comments go with it: those
 * on the lines right above it and one at the end of its line. `--remove`
 * leaves it there (where it stood is not recorded).
 */
export function moveImportEdits(ctx: FileContext, declaration: ts.ImportDeclaration, names: readonly string[]): TextEdit[] {
  const { sf, text, eol } = ctx;
  const target = firstLoad(sf)!;
  let start = declaration.getStart(sf);
  for (const comment of (ts.getLeadingCommentRanges(text, declaration.pos) ?? []).reverse()) {
    const directlyAbove = (text.slice(comment.end, start).match(/\n/g) ?? []).length === 1;
    if (!directlyAbove || indentBefore(text, comment.pos) === undefined) break;
    start = comment.pos;
  }
  change(ctx, declaration, "import from 'tracewire' moved above the first import: a function it traces may be called before the imports below it have run");
  const end = (ts.getTrailingCommentRanges(text, declaration.end) ?? []).reduce((_, c) => c.end, declaration.end);
  let moved = text.slice(start, end);
  const named = declaration.importClause?.namedBindings;
  if (names.length > 0 && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0) {
    const at = named.elements[named.elements.length - 1]!.end - start;
    moved = moved.slice(0, at) + names.map((n) => `, ${n}`).join('') + moved.slice(at);
  }
  const to = target.getStart(sf);
  // Its lines go whole, leaving the blank lines around them as they were; one shared with other code goes from that code's end.
  const indent = indentBefore(text, start);
  const rest = /^[ \t]*\r?\n/.exec(text.slice(end));
  const removal = indent !== undefined && rest !== null ? { start: start - indent.length, end: end + rest[0].length } : { start: backOverWhitespace(text, start), end };
  // …but between two blank lines, one of them goes too.
  const blankAfter = /^[ \t]*\r?\n/.exec(text.slice(removal.end));
  if (rest !== null && blankAfter !== null && /\n[ \t]*\r?\n$/.test(text.slice(0, removal.start))) removal.end += blankAfter[0].length;
  return [{ start: to, end: to, text: moved + eol }, { ...removal, text: '' }];
}
