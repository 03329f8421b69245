import { ConsoleExporter, continueTrace, getTraceHeaders, TracingClient, traceable, type ExportBatch, type Run } from '../../../index';

/** A client whose console lines are captured; manual mode so each flush is one export. */
function capture(showIO?: boolean) {
  const lines: string[] = [];
  const exporter = new ConsoleExporter({ write: (line) => lines.push(line), ...(showIO === undefined ? {} : { showIO }) });
  return { lines, client: new TracingClient({ exporter, manualFlushMode: true }) };
}

/** Duration figures vary: replace them with a fixed mark. */
const steady = (lines: string[]) => lines.map((line) => line.replace(/\] \d+\.\d{3} ms/, '] # ms'));

test('prints a finished trace as a tree, children indented under parents in call order, with status marks', async () => {
  const { lines, client } = capture();
  const opts = { client };
  const fetchUser = traceable(async function fetchUser(id: number) { return { id }; }, { ...opts, runType: 'retriever' });
  const charge = traceable(async function charge() { throw new Error('card declined\nat the bank'); }, { ...opts, runType: 'tool' });
  const handle = traceable(async function handle() {
    await fetchUser(1);
    await charge().catch(() => undefined);
    return 'done';
  }, opts);
  await handle();
  await client.flush();
  expect(steady(lines)).toEqual([
    '✓ handle [chain] # ms',
    '  ✓ fetchUser [retriever] # ms',
    '  ✗ charge [tool] # ms — Error: card declined',
  ]);
});

test("in a trace continued from another service, each run under the caller's is printed as it ends, with its children, and let go of", async () => {
  const { lines, client } = capture();
  // The caller: another service, whose run never reaches this exporter.
  const upstream = new TracingClient({ exporter: { export: async () => ({ ok: true }) }, manualFlushMode: true });
  const headers = traceable(() => getTraceHeaders(), { name: 'caller', client: upstream })();
  const lookup = traceable(async function lookup() { return 1; }, { client });
  const handler = traceable(async function handler(n: number) { await lookup(); return n; }, { client });
  for (let i = 0; i < 3; i++) await continueTrace(headers, () => handler(i));
  await client.flush();
  expect(steady(lines)).toEqual(['✓ handler [chain] # ms', '  ✓ lookup [chain] # ms', '✓ handler [chain] # ms', '  ✓ lookup [chain] # ms', '✓ handler [chain] # ms', '  ✓ lookup [chain] # ms']);
  // Nothing is held for the caller's run, which never ends here: a second flush prints nothing more, and runs of
  // later requests print alone.
  await continueTrace(headers, () => handler(9));
  await client.flush();
  expect(steady(lines).slice(6)).toEqual(['✓ handler [chain] # ms', '  ✓ lookup [chain] # ms']);
  await upstream.shutdown(); // its run waits for a flush (manual mode): not left queued after this file
});

test('holds the runs of a trace whose root has not ended, and prints them once it does', async () => {
  const { lines, client } = capture();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const step = traceable(function step() { return 1; }, { client });
  const root = traceable(async function root() {
    step();
    await gate;
  }, { client });
  const running = root();
  await client.flush(); // the step's run is exported, the root still open
  expect(lines).toEqual([]);
  release();
  await running;
  await client.flush();
  expect(steady(lines)).toEqual(['✓ root [chain] # ms', '  ✓ step [chain] # ms']);
});

test('showIO adds inputs and outputs under each span; without it they are never printed', async () => {
  for (const showIO of [true, false]) {
    const { lines, client } = capture(showIO);
    traceable(function add(a: number, b: number) { return a + b; }, { client })(2, 3);
    await client.flush();
    expect(steady(lines)).toEqual(
      showIO ? ['✓ add [chain] # ms', '    inputs:  {"args":[2,3]}', '    outputs: {"outputs":5}'] : ['✓ add [chain] # ms'],
    );
  }
});

test('by default writes through console.log', async () => {
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    const client = new TracingClient({ exporter: new ConsoleExporter(), manualFlushMode: true });
    traceable(function hello() { return 1; }, { client })();
    await client.flush();
    expect(log.mock.calls.map(([line]) => String(line).replace(/\d+\.\d{3}/, '#'))).toEqual(['✓ hello [chain] # ms']);
  } finally {
    log.mockRestore();
  }
});

describe('lines of hand-made runs, through export()', () => {
  const ROOT = 'root-id';
  const run = (id: string, dotted: string, fields: Partial<Run> = {}): Run => ({
    id, trace_id: ROOT, dotted_order: dotted, name: id, run_type: 'chain',
    start_time: '2025-01-01T00:00:00.000000Z', end_time: '2025-01-01T00:00:01.234567Z', status: 'success',
    tags: [], extra: { metadata: {} }, events: [], session_name: 'p', ...fields,
  });
  const printed = async (...batches: ExportBatch[]) => {
    const lines: string[] = [];
    const exporter = new ConsoleExporter({ write: (line) => lines.push(line), showIO: true });
    for (const batch of batches) await expect(exporter.export(batch)).resolves.toEqual({ ok: true });
    return lines;
  };

  test('durations to the microsecond, marks for success, error and cancelled, and "?" for a run that never ended', async () => {
    const lines = await printed({
      post: [
        run(ROOT, '20250101T000000000000Zroot', { end_time: '2025-01-01T00:00:02.000001Z', inputs: { q: 1 } }),
        run('a', '20250101T000000000000Zroot.20250101T000000100000Za', { start_time: '2025-01-01T00:00:00.100000Z', end_time: '2025-01-01T00:00:00.100999Z', status: 'error', error: 'Boom' }),
        run('b', '20250101T000000000000Zroot.20250101T000000200000Zb', { status: 'cancelled', end_time: '2025-01-01T00:00:00.000000Z', outputs: { x: [1] } }),
        run('c', '20250101T000000000000Zroot.20250101T000000200000Zb.20250101T000000300000Zc', { end_time: undefined, status: undefined }),
      ],
      patch: [],
    });
    expect(lines).toEqual([
      '✓ root-id [chain] 2000.001 ms',
      '    inputs:  {"q":1}',
      '  ✗ a [chain] 0.999 ms — Boom',
      '  ⊘ b [chain] 0.000 ms',
      '      outputs: {"x":[1]}',
      '    ✓ c [chain] ? ms',
    ]);
  });

  test('runs are ordered by dotted order whatever the order they came in; a patch merges into its post', async () => {
    const child = run('child', '20250101T000000000000Zroot.20250101T000000500000Zchild', { end_time: undefined, status: undefined });
    const earlier = run('earlier', '20250101T000000000000Zroot.20250101T000000100000Zearlier');
    const lines = await printed(
      { post: [child], patch: [] },
      { post: [earlier], patch: [{ ...child, end_time: '2025-01-01T00:00:00.000500Z', status: 'error', error: 'first line\nsecond line' }, run(ROOT, '20250101T000000000000Zroot')] },
    );
    expect(lines.filter((line) => !line.includes('inputs') && !line.includes('outputs'))).toEqual([
      '✓ root-id [chain] 1234.567 ms',
      '  ✓ earlier [chain] 1234.567 ms',
      '  ✗ child [chain] 0.500 ms — first line',
    ]);
  });

  test('a trace is printed once: runs arriving after their root ended start a new, separate tree', async () => {
    const lines: string[] = [];
    const exporter = new ConsoleExporter({ write: (line) => lines.push(line) });
    await exporter.export({ post: [run(ROOT, '20250101T000000000000Zroot')], patch: [] });
    await exporter.export({ post: [run('other-root', '20250101T000000000000Zother', { trace_id: 'other-root' })], patch: [] });
    expect(lines).toEqual(['✓ root-id [chain] 1234.567 ms', '✓ other-root [chain] 1234.567 ms']);
  });
});
