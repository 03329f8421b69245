import { ts } from 'ts-morph';
import { change, hasModifier, skip, type FileContext } from './context.js';
import { aboveNextLineDirectives, skipWhitespace } from './edits.js';
import { forwarderText, UNUSED_DIRECTIVES } from './forwarder-text.js';
import { functionSkipReason, reflectUnusable } from './function-rules.js';

/**
 * `--functions`: traces exported function declarations without changing what
 * they do.
 *
 * The export must stay a function DECLARATION: it is hoisted, so a module in
 * an import cycle (or code above it in this module) may call it before this
 * module's body has run; any `const` export would not exist yet there. So
 * the implementation keeps its body under a new name, and a declaration with
 * the original name, kind (async, generator) and parameter list (hence
 * `length`) takes its place and forwards each call to the traced function,
 * made on the first call (the `var` is hoisted too; see forwarder-text.ts for
 * its layout and lint directives):
 *
 *   export function f(this: unknown, a: A, b: B = undefined as never): R {
 *     return Reflect.apply(
 *       (f$t ??= traceable<typeof f$impl>(f$impl, {
 *         name: 'f',
 *       })),
 *       this,
 *       arguments, // eslint-disable-line prefer-rest-params -- …
 *     ) as ReturnType<typeof f$impl>;
 *   }
 *   // eslint-disable-next-line no-var -- …
 *   var f$t: typeof f$impl | undefined;
 *   function f$impl(a: A, b = make()): R { … }
 *
 * The forwarder passes `arguments` on untouched, so defaults are computed
 * once, by the implementation (its own `= undefined as never`, or `= void 0`
 * where the type admits `undefined`, only keeps `length`), and destructured
 * parameters are read once. An async forwarder awaits the call (`return await
 * (Reflect.apply(…) as ReturnType<…>)`). Overload signatures
 * stay as they are and now describe the forwarder; without a return type the
 * forwarder returns `ReturnType<typeof f$impl<T>>`. `this: unknown` types
 * `this` as any function without a `this` parameter already has it.
 * Properties set on `f` (`f.ref = …`) are set on the export, and calls from
 * inside the module are traced too. `new f()` is not supported.
 * Returns how many were wrapped now, and how many forwarders the file then has.
 */
export function wrapExportedFunctions(ctx: FileContext, wrapper: string): { added: number; forwarders: number } {
  let added = 0;
  let forwarders = 0;
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
    if (name !== undefined && forwarderOf(ctx, statement) !== undefined) {
      forwarders++; // already traced
      continue;
    }
    const reason = functionSkipReason(ctx, statement);
    if (reason !== undefined) {
      skip(ctx, statement, subject, reason);
      continue;
    }
    const fn = name!;
    const start = aboveNextLineDirectives(ctx.text, statement, ctx.sf);
    ctx.edits.push({ start, end: start, text: forwarderText(ctx, statement, fn, wrapper) });
    unexport(ctx, statement);
    ctx.edits.push({ start: statement.name!.getStart(ctx.sf), end: statement.name!.end, text: `${fn}$impl` });
    const shadowed = reflectUnusable(ctx, statement);
    const note = shadowed === undefined ? '' : ` (forwarded with .apply, typed Function: ${shadowed})`;
    change(ctx, statement, `${wrapper}(${fn})${hasModifier(statement, ts.SyntaxKind.DefaultKeyword) ? ' as the default export' : ''}${note}`);
    added++;
  }
  return { added, forwarders: forwarders + added };
}

/** For a forwarder this module wrote, its `var` and implementation statements. */
function forwarderOf(ctx: FileContext, statement: ts.FunctionDeclaration): { slot: ts.Statement; impl: ts.FunctionDeclaration } | undefined {
  const { sf } = ctx;
  const fn = statement.name?.text;
  const body = statement.body?.statements;
  // The name as text, not as pattern: `$get`'s `$` is an anchor in a RegExp (its forwarder was never found again).
  // Without whitespace: the one-line forwarders earlier versions wrote, and ones a formatter has reflowed, are ours too;
  // so is `(f$t ??= …).apply(this, arguments)`, which the previous version wrote (and this one where Reflect is shadowed).
  const call = body?.length === 1 ? body[0]!.getText(sf).replace(/\s+/g, '').replace(/^return(yield\*)?(await\()?(Reflect\.apply\()?/, '') : '';
  if (fn === undefined || !call.startsWith(`(${fn}$t??=`)) return undefined;
  const at = sf.statements.indexOf(statement);
  const slot = sf.statements[at + 1];
  const impl = sf.statements[at + 2];
  if (slot === undefined || !ts.isVariableStatement(slot) || slot.declarationList.declarations[0]?.name.getText(sf) !== `${fn}$t`) return undefined;
  if (impl === undefined || !ts.isFunctionDeclaration(impl) || impl.name?.text !== `${fn}$impl`) return undefined;
  return { slot, impl };
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
  let removed = 0;
  for (const statement of sf.statements) {
    if (!ts.isFunctionDeclaration(statement) || statement.body === undefined || !hasModifier(statement, ts.SyntaxKind.ExportKeyword)) continue;
    const found = forwarderOf(ctx, statement);
    if (found === undefined || (ctx.select.name !== undefined && !ctx.select.name(statement.name!.text))) continue;
    const fn = statement.name!.text;
    const start = found.impl.getStart(sf);
    const keyword = hasModifier(statement, ts.SyntaxKind.DefaultKeyword) ? 'export default ' : 'export ';
    // The forwarder was written above the implementation's next-line directives (`// @ts-ignore`): they stay.
    const forwarderEnd = aboveNextLineDirectives(ctx.text, found.impl, sf);
    ctx.edits.push({ start: directiveAbove(ctx, statement) ?? statement.getStart(sf), end: forwarderEnd, text: '' }, { start, end: start, text: keyword });
    ctx.edits.push({ start: found.impl.name!.getStart(sf), end: found.impl.name!.end, text: fn });
    change(ctx, statement, `removed ${wrapper}(${fn})`);
    removed++;
  }
  return removed;
}

/** Where the lint directive this module wrote above a forwarder starts, if it is there (see `UNUSED_DIRECTIVES`). */
function directiveAbove(ctx: FileContext, forwarder: ts.FunctionDeclaration): number | undefined {
  const comments = ts.getLeadingCommentRanges(ctx.text, forwarder.getFullStart()) ?? [];
  const last = comments[comments.length - 1];
  if (last === undefined || ctx.text.slice(last.end, forwarder.getStart(ctx.sf)).trim() !== '') return undefined;
  const text = ctx.text.slice(last.pos, last.end);
  return UNUSED_DIRECTIVES.includes(text) ? last.pos : undefined;
}
