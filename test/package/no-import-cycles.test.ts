import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { REPO_ROOT, sourceFiles } from '../helpers/source-files';

/**
 * The source tree's modules form no import cycle (the style guide's rule): a
 * cycle makes a module's exports `undefined` while its partner loads, and
 * which one loses depends on who imports first. Runtime imports only: an
 * `import type` (or one whose every name is a type) is erased by tsc.
 */
const ROOT = REPO_ROOT;
const SOURCE_DIRS = ['lib', 'decorators', 'codegen', 'cli', 'collector/src'];

/** Whether an import or export declaration survives compilation (names at least one value). */
function loadsAtRuntime(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return false;
    const clause = node.exportClause;
    return clause === undefined || !ts.isNamedExports(clause) || clause.elements.length === 0 || clause.elements.some((e) => !e.isTypeOnly);
  }
  const clause = node.importClause;
  if (clause === undefined) return true; // a side-effect import
  if (clause.isTypeOnly) return false;
  if (clause.name !== undefined) return true;
  const bindings = clause.namedBindings;
  if (bindings === undefined || ts.isNamespaceImport(bindings)) return true;
  return bindings.elements.length === 0 || bindings.elements.some((e) => !e.isTypeOnly);
}

/** Relative runtime imports of `file`, as absolute .ts paths. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) continue;
    const spec = statement.moduleSpecifier;
    if (spec === undefined || !ts.isStringLiteral(spec) || !spec.text.startsWith('.') || !loadsAtRuntime(statement)) continue;
    out.push(path.resolve(path.dirname(file), spec.text.replace(/\.js$/, '.ts')));
  }
  return out;
}

/** Every cycle found by a depth-first walk, each as its modules' paths from the root. */
function findCycles(graph: Map<string, string[]>): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next].map((f) => path.relative(ROOT, f)).join(' → '));
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (state.get(node) === undefined) visit(node);
  return cycles;
}

describe('module structure', () => {
  it('has no import cycle among the runtime imports of lib/, decorators/, codegen/, cli/, the collector and the entries', () => {
    const graph = new Map(sourceFiles(SOURCE_DIRS).map((file) => [file, runtimeImports(file)]));
    expect(graph.size).toBeGreaterThan(100); // the walk found the tree
    expect(findCycles(graph)).toEqual([]);
  });

  it('sees a cycle when two modules import each other (the check itself works)', () => {
    const a = path.join(ROOT, 'a.ts');
    const b = path.join(ROOT, 'b.ts');
    expect(findCycles(new Map([[a, [b]], [b, [a]]]))).toEqual(['a.ts → b.ts → a.ts']);
  });
});
