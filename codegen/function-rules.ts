import { ts } from 'ts-morph';
import { hasModifier, type FileContext } from './context.js';
import { hasNotrace } from './class-methods.js';
import { returnsPromise } from './selection.js';
import { inferredReturnReason } from './inferred-return.js';

/**
 * Why an exported function declaration is not wrapped (`undefined`: wrap it).
 * Each reason is a case where wrapping would change the program or its
 * types in a way tsc would not catch, or one the user asked to leave.
 */
export function functionSkipReason(ctx: FileContext, statement: ts.FunctionDeclaration): string | undefined {
  const name = statement.name?.text;
  if (hasModifier(statement, ts.SyntaxKind.DeclareKeyword)) return 'declare function: ambient, there is no code to trace';
  if (name === undefined) return 'anonymous default export: it has no name to keep it under';
  const declarations = ctx.sf.statements.filter((d): d is ts.FunctionDeclaration => ts.isFunctionDeclaration(d) && d.name?.text === name);
  if (declarations.some(isAssertion)) {
    return 'assertion function (asserts …): a wrapped one loses its assertion signature at every call site (TS2775)';
  }
  if (ctx.sf.statements.some((s) => ts.isModuleDeclaration(s) && ts.isIdentifier(s.name) && s.name.text === name)) {
    return `merged with namespace ${name}: the declaration cannot lose its export without breaking the merge (TS2395)`;
  }
  for (const taken of [`${name}$t`, `${name}$impl`]) {
    if (ctx.bindings.taken.has(taken)) return `the name ${taken} is already taken in this module (the traced export needs it)`;
  }
  if (declarations.some((d) => hasNotrace(ctx, d))) return 'opted out with // @notrace';
  const inferred = inferredReturnReason(ctx, statement, name);
  if (inferred !== undefined) return inferred;
  if (declarations.some(takesNever)) {
    // A report-only probe: trpc's and most codebases' `assertNever(value: never): never` got a forwarder tsc refused.
    return `a parameter typed never (an exhaustiveness check): its forwarder's type, ReturnType<typeof ${name}$impl>, would be any there, not its return type (TS2322)`;
  }
  const select = ctx.select;
  if (select.asyncOnly && !isAsync(statement)) return 'not async (--async-only)';
  if (select.name !== undefined && !select.name(name)) return 'name does not match --name';
  return undefined;
}

/**
 * Why the forwarder cannot call the global `Reflect.apply` (`undefined`: it can): the project's lib does not declare it
 * (ES5), or a top-level declaration or import of that name in the module (the forwarder's own name included), or one of
 * its parameters, would be `Reflect` there.
 */
export function reflectUnusable(ctx: FileContext, statement: ts.FunctionDeclaration): string | undefined {
  if (ctx.noReflect === true) return "the project's lib does not declare Reflect";
  if (ctx.bindings.taken.has('Reflect')) return 'this module declares its own Reflect';
  if (statement.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === 'Reflect')) return 'a parameter is named Reflect';
  return undefined;
}

/**
 * Whether a parameter is typed `never`: under strictFunctionTypes a function taking one does not extend
 * `(...args: any) => infer R` (`any` is not assignable to `never`), so `ReturnType` of it is `any`.
 */
function takesNever(declaration: ts.FunctionDeclaration): boolean {
  return declaration.parameters.some((parameter) => {
    let type = parameter.type;
    while (type !== undefined && ts.isParenthesizedTypeNode(type)) type = type.type;
    return type?.kind === ts.SyntaxKind.NeverKeyword;
  });
}

function isAssertion(declaration: ts.FunctionDeclaration): boolean {
  const type = declaration.type;
  return type !== undefined && ts.isTypePredicateNode(type) && type.assertsModifier !== undefined;
}

function isAsync(declaration: ts.FunctionDeclaration): boolean {
  return hasModifier(declaration, ts.SyntaxKind.AsyncKeyword) || returnsPromise(declaration.type);
}
