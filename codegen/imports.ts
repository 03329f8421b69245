import { ts } from 'ts-morph';
import type { Bindings, FileContext } from './context.js';
import { backOverWhitespace, skipWhitespace, type TextEdit } from './edits.js';
import { firstToRun, moveImportEdits, runsAtLoad, runsBefore, topOf } from './import-order.js';

const MODULE = 'tracewire';

/** Finds how this module reaches tracewire's `Traceable` and `traceable`, and which top-level names are taken. */
export function findBindings(sf: ts.SourceFile): Bindings {
  const bindings: { decorator?: string; wrapper?: string; wrapperImport?: ts.ImportDeclaration; namedImport?: ts.ImportDeclaration; taken: Set<string> } = {
    taken: new Set(),
  };
  for (const statement of sf.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const fromTracewire = ts.isStringLiteral(statement.moduleSpecifier) && statement.moduleSpecifier.text === MODULE;
      if (clause === undefined) continue;
      if (clause.name !== undefined) bindings.taken.add(clause.name.text);
      const named = clause.namedBindings;
      if (named !== undefined && ts.isNamespaceImport(named)) {
        bindings.taken.add(named.name.text);
        if (fromTracewire && !clause.isTypeOnly) {
          bindings.decorator ??= `${named.name.text}.Traceable`;
          bindings.wrapperImport ??= statement;
          bindings.wrapper ??= `${named.name.text}.traceable`;
        }
      } else if (named !== undefined) {
        if (fromTracewire && !clause.isTypeOnly) bindings.namedImport ??= statement;
        for (const element of named.elements) {
          const imported = (element.propertyName ?? element.name).text;
          const usable = fromTracewire && !clause.isTypeOnly && !element.isTypeOnly;
          if (usable && imported === 'Traceable') bindings.decorator ??= element.name.text;
          else if (usable && imported === 'traceable') {
            bindings.wrapperImport ??= statement;
            bindings.wrapper ??= element.name.text;
          } else bindings.taken.add(element.name.text);
        }
      }
    } else {
      for (const name of declaredNames(statement)) bindings.taken.add(name);
    }
  }
  return bindings;
}

function declaredNames(statement: ts.Statement): string[] {
  if (ts.isVariableStatement(statement)) return statement.declarationList.declarations.flatMap((d) => boundNames(d.name));
  const named = statement as { name?: ts.Node };
  return named.name !== undefined && ts.isIdentifier(named.name) ? [named.name.text] : [];
}

/** The names a declaration binds, destructured ones included (`const { traceable } = require('tracewire')`). */
function boundNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : boundNames(e.name)));
}

/**
 * The edits importing `names` from 'tracewire': joins an existing value import
 * from 'tracewire' (`import { traceable } …` → `import { traceable, Traceable } …`),
 * else a new line after the last import (before the first one, or whatever runs first, when `first`), else below the directive prologue
 * ('use strict', 'use client'), else at the top of the code — below a licence header (comments followed by a blank line), above a doc comment
 * that belongs to the first statement. `first`: the file has forwarders, which may call the wrapper while the module is still loading,
 * so the import of `traceable` moves above any import or code standing before it (see {@link runsBefore}), with `names` when they join it.
 */
export function importEdits(ctx: FileContext, names: string[], first = false): TextEdit[] {
  const { sf, bindings } = ctx;
  const existing = bindings.namedImport;
  const named = existing?.importClause?.namedBindings;
  const joinable = existing !== undefined && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0;
  const wrapperImport = bindings.wrapperImport ?? (joinable && names.includes('traceable') ? existing : undefined);
  const edits: TextEdit[] = [];
  if (first && wrapperImport !== undefined && runsBefore(sf, wrapperImport)) {
    if (wrapperImport === existing) return moveImportEdits(ctx, wrapperImport, names);
    edits.push(...moveImportEdits(ctx, wrapperImport, []));
  }
  if (names.length === 0) return edits;
  if (joinable) {
    const last = named.elements[named.elements.length - 1]!;
    return [...edits, { start: last.end, end: last.end, text: names.map((n) => `, ${n}`).join('') }];
  }
  return [...edits, newImportEdit(ctx, names, first)];
}

function newImportEdit(ctx: FileContext, names: string[], first: boolean): TextEdit {
  const { sf, text, eol } = ctx;
  const imports = sf.statements.filter(ts.isImportDeclaration);
  const quote = quoteOf(sf);
  // Follow the file's semicolon style, judged on a statement that would end with one.
  const model2 = sf.statements.find((st) => ts.isImportDeclaration(st) || ts.isVariableStatement(st) || ts.isExpressionStatement(st) || ts.isExportDeclaration(st));
  const semicolon = model2 === undefined || text[model2.end - 1] === ';' ? ';' : '';
  const line = `import { ${names.join(', ')} } from ${quote}${MODULE}${quote}${semicolon}`;
  if (first && imports[0] !== undefined) {
    // `import x = require()`, `export … from` or code above the first import runs before it: the line goes above that.
    const load = firstToRun(sf);
    const top = topOf(sf, load !== undefined && load.pos < imports[0].pos ? load : imports[0]);
    return { start: top, end: top, text: line + eol };
  }
  const lastImport = imports[imports.length - 1];
  if (lastImport !== undefined) {
    // Below code that runs at load (a class whose decorator reads the import), tsc's CommonJS output would declare the
    // import after its use: a ReferenceError at load. Then it goes above the first statement that runs at load.
    const before = sf.statements.slice(0, sf.statements.indexOf(lastImport));
    if (before.some((statement) => !ts.isImportDeclaration(statement) && runsAtLoad(statement))) return newImportEdit(ctx, names, true);
    // After a comment that ends the last import's line (`// eslint-disable-line`): it stays on that import's line.
    const trailing = ts.getTrailingCommentRanges(text, lastImport.end) ?? [];
    const end = trailing.length === 0 ? lastImport.end : trailing[trailing.length - 1]!.end;
    return { start: end, end, text: eol + line };
  }
  // 'use strict' / 'use client' work only as the first statements: the import goes below them.
  const directives = prologue(sf);
  const lastDirective = directives[directives.length - 1];
  if (lastDirective !== undefined) return { start: lastDirective.end, end: lastDirective.end, text: eol + eol + line };
  const headerEnd = licenceHeaderEnd(text, sf.statements[0]?.pos ?? text.length);
  if (headerEnd !== undefined) return { start: headerEnd, end: headerEnd, text: eol + eol + line };
  // Triple-slash directives and file pragmas count only among a file's leading comments: the import goes below them.
  const pragmas = (ts.getLeadingCommentRanges(text, shebangEnd(text)) ?? []).filter((range) => FILE_PRAGMA.test(text.slice(range.pos, range.end)));
  const lastPragma = pragmas[pragmas.length - 1];
  const start = skipWhitespace(text, lastPragma === undefined ? shebangEnd(text) : lastPragma.end);
  return { start, end: start, text: line + eol + eol };
}

/** A leading comment that works only above every statement: `/// <reference …>`, `// @ts-nocheck`, a JSX pragma (`@jsx`…). */
const FILE_PRAGMA = /^\/\/\/\s*<(reference|amd-module|amd-dependency)\b|^\/\/\s*@ts-(nocheck|check)\b|@jsx(Frag|ImportSource|Runtime)?\b/;

/** The file's quote, judged on its first import, else on its first string literal (single quotes without either). */
function quoteOf(sf: ts.SourceFile): string {
  const model = sf.statements.find(ts.isImportDeclaration)?.moduleSpecifier ?? firstStringLiteral(sf);
  return model !== undefined && model.getText(sf).startsWith('"') ? '"' : "'";
}

/** The first string literal of the file's code, in source order: not a JSX attribute's, whose quotes prettier keeps apart (`jsxSingleQuote`). */
function firstStringLiteral(node: ts.Node): ts.StringLiteral | undefined {
  return ts.forEachChild(node, (child) => (ts.isStringLiteral(child) && !ts.isJsxAttribute(node) ? child : firstStringLiteral(child)));
}

/** `text` as a string literal in the file's own quotes. */
export function quoted(ctx: FileContext, text: string): string {
  const quote = quoteOf(ctx.sf);
  // JSON's escapes (line breaks and every control character too), then the file's own quote: a name written out is a
  // string literal that parses, whatever characters the member's name holds.
  const escaped = JSON.stringify(text).slice(1, -1);
  return quote + (quote === '"' ? escaped : escaped.replace(/\\"/g, '"').replace(new RegExp(quote, 'g'), `\\${quote}`)) + quote;
}

/** The directive prologue: the leading string-literal expression statements. */
function prologue(sf: ts.SourceFile): ts.Statement[] {
  const out: ts.Statement[] = [];
  for (const statement of sf.statements) {
    if (!ts.isExpressionStatement(statement) || !ts.isStringLiteral(statement.expression)) break;
    out.push(statement);
  }
  return out;
}

function shebangEnd(text: string): number {
  if (!text.startsWith('#!')) return 0;
  const newline = text.indexOf('\n');
  return newline < 0 ? text.length : newline + 1;
}

/** End of the last leading comment that a blank line separates from what follows it. */
function licenceHeaderEnd(text: string, firstStatementPos: number): number | undefined {
  const ranges = ts.getLeadingCommentRanges(text, Math.max(firstStatementPos, shebangEnd(text))) ?? [];
  let end: number | undefined;
  for (const range of ranges) {
    const gap = text.slice(range.end, skipWhitespace(text, range.end));
    if ((gap.match(/\n/g) ?? []).length >= 2) end = range.end;
  }
  return end;
}

/**
 * Edits taking `locals` (import specifiers from 'tracewire') out of their
 * import: the whole declaration when nothing else is left in it, else just
 * those specifiers and their commas — exactly undoing {@link importEdits}.
 */
export function removeImportEdits(ctx: FileContext, locals: readonly string[]): TextEdit[] {
  const { sf, text } = ctx;
  const declaration = ctx.bindings.namedImport;
  const named = declaration?.importClause?.namedBindings;
  if (declaration === undefined || named === undefined || !ts.isNamedImports(named)) return [];
  const elements = named.elements;
  const gone = elements.map((e) => locals.includes(e.name.text));
  if (!gone.includes(true)) return [];
  if (gone.every(Boolean) && declaration.importClause?.name === undefined) {
    if (sf.statements.indexOf(declaration) > 0) return [{ start: backOverWhitespace(text, declaration.getStart(sf)), end: declaration.end, text: '' }];
    return [{ start: declaration.getStart(sf), end: skipWhitespace(text, declaration.end), text: '' }];
  }
  const edits: TextEdit[] = [];
  let i = 0;
  if (gone[0]) {
    // Leading names go with the comma after them, up to the first kept name.
    while (gone[i]) i++;
    edits.push({ start: elements[0]!.getStart(sf), end: elements[i]!.getStart(sf), text: '' });
  }
  for (; i < elements.length; i++) {
    if (gone[i]) edits.push({ start: elements[i - 1]!.end, end: elements[i]!.end, text: '' });
  }
  return edits;
}

/** How many identifiers in the file read `local` (the import specifier itself included). */
export function countIdentifiers(sf: ts.SourceFile, local: string): number {
  let count = 0;
  const visit = (node: ts.Node): void => {
    // A name, not a reference: `features.traceable`, `{ traceable: true }`, a method or field named so.
    const parent = node.parent;
    const isName =
      parent !== undefined &&
      ((ts.isPropertyAccessExpression(parent) && parent.name === node) ||
        ((ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertySignature(parent) || ts.isMethodSignature(parent) || ts.isGetAccessor(parent) || ts.isSetAccessor(parent)) && parent.name === node));
    if (ts.isIdentifier(node) && node.text === local && !isName) count++;
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return count;
}
