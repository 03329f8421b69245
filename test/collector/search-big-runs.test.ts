import { memoryCollector, post } from './collector-client.js';
import { batch, postedRun } from './run-builders.js';

/**
 * Big runs and the search index. Indexing a run is one synchronous step, in which the collector answers nothing: the
 * whole text of one run of 2 M Chinese characters held it still for seconds (a report-only probe: 3.2 s), and one idle
 * step indexed up to 2 000 runs whatever their size. A run's search text is now its first 256 Ki characters (name and
 * error first), and an idle step stops after 4 MiB of stored runs.
 */
type Collector = Awaited<ReturnType<typeof memoryCollector>>;
let collector: Collector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

const names = async (query: string) => (await collector!.traces(query)).map((trace) => trace.name);
const CJK_FILL = '你好世界欢迎使用'.repeat(50_000); // 400 000 characters, a token each

test("a big run is found by its name, its error and the first 256 Ki characters of its text; a word past them is not", async () => {
  collector = await memoryCollector();
  const big = postedRun({
    name: 'summarise-book',
    error: 'ContextOverflow: too long',
    inputs: { opening: 'Zanzibar', body: CJK_FILL, closing: 'Quokka' },
    outputs: { late: 'Wombat' },
  });
  const small = postedRun({ name: 'small', start_time: '2026-01-01T00:00:01Z', inputs: { note: 'Quokka and Wombat' } });
  await post(`${collector.url}/runs/batch`, batch([big, small]));
  expect(await names('?q=summarise')).toEqual(['summarise-book']);
  expect(await names('?q=ContextOverflow')).toEqual(['summarise-book']);
  expect(await names('?q=Zanzibar')).toEqual(['summarise-book']);
  expect(await names(`?q=${encodeURIComponent('欢迎')}`)).toEqual(['summarise-book']);
  // Past the first 256 Ki characters: not indexed (the small run still is).
  expect(await names('?q=Quokka')).toEqual(['small']);
  expect(await names('?q=Wombat')).toEqual(['small']);
});

test('an idle indexing step stops after 4 MiB of stored runs: twelve runs of 1 MiB are indexed over several turns of the event loop, all of them', async () => {
  collector = await memoryCollector();
  const runs = Array.from({ length: 12 }, (_, i) => postedRun({ name: `big-${i}`, start_time: `2026-01-01T00:00:${String(10 + i)}Z`, inputs: { text: `Marker${i} ` + 'x'.repeat(1024 * 1024) } }));
  // The idle indexer reads each stored run (one JSON.parse of ≥ 1 MiB each); the requests' bodies (`{"post":…}`) are
  // the ingestion's. Counted from before the first request: on a loaded machine a request can take longer than the
  // indexer's idle wait, which then begins between two of them (a CI run saw 4 of the 12 indexed before counting began).
  const { parse } = JSON;
  let bigParses = 0;
  JSON.parse = (text: string, reviver?: Parameters<typeof parse>[1]) => {
    if (typeof text === 'string' && text.length >= 1024 * 1024 && !text.startsWith('{"post"')) bigParses++;
    return parse(text, reviver);
  };
  const perTurn: number[] = [];
  try {
    const counting = (async () => {
      const deadline = Date.now() + 20_000;
      let seen = 0;
      while (bigParses < runs.length && Date.now() < deadline) {
        await new Promise((resolve) => setImmediate(resolve));
        if (bigParses > seen) perTurn.push(bigParses - seen);
        seen = bigParses;
      }
    })();
    for (const run of runs) await post(`${collector.url}/runs/batch`, batch([run]));
    await counting;
  } finally {
    JSON.parse = parse;
  }
  expect(perTurn.reduce((a, b) => a + b, 0)).toBe(runs.length);
  expect(Math.max(...perTurn)).toBeLessThanOrEqual(4);
  for (const i of [0, 11]) expect(await names(`?q=Marker${i}`)).toEqual([`big-${i}`]);
});
