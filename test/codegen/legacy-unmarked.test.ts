import { fixture, read, removeProject, runCli, tempProject } from './codegen-harness';

/**
 * Migrating code instrumented by tracewire 0.1, whose additions carried no
 * mark. `legacy-01.instrumented-by-0.1.txt` is what the 0.1 CLI (commit
 * 879af4b, built and run once) wrote with `--write --functions` over
 * `legacy-01.input.txt`.
 */
describe('--remove --legacy-unmarked (code instrumented by tracewire 0.1)', () => {
  const FILE = 'src/legacy.ts';
  const pristine = fixture('legacy-01.input.txt');
  const byV01 = fixture('legacy-01.instrumented-by-0.1.txt');
  let dir: string;
  beforeEach(() => (dir = tempProject({ [FILE]: byV01, 'src/helper.ts': 'export const helper = (): number => 1;\n' }, true)));
  afterEach(() => removeProject(dir));

  test('a plain --remove leaves unmarked decorators and wrappers alone: they may be hand-written', async () => {
    const { code, stdout } = await runCli(dir, 'instrument', '--remove', '--write', '--functions');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^0 file\(s\) changed/m);
    expect(read(dir, FILE)).toBe(byV01);
  });

  test('its dry run lists every removal by line and writes nothing', async () => {
    const { code, stdout } = await runCli(dir, 'instrument', '--remove', '--legacy-unmarked');
    expect(code).toBe(0);
    expect(stdout.split('\n').filter((line) => line.startsWith('change '))).toEqual([
      'change src/legacy.ts:9 removed @Traceable() from Billing.charge',
      'change src/legacy.ts:14 removed @Traceable() from Billing.invoice',
      "change src/legacy.ts:21 removed 0.1's unmarked traceable(greet)",
      "change src/legacy.ts:27 removed 0.1's unmarked traceable(main)",
    ]);
    expect(read(dir, FILE)).toBe(byV01);
  });

  test('with --write it restores the source 0.1 started from, byte for byte (hand-written decorators with options stay), and instrument then marks what it adds', async () => {
    expect((await runCli(dir, 'instrument', '--remove', '--legacy-unmarked', '--write')).code).toBe(0);
    expect(read(dir, FILE)).toBe(pristine);
    expect((await runCli(dir, 'instrument', '--write', '--functions')).code).toBe(0);
    expect(read(dir, FILE)).toContain('@Traceable(/* tracewire:auto */)\n  charge(');
    expect((await runCli(dir, 'instrument', '--remove', '--write', '--functions')).code).toBe(0);
    expect(read(dir, FILE)).toBe(pristine);
  });

  test('--legacy-unmarked without --remove is a usage error', async () => {
    const { code, stderr } = await runCli(dir, 'instrument', '--legacy-unmarked');
    expect(code).toBe(2);
    expect(stderr).toContain('--legacy-unmarked goes with --remove');
  });
});
