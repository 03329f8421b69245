import { ts } from 'ts-morph';
import type { FileContext } from './context.js';

/**
 * The forwarder's parameters: the implementation's names (so `length` is the same) and types, defaults replaced by
 * `= undefined as never` (computed once, by the implementation), and `this: unknown` unless it declares `this`.
 */
export function parameters(ctx: FileContext, statement: ts.FunctionDeclaration, fn: string, renames: Map<string, string>): string[] {
  const typeArgs = typeArguments(statement);
  let index = 0;
  const params = statement.parameters.map((p, i) => {
    if (ts.isIdentifier(p.name) && p.name.text === 'this') return p.getText(ctx.sf);
    const name = ts.isIdentifier(p.name) ? renames.get(p.name.text)! : renames.get(`${i}`)!;
    const type = p.type !== undefined ? `: ${renamedText(ctx, p.type, renames)}` : p.initializer !== undefined ? `: Parameters<typeof ${fn}$impl${typeArgs}>[${index}]` : '';
    index++;
    return `${p.dotDotDotToken === undefined ? '' : '...'}${name}${p.questionToken === undefined ? '' : '?'}${type}${p.initializer === undefined ? '' : ` = ${placeholder(p.type)}`}`;
  });
  if (index === statement.parameters.length) params.unshift('this: unknown');
  return params;
}

/**
 * The forwarder's name for each parameter (by name; a destructured one by its index): its own, or under
 * noUnusedParameters one marked unused (`_a`: passed on as `arguments`, never read by name, TS6133 otherwise); a
 * destructured one `_0`. Never a name another parameter has (`_a` beside `a`, `_0` beside a destructured first one).
 */
export function parameterNames(ctx: FileContext, statement: ts.FunctionDeclaration): Map<string, string> {
  const renames = new Map<string, string>();
  const taken = new Set(statement.parameters.flatMap((p) => (ts.isIdentifier(p.name) ? [p.name.text] : [])));
  const unused = (wanted: string): string => {
    let name = wanted;
    while (taken.has(name)) name = `_${name}`;
    taken.add(name);
    return name;
  };
  statement.parameters.forEach((p, i) => {
    if (!ts.isIdentifier(p.name)) renames.set(`${i}`, unused(`_${i}`));
    else if (p.name.text === 'this' || ctx.noUnusedParameters !== true || p.name.text.startsWith('_')) renames.set(p.name.text, p.name.text);
    else renames.set(p.name.text, unused(`_${p.name.text}`));
  });
  return renames;
}

/**
 * A type's text with the parameters it names renamed as the forwarder names them: `typeof a` (a later parameter's
 * type, the return type) and a type predicate's parameter (`x is string`).
 */
export function renamedText(ctx: FileContext, type: ts.TypeNode, renames: Map<string, string>): string {
  const { sf, text } = ctx;
  const at: { start: number; end: number; name: string }[] = [];
  const visit = (node: ts.Node): void => {
    let named: ts.Identifier | undefined;
    if (ts.isTypePredicateNode(node) && ts.isIdentifier(node.parameterName)) named = node.parameterName;
    else if (ts.isTypeQueryNode(node)) {
      let name: ts.EntityName = node.exprName;
      while (ts.isQualifiedName(name)) name = name.left;
      named = name;
    }
    const renamed = named === undefined ? undefined : renames.get(named.text);
    if (named !== undefined && renamed !== undefined && renamed !== named.text) at.push({ start: named.getStart(sf), end: named.end, name: renamed });
    ts.forEachChild(node, visit);
  };
  visit(type);
  let out = '';
  let from = type.getStart(sf);
  for (const { start, end, name } of at.sort((a, b) => a.start - b.start)) {
    out += text.slice(from, start) + name;
    from = end;
  }
  return out + text.slice(from, type.end);
}

/**
 * The default that keeps a defaulted parameter out of `length`, never used (the implementation computes the real one).
 * `undefined as never` where the parameter's type may not admit `undefined`; where it does, `void 0`: typescript-eslint's
 * type-checked configs report both an assertion the type does not need (`no-unnecessary-type-assertion`) and a default
 * written `= undefined` (`no-useless-default-assignment`, strict). A parameter without a type is typed `Parameters<…>[i]`
 * here, which admits `undefined` (it is optional in the implementation's signature).
 */
function placeholder(type: ts.TypeNode | undefined): string {
  if (type === undefined || type.kind === ts.SyntaxKind.UndefinedKeyword) return 'void 0';
  const admits = ts.isUnionTypeNode(type) && type.types.some((t) => t.kind === ts.SyntaxKind.UndefinedKeyword);
  return admits ? 'void 0' : 'undefined as never';
}

/** `<T, U>` for a generic function: the implementation instantiated with the forwarder's own type parameters. */
export function typeArguments(statement: ts.FunctionDeclaration): string {
  return statement.typeParameters === undefined ? '' : `<${statement.typeParameters.map((t) => t.name.text).join(', ')}>`;
}
