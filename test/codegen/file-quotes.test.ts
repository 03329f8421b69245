import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { read, removeProject, runCli, tempProject } from './codegen-harness';

/**
 * What the codemod writes (the import, a traced function's name) is quoted as
 * the file quotes: judged on its first import, else, in a file without one, on
 * its first string literal — not on a JSX attribute's, which prettier quotes
 * apart from the code's (`jsxSingleQuote: false` by default).
 */
async function instrumented(path: string, text: string): Promise<string> {
  const dir = tempProject({ [path]: text }, false);
  try {
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, jsx: 'preserve' }, include: ['src'] }));
    const { code } = await runCli(dir, 'instrument', '--write', '--functions');
    expect(code).toBe(0);
    return read(dir, path);
  } finally {
    removeProject(dir);
  }
}

test('a file without imports that writes its strings in double quotes gets double quotes', async () => {
  const output = await instrumented('src/greet.ts', 'export function greet(name: string): string {\n  return "hello " + name;\n}\n');
  expect(output).toContain('import { traceable } from "tracewire";');
  expect(output).toContain('name: "greet",');
});

test('a file without imports or strings gets single quotes', async () => {
  const output = await instrumented('src/add.ts', 'export function add(a: number, b: number): number {\n  return a + b;\n}\n');
  expect(output).toContain("import { traceable } from 'tracewire';");
  expect(output).toContain("name: 'add',");
});

test("a JSX attribute's double quotes do not decide: the code's own strings do", async () => {
  const output = await instrumented('src/view.tsx', "export function View(): unknown {\n  return <div className=\"box\">{'hi'}</div>;\n}\n");
  expect(output).toContain("import { traceable } from 'tracewire';");
  expect(output).toContain("name: 'View',");
});
