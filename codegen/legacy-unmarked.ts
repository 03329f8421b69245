import { ts } from 'ts-morph';
import { change, hasModifier, type FileContext } from './context.js';

/**
 * `--remove --legacy-unmarked`: migrating code instrumented by tracewire 0.1,
 * whose additions carried no mark. 0.1 wrote exactly two shapes, and only
 * those are undone here:
 *
 *   @Traceable()                       (no arguments, on a method)
 *   const f$traced = traceable(f);     (right after `function f`, which lost its `export`)
 *   export { f$traced as f };
 *   export default traceable(g);       (right after `function g`)
 *
 * A bare `@Traceable()` a person wrote looks the same, which is why this is
 * opt-in and its dry run lists every removal; `--name`, `--classes` and
 * paths narrow it. Decorators with options, class-level ones and anything
 * else hand-written stay.
 */
export function isLegacyDecorator(ctx: FileContext, decorator: ts.Decorator): boolean {
  const expression = decorator.expression;
  return ts.isCallExpression(expression) && expression.arguments.length === 0 && decorator.getText(ctx.sf).replace(/\s+/g, '') === `@${ctx.bindings.decorator}()`;
}

/** Edits undoing 0.1's `--functions` wrappers (see above). Returns how many were undone. */
export function unwrapLegacyFunctions(ctx: FileContext): number {
  const { sf } = ctx;
  const wrapper = ctx.bindings.wrapper;
  if (wrapper === undefined) return 0;
  const statements = sf.statements;
  const wraps = (e: ts.Expression | undefined, name: string): boolean =>
    e !== undefined && ts.isCallExpression(e) && e.expression.getText(sf) === wrapper && e.arguments.length === 1 && e.arguments[0]!.getText(sf) === name;
  let removed = 0;
  for (let i = 0; i < statements.length; i++) {
    const fn = statements[i]!;
    if (!ts.isFunctionDeclaration(fn) || fn.body === undefined || fn.name === undefined || hasModifier(fn, ts.SyntaxKind.ExportKeyword)) continue;
    const name = fn.name.text;
    const next = statements[i + 1];
    let end: number | undefined;
    let keyword = 'export ';
    if (next !== undefined && ts.isExportAssignment(next) && !next.isExportEquals && wraps(next.expression, name)) {
      end = next.end;
      keyword = 'export default ';
    } else if (next !== undefined && ts.isVariableStatement(next) && next.declarationList.declarations.length === 1) {
      const declaration = next.declarationList.declarations[0]!;
      const exported = statements[i + 2];
      const as = exported !== undefined && ts.isExportDeclaration(exported) ? /^export \{ (\S+) as (\S+) \};?$/.exec(exported.getText(sf).replace(/\s+/g, ' ')) : null;
      if (declaration.name.getText(sf) === `${name}$traced` && declaration.type === undefined && wraps(declaration.initializer, name) && as?.[1] === `${name}$traced` && as[2] === name) {
        end = exported!.end;
      }
    }
    if (end === undefined) continue;
    ctx.edits.push({ start: fn.end, end, text: '' });
    for (const declaration of statements) {
      if (ts.isFunctionDeclaration(declaration) && declaration.name?.text === name) {
        ctx.edits.push({ start: declaration.getStart(sf), end: declaration.getStart(sf), text: keyword });
      }
    }
    change(ctx, fn, `removed 0.1's unmarked ${wrapper}(${name})`);
    removed++;
  }
  return removed;
}
