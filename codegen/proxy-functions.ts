import { ts } from 'ts-morph';
import { change, hasModifier, type FileContext } from './context.js';

/**
 * Undoes the Proxy stand-ins `--functions` wrote before it wrote forwarders
 * (`function f` unexported, then `const f$span = traceable(f)`,
 * `const f$traced = new Proxy(f, …)`, `export { f$traced as f }`), so code
 * instrumented by that version can still be cleaned with `--remove`.
 * Returns how many were undone.
 */
export function unwrapProxyFunctions(ctx: FileContext): number {
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
