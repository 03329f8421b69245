import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const repo = resolve(__dirname, '../../..');

/**
 * Compiles a module of this repository and every module it imports,
 * relatively, to CommonJS under `outDir` (transpile only, no type check), and
 * returns the compiled entry's path. Child processes in tests `require` it,
 * so they run the current source — without a prior build, whose `dist/` may
 * be stale, and without a require hook.
 */
export function compileForChild(entry: string, outDir: string): string {
  const pending = [resolve(repo, entry)];
  const done = new Set<string>();
  while (pending.length > 0) {
    const source = pending.pop()!;
    if (done.has(source)) continue;
    done.add(source);
    const text = readFileSync(source, 'utf8');
    const { outputText } = ts.transpileModule(text, {
      fileName: source,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    const out = join(outDir, relative(repo, source)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, outputText);
    for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const base = resolve(dirname(source), fileName.replace(/\.js$/, '')); // sources import './x.js' for './x.ts'
      const found = [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
      if (found !== undefined) pending.push(found);
    }
  }
  return join(outDir, relative(repo, resolve(repo, entry))).replace(/\.ts$/, '.js');
}
