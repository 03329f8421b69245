import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { memoryCollector, post } from './collector-client.js';
import { batch, postedRun } from './run-builders.js';
import { launchChromium } from './viewer-browser.js';

/**
 * The viewer in headless Chromium (Debian's, never a downloaded one):
 * list → trace → waterfall → span panel, and a hostile span name that must
 * stay text. `UPDATE_SCREENSHOTS=1` also saves docs/viewer-list.png and
 * docs/viewer-trace.png.
 */
const XSS = '<img src=x onerror=alert(1)>';
const DOCS = join(__dirname, '..', '..', 'docs');

/**
 * Deadlines for a loaded machine: under `nice` beside CPU-bound work this
 * process (the collector is in it) may get a few percent of a core, and one
 * page visit then takes tens of seconds. Generous deadlines, for every page
 * action too (Playwright's default is 30 s), cost nothing when all is well.
 */
const PAGE_TIMEOUT_MILLIS = 120_000;
jest.setTimeout(240_000);

type Collector = Awaited<ReturnType<typeof memoryCollector>>;
let collector: Collector;
let browser: Browser;
let page: Page;
const dialogs: string[] = [];

/** A request-handling trace with a realistic tree and times, and a few older traces around it. */
async function seed(): Promise<string> {
  const base = Date.now() - 60_000;
  const at = (ms: number) => new Date(base + ms).toISOString();
  const root = postedRun({ name: 'handle-request', run_type: 'chain', start_time: at(0), end_time: at(120), inputs: { path: '/orders', method: 'POST' }, outputs: { status: 201 }, tags: ['http'], extra: { metadata: { region: 'eu-west-1', coldStart: false } } });
  const child = (name: string, from: number, to: number, more: Record<string, unknown> = {}, parent = root.id) =>
    postedRun({ name, trace_id: root.id, parent_run_id: parent, start_time: at(from), end_time: at(to), ...more });
  const place = child('place-order', 12, 110, { inputs: { order: { id: 'o-42', sku: 'apple', quantity: 2 } }, outputs: { receipt: 'rcpt-o-42' } });
  const runs = [
    root,
    child('authenticate', 2, 10, { run_type: 'tool', inputs: { user: 'ada' }, outputs: { ok: true } }),
    place,
    child('reserve-stock', 15, 40, { run_type: 'tool', tags: ['inventory'], inputs: { sku: 'apple', quantity: 2 }, outputs: { reserved: true } }, place.id),
    child('charge-card', 42, 100, { run_type: 'tool', tags: ['payments'], inputs: { amountCents: 250 }, error: 'Error: card declined\n    at charge (payments.ts:12:11)' }, place.id),
    child('summarise', 101, 108, { run_type: 'llm', inputs: { prompt: 'Summarise order o-42' }, outputs: { text: 'Two apples, card declined.' } }, place.id),
    child(XSS, 111, 118, { inputs: { html: '<script>alert(2)</script>' }, outputs: { note: '<b>bold?</b>' } }),
  ];
  const others = [
    postedRun({ name: 'nightly-report', start_time: at(-3_000_000), end_time: at(-2_990_000), tags: ['cron'] }),
    postedRun({ name: 'handle-request', start_time: at(-600_000), end_time: at(-599_950), tags: ['http'] }),
    postedRun({ name: 'sync-inventory', start_time: at(-120_000) }),
  ];
  expect((await post(`${collector.url}/runs/batch`, batch([...runs, ...others]))).status).toBe(202);
  return root.id;
}

beforeAll(async () => {
  collector = await memoryCollector();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.setDefaultTimeout(PAGE_TIMEOUT_MILLIS);
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
});

afterAll(async () => {
  await browser?.close();
  await collector?.close();
});

test('the list shows traces newest first; a trace opens as a waterfall; a clicked span shows its inputs; a hostile name stays text', async () => {
  const traceId = await seed();
  await page.goto(collector.url);
  const rows = page.locator('#trace-rows tr');
  await rows.first().waitFor();
  expect(await page.locator('#trace-rows td.name').allTextContents()).toEqual(['handle-request', 'sync-inventory', 'handle-request', 'nightly-report']);
  expect(await rows.first().locator('.status').textContent()).toBe('error');

  // Filters narrow the list through the API.
  await page.fill('input[name="tag"]', 'cron');
  await page.waitForFunction(() => document.querySelectorAll('#trace-rows tr').length === 1);
  expect(await page.locator('#trace-rows td.name').allTextContents()).toEqual(['nightly-report']);
  await page.fill('input[name="tag"]', '');
  await page.waitForFunction(() => document.querySelectorAll('#trace-rows tr').length === 4);
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    mkdirSync(DOCS, { recursive: true });
    await page.screenshot({ path: join(DOCS, 'viewer-list.png') });
  }

  await page.locator(`#trace-rows tr[data-trace-id="${traceId}"]`).click();
  const spanRows = page.locator('.span-row');
  await spanRows.first().waitFor();
  expect(await page.locator('.span-row .span-name').allTextContents()).toEqual(['handle-request', 'authenticate', 'place-order', 'reserve-stock', 'charge-card', 'summarise', XSS]);
  // Durations to scale: place-order (98 ms) is wider than authenticate (8 ms), and starts later.
  const box = async (name: string) => page.locator('.span-row', { has: page.locator('.span-name', { hasText: name }) }).first().locator('.bar').boundingBox();
  const [auth, place, root] = [await box('authenticate'), await box('place-order'), await box('handle-request')];
  expect(place!.width / auth!.width).toBeGreaterThan(8);
  expect(place!.x).toBeGreaterThan(auth!.x + auth!.width);
  expect(root!.width).toBeGreaterThan(place!.width);

  await page.locator('.span-row', { has: page.locator('.span-name', { hasText: 'place-order' }) }).click();
  await page.locator('#span-panel [data-section="inputs"]').waitFor();
  expect(JSON.parse((await page.locator('#span-panel [data-section="inputs"]').textContent())!)).toEqual({ order: { id: 'o-42', sku: 'apple', quantity: 2 } });
  expect(await page.locator('#span-panel .span-title').textContent()).toBe('place-order');

  await page.locator('.span-row', { has: page.locator('.span-name', { hasText: 'charge-card' }) }).click();
  expect(await page.locator('#span-panel [data-section="error"]').textContent()).toContain('Error: card declined');
  if (process.env.UPDATE_SCREENSHOTS === '1') await page.screenshot({ path: join(DOCS, 'viewer-trace.png') });

  // The hostile span: its name, inputs and outputs are text; no image element, no dialog.
  await page.locator('.span-row', { has: page.locator('.span-name', { hasText: XSS }) }).click();
  await page.locator('#span-panel .span-title', { hasText: XSS }).waitFor();
  expect(await page.locator('#span-panel .span-title').textContent()).toBe(XSS);
  expect(await page.locator('#span-panel [data-section="inputs"]').textContent()).toContain('<script>alert(2)</script>');
  await expect(page.getByText(XSS).first().isVisible()).resolves.toBe(true);
  expect(await page.locator('img').count()).toBe(0);
  await page.waitForTimeout(300);
  expect(dialogs).toEqual([]);
});

test("an OpenTelemetry SDK's span under a tracewire span (its parent named by span id alone) hangs under it, not flagged an orphan", async () => {
  // A tracewire run (its UUIDv7 ends in its OpenTelemetry span id) and an OpenTelemetry SDK's span under it, in one W3C trace.
  const start = Date.now() - 30_000;
  const handler = postedRun({ id: '0193a0b0-1111-7222-8333-444455556666', trace_id: '0193a0b0-1111-7222-8333-444455556666', name: 'tw-handler', start_time: new Date(start).toISOString(), end_time: new Date(start + 50).toISOString() });
  expect((await post(`${collector.url}/runs/batch`, batch([handler]))).status).toBe(202);
  const nanos = (ms: number) => `${BigInt(start + ms) * 1_000_000n}`;
  const otelSpan = {
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'b' } }] }, scopeSpans: [{ spans: [{
      traceId: '0193a0b0111172228333444455556666', spanId: 'aaaabbbbccccdddd', parentSpanId: '8333444455556666', name: 'GET /inventory', kind: 3, startTimeUnixNano: nanos(5), endTimeUnixNano: nanos(40),
    }] }] }],
  };
  expect((await post(`${collector.url}/v1/traces`, JSON.stringify(otelSpan), { 'content-type': 'application/json' })).status).toBe(200);
  await page.goto(`${collector.url}/#/trace/${handler.id}`);
  await page.locator('.span-name', { hasText: /^GET \/inventory$/ }).waitFor();
  // Name, flag, indentation (12 px a level).
  const rows = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('.span-row')].map((row) => `${row.querySelector('.span-name')!.textContent}:${row.querySelector('.flag')?.textContent ?? ''}:${row.querySelector<HTMLElement>('.span-label')!.style.paddingLeft}`));
  expect(rows).toEqual(['tw-handler::0px', 'GET /inventory::12px']);
  expect(await page.locator('#trace-loaded .flag-note').count()).toBe(0);
});

test('live refresh: a trace that arrives while the list is open appears without a reload', async () => {
  await page.goto(`${collector.url}/#/`);
  await page.locator('#trace-rows tr').first().waitFor();
  await post(`${collector.url}/runs/batch`, batch([postedRun({ name: 'arrived-later', start_time: new Date().toISOString() })]));
  await page.locator('#trace-rows td.name', { hasText: 'arrived-later' }).waitFor();
  expect(await page.locator('#trace-rows td.name').first().textContent()).toBe('arrived-later');
});

test("times read one way on every page: the browser's zone, named (the list's start, the stats axis; the axis was UTC, the list local without a zone)", async () => {
  const context = await browser.newContext({ timezoneId: 'Asia/Kolkata', locale: 'en-GB', viewport: { width: 1280, height: 720 } });
  try {
    const kolkata = await context.newPage();
    kolkata.setDefaultTimeout(PAGE_TIMEOUT_MILLIS);
    // A minute whose UTC and Kolkata times differ in their hour and minute (UTC+5:30).
    const started = new Date(Date.now() - 30_000);
    started.setUTCSeconds(0, 0);
    await post(`${collector.url}/runs/batch`, batch([postedRun({ name: 'zoned', start_time: started.toISOString(), end_time: new Date(started.getTime() + 10).toISOString() })]));
    const kolkataTime = new Date(started.getTime() + 330 * 60_000); // UTC+5:30, as UTC fields
    const local = `0?${kolkataTime.getUTCHours()}:${String(kolkataTime.getUTCMinutes()).padStart(2, '0')}`;
    await kolkata.goto(`${collector.url}/#/`);
    const row = kolkata.locator('#trace-rows tr', { hasText: 'zoned' });
    await row.waitFor();
    expect(await row.locator('td').nth(2).textContent()).toMatch(new RegExp(`\\b${local}:\\d\\d GMT\\+5:30$`));
    await kolkata.goto(`${collector.url}/#/stats`);
    // The timeline: the chart with the spans-per-minute bars; its second label is its last minute.
    const axis = kolkata.locator('svg.chart', { has: kolkata.locator('rect.tp-bar') }).locator('text.axis-label').nth(1);
    await axis.waitFor();
    expect(await axis.textContent()).toMatch(/^\d\d:\d\d GMT\+5:30$/);
  } finally {
    await context.close();
  }
});

test('the stats charts are to scale: latency buckets and minutes without spans between two that have some are gaps, not drawn away', async () => {
  const own = await memoryCollector();
  try {
    // Spans of 1 ms and of 1 s (no bucket between them has one), in two minutes 30 minutes apart (none between).
    const minute = new Date(Date.now() - 40 * 60_000);
    minute.setUTCSeconds(0, 0);
    const at = (ms: number) => new Date(minute.getTime() + ms).toISOString();
    const later = 30 * 60_000;
    const runs = [postedRun({ name: 'fast', start_time: at(0), end_time: at(1) }), postedRun({ name: 'slow', start_time: at(later), end_time: at(later + 1_000) })];
    expect((await post(`${own.url}/runs/batch`, batch(runs))).status).toBe(202);
    await page.goto(`${own.url}/#/stats`);
    const boxes = async (bar: string) => {
      const rects = page.locator(`rect.${bar}`);
      await rects.nth(1).waitFor();
      return Promise.all([rects.nth(0).boundingBox(), rects.nth(1).boundingBox()]);
    };
    // Buckets are 8 per doubling: 1 ms and 1 s are ≈ 80 apart; minutes 30 apart. Drawn side by side, each gap would be one bar.
    const [fast, slow] = await boxes('hist-bar');
    expect((slow!.x - fast!.x) / (fast!.width + 1)).toBeGreaterThan(60);
    const [first, last] = await boxes('tp-bar');
    expect((last!.x - first!.x) / (first!.width + 1)).toBeGreaterThan(25);
    expect((last!.x - first!.x) / (first!.width + 1)).toBeLessThan(35);
    // The scale's label: the tallest bar's value (one span in each).
    expect(await page.locator('#histogram text.axis-label').nth(2).textContent()).toBe('max 1 spans');
    expect(await page.locator('#timeline text.axis-label').nth(2).textContent()).toBe('max 1 spans/min · red: error rate');
  } finally {
    await own.close();
  }
});
