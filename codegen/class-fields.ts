import { ts } from 'ts-morph';
import { classesOf, classSelected, classSkipReason, hasNotrace } from './class-methods.js';
import { AUTO_MARK, change, hasModifier, skip, type FileContext } from './context.js';
import { quoted } from './imports.js';
import { returnsPromise } from './selection.js';

/** A field initialised with a function: `handle = async (x: X) => …` or `= function (…) {…}`. */
export type FunctionField = ts.PropertyDeclaration & { readonly initializer: ts.ArrowFunction | ts.FunctionExpression };

/** True for a field whose initializer is an arrow function or function expression (what `--fields` traces). */
export function isFunctionField(member: ts.ClassElement): member is FunctionField {
  if (!ts.isPropertyDeclaration(member) || member.initializer === undefined) return false;
  return ts.isArrowFunction(member.initializer) || ts.isFunctionExpression(member.initializer);
}

/**
 * Traces function-valued class fields by wrapping the initializer where it
 * stands:
 *
 *   handle = async (x: X) => …;
 *   handle = traceable(/* tracewire:auto *\/ async (x: X) => …, { name: 'handle' });
 *
 * The arrow stays in the initializer, so its `this` is still the instance;
 * the wrapper is created at the same moment the arrow was, so nothing can
 * read the field earlier than before. `traceable<F>(fn: F): F` gives the
 * field the arrow's own type (generics, overloads of an annotated field,
 * type predicates kept). The run is named after the field, as a method's is,
 * and so is the traced function (an arrow passed as an argument has no name
 * of its own). The mark right after `traceable(` lets `--remove` take off
 * exactly these two insertions and `--check` see them.
 * Returns how many fields were wrapped.
 */
export function wrapFunctionFields(ctx: FileContext, wrapper: string): number {
  let added = 0;
  for (const cls of classesOf(ctx.sf)) {
    const owner = cls.name?.text ?? '(anonymous class)';
    if (classSkipReason(ctx, cls, 'fields') !== undefined) continue; // reported once, by the method pass
    for (const member of cls.members) {
      if (!isFunctionField(member)) {
        const hidden = ts.isPropertyDeclaration(member) ? hiddenFunctionReason(member.initializer) : undefined;
        if (hidden !== undefined) skip(ctx, member, `${owner}.${(member as ts.PropertyDeclaration).name.getText(ctx.sf)}`, hidden);
        continue;
      }
      const subject = `${owner}.${member.name.getText(ctx.sf)}`;
      const reason = fieldSkipReason(ctx, cls, member);
      if (reason !== undefined) {
        skip(ctx, member, subject, reason);
        continue;
      }
      const init = member.initializer;
      const runName = ts.isPrivateIdentifier(member.name) ? member.name.text : (member.name as ts.Identifier | ts.StringLiteral | ts.NumericLiteral).text;
      const extra = ctx.select.decoratorOptions === undefined ? '' : `, ...${ctx.select.decoratorOptions}`;
      ctx.edits.push({ start: init.getStart(ctx.sf), end: init.getStart(ctx.sf), text: `${wrapper}(${AUTO_MARK} ` });
      ctx.edits.push({ start: init.end, end: init.end, text: `, { name: ${quoted(ctx, runName)}${extra} })` });
      change(ctx, member, `${wrapper}(…) around the field ${subject}`);
      added++;
    }
  }
  return added;
}

/**
 * Why a field holding a function that is not a bare arrow or function expression is left alone (`undefined`: it holds
 * none): one inside parentheses, `as`, `satisfies` or `!`, or chosen by `?:`. Listed by `--verbose` with the others.
 */
function hiddenFunctionReason(init: ts.Expression | undefined): string | undefined {
  let inner = init;
  while (inner !== undefined && (ts.isParenthesizedExpression(inner) || ts.isAsExpression(inner) || ts.isSatisfiesExpression(inner) || ts.isNonNullExpression(inner) || ts.isTypeAssertionExpression(inner))) {
    inner = inner.expression;
  }
  const isFunction = (e: ts.Expression | undefined): boolean => e !== undefined && (ts.isArrowFunction(e) || ts.isFunctionExpression(e));
  if (inner !== init && isFunction(inner)) return 'function-valued field written inside ( ), as, satisfies or !: not wrapped; write it as a bare arrow or function to trace it';
  if (inner !== undefined && ts.isConditionalExpression(inner) && (isFunction(inner.whenTrue) || isFunction(inner.whenFalse))) {
    return 'function-valued field chosen by ?: : not wrapped; trace the functions it chooses from by hand';
  }
  return undefined;
}

/** Why a function-valued field is not wrapped (`undefined`: wrap it). */
function fieldSkipReason(ctx: FileContext, cls: ts.ClassLikeDeclaration, field: FunctionField): string | undefined {
  const init = field.initializer;
  if (!ctx.select.fields) return 'function-valued field: left alone (--no-fields, or "fields": false)';
  if (ctx.bindings.wrapper === undefined && ctx.bindings.taken.has('traceable')) {
    return "the name traceable is already declared in this module: import tracewire's traceable under another name (import { traceable as … } from 'tracewire') to trace fields";
  }
  if (hasNotrace(ctx, field)) return 'opted out with // @notrace';
  if (ts.isComputedPropertyName(field.name)) return 'function-valued field with a computed name: no name to give its runs';
  if (hasModifier(field, ts.SyntaxKind.DeclareKeyword) || hasModifier(field, ts.SyntaxKind.AbstractKeyword)) return 'ambient or abstract field: no code to trace';
  if ((ts.getDecorators(field) ?? []).length > 0) {
    return 'decorated function-valued field: its decorator may depend on receiving the function itself (wrap it by hand if it does not)';
  }
  if (ts.isFunctionExpression(init) && init.asteriskToken !== undefined) return 'generator function field: trace the generator by hand';
  if (init.type !== undefined && ts.isTypePredicateNode(init.type) && init.type.assertsModifier !== undefined) {
    return 'assertion function (asserts …): a wrapped one loses its assertion signature at call sites (TS2775)';
  }
  const hidden = ts.isPrivateIdentifier(field.name) || hasModifier(field, ts.SyntaxKind.PrivateKeyword);
  if (ctx.isolatedDeclarations && field.type === undefined && !hidden) {
    return 'isolatedDeclarations: a wrapped field needs a type annotation (TS9012); annotate the field';
  }
  if (field.type === undefined) {
    // traceable<F extends (...args: never[]) => unknown>: an untyped parameter takes `never` from that constraint.
    if (init.parameters.some((p) => p.type === undefined)) {
      return 'function-valued field with an untyped parameter and no type annotation on the field: through traceable() nothing would type the parameter (an implicit any, TS7006 under strict); annotate the parameter or the field';
    }
  }
  const select = ctx.select;
  if (select.publicOnly && (ts.isPrivateIdentifier(field.name) || hasModifier(field, ts.SyntaxKind.PrivateKeyword) || hasModifier(field, ts.SyntaxKind.ProtectedKeyword))) {
    return 'not public (--public-only)';
  }
  if (select.asyncOnly && !hasModifier(init, ts.SyntaxKind.AsyncKeyword) && !returnsPromise(init.type)) return 'not async (--async-only)';
  const owner = cls.name?.text ?? '(anonymous class)';
  if (select.name !== undefined && !select.name(`${owner}.${field.name.getText()}`)) return 'name does not match --name';
  return undefined;
}

/**
 * Edits taking off every field wrapper `instrument` wrote (`traceable(` + the
 * mark … `, { … })`); hand-written `traceable(...)` stays. Returns how many.
 */
export function unwrapFunctionFields(ctx: FileContext): number {
  const wrapper = ctx.bindings.wrapper;
  if (wrapper === undefined) return 0;
  let removed = 0;
  for (const cls of classesOf(ctx.sf)) {
    if (!classSelected(ctx, cls)) continue;
    for (const member of cls.members) {
      if (!ts.isPropertyDeclaration(member) || member.initializer === undefined) continue;
      if (ctx.select.name !== undefined && !ctx.select.name(`${cls.name?.text ?? '(anonymous class)'}.${member.name.getText(ctx.sf)}`)) continue;
      const call = member.initializer;
      if (!ts.isCallExpression(call) || call.expression.getText(ctx.sf) !== wrapper || call.arguments.length !== 2) continue;
      const fn = call.arguments[0]!;
      if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) continue;
      // Compared without whitespace: a formatter may have moved the mark to its own line.
      if (ctx.text.slice(call.getStart(ctx.sf), fn.getStart(ctx.sf)).replace(/\s+/g, '') !== `${wrapper}(${AUTO_MARK}`.replace(/\s+/g, '')) continue;
      ctx.edits.push({ start: call.getStart(ctx.sf), end: fn.getStart(ctx.sf), text: '' });
      ctx.edits.push({ start: fn.end, end: call.end, text: '' });
      change(ctx, member, `removed ${wrapper}(…) from the field ${cls.name?.text ?? '(anonymous class)'}.${member.name.getText(ctx.sf)}`);
      removed++;
    }
  }
  return removed;
}
