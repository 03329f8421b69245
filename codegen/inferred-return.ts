import { ts } from 'ts-morph';
import { hasModifier, type FileContext } from './context.js';

/**
 * Why a function without a return type annotation cannot be forwarded (`undefined`: it can). Its forwarder is typed
 * `ReturnType<typeof f$impl>`, which has two blind spots, each a change tsc reports (or worse, does not):
 * - a type predicate TypeScript (5.5+) infers (`return typeof x === 'string'` → `x is string`) becomes `boolean`, and
 *   callers lose the narrowing;
 * - a cycle of such functions in the module (`f` calling itself, `a` and `b` calling each other, directly or through
 *   a helper) makes the forwarder's type refer to itself: TS2577, TS7023. Across modules it is not seen (README).
 */
export function inferredReturnReason(ctx: FileContext, statement: ts.FunctionDeclaration, name: string): string | undefined {
  if (statement.type !== undefined || statement.body === undefined) return undefined;
  const annotate = 'write its return type to trace it';
  if (mayInferPredicate(statement)) {
    return `no return type, may infer a type predicate: it returns a test of a parameter, which TypeScript 5.5+ may type as x is …, and its forwarder would not; ${annotate}`;
  }
  const through = cycleThrough(ctx, name);
  if (through === undefined) return undefined;
  const path = through === name ? 'directly' : `through ${through}`;
  return `no return type, calls itself: ${path}, so its forwarder's type, ReturnType<typeof ${name}$impl>, would refer to itself (TS2577, TS7023); ${annotate}`;
}

/**
 * TypeScript 5.5's conditions for inferring a type predicate, read from the syntax: a parameter, one `return` (none
 * in nested functions counted), neither async nor a generator, and a returned test — a comparison, `instanceof`,
 * `in`, `!`, `&&`/`||` of such, or a call of an `is…` function — that names a parameter.
 */
function mayInferPredicate(statement: ts.FunctionDeclaration): boolean {
  if (statement.parameters.length === 0 || statement.asteriskToken !== undefined || hasModifier(statement, ts.SyntaxKind.AsyncKeyword)) return false;
  const returns: ts.ReturnStatement[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isReturnStatement(node)) returns.push(node);
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(statement.body!, visit);
  const returned = returns.length === 1 ? returns[0]!.expression : undefined;
  if (returned === undefined || !isTest(returned)) return false;
  const names = new Set(statement.parameters.flatMap((p) => (ts.isIdentifier(p.name) ? [p.name.text] : [])));
  let namesParameter = false;
  const find = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && names.has(node.text)) namesParameter = true;
    else ts.forEachChild(node, find);
  };
  find(returned);
  return namesParameter;
}

const TESTS = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
  ts.SyntaxKind.InstanceOfKeyword,
  ts.SyntaxKind.InKeyword,
  ts.SyntaxKind.AmpersandAmpersandToken,
  ts.SyntaxKind.BarBarToken,
]);

function isTest(expression: ts.Expression): boolean {
  while (ts.isParenthesizedExpression(expression)) expression = expression.expression;
  if (ts.isBinaryExpression(expression)) return TESTS.has(expression.operatorToken.kind);
  if (ts.isPrefixUnaryExpression(expression)) return expression.operator === ts.SyntaxKind.ExclamationToken;
  if (ts.isCallExpression(expression)) {
    const callee = ts.isPropertyAccessExpression(expression.expression) ? expression.expression.name : expression.expression;
    return ts.isIdentifier(callee) && /^is[A-Z]/.test(callee.text);
  }
  return false;
}

/** Per module: each top-level function without a return type, and the names its body refers to. */
const unannotatedCalls = new WeakMap<ts.SourceFile, Map<string, Set<string>>>();

/**
 * A function (`name` itself, or the first one on the way) through which `name` reaches itself by calls among the
 * module's top-level functions without a return type; `undefined` when it does not.
 */
function cycleThrough(ctx: FileContext, name: string): string | undefined {
  let calls = unannotatedCalls.get(ctx.sf);
  if (calls === undefined) {
    calls = new Map();
    for (const s of ctx.sf.statements) {
      if (!ts.isFunctionDeclaration(s) || s.name === undefined || s.body === undefined || s.type !== undefined) continue;
      const named = calls.get(s.name.text) ?? new Set<string>();
      const visit = (node: ts.Node): void => {
        if (ts.isIdentifier(node)) named.add(node.text);
        // `x.f` and `{ f: … }` name no function of the module.
        else if (ts.isPropertyAccessExpression(node)) visit(node.expression);
        else if (ts.isPropertyAssignment(node)) visit(node.initializer);
        else ts.forEachChild(node, visit);
      };
      visit(s.body);
      calls.set(s.name.text, named);
    }
    unannotatedCalls.set(ctx.sf, calls);
  }
  const start = calls.get(name);
  if (start === undefined) return undefined;
  for (const first of start) {
    if (!calls.has(first)) continue;
    const seen = new Set<string>([first]);
    const queue = [first];
    while (queue.length > 0) {
      const at = queue.pop()!;
      if (at === name) return first;
      for (const next of calls.get(at) ?? []) {
        if (calls.has(next) && !seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
  }
  return undefined;
}
