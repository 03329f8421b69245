import { ts } from 'ts-morph';
import { AUTO_MARK, change, decoratorCallee, hasModifier, skip, type FileContext } from './context.js';
import { laterClassInMetadata } from './decorator-metadata.js';
import { isLegacyDecorator } from './legacy-unmarked.js';
import { aboveNextLineDirectives, indentBefore, skipWhitespace } from './edits.js';
import { returnsPromise } from './selection.js';

const NOTRACE = /@notrace\b(?!-)/;

/** True when `callee` names tracewire's decorator in this module (through any alias). */
export function isTraceableCallee(ctx: FileContext, callee: string): boolean {
  return ctx.bindings.decorator !== undefined && callee === ctx.bindings.decorator;
}

const classesByFile = new WeakMap<ts.SourceFile, ts.ClassLikeDeclaration[]>();

/** Every class in the file, nested ones included, in source order (one walk per file, shared by the passes). */
export function classesOf(sf: ts.SourceFile): ts.ClassLikeDeclaration[] {
  const known = classesByFile.get(sf);
  if (known !== undefined) return known;
  const found: ts.ClassLikeDeclaration[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) found.push(node);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  classesByFile.set(sf, found);
  return found;
}

function memberName(ctx: FileContext, cls: ts.ClassLikeDeclaration, member: ts.ClassElement): string {
  const owner = cls.name?.text ?? '(anonymous class)';
  return `${owner}.${member.name?.getText(ctx.sf) ?? 'constructor'}`;
}

/**
 * Puts `@Traceable()` (under the module's own name for it) on each method of
 * each class that can take it, and records why every other member was left alone.
 * Returns how many decorators were added.
 */
export function decorateMethods(ctx: FileContext, decorator: string): number {
  let added = 0;
  for (const cls of classesOf(ctx.sf)) {
    const owner = cls.name?.text ?? '(anonymous class)';
    const classReason = classSkipReason(ctx, cls, 'methods');
    if (classReason !== undefined) {
      skip(ctx, cls, owner, classReason);
      continue;
    }
    const call = `@${decorator}(${ctx.select.decoratorOptions === undefined ? '' : `${ctx.select.decoratorOptions} `}${AUTO_MARK})`;
    for (const member of cls.members) {
      const subject = memberName(ctx, cls, member);
      const reason = memberSkipReason(ctx, cls, member, subject);
      if (reason === null) continue;
      if (reason !== undefined) {
        skip(ctx, member, subject, reason);
        continue;
      }
      const start = aboveNextLineDirectives(ctx.text, member, ctx.sf);
      const indent = indentBefore(ctx.text, start);
      const text = indent === undefined ? `${call} ` : `${call}${ctx.eol}${indent}`;
      ctx.edits.push({ start, end: start, text });
      change(ctx, member, `@${decorator}() on ${subject}`);
      added++;
    }
  }
  return added;
}

/** Whether `--classes` (when given) selects `cls`. */
export function classSelected(ctx: FileContext, cls: ts.ClassLikeDeclaration): boolean {
  return ctx.select.className === undefined || ctx.select.className(cls.name?.text ?? '(anonymous class)');
}

/**
 * Why no member of `cls` is touched by the pass for `what` (`undefined`: look at each).
 * Fields are wrapped, not decorated: class expressions and a class-level
 * `@Traceable` (which traces prototype methods only) do not stop them.
 */
export function classSkipReason(ctx: FileContext, cls: ts.ClassLikeDeclaration, what: 'methods' | 'fields'): string | undefined {
  if (isAmbient(cls)) return 'declare class: ambient, there is no code to trace';
  if (!classSelected(ctx, cls)) return 'class name does not match --classes';
  if (what === 'fields') return undefined;
  if (ts.isClassExpression(cls) && ctx.legacy) return 'class expression: experimentalDecorators rejects decorators on its members';
  if ((ts.getDecorators(cls) ?? []).some((d) => isTraceableCallee(ctx, decoratorCallee(d).callee))) return 'the class has @Traceable: every method is already traced';
  return undefined;
}

/** Why a member is not decorated; `null` for members that are not methods at all (fields — wrapped by class-fields.ts —, index signatures). */
function memberSkipReason(ctx: FileContext, cls: ts.ClassLikeDeclaration, member: ts.ClassElement, subject: string): string | null | undefined {
  if (ts.isConstructorDeclaration(member)) return 'constructor: only methods are traced';
  if (ts.isGetAccessorDeclaration(member) || ts.isSetAccessorDeclaration(member)) return 'accessor: @Traceable() decorates methods only';
  if (!ts.isMethodDeclaration(member)) return null;
  if (hasModifier(member, ts.SyntaxKind.AbstractKeyword)) return 'abstract method: no body to trace';
  if (!hasModifier(member, ts.SyntaxKind.StaticKeyword) && member.name.getText(ctx.sf) === 'then') return THEN_REASON;
  if (member.body === undefined) return 'overload signature: the implementation is decorated instead';
  const traced = (ts.getDecorators(member) ?? []).find((d) => isTraceableCallee(ctx, decoratorCallee(d).callee));
  if (traced !== undefined) return `already decorated with ${traced.getText(ctx.sf)}`;
  if (ctx.legacy && ts.isPrivateIdentifier(member.name)) return '#private method: experimentalDecorators rejects decorators on it';
  if (hasNotrace(ctx, member)) return 'opted out with // @notrace';
  const select = ctx.select;
  if (select.publicOnly && (ts.isPrivateIdentifier(member.name) || hasModifier(member, ts.SyntaxKind.PrivateKeyword) || hasModifier(member, ts.SyntaxKind.ProtectedKeyword))) {
    return 'not public (--public-only)';
  }
  if (select.asyncOnly && !hasModifier(member, ts.SyntaxKind.AsyncKeyword) && !returnsPromise(member.type)) return 'not async (--async-only)';
  if (select.name !== undefined && !select.name(subject)) return 'name does not match --name';
  if (ctx.legacy && ctx.metadata) {
    const early = laterClassInMetadata(ctx.sf, cls, member);
    if (early !== undefined) {
      return `emitDecoratorMetadata would reference ${early}, declared later in this file, before it exists (the module would throw on load); move ${early} above, or decorate by hand`;
    }
  }
  return undefined;
}

/**
 * A `then` makes its class a thenable (a lazy query's shape): `await` calls it, so traced it would add a run per await,
 * and the work it starts is already traced by the run of the call that returned the object.
 */
const THEN_REASON = "then: makes the class a thenable; the call that returns it is traced, and its run covers the work then starts (a run per await otherwise)";

/** Declared with `declare`, itself or inside a `declare module` / `declare namespace`. */
function isAmbient(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node; n !== undefined; n = n.parent) {
    if (hasModifier(n, ts.SyntaxKind.DeclareKeyword)) return true;
  }
  return false;
}

/** A `@notrace` comment directly above the member (or among its leading comments). */
export function hasNotrace(ctx: FileContext, node: ts.Node): boolean {
  const ranges = ts.getLeadingCommentRanges(ctx.text, node.pos) ?? [];
  return ranges.some((r) => NOTRACE.test(ctx.text.slice(r.pos, r.end)));
}

/**
 * Edits taking off every `@Traceable(…)` that `instrument` wrote (it carries
 * {@link AUTO_MARK}); ones a person wrote stay. With `legacyUnmarked`, also
 * every bare `@Traceable()` on a method (what 0.1 wrote, unmarked).
 * Returns how many were removed.
 */
export function undecorateMethods(ctx: FileContext, legacyUnmarked = false): number {
  let removed = 0;
  for (const cls of classesOf(ctx.sf)) {
    // --classes and --name narrow a removal as they narrow an addition.
    if (!classSelected(ctx, cls)) continue;
    for (const member of cls.members) {
      if (!ts.isMethodDeclaration(member)) continue;
      if (ctx.select.name !== undefined && !ctx.select.name(memberName(ctx, cls, member))) continue;
      for (const decorator of ts.getDecorators(member) ?? []) {
        if (!isTraceableCallee(ctx, decoratorCallee(decorator).callee)) continue;
        if (!decorator.getText(ctx.sf).includes(AUTO_MARK) && !(legacyUnmarked && isLegacyDecorator(ctx, decorator))) continue;
        ctx.edits.push({ start: decorator.getStart(ctx.sf), end: skipWhitespace(ctx.text, decorator.end), text: '' });
        change(ctx, decorator, `removed ${decorator.getText(ctx.sf)} from ${memberName(ctx, cls, member)}`);
        removed++;
      }
    }
  }
  return removed;
}
