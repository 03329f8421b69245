import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { REPO_ROOT, sourceFiles } from '../helpers/source-files';

/**
 * The library's module-level functions are declarations, never an arrow
 * function held in a variable (`const f = (…) => …`).
 *
 * Why: V8 compiles lazily only what it can pre-parse, and it pre-parses an
 * arrow function only at a script's own top level. Inside a function — the
 * wrapper Node puts around a CommonJS file (an app's esbuild bundle, or
 * `dist/tracewire.cjs`) — or in an ES module, it parses every such arrow in
 * full as the file loads; a function declaration waits until it is first
 * called. With its ~500 module-level functions written as arrows, the
 * one-function handler bundle loaded in 26.6 ms above an empty file; written
 * as declarations, in 19.1 ms (bench/coldstart.js, 2026-12-06, one run;
 * README "Latest figures" has the round's).
 */
const ROOT = REPO_ROOT;

/** `e` without the parentheses, `as`, `satisfies` and `!` around it. */
function unwrapped(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  return e;
}

/** `file:line name` for each module-level variable of `file` that holds an arrow function. */
function arrowVariables(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (declaration.initializer === undefined || !ts.isArrowFunction(unwrapped(declaration.initializer))) continue;
      const { line } = source.getLineAndCharacterOfPosition(declaration.getStart());
      found.push(`${path.relative(ROOT, file)}:${line + 1} ${declaration.name.getText()}`);
    }
  }
  return found;
}

test('the library holds no module-level function as an arrow in a variable (V8 compiles those eagerly at load)', () => {
  const files = sourceFiles(['lib', 'decorators']);
  expect(files.length).toBeGreaterThan(100);
  expect(files.flatMap(arrowVariables)).toEqual([]);
});

test('the check finds an arrow held in a variable, however wrapped', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-arrows-'));
  const file = path.join(dir, 'm.ts');
  fs.writeFileSync(file, 'export const a = (x: number) => x;\nconst b = ((y: string) => y) as (y: string) => string;\nfunction c() { const d = () => 1; return d; }\nconst e = 1, f = async () => e;\n');
  try {
    expect(arrowVariables(file).map((s) => s.split(' ')[1])).toEqual(['a', 'b', 'f']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
