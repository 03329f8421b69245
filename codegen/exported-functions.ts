import { ts } from 'ts-morph';
import { change, hasModifier, skip, type FileContext } from './context.js';
import { skipWhitespace } from './edits.js';
import { functionSkipReason } from './function-rules.js';

/**
 * `--functions`: traces exported function declarations without changing what
 * they do.
 *
 * Why not `export const f = traceable(function f() {})`: a function
 * declaration is hoisted, so code above it (in this module, at load time)
 * may call it; a `const` would throw there. Instead the declaration stays
 * exactly where and what it is, loses only its `export`, and a traced
 * stand-in is exported under its name right after it:
 *
 *   function f(a: A): R { … }
 *   const f$span = traceable(f);
 *   const f$traced: typeof f = new Proxy(f, { apply: (_f, self, args) => Reflect.apply(f$span, self, args) });
 *   export { f$traced as f };
 *
 * The stand-in is a Proxy of `f` itself, so every property read and write
 * (`f.ref = …` after the declaration, `f.cache.clear()`) reaches `f`, while a
 * call goes through the traced wrapper; `new f()` constructs `f` untraced.
 * Calls from inside the module still reach `f` itself — untraced, never
 * broken. The explicit `typeof f` keeps overloads and generics in the
 * published `.d.ts` (and satisfies `isolatedDeclarations`); f's doc comment
 * is repeated on the stand-in so editors show it on the export.
 * Residual hazard: a module in an import CYCLE that calls `f` before this
 * module has finished loading sees no export yet — as with any `const` export.
 */
export function wrapExportedFunctions(ctx: FileContext, wrapper: string): number {
  let added = 0;
  const done = new Set<string>();
  for (const statement of ctx.sf.statements) {
    if (ts.isVariableStatement(statement) && hasModifier(statement, ts.SyntaxKind.ExportKeyword)) {
      for (const d of statement.declarationList.declarations) {
        const init = d.initializer;
        if (init !== undefined && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) {
          skip(ctx, d, `const ${d.name.getText(ctx.sf)}`, 'function held in an exported const: not wrapped (wrapping it would change its name)');
        }
      }
    }
    if (!ts.isFunctionDeclaration(statement) || !hasModifier(statement, ts.SyntaxKind.ExportKeyword)) continue;
    const name = statement.name?.text;
    const subject = `function ${name ?? '(default)'}`;
    if (statement.body === undefined && !hasModifier(statement, ts.SyntaxKind.DeclareKeyword) && name !== undefined) continue; // an overload signature: handled with its implementation
    if (name !== undefined && done.has(name)) continue;
    if (name !== undefined) done.add(name);
    const reason = functionSkipReason(ctx, statement);
    if (reason !== undefined) {
      skip(ctx, statement, subject, reason);
      continue;
    }
    const fn = name!;
    const isDefault = hasModifier(statement, ts.SyntaxKind.DefaultKeyword);
    // Overload signatures carry the same `export`: TypeScript wants all or none exported.
    const declarations = ctx.sf.statements.filter((d): d is ts.FunctionDeclaration => ts.isFunctionDeclaration(d) && d.name?.text === fn);
    for (const declaration of declarations) unexport(ctx, declaration);
    const eol = ctx.eol;
    const options = ctx.select.decoratorOptions === undefined ? '' : `, ${ctx.select.decoratorOptions}`;
    const doc = docComment(ctx, declarations[0]!);
    const text =
      `${eol}const ${fn}$span = ${wrapper}(${fn}${options});` +
      `${eol}${doc === undefined ? '' : doc + eol}const ${fn}$traced: typeof ${fn} = new Proxy(${fn}, { apply: (_${fn}, self, args) => Reflect.apply(${fn}$span, self, args) });` +
      `${eol}export { ${fn}$traced as ${isDefault ? 'default' : fn} };`;
    ctx.edits.push({ start: statement.end, end: statement.end, text });
    change(ctx, statement, `${wrapper}(${fn})${isDefault ? ' as the default export' : ''}`);
    added++;
  }
  return added;
}

/** The `/** … *\/` comment right above a declaration, if any. */
function docComment(ctx: FileContext, node: ts.Node): string | undefined {
  const ranges = (ts.getLeadingCommentRanges(ctx.text, node.pos) ?? []).filter((r) => ctx.text.startsWith('/**', r.pos));
  const last = ranges[ranges.length - 1];
  return last === undefined ? undefined : ctx.text.slice(last.pos, last.end);
}

function unexport(ctx: FileContext, declaration: ts.FunctionDeclaration): void {
  const modifiers = ts.getModifiers(declaration) ?? [];
  const exported = modifiers.filter((m) => m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DefaultKeyword);
  if (exported.length === 0) return;
  const start = exported[0]!.getStart(ctx.sf);
  ctx.edits.push({ start, end: skipWhitespace(ctx.text, exported[exported.length - 1]!.end), text: '' });
}

/** Undoes {@link wrapExportedFunctions}: the shape it writes, and only that. Returns how many were undone. */
export function unwrapExportedFunctions(ctx: FileContext): number {
  const { sf } = ctx;
  const wrapper = ctx.bindings.wrapper;
  if (wrapper === undefined) return 0;
  const statements = sf.statements;
  let removed = 0;
  const declares = (s: ts.Statement | undefined, local: string): ts.Expression | undefined =>
    s !== undefined && ts.isVariableStatement(s) && s.declarationList.declarations.length === 1 && s.declarationList.declarations[0]!.name.getText(sf) === local
      ? s.declarationList.declarations[0]!.initializer
      : undefined;
  for (let i = 0; i < statements.length; i++) {
    const fn = statements[i]!;
    if (!ts.isFunctionDeclaration(fn) || fn.body === undefined || fn.name === undefined || hasModifier(fn, ts.SyntaxKind.ExportKeyword)) continue;
    const name = fn.name.text;
    const span = declares(statements[i + 1], `${name}$span`);
    const proxy = declares(statements[i + 2], `${name}$traced`);
    const exported = statements[i + 3];
    if (span === undefined || !ts.isCallExpression(span) || span.expression.getText(sf) !== wrapper || span.arguments[0]?.getText(sf) !== name) continue;
    if (proxy === undefined || !ts.isNewExpression(proxy) || proxy.expression.getText(sf) !== 'Proxy') continue;
    if (exported === undefined || !ts.isExportDeclaration(exported)) continue;
    const as = /^export \{ (\w+)\$traced as (\w+) \};?$/.exec(exported.getText(sf).replace(/\s+/g, ' '));
    if (as === null || as[1] !== name || (as[2] !== name && as[2] !== 'default')) continue;
    ctx.edits.push({ start: fn.end, end: exported.end, text: '' });
    const keyword = as[2] === 'default' ? 'export default ' : 'export ';
    for (const declaration of statements) {
      if (ts.isFunctionDeclaration(declaration) && declaration.name?.text === name) {
        ctx.edits.push({ start: declaration.getStart(sf), end: declaration.getStart(sf), text: keyword });
      }
    }
    change(ctx, fn, `removed ${wrapper}(${name})`);
    removed++;
  }
  return removed;
}
