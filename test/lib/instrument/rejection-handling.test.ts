import { execFile } from 'node:child_process';
import { BUILT_ENTRY } from '../../helpers/built-entry';

/**
 * A traced call's rejection is unhandled exactly when the untraced call's
 * would be, as far as can be known: an `async` function's promise is new, so
 * only its caller can handle it (and the caller holds the traced promise);
 * any other function's may already be held and handled elsewhere (a memoized
 * load with its own `catch`), and tracing must never turn that into an
 * unhandled rejection, which ends a Node process. Each case runs in a child
 * process (Node's own unhandled-rejection handling, as in production), with
 * tracing and without.
 */
interface Ended {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `body` in a fresh Node process, `traced` wrapping a function with `traceable` (or leaving it as it is). */
const runChild = (traced: boolean, body: string): Promise<Ended> => {
  const script = `const tw = require(${JSON.stringify(BUILT_ENTRY)});
const exporter = new tw.MemoryExporter();
const client = new tw.TracingClient({ exporter, logger: { warn() {} } });
tw.setGlobalTracingClient(client);
const traced = ${traced} ? tw.traceable : (fn) => fn;
const later = (then) => setTimeout(then, 100);
${body}`;
  return new Promise((resolve) => {
    execFile(process.execPath, ['-e', script], { timeout: 20_000 }, (error, stdout, stderr) => resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? null), stdout, stderr }));
  });
};

/** Not `async`: hands out one promise, whose failure it handles itself (logs it); the caller fires and forgets it. */
const MEMOIZED_LOAD = `
class Config {
  load() {
    if (this.loading === undefined) {
      this.loading = Promise.reject(new Error('backend down'));
      this.loading.catch((error) => console.log('handled: ' + error.message));
    }
    return this.loading;
  }
}
Config.prototype.load = traced(Config.prototype.load);
new Config().load();
later(() => client.awaitPendingTraceBatches().then(() => console.log('runs: ' + JSON.stringify(exporter.finishedRuns.map((run) => run.error?.split('\\n')[0] ?? 'ok')))));
`;

test.each([false, true])('a promise the function already handles, fired and forgotten, leaves the process running (traced: %s); the run records the error', async (traced) => {
  const { code, stdout, stderr } = await runChild(traced, MEMOIZED_LOAD);
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  expect(stdout).toContain('handled: backend down');
  expect(stdout).toContain(traced ? 'runs: ["Error: backend down"]' : 'runs: []');
});

test.each([false, true])("an async function's rejection its caller leaves unhandled still ends the process, with Node's own report (traced: %s)", async (traced) => {
  const { code, stderr } = await runChild(traced, `traced(async function fail() { throw new Error('no handler'); })();\nlater(() => console.log('still running'));`);
  expect(code).toBe(1);
  expect(stderr).toContain('Error: no handler');
});

test('awaited, such a promise still rejects with the very same error', async () => {
  const { code, stdout } = await runChild(true, `${MEMOIZED_LOAD}
const config = new Config();
Promise.all([config.load().catch((e) => e), config.load().catch((e) => e)]).then(([a, b]) => console.log('same: ' + (a === b)));`);
  expect(code).toBe(0);
  expect(stdout).toContain('same: true');
});
