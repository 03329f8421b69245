import { RUN_TYPE_NAMES, TRACE_OPTION_NAMES } from './trace-option-names.js';
import { ts } from 'ts-morph';
import type { MemberSelection } from './context.js';
import { globMatcher } from './glob.js';
import { CodegenUsageError } from './usage-error.js';

/** The selection options as given on the command line or in the config file. */
export interface SelectionOptions {
  readonly publicOnly?: boolean;
  readonly asyncOnly?: boolean;
  /** Globs over `Class.method` (or a function's name); any match selects. */
  readonly name?: readonly string[];
  /** Globs over class names; any match selects. */
  readonly classes?: readonly string[];
  /** Wrap function-valued class fields (default true; `--no-fields` turns it off). */
  readonly fields?: boolean;
  /** An object literal (`{ runType: 'llm' }`) passed to every added decorator / wrapper. */
  readonly decoratorOptions?: string;
}

/** Builds the matchers; rejects decorator options that are not one object literal. */
export function memberSelection(options: SelectionOptions): MemberSelection {
  const matcher = (globs: readonly string[] | undefined) => {
    if (globs === undefined || globs.length === 0) return undefined;
    // `Orders.get*` matches the whole `Class.method`; `get*` (no dot) only the member's own name,
    // as a glob without `/` matches a base name: so `.` is turned into `/` on both sides.
    const match = globMatcher(globs.map((g) => g.replace(/\./g, '/')));
    return (subject: string) => match(subject.replace(/\./g, '/'));
  };
  const name = matcher(options.name);
  const className = matcher(options.classes);
  return {
    fields: options.fields !== false,
    ...(options.publicOnly ? { publicOnly: true } : {}),
    ...(options.asyncOnly ? { asyncOnly: true } : {}),
    ...(name ? { name } : {}),
    ...(className ? { className } : {}),
    ...(options.decoratorOptions !== undefined ? { decoratorOptions: objectLiteral(options.decoratorOptions) } : {}),
  };
}

/** The text of `source` when it is exactly one object literal expression, else a usage error. */
function objectLiteral(source: string): string {
  const sf = ts.createSourceFile('options.ts', `(${source})`, ts.ScriptTarget.Latest, true);
  const statement = sf.statements[0];
  const diagnostics = (sf as unknown as { parseDiagnostics: readonly ts.Diagnostic[] }).parseDiagnostics;
  const expression = statement !== undefined && ts.isExpressionStatement(statement) && ts.isParenthesizedExpression(statement.expression) ? statement.expression.expression : undefined;
  if (diagnostics.length > 0 || sf.statements.length !== 1 || expression === undefined || !ts.isObjectLiteralExpression(expression)) {
    throw new CodegenUsageError(`--decorator-options ${source}: expected one object literal, e.g. --decorator-options "{ runType: 'llm' }".`);
  }
  for (const property of expression.properties) checkOption(property, source);
  return oneLine(expression.getText(sf));
}

/**
 * `text` (code) on one line: its tokens as written, each run of whitespace,
 * line breaks and comments between them one space. Joining its own lines
 * let a `// comment` swallow the rest of the literal; a template literal's
 * line breaks are its value, and stay.
 */
function oneLine(text: string): string {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text);
  let out = '';
  let gap = false;
  let braces = 0;
  // The brace depth at each open `${` of a template: its `}` goes back to template text, which the scanner must be told.
  const templates: number[] = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.WhitespaceTrivia || kind === ts.SyntaxKind.NewLineTrivia || kind === ts.SyntaxKind.SingleLineCommentTrivia || kind === ts.SyntaxKind.MultiLineCommentTrivia) {
      gap = true;
      continue;
    }
    if (kind === ts.SyntaxKind.OpenBraceToken) braces++;
    else if (kind === ts.SyntaxKind.CloseBraceToken && templates.length > 0 && templates[templates.length - 1] === braces) {
      kind = scanner.reScanTemplateToken(false);
      if (kind === ts.SyntaxKind.TemplateTail) templates.pop();
    } else if (kind === ts.SyntaxKind.CloseBraceToken) braces--;
    if (kind === ts.SyntaxKind.TemplateHead) templates.push(braces);
    out += (gap && out.length > 0 ? ' ' : '') + scanner.getTokenText();
    gap = false;
  }
  return out;
}

/** An option the SDK takes, and a run type it accepts when written as a string: else the usage error saying which. */
function checkOption(property: ts.ObjectLiteralElementLike, source: string): void {
  // A spread (`...defaults`) is the user's to vouch for.
  if (ts.isSpreadAssignment(property) || property.name === undefined) return;
  const name = ts.isIdentifier(property.name) || ts.isStringLiteral(property.name) ? property.name.text : undefined;
  if (name === undefined) return; // a computed name
  if (!TRACE_OPTION_NAMES.includes(name)) {
    throw new CodegenUsageError(`--decorator-options ${source}: unknown option "${name}"; accepted: ${TRACE_OPTION_NAMES.join(', ')}.`);
  }
  if (name === 'name') {
    throw new CodegenUsageError(`--decorator-options ${source}: name cannot be given to every member (each is named after itself, and a wrapped field's name would be given twice: TS2783).`);
  }
  if ((name === 'runType' || name === 'run_type') && ts.isPropertyAssignment(property) && ts.isStringLiteralLike(property.initializer) && !RUN_TYPE_NAMES.includes(property.initializer.text)) {
    throw new CodegenUsageError(`--decorator-options ${source}: ${name} "${property.initializer.text}" is not one of ${RUN_TYPE_NAMES.join(', ')}.`);
  }
}

/** True when a declared return type is `Promise<…>` (or `PromiseLike<…>`). */
export function returnsPromise(type: ts.TypeNode | undefined): boolean {
  return type !== undefined && ts.isTypeReferenceNode(type) && /^(Promise|PromiseLike)$/.test(type.typeName.getText());
}
