import { ts } from 'ts-morph';
import { change, hasModifier, skip, type FileContext } from './context.js';
import { skipWhitespace } from './edits.js';

/**
 * `--functions`: traces exported function declarations without changing what
 * they do.
 *
 * Why not `export const f = traceable(function f() {})`: a function
 * declaration is hoisted, so code above it (in this module, at load time)
 * may call it; a `const` would throw there. Instead the declaration stays
 * exactly where and what it is, loses only its `export`, and a traced binding
 * is exported under its name right after it:
 *
 *   function f(a: A): R { … }
 *   const f$traced = traceable(f);
 *   export { f$traced as f };
 *
 * (`export default function g` → `function g` + `export default traceable(g);`.)
 * Calls from inside the module, earlier or later, still reach `f` itself —
 * untraced, never broken; `typeof f` (overloads, generics) carries over;
 * `this`, `name` and `length` are kept by `traceable`. Residual hazard: a
 * module in an import CYCLE that calls `f` before this module has finished
 * loading sees no export yet — as it would with any `const` export.
 * Not wrapped (reported): `declare function`, anonymous default exports, and
 * functions held in `export const` (wrapping an arrow would change its `name`).
 */
export function wrapExportedFunctions(ctx: FileContext, wrapper: string): number {
  let added = 0;
  const done = new Set<string>();
  for (const statement of ctx.sf.statements) {
    if (ts.isVariableStatement(statement) && hasModifier(statement, ts.SyntaxKind.ExportKeyword)) {
      for (const d of statement.declarationList.declarations) {
        const init = d.initializer;
        if (init !== undefined && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) {
          skip(ctx, d, `const ${d.name.getText(ctx.sf)}`, 'function held in an exported const: not wrapped (wrapping it would change its name)');
        }
      }
    }
    if (!ts.isFunctionDeclaration(statement) || !hasModifier(statement, ts.SyntaxKind.ExportKeyword)) continue;
    const name = statement.name?.text;
    const subject = `function ${name ?? '(default)'}`;
    if (hasModifier(statement, ts.SyntaxKind.DeclareKeyword)) {
      skip(ctx, statement, subject, 'declare function: ambient, there is no code to trace');
      continue;
    }
    if (name === undefined) {
      skip(ctx, statement, subject, 'anonymous default export: it has no name to keep it under');
      continue;
    }
    if (statement.body === undefined) continue; // an overload signature: handled with its implementation
    if (done.has(name)) continue;
    done.add(name);
    const isDefault = hasModifier(statement, ts.SyntaxKind.DefaultKeyword);
    const traced = `${name}$traced`;
    if (!isDefault && ctx.bindings.taken.has(traced)) {
      skip(ctx, statement, subject, `the name ${traced} is already taken in this module`);
      continue;
    }
    // Overload signatures carry the same `export`: TypeScript wants all or none exported.
    for (const declaration of ctx.sf.statements) {
      if (ts.isFunctionDeclaration(declaration) && declaration.name?.text === name) unexport(ctx, declaration);
    }
    const eol = ctx.eol;
    const added_ = isDefault
      ? `${eol}export default ${wrapper}(${name});`
      : `${eol}const ${traced} = ${wrapper}(${name});${eol}export { ${traced} as ${name} };`;
    ctx.edits.push({ start: statement.end, end: statement.end, text: added_ });
    change(ctx, statement, `${wrapper}(${name})${isDefault ? ' as the default export' : ''}`);
    added++;
  }
  return added;
}

function unexport(ctx: FileContext, declaration: ts.FunctionDeclaration): void {
  const modifiers = ts.getModifiers(declaration) ?? [];
  const exported = modifiers.filter((m) => m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DefaultKeyword);
  if (exported.length === 0) return;
  const start = exported[0]!.getStart(ctx.sf);
  ctx.edits.push({ start, end: skipWhitespace(ctx.text, exported[exported.length - 1]!.end), text: '' });
}

/** Undoes {@link wrapExportedFunctions}: the shapes it writes, and only those. Returns how many were undone. */
export function unwrapExportedFunctions(ctx: FileContext): number {
  const { sf, text } = ctx;
  const wrapper = ctx.bindings.wrapper;
  if (wrapper === undefined) return 0;
  const statements = sf.statements;
  let removed = 0;
  const wrapped = (e: ts.Expression | undefined): string | undefined =>
    e !== undefined && ts.isCallExpression(e) && e.expression.getText(sf) === wrapper && e.arguments.length === 1 && ts.isIdentifier(e.arguments[0]!)
      ? e.arguments[0].text
      : undefined;
  for (let i = 0; i < statements.length; i++) {
    const fn = statements[i]!;
    if (!ts.isFunctionDeclaration(fn) || fn.body === undefined || fn.name === undefined || hasModifier(fn, ts.SyntaxKind.ExportKeyword)) continue;
    const name = fn.name.text;
    const next = statements[i + 1];
    let end: number | undefined;
    let keyword = 'export ';
    if (next !== undefined && ts.isExportAssignment(next) && !next.isExportEquals && wrapped(next.expression) === name) {
      end = next.end;
      keyword = 'export default ';
    } else if (next !== undefined && ts.isVariableStatement(next) && statements[i + 2] !== undefined) {
      const declaration = next.declarationList.declarations[0]!;
      const exported = statements[i + 2]!;
      const traced = `${name}$traced`;
      if (
        next.declarationList.declarations.length === 1 &&
        declaration.name.getText(sf) === traced &&
        wrapped(declaration.initializer) === name &&
        ts.isExportDeclaration(exported) &&
        exported.getText(sf).replace(/\s+/g, ' ') === `export { ${traced} as ${name} };`.slice(0, text[exported.end - 1] === ';' ? undefined : -1)
      ) {
        end = exported.end;
      }
    }
    if (end === undefined) continue;
    ctx.edits.push({ start: fn.end, end, text: '' });
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
