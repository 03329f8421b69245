import { ts } from 'ts-morph';
import type { FileContext } from './context.js';
import { indentBefore } from './edits.js';
import { quoted } from './imports.js';

/** prettier's default `printWidth`: the forwarder is laid out as prettier would print it with default options. */
const WIDTH = 80;

/**
 * `arguments` passes each call on as it was made (extra arguments, `arguments.length`); a rest parameter would change
 * `length`. A line comment at the end of the line: reformatting cannot move it away from `arguments`.
 */
const REST_DIRECTIVE = '// eslint-disable-line prefer-rest-params -- tracewire: forwards the call as made; a rest parameter would change length';
/** `let` is not hoisted (TDZ): a module in an import cycle may call the export before this module has run. */
const VAR_DIRECTIVE = '// eslint-disable-line no-var -- tracewire: hoisted like the function, so an import cycle can call it early';

/**
 * The forwarder `--functions` puts in place of an exported function, and its
 * `var`, to go right before the implementation. Laid out as prettier (default
 * options) prints it, in the file's indentation and line ending, so a
 * formatted codebase stays formatted; `no-var` and `prefer-rest-params`
 * (enabled by typescript-eslint's recommended config) are disabled on the two
 * lines that need them, with the reason:
 *
 *   export function f(this: unknown, a: A, b: B = undefined as never): R {
 *     return (f$t ??= traceable<typeof f$impl>(f$impl, {
 *       name: 'f',
 *     })).apply(this, arguments); // eslint-disable-line prefer-rest-params -- …
 *   }
 *   var f$t: Function | undefined; // eslint-disable-line no-var -- …
 */
export function forwarderText(ctx: FileContext, statement: ts.FunctionDeclaration, fn: string, wrapper: string): string {
  const { eol } = ctx;
  const unit = indentUnit(ctx, statement);
  const star = statement.asteriskToken === undefined ? '' : '*';
  const options = ctx.select.decoratorOptions === undefined ? [] : [`...${ctx.select.decoratorOptions}`];
  const properties = [`name: ${quoted(ctx, fn)}`, ...options];
  const impl = `${fn}$impl`;
  // `<typeof f$impl>`: inferred against the `var`'s type instead, F can come out as another signature of a generic
  // implementation (rxjs's `of`: TS2345).
  const returns = `${unit}return ${star ? 'yield* ' : ''}(${fn}$t ??= ${wrapper}<`;
  const apply = `.apply(this, arguments); ${REST_DIRECTIVE}`;
  const [u1, u2, u3] = [unit, unit + unit, unit + unit + unit];
  // The object stays expanded whatever the print width (prettier keeps an object broken when its first key is on a new line);
  // the call around it is laid out as prettier lays it out at its default width, which depends on the length of the name.
  let body: string[];
  if (columns(`${returns}typeof ${impl}>(${impl}, {`) <= WIDTH) {
    body = [`${returns}typeof ${impl}>(${impl}, {`, ...properties.map((p) => `${u2}${p},`), `${u1}}))${apply}`];
  } else if (columns(`${returns}typeof ${impl}>(`) <= WIDTH) {
    body = [`${returns}typeof ${impl}>(`, `${u2}${impl},`, `${u2}{`, ...properties.map((p) => `${u3}${p},`), `${u2}},`, `${u1}))${apply}`];
  } else {
    body = [returns, `${u2}typeof ${impl}`, `${u1}>(${impl}, {`, ...properties.map((p) => `${u2}${p},`), `${u1}}))${apply}`];
  }
  return [header(ctx, statement, fn, unit), ...body, '}', `var ${fn}$t: Function | undefined; ${VAR_DIRECTIVE}`, ''].join(eol);
}

/** `export function f(this: unknown, a: A): R {`, its parameters one a line when it would not fit. */
function header(ctx: FileContext, statement: ts.FunctionDeclaration, fn: string, unit: string): string {
  const { sf, text } = ctx;
  const params = parameters(ctx, statement, fn);
  const modifiers = (ts.getModifiers(statement) ?? []).map((m) => m.getText(sf)).join(' ');
  const returns = statement.type === undefined ? `ReturnType<typeof ${fn}$impl${typeArguments(statement)}>` : statement.type.getText(sf);
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

/**
 * The forwarder's parameters: the implementation's names (so `length` is the same) and types, defaults replaced by
 * `= undefined as never` (computed once, by the implementation), and `this: unknown` unless it declares `this`.
 */
function parameters(ctx: FileContext, statement: ts.FunctionDeclaration, fn: string): string[] {
  const { sf } = ctx;
  const typeArgs = typeArguments(statement);
  let index = 0;
  const params = statement.parameters.map((p, i) => {
    if (ts.isIdentifier(p.name) && p.name.text === 'this') return p.getText(sf);
    // Passed on as `arguments`, never read by name: under noUnusedParameters each is named as unused (TS6133 otherwise).
    const name = !ts.isIdentifier(p.name) ? `_${i}` : ctx.noUnusedParameters === true && !p.name.text.startsWith('_') ? `_${p.name.text}` : p.name.text;
    const type = p.type !== undefined ? `: ${p.type.getText(sf)}` : p.initializer !== undefined ? `: Parameters<typeof ${fn}$impl${typeArgs}>[${index}]` : '';
    index++;
    return `${p.dotDotDotToken === undefined ? '' : '...'}${name}${p.questionToken === undefined ? '' : '?'}${type}${p.initializer === undefined ? '' : ' = undefined as never'}`;
  });
  if (index === statement.parameters.length) params.unshift('this: unknown');
  return params;
}

/** Width of a line as prettier counts it (a tab is its default `tabWidth`, 2). */
function columns(line: string): number {
  return line.replace(/\t/g, '  ').length;
}

/** `<T, U>` for a generic function: the implementation instantiated with the forwarder's own type parameters. */
function typeArguments(statement: ts.FunctionDeclaration): string {
  return statement.typeParameters === undefined ? '' : `<${statement.typeParameters.map((t) => t.name.text).join(', ')}>`;
}

/** The file's indentation unit, as the function's own body shows it (prettier's two spaces when it cannot tell). */
function indentUnit(ctx: FileContext, statement: ts.FunctionDeclaration): string {
  const first = statement.body?.statements[0];
  const indent = first === undefined ? undefined : indentBefore(ctx.text, first.getStart(ctx.sf));
  return indent === undefined || indent === '' ? '  ' : indent;
}
