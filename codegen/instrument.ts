import { ts } from 'ts-morph';
import { unwrapFunctionFields, wrapFunctionFields } from './class-fields.js';
import { decorateMethods, undecorateMethods } from './class-methods.js';
import type { FileContext, MemberSelection, Note } from './context.js';
import { applyEdits, lineEnding } from './edits.js';
import { unwrapExportedFunctions, wrapExportedFunctions } from './exported-functions.js';
import { unwrapLegacyFunctions } from './legacy-unmarked.js';
import { unwrapProxyFunctions } from './proxy-functions.js';
import { countIdentifiers, findBindings, importEdits, removeImportEdits } from './imports.js';

/** What to do to each file. */
export interface TransformOptions {
  /** `add` instruments, `remove` takes off exactly what `add` writes. */
  readonly mode: 'add' | 'remove';
  /** With `remove`: also what tracewire 0.1 added without a mark (bare `@Traceable()`, its `f$traced` exports). */
  readonly legacyUnmarked?: boolean;
  /** Also wrap exported functions with `traceable(...)`. */
  readonly functions: boolean;
  /** The project compiles with `experimentalDecorators: true` (stricter about where decorators may go). */
  readonly legacyDecorators: boolean;
  /** …and `emitDecoratorMetadata: true`. */
  readonly decoratorMetadata: boolean;
  /** `moduleDetection: "force"`: every file is a module, even without import/export. */
  readonly forceModules: boolean;
  /** `isolatedDeclarations: true`: an unannotated public field cannot hold a call's result. */
  readonly isolatedDeclarations?: boolean;
  /** `noUnusedParameters: true`: a forwarder's parameters are named as unused (`_a`). */
  readonly noUnusedParameters?: boolean;
  /** The project's lib does not declare `Reflect` (ES5): forwarders call `.apply` instead of `Reflect.apply`. */
  readonly noReflect?: boolean;
  /** `verbatimModuleSyntax: true`: an ES import in a CommonJS file (.cts) does not compile (TS1286). */
  readonly verbatimModuleSyntax?: boolean;
  /** typescript-eslint is installed for the project: a forwarder's parameters carry a directive for its `no-unused-vars`. */
  readonly typescriptEslint?: boolean;
  readonly select: MemberSelection;
}

/**
 * The outcome for one file. `after` is set only when the text changes.
 * `blocked`: there is something to trace, but it could not be done safely
 * (the reason says how to unblock it); `--check` fails on it.
 */
export interface FileResult {
  readonly file: string;
  readonly status: 'changed' | 'unchanged' | 'skipped' | 'blocked' | 'error';
  readonly reason?: string;
  readonly changes: readonly Note[];
  readonly skips: readonly Note[];
  readonly before: string;
  readonly after?: string;
}

const NOTRACE_FILE = /@notrace-file\b/;

/**
 * Computes the new text of one file from its syntax tree alone (no type
 * checker). Edits are inserted at exact offsets of the original text, so the
 * file keeps its indentation, quotes, semicolons, line endings and comments.
 */
export function transformFile(file: string, sf: ts.SourceFile, options: TransformOptions): FileResult {
  const text = sf.getFullText();
  const base = { file, changes: [], skips: [], before: text };
  if (/\.d\.[mc]?tsx?$/.test(file)) return { ...base, status: 'skipped', reason: 'declaration file (.d.ts): no code to trace' };
  if (/\.[mc]?jsx?$/.test(file)) return { ...base, status: 'skipped', reason: 'JavaScript file (allowJs): decorators and type annotations are TypeScript-only' };
  const syntaxError = firstSyntaxError(sf);
  if (syntaxError !== undefined) return { ...base, status: 'error', reason: `syntax error at line ${syntaxError}; the file was left unchanged` };
  if (topComments(text, sf).some((c) => NOTRACE_FILE.test(c))) return { ...base, status: 'skipped', reason: 'opted out with @notrace-file' };
  const ctx: FileContext = {
    sf,
    text,
    eol: lineEnding(text),
    legacy: options.legacyDecorators,
    metadata: options.decoratorMetadata,
    isolatedDeclarations: options.isolatedDeclarations === true,
    noUnusedParameters: options.noUnusedParameters === true,
    noReflect: options.noReflect === true,
    typescriptEslint: options.typescriptEslint === true,
    select: options.select,
    bindings: findBindings(sf),
    edits: [],
    changes: [],
    skips: [],
  };
  const failure = options.mode === 'add' ? instrument(ctx, options) : remove(ctx, options.legacyUnmarked === true);
  if (failure !== undefined) return { ...base, status: 'blocked', reason: failure, skips: ctx.skips };
  if (ctx.edits.length === 0) return { ...base, status: 'unchanged', skips: ctx.skips };
  const after = applyEdits(text, ctx.edits);
  return { ...base, status: after === text ? 'unchanged' : 'changed', changes: ctx.changes, skips: ctx.skips, after };
}

/** Whether `name` is declared below the top level of the file: a parameter, a local, a nested function or class, a catch binding. */
function declaredInside(sf: ts.SourceFile, name: string): boolean {
  const visit = (node: ts.Node, nested: boolean): boolean => {
    const declared = (node as { name?: ts.Node }).name;
    const declares = ts.isParameter(node) || ts.isVariableDeclaration(node) || ts.isBindingElement(node) || ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || ts.isFunctionExpression(node) || ts.isClassExpression(node);
    if (nested && declares && declared !== undefined && ts.isIdentifier(declared) && declared.text === name) return true;
    return ts.forEachChild(node, (child) => visit(child, nested || ts.isFunctionLike(node) || ts.isBlock(node) || ts.isClassLike(node) || ts.isCatchClause(node))) === true;
  };
  return sf.statements.some((statement) => visit(statement, false));
}

function instrument(ctx: FileContext, options: TransformOptions): string | undefined {
  const imports: string[] = [];
  const { bindings } = ctx;
  const decorator = bindings.decorator ?? 'Traceable';
  const wrapper = bindings.wrapper ?? 'traceable';
  const methods = decorateMethods(ctx, decorator);
  const fields = wrapFunctionFields(ctx, wrapper);
  const { added: functions, forwarders } = options.functions ? wrapExportedFunctions(ctx, wrapper) : { added: 0, forwarders: 0 };
  if (methods > 0 && bindings.decorator === undefined) imports.push('Traceable');
  if (functions + fields > 0 && bindings.wrapper === undefined) imports.push('traceable');
  const clash = imports.find((name) => bindings.taken.has(name));
  if (clash !== undefined) {
    if (importedAsTypeOnly(ctx.sf, clash)) return `${clash} is imported from 'tracewire' as a type only (import type): import it as a value (import { ${clash} } from 'tracewire') and run again`;
    return `the name ${clash} is already declared in this module: import tracewire's ${clash} under another name (import { ${clash} as … } from 'tracewire') and run again`;
  }
  // A parameter or local of the same name would capture the inserted call where it is in scope (TS2349, or worse, a call of the user's value).
  const used = [...(methods > 0 ? [decorator] : []), ...(functions + fields > 0 ? [wrapper] : [])].filter((name) => !name.includes('.'));
  const shadowed = used.find((name) => declaredInside(ctx.sf, name));
  if (shadowed !== undefined) {
    return `the name ${shadowed} is also declared inside this module (a parameter or a local), where it would capture the inserted call: import tracewire's ${shadowed} under another name (import { ${shadowed} as … } from 'tracewire') and run again`;
  }
  if (imports.length > 0 && options.verbatimModuleSyntax === true && /\.cts$/.test(ctx.sf.fileName)) {
    return "CommonJS file (.cts) under verbatimModuleSyntax: an ES import does not compile here (TS1286); decorate it by hand: `import tracewire = require('tracewire');` and @tracewire.Traceable()";
  }
  if (imports.length > 0 && !options.forceModules && !ts.isExternalModule(ctx.sf) && !/\.[mc]ts$/.test(ctx.sf.fileName)) {
    return "script file (no import or export): an import would make it a module and hide its globals from other files; add `export {};` if it is meant to be a module, or /* @notrace-file */";
  }
  // A forwarder may be called from a module in an import cycle before this one's body runs: tracewire must be loaded by then,
  // so its import goes above every other one and above code run at load (an existing one standing lower moves up; see import-order.ts).
  // First in the list: a forwarder inserted at the same offset (the file's first statement) goes below the import.
  ctx.edits.unshift(...importEdits(ctx, imports, forwarders > 0));
  return undefined;
}

function remove(ctx: FileContext, legacyUnmarked: boolean): undefined {
  const { bindings, sf } = ctx;
  const decorators = undecorateMethods(ctx, legacyUnmarked);
  const wrappers = unwrapExportedFunctions(ctx) + unwrapProxyFunctions(ctx) + unwrapFunctionFields(ctx) + (legacyUnmarked ? unwrapLegacyFunctions(ctx) : 0);
  // An import is dropped only when nothing else in the file still uses it
  // (each removed decorator or wrapper used its name once; the specifier is one more).
  const unused: string[] = [];
  if (decorators > 0 && bindings.decorator !== undefined && countIdentifiers(sf, bindings.decorator) - 1 === decorators) unused.push(bindings.decorator);
  if (wrappers > 0 && bindings.wrapper !== undefined && countIdentifiers(sf, bindings.wrapper) - 1 === wrappers) unused.push(bindings.wrapper);
  ctx.edits.push(...removeImportEdits(ctx, unused));
  return undefined;
}

/** 1-based line and message of the first parse error, if any: a file that does not parse is never edited. */
function firstSyntaxError(sf: ts.SourceFile): string | undefined {
  // Parse diagnostics live on the tree (not in ts's public typings); reading them needs no type checker.
  const diagnostic = (sf as unknown as { parseDiagnostics?: readonly ts.DiagnosticWithLocation[] }).parseDiagnostics?.[0];
  if (diagnostic === undefined) return undefined;
  const line = sf.getLineAndCharacterOfPosition(diagnostic.start).line + 1;
  return `${line}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
}

/** The comments before the first statement (a file-level opt-out lives there). */
function topComments(text: string, sf: ts.SourceFile): string[] {
  const start = text.startsWith('#!') ? text.indexOf('\n') + 1 : 0;
  const end = sf.statements[0]?.getStart(sf) ?? text.length;
  return (ts.getLeadingCommentRanges(text, start) ?? []).filter((r) => r.end <= end).map((r) => text.slice(r.pos, r.end));
}

/** Whether `name` is imported from 'tracewire' as a type only (`import type { name }`, `import { type name }`). */
function importedAsTypeOnly(sf: ts.SourceFile, name: string): boolean {
  return sf.statements.some((s) => {
    if (!ts.isImportDeclaration(s) || !ts.isStringLiteral(s.moduleSpecifier) || s.moduleSpecifier.text !== 'tracewire') return false;
    const clause = s.importClause;
    const named = clause?.namedBindings;
    if (clause === undefined || named === undefined || !ts.isNamedImports(named)) return false;
    return named.elements.some((e) => e.name.text === name && (clause.isTypeOnly || e.isTypeOnly));
  });
}
