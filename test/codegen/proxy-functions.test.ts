import { fixture, read, removeProject, runCli, tempProject } from './codegen-harness';

/**
 * Before forwarders, `--functions` wrote Proxy stand-ins (`function f`
 * unexported, `f$span`, `f$traced`, `export { f$traced as f }`).
 * `functions.proxy-stand-ins.txt` is what it wrote over `functions.input.txt`
 * (main 12aae4a); `--remove` must still give the original back.
 */
test('--remove undoes the Proxy stand-ins an earlier --functions wrote', async () => {
  const dir = tempProject({ 'src/functions.ts': fixture('functions.proxy-stand-ins.txt') }, true);
  try {
    const { code } = await runCli(dir, 'instrument', '--remove', '--write', '--functions');
    expect(code).toBe(0);
    expect(read(dir, 'src/functions.ts')).toBe(fixture('functions.input.txt'));
  } finally {
    removeProject(dir);
  }
});
