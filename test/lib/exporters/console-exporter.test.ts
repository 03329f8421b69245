import { ConsoleExporter, TracingClient, traceable } from '../../../index';

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
