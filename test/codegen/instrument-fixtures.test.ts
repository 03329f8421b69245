import { expectFixture, fixture, read, removeProject, runCli, tempProject } from './codegen-harness';

/**
 * Fixture pairs under test/fixtures/codegen/cases: `<case>.input.txt` is
 * instrumented as src/<case>.ts of a project in the given decorator mode and
 * must come out as `<case>.output.txt`, byte for byte. Every case is also run
 * a second time (nothing more changes) and then with --remove (the input
 * comes back).
 */
const cases: Array<{ name: string; legacy: boolean; flags: string[]; why: string }> = [
  { name: 'methods', legacy: true, flags: [], why: 'methods are decorated; constructors, accessors, overload signatures, abstract, declare class, @notrace, #private and class expressions (legacy) are skipped' },
  { name: 'methods-tc39', legacy: false, flags: [], why: 'under TC39 decorators #private methods and class expressions are decorated, and an aliased import is honoured' },
  { name: 'merge-import', legacy: true, flags: [], why: "Traceable joins an existing import from 'tracewire', keeping its double quotes" },
  { name: 'functions', legacy: true, flags: ['--functions'], why: 'exported function declarations are wrapped, hoisting kept; overloads once; default export; consts and declare skipped' },
  { name: 'notrace-file', legacy: true, flags: [], why: 'a file opted out with @notrace-file is left alone' },
  { name: 'clash', legacy: true, flags: [], why: 'a file declaring its own Traceable is skipped rather than shadowed' },
];

describe.each(cases)('instrument fixture $name', ({ name, legacy, flags, why }) => {
  let dir: string;
  const input = fixture(`${name}.input.txt`);
  beforeEach(() => (dir = tempProject({ [`src/${name}.ts`]: input }, legacy)));
  afterEach(() => removeProject(dir));

  test(`produces the expected file: ${why}`, async () => {
    const { code, stderr } = await runCli(dir, 'instrument', '--write', ...flags);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expectFixture(`${name}.output.txt`, read(dir, `src/${name}.ts`));
  });

  test('running it a second time changes nothing', async () => {
    await runCli(dir, 'instrument', '--write', ...flags);
    const once = read(dir, `src/${name}.ts`);
    const again = await runCli(dir, 'instrument', '--check', ...flags);
    expect(again.code).toBe(0);
    expect(read(dir, `src/${name}.ts`)).toBe(once);
  });

  test('--remove restores the original text exactly', async () => {
    await runCli(dir, 'instrument', '--write', ...flags);
    const removed = await runCli(dir, 'instrument', '--remove', '--write', ...flags);
    expect(removed.code).toBe(0);
    expect(read(dir, `src/${name}.ts`)).toBe(input);
  });
});
