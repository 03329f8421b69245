import { ts } from 'ts-morph';
import type { TextEdit } from './edits.js';

/** One line of the per-file report: what was (or would be) changed or skipped, and where. */
export interface Note {
  /** 1-based line in the original text. */
  readonly line: number;
  /** `Orders.place`, `function load`, … */
  readonly subject: string;
  /** Why it was skipped; absent on changes. */
  readonly reason?: string;
}

/** Narrows what `instrument` traces; every field optional means everything. */
export interface MemberSelection {
  /** Leave `private`, `protected` and `#private` methods alone. */
  readonly publicOnly?: boolean;
  /** Only `async` methods/functions, or ones declared to return a `Promise`. */
  readonly asyncOnly?: boolean;
  /** Tests `Class.method` / `function name`; undefined means all. */
  readonly name?: (subject: string) => boolean;
  /** Tests a class name; undefined means all. */
  readonly className?: (name: string) => boolean;
  /** Wrap function-valued class fields (`handle = async () => …`) in `traceable(...)`. */
  readonly fields?: boolean;
  /** Source text of an object literal passed to every added `@Traceable(...)` / `traceable(f, ...)`. */
  readonly decoratorOptions?: string;
}

/**
 * Written inside what `instrument` adds (`@Traceable(/* tracewire:auto *\/)`)
 * so `--remove` takes off exactly that, never a decorator a person wrote.
 */
export const AUTO_MARK = '/* tracewire:auto */';

/** How `Traceable` / `traceable` from 'tracewire' are reachable in a module. */
export interface Bindings {
  /** Expression naming the decorator factory here (`Traceable`, `T`, `tw.Traceable`), if imported. */
  decorator?: string;
  /** Expression naming the function wrapper here (`traceable`, `tw.traceable`), if imported. */
  wrapper?: string;
  /** The import declaring {@link wrapper}: forwarders call it while the module may still be loading. */
  wrapperImport?: ts.ImportDeclaration;
  /** A value (not type-only) `import { … } from 'tracewire'` new names can join. */
  namedImport?: ts.ImportDeclaration;
  /** Names declared at the top level by anything but a tracewire import. */
  readonly taken: ReadonlySet<string>;
}

/** Everything a rule needs to look at one file and record edits against its original text. */
export interface FileContext {
  readonly sf: ts.SourceFile;
  readonly text: string;
  readonly eol: string;
  /** The project compiles with `experimentalDecorators: true`. */
  readonly legacy: boolean;
  /** …and `emitDecoratorMetadata: true`: each new decorator makes tsc emit type references that run at class-definition time. */
  readonly metadata: boolean;
  /** `isolatedDeclarations: true`: declaration emit reads no inferred type of a call. */
  readonly isolatedDeclarations?: boolean;
  /** `noUnusedParameters: true`: parameters a forwarder only passes on as `arguments` must be named unused (`_a`). */
  readonly noUnusedParameters?: boolean;
  /** The project's lib does not declare `Reflect` (ES5): forwarders call `.apply` instead of `Reflect.apply`. */
  readonly noReflect?: boolean;
  /**
   * typescript-eslint is installed for the project: its `no-unused-vars` (on in its recommended config) reports a
   * forwarder's parameters, which it passes on as `arguments`, so the forwarder disables it for them.
   */
  readonly typescriptEslint?: boolean;
  /** What to trace (all of it unless narrowed by the selection options). */
  readonly select: MemberSelection;
  readonly bindings: Bindings;
  readonly edits: TextEdit[];
  readonly changes: Note[];
  readonly skips: Note[];
}

/** 1-based line of `pos`. */
export function lineOf(ctx: FileContext, pos: number): number {
  return ctx.sf.getLineAndCharacterOfPosition(pos).line + 1;
}

/** Records a skip of `node` with its reason. */
export function skip(ctx: FileContext, node: ts.Node, subject: string, reason: string): void {
  ctx.skips.push({ line: lineOf(ctx, node.getStart(ctx.sf)), subject, reason });
}

/** Records a change at `node`. */
export function change(ctx: FileContext, node: ts.Node, subject: string): void {
  ctx.changes.push({ line: lineOf(ctx, node.getStart(ctx.sf)), subject });
}

/** The text of a decorator's callee (`Traceable` in `@Traceable()`), and whether it was called with no arguments. */
export function decoratorCallee(decorator: ts.Decorator): { callee: string; noArgs: boolean } {
  const expression = decorator.expression;
  if (ts.isCallExpression(expression)) {
    return { callee: expression.expression.getText(), noArgs: expression.arguments.length === 0 };
  }
  return { callee: expression.getText(), noArgs: false };
}

/** True when one of `modifiers` is of `kind`. */
export function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}
