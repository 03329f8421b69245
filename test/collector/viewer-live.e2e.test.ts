import type { Browser, Page, Request } from 'playwright-core';
import { memoryCollector, post } from './collector-client.js';
import { batch, postedRun } from './run-builders.js';
import { launchChromium } from './viewer-browser.js';

/**
 * The viewer while traces change and the user reads, types and moves with
 * the keyboard, in Debian's headless Chromium: what the 2 s polling must not
 * do (download an unchanged trace again, rebuild the open span's panel, drop
 * the keyboard focus, show a late answer for an earlier keystroke), what the
 * keyboard can do on the trace page, the list's empty states and paging, a
 * long name, and the live indicator while the collector is down.
 */

/** Deadlines for a loaded machine (see viewer.e2e.test.ts); a wait for something that must happen within a poll or two has its own, shorter one. */
const PAGE_TIMEOUT_MILLIS = 120_000;
const FEW_POLLS_MILLIS = 15_000;
jest.setTimeout(240_000);

type Collector = Awaited<ReturnType<typeof memoryCollector>>;
let collector: Collector;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  collector = await memoryCollector();
  browser = await launchChromium();
});

beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.setDefaultTimeout(PAGE_TIMEOUT_MILLIS);
});

afterEach(async () => {
  await page?.close();
});

afterAll(async () => {
  await browser?.close();
  await collector?.close();
});

const minutesAgo = (minutes: number, plusMillis = 0) => new Date(Date.now() - minutes * 60_000 + plusMillis).toISOString();

/** A trace whose root never ended (its process died), with `children` finished steps. */
async function crashedTrace(children: number, rootInputs: Record<string, unknown> = { task: 'x' }): Promise<{ root: ReturnType<typeof postedRun>; steps: Array<ReturnType<typeof postedRun>> }> {
  const root = postedRun({ name: 'crashed-agent', start_time: minutesAgo(1), inputs: rootInputs });
  const steps = Array.from({ length: children }, (_, i) => postedRun({ name: `step-${i}`, run_type: 'tool', trace_id: root.id, parent_run_id: root.id, start_time: minutesAgo(1, 10 + i), end_time: minutesAgo(1, 15 + i), inputs: { i } }));
  expect((await post(`${collector.url}/runs/batch`, batch([root, ...steps]))).status).toBe(202);
  return { root, steps };
}

/** Whether a request is the viewer's poll of a trace (`?limit=0`, no offset) or a load of its spans from the first (`offset=0`). */
const traceRequest = (traceId: string, request: Request) => {
  const url = new URL(request.url());
  if (url.pathname !== `/api/traces/${traceId}`) return null;
  return url.searchParams.get('offset') === '0' ? 'load' : url.searchParams.get('limit') === '0' ? 'poll' : null;
};

/** Waits until `count` polls of the trace have been answered (and the page had a moment to act on them). */
async function polls(traceId: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const request = await page.waitForRequest((r) => traceRequest(traceId, r) === 'poll', { timeout: FEW_POLLS_MILLIS });
    await (await request.response())!.finished();
  }
  await page.waitForTimeout(300);
}

test('a trace that never finished is not downloaded again while it does not change; a change reloads it once', async () => {
  const { root } = await crashedTrace(30);
  const loads: string[] = [];
  page.on('request', (request) => {
    if (traceRequest(root.id, request) === 'load') loads.push(request.url());
  });
  await page.goto(`${collector.url}/#/trace/${root.id}`);
  await page.locator('.span-row').first().waitFor();
  expect(loads).toHaveLength(1);
  await polls(root.id, 2);
  expect(loads).toHaveLength(1);

  // A new step is a change: the next poll reloads the trace, and shows it (a patch changes the revision too: trace-api.test.ts).
  await post(`${collector.url}/runs/batch`, batch([postedRun({ name: 'late-step', trace_id: root.id, parent_run_id: root.id, start_time: minutesAgo(1, 50), end_time: minutesAgo(1, 60) })]));
  await page.locator('.span-name', { hasText: 'late-step' }).waitFor({ timeout: FEW_POLLS_MILLIS });
  expect(loads).toHaveLength(2);
  await polls(root.id, 1);
  expect(loads).toHaveLength(2);
});

test('a poll of an open trace downloads its head (revision, total), not a span: a span may be megabytes of inputs', async () => {
  const { root } = await crashedTrace(3, { prompt: 'a long prompt '.repeat(20_000) });
  await page.goto(`${collector.url}/#/trace/${root.id}`);
  await page.locator('.span-row').first().waitFor();
  const request = await page.waitForRequest((r) => traceRequest(root.id, r) === 'poll', { timeout: FEW_POLLS_MILLIS });
  const body = await (await request.response())!.body();
  expect(body.length).toBeLessThan(1_000);
  expect(JSON.parse(body.toString())).toMatchObject({ total: 4, spans: [], next_offset: null });
});

test("while a trace runs, the open span's panel keeps its scroll position and text selection; a change to that span shows", async () => {
  const long = Array.from({ length: 300 }, (_, i) => `line ${i} of a long prompt`).join('\n');
  const { root } = await crashedTrace(3, { prompt: long });
  await page.goto(`${collector.url}/#/trace/${root.id}`);
  await page.locator('.span-row', { has: page.locator('.span-name', { hasText: 'crashed-agent' }) }).click();
  const inputs = page.locator('#span-panel [data-section="inputs"]');
  await inputs.waitFor();
  await inputs.evaluate((pre) => {
    pre.scrollTop = 500;
    const range = document.createRange();
    range.setStart(pre.firstChild!, 100);
    range.setEnd(pre.firstChild!, 200);
    getSelection()!.removeAllRanges();
    getSelection()!.addRange(range);
    (window as unknown as { shownInputs: Element }).shownInputs = pre;
  });
  // The trace changes (a new step), and is reloaded; the root did not change.
  await post(`${collector.url}/runs/batch`, batch([postedRun({ name: 'new-step', trace_id: root.id, parent_run_id: root.id, start_time: minutesAgo(1, 40) })]));
  await page.locator('.span-name', { hasText: 'new-step' }).waitFor({ timeout: FEW_POLLS_MILLIS });
  await polls(root.id, 1);
  expect(await inputs.evaluate((pre) => pre === (window as unknown as { shownInputs: Element }).shownInputs)).toBe(true);
  expect(await inputs.evaluate((pre) => pre.scrollTop)).toBe(500);
  expect(await page.evaluate(() => String(getSelection()).length)).toBe(100);

  // The open span itself changes: the panel shows its new outputs.
  await post(`${collector.url}/runs/batch`, batch([], [{ id: root.id, outputs: { answer: 'forty-two' } }]));
  await page.locator('#span-panel [data-section="outputs"]', { hasText: 'forty-two' }).waitFor({ timeout: FEW_POLLS_MILLIS });
});

test('span rows are reached with Tab, moved through with the arrow keys, Home and End (past the rows drawn), and opened with Enter or Space', async () => {
  // Still running: every poll redraws the rows (the running bars grow), which must not drop the focus.
  const root = postedRun({ name: 'keyboard-root', start_time: minutesAgo(2) });
  const steps = Array.from({ length: 150 }, (_, i) => postedRun({ name: `key-step-${i}`, trace_id: root.id, parent_run_id: root.id, start_time: minutesAgo(2, 10 + i), end_time: minutesAgo(2, 20 + i), inputs: { step: i } }));
  expect((await post(`${collector.url}/runs/batch`, batch([root, ...steps]))).status).toBe(202);
  await page.goto(`${collector.url}/#/trace/${root.id}`);
  await page.locator('.span-row').first().waitFor();
  expect(await page.locator('.span-row[tabindex="0"]').count()).toBe(1);
  expect(await page.locator('.span-row').first().getAttribute('role')).toBe('treeitem');
  const focused = () => page.evaluate(() => {
    const row = document.activeElement!.closest('.span-row') as HTMLElement | null;
    return row === null ? `not a row: ${document.activeElement!.tagName}` : row.querySelector('.span-name')!.textContent;
  });
  const panelTitle = () => page.locator('#span-panel .span-title').textContent();

  await page.focus('#export-trace');
  await page.keyboard.press('Tab');
  expect(await focused()).toBe('keyboard-root');
  // Focus is visible.
  expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).toBe('solid');
  await page.keyboard.press('ArrowDown');
  expect(await focused()).toBe('key-step-0');
  await page.keyboard.press('Enter');
  await page.locator('#span-panel .span-title', { hasText: 'key-step-0' }).waitFor();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Space');
  expect(await panelTitle()).toBe('key-step-1');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  expect(await focused()).toBe('keyboard-root');

  // The last row is not drawn (the waterfall is virtualised): End scrolls to it and draws it.
  expect(await page.locator('.span-name', { hasText: /^key-step-149$/ }).count()).toBe(0);
  await page.keyboard.press('End');
  expect(await focused()).toBe('key-step-149');
  await page.keyboard.press('Enter');
  expect(JSON.parse((await page.locator('#span-panel [data-section="inputs"]').textContent())!)).toEqual({ step: 149 });
  // A poll redraws the rows: focus stays on the row.
  await polls(root.id, 1);
  expect(await focused()).toBe('key-step-149');
  await page.keyboard.press('Home');
  expect(await focused()).toBe('keyboard-root');
  expect(await page.locator('.span-row[tabindex="0"]').count()).toBe(1);
});

test("the list's refresh keeps the keyboard focus on the same trace's link", async () => {
  for (let i = 0; i < 3; i++) await post(`${collector.url}/runs/batch`, batch([postedRun({ name: `focus-${i}`, start_time: minutesAgo(30 + i), end_time: minutesAgo(30 + i) })]));
  await page.goto(`${collector.url}/#/`);
  const link = page.locator('#trace-rows td.name a', { hasText: 'focus-1' });
  await link.focus();
  const traceId = await link.evaluate((a) => {
    (window as unknown as { focusedRow: Element }).focusedRow = a.closest('tr')!;
    return (a.closest('tr') as HTMLElement).dataset.traceId;
  });
  // The next refresh replaces the rows.
  await page.waitForFunction(() => !(window as unknown as { focusedRow: Element }).focusedRow.isConnected, undefined, { timeout: FEW_POLLS_MILLIS });
  expect(await page.evaluate(() => {
    const active = document.activeElement!;
    return active.tagName === 'A' ? (active.closest('tr') as HTMLElement | null)?.dataset.traceId : active.tagName;
  })).toBe(traceId);
});

test('Search shows the answer for the words in the box, not a slower answer to an earlier keystroke', async () => {
  const names = ['research-notes', 'report-weekly', 'retry-queue', 'rollup'];
  await post(`${collector.url}/runs/batch`, batch(names.map((name, i) => postedRun({ name, start_time: minutesAgo(40 + i), end_time: minutesAgo(40 + i) }))));
  await page.goto(`${collector.url}/#/`);
  await page.locator('#trace-rows tr').first().waitFor();
  // The answer to "r" is held until the answer to "research" is shown.
  const isR = (url: URL) => url.pathname === '/api/traces' && url.searchParams.get('q') === 'r';
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(isR, async (route) => {
    await released;
    await route.continue();
  });
  await page.locator('input[name="q"]').pressSequentially('research', { delay: 30 });
  await page.waitForFunction(() => [...document.querySelectorAll('#trace-rows td.name')].map((td) => td.textContent).join() === 'research-notes');
  const lateAnswer = page.waitForEvent('requestfinished', (request) => isR(new URL(request.url())));
  release();
  await lateAnswer;
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
  expect(await page.locator('#trace-rows td.name').allTextContents()).toEqual(['research-notes']);
  await page.unroute(isR);
});

test('an empty collector says so; a search without match says nothing matches; with exactly a page of traces, Older is disabled', async () => {
  const own = await memoryCollector();
  try {
    await page.goto(`${own.url}/#/`);
    await page.locator('#empty').waitFor({ timeout: FEW_POLLS_MILLIS });
    expect(await page.locator('#no-match').isHidden()).toBe(true);
    await post(`${own.url}/runs/batch`, batch(Array.from({ length: 50 }, (_, i) => postedRun({ name: `page-${i}`, start_time: minutesAgo(i), end_time: minutesAgo(i) }))));
    await page.waitForFunction(() => document.querySelectorAll('#trace-rows tr').length === 50, undefined, { timeout: FEW_POLLS_MILLIS });
    expect(await page.locator('#older').isDisabled()).toBe(true);
    expect(await page.locator('#page-info').textContent()).toBe('1–50');

    await page.fill('input[name="q"]', 'nosuchword');
    await page.locator('#no-match').waitFor({ timeout: FEW_POLLS_MILLIS });
    expect(await page.locator('#no-match').textContent()).toBe('No trace matches the search and filters.');
    expect(await page.locator('#empty').isHidden()).toBe(true);
    expect(await page.locator('#trace-rows tr').count()).toBe(0);
  } finally {
    await own.close();
  }
});

test('a long trace name is cut in the list (whole in its title): the table stays as wide as the window', async () => {
  const name = `RunnableSequence<${'PromptTemplate|ChatOpenAI|StrOutputParser,'.repeat(14)}>`.slice(0, 600);
  expect(name.length).toBe(600);
  const trace = postedRun({ name, start_time: minutesAgo(0.5), end_time: minutesAgo(0.5) });
  await post(`${collector.url}/runs/batch`, batch([trace]));
  await page.goto(`${collector.url}/#/`);
  const link = page.locator(`#trace-rows tr[data-trace-id="${trace.id}"] td.name a`);
  await link.waitFor();
  expect(await link.getAttribute('title')).toBe(name);
  expect(await link.textContent()).toBe(name);
  expect(await page.locator('#list-view table.traces').evaluate((table) => table.getBoundingClientRect().width)).toBeLessThanOrEqual(1280);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
});

test('the live indicator shows offline while the collector does not answer', async () => {
  const own = await memoryCollector();
  let closed = false;
  try {
    await post(`${own.url}/runs/batch`, batch([postedRun({ name: 'before-stop' })]));
    await page.goto(`${own.url}/#/`);
    await page.locator('#trace-rows tr').first().waitFor();
    expect(await page.locator('#live').textContent()).toBe('live');
    await own.close();
    closed = true;
    await page.locator('#live', { hasText: 'offline' }).waitFor({ timeout: FEW_POLLS_MILLIS });
    expect(await page.locator('#live').getAttribute('class')).toContain('offline');
  } finally {
    if (!closed) await own.close();
  }
});
