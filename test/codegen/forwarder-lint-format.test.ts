import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, node, read, removeProject, runCli, tempProject } from './codegen-harness';

/**
 * What `--functions` writes must pass a formatted, linted codebase's own
 * gates: prettier (default options) leaves a formatted file as it is, and
 * the two eslint rules the forwarder cannot satisfy without changing what
 * it does (`no-var`: `let` is not hoisted; `prefer-rest-params`: a rest
 * parameter would change `length`), both on in typescript-eslint's
 * recommended config, are disabled on exactly the lines that break them
 * (and no forwarder is typed `Function`, which its `no-unsafe-function-type` refuses).
 * Where typescript-eslint is installed, its `no-unused-vars` is disabled for
 * the forwarder's parameters too (passed on as `arguments`), and the real
 * ESLint with typescript-eslint's recommended config finds nothing.
 * prettier and ESLint (devDependencies for this) run as their CLIs in child
 * processes: their entries import modules dynamically, which jest's VM refuses.
 */
const SHAPES = `import { helper } from "./helper";

/** Adds two numbers. */
export function add(a: number, b: number): number {
  return a + b + helper();
}

export async function fetchUser(id: string): Promise<string> {
  return id;
}

export function* range(from: number, to: number): Generator<number> {
  for (let i = from; i < to; i++) yield i;
}

export function parse(text: string): number;
export function parse(text: string, radix: number): number;
export function parse(text: string, radix = 10): number {
  return parseInt(text, radix);
}

export function destructured({ id }: { id: number }, [first]: string[] = []) {
  return \`\${id}:\${first}\`;
}

export function withThis(this: { base: number }, x: number): number {
  return this.base + x;
}

export function validateOrRejectEverything(value: unknown): boolean {
  return value !== undefined;
}

export default function main(...xs: number[]): number {
  return xs.length;
}
`;

/** ESLint's flat config of a project that lints with typescript-eslint's recommended rules. */
const ESLINT_CONFIG = `import tseslint from 'typescript-eslint';\nexport default tseslint.configs.recommended;\n`;
const ESLINT = join(__dirname, '../../node_modules/eslint/bin/eslint.js');

/** `typescript-eslint` installed in the project, as npm would put it (a link to this repository's copy), with its recommended config. */
function withTypescriptEslint(dir: string): void {
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(join(__dirname, '../../node_modules/typescript-eslint'), join(dir, 'node_modules/typescript-eslint'), 'dir');
  writeFileSync(join(dir, 'eslint.config.mjs'), ESLINT_CONFIG);
}

async function instrumented(text: string, check?: (dir: string) => void, typescriptEslint = false): Promise<string> {
  const dir = tempProject({ 'src/shapes.ts': text }, false);
  try {
    if (typescriptEslint) withTypescriptEslint(dir);
    check?.(dir);
    const { code, stderr } = await runCli(dir, 'instrument', '--write', '--functions');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    check?.(dir);
    return read(dir, 'src/shapes.ts');
  } finally {
    removeProject(dir);
  }
}

describe.each([
  { eol: 'LF', endOfLine: 'lf', text: SHAPES },
  { eol: 'CRLF', endOfLine: 'crlf', text: SHAPES.replace(/\n/g, '\r\n') },
])('--functions on a prettier-formatted file ($eol)', ({ endOfLine, text }) => {
  test('prettier with default options finds the file formatted before and after', async () => {
    const prettier = require.resolve('prettier/bin/prettier.cjs');
    // Exit 1, and the file named, when prettier would change it: node() throws with what it printed.
    const output = await instrumented(text, (dir) => void node(dir, prettier, '--check', '--end-of-line', endOfLine, 'src/shapes.ts'));
    expect(output).toContain('add$impl');
  });
});

test('each line that needs var or arguments disables exactly that eslint rule, with the reason; no forwarder is typed Function', async () => {
  const output = await instrumented(SHAPES);
  const lines = output.split('\n');
  const forwards = lines.filter((line) => /^\s+arguments,/.test(line));
  expect(lines.filter((line) => /^var \w+\$t\b/.test(line))).toHaveLength(8);
  expect(forwards).toHaveLength(8);
  // Above the `var`, not at its end: prettier breaks a long name's `var` line (validateOrRejectEverything's), and a comment at
  // its end would not be on the line eslint reports.
  const vars = /^\/\/ eslint-disable-next-line no-var -- \S.*\nvar (\w+)\$t:\n?\s*typeof \1\$impl \| undefined;$/gm;
  expect(output.match(vars)).toHaveLength(8);
  for (const line of forwards) expect(line).toMatch(/^\s+arguments, \/\/ eslint-disable-line prefer-rest-params -- \S/);
  // Nothing else is disabled: a directive naming a rule a repo does not load is an error there, an unused one a warning.
  // typescript-eslint is not installed in this project: its rule is not named.
  expect(lines.filter((line) => line.includes('eslint-disable'))).toHaveLength(16);
  expect(output).not.toContain('@typescript-eslint');
  // typescript-eslint's recommended no-unsafe-function-type.
  expect(output).not.toMatch(/\bFunction\b/);
});

/** Exported functions a project linted with typescript-eslint's strict type-checked config passes as they are (and prettier leaves), with no import: quotes are judged on its strings. */
const TYPED = `/** Sums. */
export function add(a: number, b = 2): number {
  return a + b;
}

export async function fetchUser(
  id: string,
  retries: number | undefined = 3,
): Promise<string> {
  await Promise.resolve(retries);
  return id;
}

export function* range(from: number, to: number): Generator<number, void> {
  for (let i = from; i < to; i++) yield i;
}

export async function* lines(text: string): AsyncGenerator<string, void> {
  for (const line of text.split("\\n")) yield await Promise.resolve(line);
}

export function parse(text: string): number;
export function parse(text: string, asText: true): string;
export function parse(text: string, asText = false): number | string {
  return asText ? text : parseInt(text, 10);
}

export function first<T>(items: readonly T[], fallback: T): T {
  return items[0] ?? fallback;
}

export function withThis(this: { base: number }, x: number): number {
  return this.base + x;
}

export default function main(...xs: number[]): number {
  return xs.length;
}

export function isText(value: unknown): value is string {
  return typeof value === "string";
}

export function stamp(at: Date = new Date()): string {
  return at.toISOString();
}
`;

/** typescript-eslint's strictest preset, which type-checks: a superset of its recommended type-checked rules. */
const TYPED_ESLINT_CONFIG = `import tseslint from 'typescript-eslint';
export default tseslint.config(...tseslint.configs.strictTypeChecked, {
  languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
});
`;

describe('where typescript-eslint is installed', () => {
  test('ESLint with its recommended config finds nothing in the instrumented file, unused directives included', async () => {
    // --max-warnings 0: an unused disable directive is a warning. Lint fails with what it printed (node() throws).
    const lint = (dir: string) => void node(dir, ESLINT, '--max-warnings', '0', 'src');
    const output = await instrumented(SHAPES, lint, true);
    // Each of the 8 forwarders disables no-unused-vars for its parameters: above a one-line header (add, fetchUser, withThis,
    // main), around one prettier breaks (range, parse, destructured, validateOrRejectEverything).
    expect(output.match(/^\/\/ eslint-disable-next-line @typescript-eslint\/no-unused-vars -- \S.*\nexport (async |default )?function/gm)).toHaveLength(4);
    expect(output.match(/^\/\* eslint-disable @typescript-eslint\/no-unused-vars -- \S.*\*\/\nexport function\*? \w+\($/gm)).toHaveLength(4);
    expect(output.match(/\{\n {2}\/\* eslint-enable @typescript-eslint\/no-unused-vars \*\/\n {2}return /g)).toHaveLength(4);
  });

  test('a file that passes its strict type-checked config still passes it, and prettier, after --functions (npm run build first)', async () => {
    const dir = tempProject({ 'src/typed.ts': TYPED }, false);
    try {
      withTypescriptEslint(dir);
      writeFileSync(join(dir, 'eslint.config.mjs'), TYPED_ESLINT_CONFIG);
      // The forwarders call traceable: its types come from this repository's build, as an installed tracewire's would.
      symlinkSync(join(__dirname, '../..'), join(dir, 'node_modules/tracewire'), 'dir');
      const gates = () => {
        node(dir, ESLINT, '--max-warnings', '0', 'src');
        node(dir, require.resolve('prettier/bin/prettier.cjs'), '--check', 'src/typed.ts');
      };
      gates();
      expect((await runCli(dir, 'instrument', '--write', '--functions')).code).toBe(0);
      const output = read(dir, 'src/typed.ts');
      expect(output.match(/\$impl\b/g)?.length).toBeGreaterThan(20);
      // Typed as the implementation's result (Reflect.apply of `arguments` is `any`: no-unsafe-return), an async one
      // awaited (require-await), a defaulted parameter's placeholder without a needless assertion or `= undefined`.
      expect(output).toContain(') as ReturnType<typeof first$impl<T>>;');
      expect(output).toContain('return await (Reflect.apply(');
      expect(output).toContain('b: Parameters<typeof add$impl>[1] = void 0,');
      expect(output).toContain('at: Date = undefined as never');
      gates();
    } finally {
      removeProject(dir);
    }
  }, 60_000);

  test('prettier with default options still finds the file formatted', async () => {
    const prettier = require.resolve('prettier/bin/prettier.cjs');
    const output = await instrumented(SHAPES, (dir) => void node(dir, prettier, '--check', 'src/shapes.ts'), true);
    expect(output).toContain('/* eslint-enable @typescript-eslint/no-unused-vars */');
  });

  test("installed at a monorepo's root, above the project, as npm workspaces hoist it: the directive is written", async () => {
    const root = tempProject({}, false);
    try {
      withTypescriptEslint(root);
      const app = join(root, 'packages/app');
      mkdirSync(join(app, 'src'), { recursive: true });
      writeFileSync(join(app, 'tsconfig.json'), read(root, 'tsconfig.json'));
      writeFileSync(join(app, 'src/shapes.ts'), SHAPES);
      expect((await runCli(app, 'instrument', '--write', '--functions')).code).toBe(0);
      expect(read(app, 'src/shapes.ts').match(/@typescript-eslint\/no-unused-vars -- /g)).toHaveLength(8);
    } finally {
      removeProject(root);
    }
  });

  test('--remove gives the file back as it was, directives and all', async () => {
    const dir = tempProject({ 'src/shapes.ts': SHAPES }, false);
    try {
      withTypescriptEslint(dir);
      expect((await runCli(dir, 'instrument', '--write', '--functions')).code).toBe(0);
      expect(read(dir, 'src/shapes.ts')).toContain('@typescript-eslint/no-unused-vars');
      expect((await runCli(dir, 'instrument', '--check', '--functions')).code).toBe(0); // recognised as instrumented
      expect((await runCli(dir, 'instrument', '--remove', '--write', '--functions')).code).toBe(0);
      expect(read(dir, 'src/shapes.ts')).toBe(SHAPES);
    } finally {
      removeProject(dir);
    }
  });
});

test.each([
  { form: 'the one-line forwarders of two versions ago', file: 'functions.one-line-forwarders.txt' },
  { form: 'the prettier-laid-out `(f$t ??= …).apply(this, arguments)` forwarders of the previous version', file: 'functions.apply-forwarders.txt' },
])('--check still recognises, and --remove undoes, $form', async ({ file }) => {
  const dir = tempProject({ 'src/functions.ts': fixture(file) }, true);
  try {
    const check = await runCli(dir, 'instrument', '--check', '--functions');
    expect(check.code).toBe(0); // still recognised as instrumented
    const { code } = await runCli(dir, 'instrument', '--remove', '--write', '--functions');
    expect(code).toBe(0);
    expect(read(dir, 'src/functions.ts')).toBe(fixture('functions.input.txt'));
  } finally {
    removeProject(dir);
  }
});

test('where Reflect would not be the global, --verbose says why that forwarder is typed Function (the `.apply` form)', async () => {
  const dir = tempProject({ 'src/own.ts': fixture('functions-own-reflect.input.txt'), 'src/parameter.ts': fixture('functions-reflect-parameter.input.txt') }, true);
  try {
    const { code, stdout } = await runCli(dir, 'instrument', '--functions', '--verbose');
    expect(code).toBe(0);
    expect(stdout).toContain('src/own.ts:4 traceable(describe) (forwarded with .apply, typed Function: this module declares its own Reflect)');
    expect(stdout).toContain('src/parameter.ts:2 traceable(measure) (forwarded with .apply, typed Function: a parameter is named Reflect)');
    expect(stdout).toMatch(/src\/parameter\.ts:6 traceable\(twice\)\n/);
  } finally {
    removeProject(dir);
  }
});
