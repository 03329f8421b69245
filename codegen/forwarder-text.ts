import { ts } from 'ts-morph';
import { hasModifier, type FileContext } from './context.js';
import { indentBefore } from './edits.js';
import { reflectUnusable } from './function-rules.js';
import { quoted } from './imports.js';
import { parameterNames, parameters, renamedText, typeArguments } from './forwarder-parameters.js';

/** prettier's default `printWidth`: the forwarder is laid out as prettier would print it with default options. */
const WIDTH = 80;

/**
 * `arguments` passes each call on as it was made (extra arguments, `arguments.length`); a rest parameter would change
 * `length`. A line comment at the end of the line: reformatting cannot move it away from `arguments`.
 */
const REST_DIRECTIVE = '// eslint-disable-line prefer-rest-params -- tracewire: forwards the call as made; a rest parameter would change length';
/**
 * `let` is not hoisted (TDZ): a module in an import cycle may call the export before this module has run. On the line
 * above: a long name's `var` line is broken by prettier, and a comment at its end would land on the second line.
 */
const VAR_DIRECTIVE = '// eslint-disable-next-line no-var -- tracewire: hoisted like the function, so an import cycle can call it early';
/**
 * typescript-eslint's `no-unused-vars` (on in its recommended config) reports parameters never read by name; the
 * forwarder keeps them (their names and `length` are the function's) and passes them on as `arguments`. Written only where
 * typescript-eslint is installed: elsewhere ESLint reports a directive naming a rule it does not know. Above a one-line
 * header; around a header prettier breaks into lines (a next-line directive covers one line).
 */
const UNUSED_REASON = 'tracewire: passed on as arguments; the names and length are the function\'s';
const UNUSED_NEXT_LINE = `// eslint-disable-next-line @typescript-eslint/no-unused-vars -- ${UNUSED_REASON}`;
const UNUSED_BLOCK = [`/* eslint-disable @typescript-eslint/no-unused-vars -- ${UNUSED_REASON} */`, '/* eslint-enable @typescript-eslint/no-unused-vars */'];
/** What `--remove` recognises as the first line of a forwarder this module wrote, above its header. */
export const UNUSED_DIRECTIVES = [UNUSED_NEXT_LINE, UNUSED_BLOCK[0]!];

/** What the previous version wrote on its `var` line, still written where `Reflect` is not the global (see {@link forwarderText}). */
const OLD_VAR_DIRECTIVE = '// eslint-disable-line no-var -- tracewire: hoisted like the function, so an import cycle can call it early';

/**
 * The forwarder `--functions` puts in place of an exported function, and its
 * `var`, to go right before the implementation. Laid out as prettier (default
 * options) prints it, in the file's indentation and line ending, so a
 * formatted codebase stays formatted (checked for names of up to 50
 * characters); `no-var` and `prefer-rest-params` (enabled by
 * typescript-eslint's recommended config) are disabled for the two lines
 * that need them, with the reason, and where typescript-eslint is installed
 * its `no-unused-vars` for the parameters (see {@link UNUSED_REASON}):
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
 *
 * `Reflect.apply` takes `arguments` (an array-like) where the typed `.apply` of
 * strictBindCallApply does not, so `f$t` keeps the implementation's type
 * (a `Function` would fail typescript-eslint's `no-unsafe-function-type`).
 * Where `Reflect` is not the global, or the project's lib has none (ES5; see
 * {@link reflectUnusable}), the previous version's form is written instead:
 * `return (f$t ??= …).apply(this, arguments)` with `var f$t: Function | undefined`.
 */
export function forwarderText(ctx: FileContext, statement: ts.FunctionDeclaration, fn: string, wrapper: string): string {
  const { eol } = ctx;
  const unit = indentUnit(ctx, statement);
  const yields = statement.asteriskToken === undefined ? '' : 'yield* ';
  const awaits = statement.asteriskToken === undefined && hasModifier(statement, ts.SyntaxKind.AsyncKeyword) ? 'await (' : '';
  const options = ctx.select.decoratorOptions === undefined ? [] : [`...${ctx.select.decoratorOptions}`];
  const traced: Traced = { fn, wrapper, unit, properties: [`name: ${quoted(ctx, fn)}`, ...options] };
  const impl = `${fn}$impl`;
  const [u1, u2] = [unit, unit + unit];
  let lines: string[];
  if (reflectUnusable(ctx, statement) === undefined) {
    const slot = `var ${fn}$t: typeof ${impl} | undefined;`;
    // One argument a line, as prettier prints them: the expanded object breaks the first one.
    // Typed as the implementation's result: Reflect.apply of an array-like returns `any`, which typescript-eslint's
    // type-checked no-unsafe-return reports. An async forwarder awaits it (its require-await), as fast as returning it.
    const result = `as ReturnType<typeof ${impl}${typeArguments(statement)}>`;
    lines = [
      `${u1}return ${yields}${awaits}Reflect.apply(`,
      ...tracedCall(traced, u2, u2, ','),
      `${u2}this,`,
      `${u2}arguments, ${REST_DIRECTIVE}`,
      awaits === '' ? `${u1}) ${result};` : `${u1}) ${result});`,
      '}',
      VAR_DIRECTIVE,
      ...(columns(slot) <= WIDTH ? [slot] : [`var ${fn}$t:`, `${unit}typeof ${impl} | undefined;`]),
    ];
  } else {
    lines = [...tracedCall(traced, `${u1}return ${yields}`, u1, `.apply(this, arguments); ${REST_DIRECTIVE}`), '}', `var ${fn}$t: Function | undefined; ${OLD_VAR_DIRECTIVE}`];
  }
  return [...unusedParameters(ctx, statement, header(ctx, statement, fn, unit), unit), ...lines, ''].join(eol);
}

/** The header, with the directive for typescript-eslint's `no-unused-vars` where it is installed and there are parameters (see {@link UNUSED_REASON}). */
function unusedParameters(ctx: FileContext, statement: ts.FunctionDeclaration, header: string, unit: string): string[] {
  const named = statement.parameters.some((p) => !(ts.isIdentifier(p.name) && p.name.text === 'this'));
  if (ctx.typescriptEslint !== true || !named) return [header];
  return header.includes('\n') ? [UNUSED_BLOCK[0]!, header, `${unit}${UNUSED_BLOCK[1]!}`] : [UNUSED_NEXT_LINE, header];
}

interface Traced {
  fn: string;
  wrapper: string;
  unit: string;
  properties: string[];
}

/**
 * `(f$t ??= traceable<typeof f$impl>(f$impl, { … }))` after `head`, closed at `indent` and followed by `tail`. The object
 * stays expanded whatever the print width (prettier keeps an object broken when its first key is on a new line); the
 * call around it is laid out as prettier lays it out at its default width, which depends on the length of the name.
 */
function tracedCall({ fn, wrapper, unit, properties }: Traced, head: string, indent: string, tail: string): string[] {
  const impl = `${fn}$impl`;
  // `<typeof f$impl>`: inferred against the `var`'s type instead, F can come out as another signature of a generic
  // implementation (rxjs's `of`: TS2345).
  const open = `${head}(${fn}$t ??= ${wrapper}<`;
  const [i1, i2] = [indent + unit, indent + unit + unit];
  if (columns(`${open}typeof ${impl}>(${impl}, {`) <= WIDTH) {
    return [`${open}typeof ${impl}>(${impl}, {`, ...properties.map((p) => `${i1}${p},`), `${indent}}))${tail}`];
  }
  if (columns(`${open}typeof ${impl}>(`) <= WIDTH) {
    return [`${open}typeof ${impl}>(`, `${i1}${impl},`, `${i1}{`, ...properties.map((p) => `${i2}${p},`), `${i1}},`, `${indent}))${tail}`];
  }
  return [open, `${i1}typeof ${impl}`, `${indent}>(${impl}, {`, ...properties.map((p) => `${i1}${p},`), `${indent}}))${tail}`];
}

/** `export function f(this: unknown, a: A): R {`, its parameters one a line when it would not fit. */
function header(ctx: FileContext, statement: ts.FunctionDeclaration, fn: string, unit: string): string {
  const { sf, text } = ctx;
  const renames = parameterNames(ctx, statement);
  const params = parameters(ctx, statement, fn, renames);
  const modifiers = (ts.getModifiers(statement) ?? []).map((m) => m.getText(sf)).join(' ');
  const returns = statement.type === undefined ? `ReturnType<typeof ${fn}$impl${typeArguments(statement)}>` : renamedText(ctx, statement.type, renames);
  const star = statement.asteriskToken === undefined ? '' : '*';
  const typeParams = text.slice(statement.name!.end, statement.parameters.pos - 1);
  const open = `${modifiers} function${star} ${fn}${typeParams}(`;
  const close = `): ${returns} {`;
  const oneLine = `${open}${params.join(', ')}${close}`;
  if (columns(oneLine) <= WIDTH && !params.some((p) => p.includes('\n'))) return oneLine;
  // prettier 3 puts a trailing comma after the last parameter (never after a rest one); a list the file already breaks shows its own choice.
  const list = statement.parameters;
  const broken = text.slice(list.pos, list.end).includes('\n');
  const trailing = (broken ? list.hasTrailingComma : true) && list[list.length - 1]?.dotDotDotToken === undefined;
  const lines = params.map((p, i) => `${unit}${p}${i < params.length - 1 || trailing ? ',' : ''}`);
  return [open, ...lines, close].join(ctx.eol);
}

/** Width of a line as prettier counts it (a tab is its default `tabWidth`, 2). */
function columns(line: string): number {
  return line.replace(/\t/g, '  ').length;
}

/** The file's indentation unit, as the function's own body shows it (prettier's two spaces when it cannot tell). */
function indentUnit(ctx: FileContext, statement: ts.FunctionDeclaration): string {
  const first = statement.body?.statements[0];
  const indent = first === undefined ? undefined : indentBefore(ctx.text, first.getStart(ctx.sf));
  return indent === undefined || indent === '' ? '  ' : indent;
}
