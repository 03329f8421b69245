/**
 * Vercel, for real: `@vercel/node`'s own dev server (what `vercel dev` runs),
 * which installs Vercel's request context and its waitUntil the way
 * @vercel/node does, and runs an Edge Function in Vercel's edge runtime (npm
 * `edge-runtime`) after bundling it with esbuild under `edge-light`. The
 * functions and the driving are bench/vercel-dev.js's
 * (bench/support/vercel-dev-server.js), here at a smaller scale: 12 requests
 * 4 at a time, each making 2 spans, against a loopback LangSmith sink that
 * answers every ingest request 100 ms late; then the dev server shuts down as
 * `vercel dev` does (it awaits every waitUntil promise, then exits).
 * Two Edge Functions trace work that ends after their handler returned, the
 * last of it once the handler's own flush has been answered: nothing but that
 * request can deliver it (no background sender on an edge runtime, nothing
 * sent at the dev server's exit), and the dev server waits only for what was
 * handed to its waitUntil.
 *
 * Needs the built package and the compiled examples (`npm test` makes both).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What bench/support/vercel-dev-server.js's runFunction reports of one function. */
interface FunctionRun {
  readonly route: string;
  readonly wrong: number;
  readonly beforeDelivery: number;
  readonly sent: number;
  readonly arrived: number;
  readonly answeredByExit: number;
  readonly duplicated: number;
  readonly exit: number | null;
}
interface DevServerHarness {
  makeProject(dir: string): string;
  runFunction(project: string, name: string, options: { requests: number; concurrency: number; sinkDelayMillis: number }): Promise<FunctionRun>;
}
const harness = require('../../bench/support/vercel-dev-server.js') as DevServerHarness;

const REQUESTS = 12;
const SPANS = 2 * REQUESTS;
const run = (name: string): Promise<FunctionRun> => harness.runFunction(project, name, { requests: REQUESTS, concurrency: 4, sinkDelayMillis: 100 });

let dir: string;
let project: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tw-vercel-test-'));
  project = harness.makeProject(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every answer right, the dev server exited cleanly, every span arrived, once. */
const delivered = (result: FunctionRun) => ({ wrong: result.wrong, exit: result.exit, arrived: result.arrived, duplicated: result.duplicated });
const ALL_DELIVERED = { wrong: 0, exit: 0, arrived: SPANS, duplicated: 0 };

test.each([
  ['hello', "the example: @vercel/functions' waitUntil"],
  ['auto', "waitUntil: 'auto' (Vercel's request context)"],
  ['edge', "an Edge Function, OTLP through fetch, waitUntil: 'auto'"],
  ['edge-env', 'an Edge Function set up by the environment alone (LangSmith through fetch)'],
])('api/%s.js (%s) answers before its spans are delivered, and every span arrives once by the dev server’s exit', async (name) => {
  const result = await run(name);
  expect(delivered(result)).toEqual(ALL_DELIVERED);
  // Some response came back while its own spans were still unanswered by the sink: the flush went to waitUntil.
  expect(result.beforeDelivery).toBeGreaterThan(0);
});

test('api/await.js (@FlushOnExit without waitUntil) answers only once its spans are delivered', async () => {
  const result = await run('await');
  expect(delivered(result)).toEqual(ALL_DELIVERED);
  expect(result.beforeDelivery).toBe(0);
});

describe('an Edge Function (waitUntil: \'auto\') whose traced work ends after it returned', () => {
  test.each([
    ['edge-stream', 'in the body its streamed Response writes as the client reads it (3 traced parts)', 4],
    ['edge-later', "in a task it handed to Vercel's waitUntil (@vercel/functions)", 2],
  ])('api/%s.js (%s): every span arrives once, each export answered before the dev server exits (handed to waitUntil)', async (name, _what, spansPerRequest) => {
    const result = await run(name);
    const spans = spansPerRequest * REQUESTS;
    expect(delivered(result)).toEqual({ ...ALL_DELIVERED, arrived: spans });
    // The dev server exits once its waitUntil promises settle: an export it did not wait for is answered after, if sent.
    expect(result.answeredByExit).toBe(spans);
  });
});
