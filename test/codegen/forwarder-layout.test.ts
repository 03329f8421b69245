import { node, read, removeProject, runCli, tempProject } from './codegen-harness';

/**
 * prettier (3, default options but the indentation) leaves the forwarders
 * `--functions` writes as they are, whatever the length of the name (which
 * decides where prettier breaks the call and the `var`): names of 1 to 40
 * characters, each kind of function, indented with two spaces, four or
 * tabs, LF and CRLF; and in a module whose `Reflect` is its own, where the
 * forwarder is written in the `.apply` form. Each file is formatted by
 * prettier first, so only what tracewire adds can make `--check` fail.
 */
const KINDS = [
  { keyword: 'function', returns: 'number', body: 'return a;' },
  { keyword: 'async function', returns: 'Promise<number>', body: 'return a;' },
  { keyword: 'function*', returns: 'Generator<number>', body: 'yield a;' },
  { keyword: 'async function*', returns: 'AsyncGenerator<number>', body: 'yield a;' },
];

/**
 * Left out: a header of 81 or 82 columns, which prettier breaks and whose implementation (`export ` gone, `$impl` added)
 * then fits in 80: prettier would join its parameters again. A known gap: the implementation keeps the user's bytes.
 */
const SAMPLES = Array.from({ length: 40 }, (_, i) => i + 1).flatMap((length) =>
  KINDS.map(({ keyword, returns, body }, k) => ({ header: `export ${keyword} ${'abcd'[k]}${'x'.repeat(length - 1)}(a: number): ${returns} {`, body })),
).filter(({ header }) => header.length !== 81 && header.length !== 82);

function source(shadowed: boolean): string {
  const imports = ['import { helper } from "./helper";', ...(shadowed ? ['import { Reflect } from "./reflect";'] : [])];
  return [...imports, '', ...SAMPLES.map(({ header, body }) => `${header} helper(); ${body} }\n`)].join('\n');
}

const INDENTS = [
  { indent: 'two spaces', options: [] },
  { indent: 'four spaces', options: ['--tab-width', '4'] },
  { indent: 'tabs', options: ['--use-tabs'] },
];

describe.each([
  { eol: 'LF', endOfLine: 'lf' },
  { eol: 'CRLF', endOfLine: 'crlf' },
])('forwarders of names 1 to 40 characters long ($eol)', ({ endOfLine }) => {
  test.each(INDENTS)('are left as they are by prettier, indented with $indent', async ({ options }) => {
    const prettier = require.resolve('prettier/bin/prettier.cjs');
    const dir = tempProject({ 'src/global.ts': source(false), 'src/shadowed.ts': source(true) }, false);
    try {
      const files = ['src/global.ts', 'src/shadowed.ts'];
      node(dir, prettier, '--write', '--end-of-line', endOfLine, ...options, ...files);
      const { code, stderr } = await runCli(dir, 'instrument', '--write', '--functions');
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(read(dir, 'src/global.ts').match(/Reflect\.apply\(/g)).toHaveLength(SAMPLES.length);
      expect(read(dir, 'src/shadowed.ts').match(/\.apply\(this, arguments\)/g)).toHaveLength(SAMPLES.length);
      // Exit 1, and the files named, when prettier would change one: node() throws with what it printed.
      node(dir, prettier, '--check', '--end-of-line', endOfLine, ...options, ...files);
    } finally {
      removeProject(dir);
    }
  });
});
