import { fixture, node, read, removeProject, runCli, tempProject } from './codegen-harness';

/**
 * What `--functions` writes must pass a formatted, linted codebase's own
 * gates: prettier (default options) leaves a formatted file as it is, and
 * the two eslint rules the forwarder cannot satisfy without changing what
 * it does (`no-var`: `let` is not hoisted; `prefer-rest-params`: a rest
 * parameter would change `length`), both on in typescript-eslint's
 * recommended config, are disabled on exactly the lines that break them
 * (and no forwarder is typed `Function`, which its `no-unsafe-function-type` refuses).
 * prettier (a devDependency for this) runs as its CLI in a child process:
 * its CommonJS entry imports itself dynamically, which jest's VM refuses.
 * eslint's verdict was checked by hand (see the commit).
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

async function instrumented(text: string, check?: (dir: string) => void): Promise<string> {
  const dir = tempProject({ 'src/shapes.ts': text }, false);
  try {
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
  expect(lines.filter((line) => line.includes('eslint-disable'))).toHaveLength(16);
  // typescript-eslint's recommended no-unsafe-function-type.
  expect(output).not.toMatch(/\bFunction\b/);
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
