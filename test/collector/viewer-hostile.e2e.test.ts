import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { memoryCollector, post } from './collector-client.js';
import { batch, postedRun } from './run-builders.js';
import { launchChromium } from './viewer-browser.js';

/**
 * The viewer and the collector against hostile data and hostile pages, in
 * Debian's headless Chromium (one launch):
 * - hostile names, errors, tags and metadata stay text in the list, the
 *   title, the error block, the tags and the metadata (no element is parsed
 *   from them: an innerHTML anywhere would make an <img> and fail);
 * - cycles, orphans, a 20 000-deep chain and a 150 000-span trace render;
 * - the stats page, search, pagination and export work;
 * - a cross-origin page cannot write or read; a rebinding Host is refused.
 * `UPDATE_SCREENSHOTS=1` saves docs/viewer-stats.png, docs/viewer-flagged.png and docs/viewer-big-trace.png.
 */
const DOCS = join(__dirname, '..', '..', 'docs');
const hostile = (where: string) => `<img src=x id=xss-${where} onerror="window.__pwned='${where}'">`;

/**
 * Deadlines for a loaded machine: with the suite under `nice` beside CPU-bound
 * work, this file's process may get a small share of a core, and seeding and
 * loading the big traces take minutes of wall time where they take seconds
 * idle. Generous deadlines here and for every page action (Playwright's
 * default is 30 s) cost nothing when all is well.
 */
const PAGE_TIMEOUT_MILLIS = 240_000;
jest.setTimeout(300_000);

type Collector = Awaited<ReturnType<typeof memoryCollector>>;
let collector: Collector;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  collector = await memoryCollector({ maxBodyBytes: 64 * 1024 * 1024 });
  browser = await launchChromium(['--host-resolver-rules=MAP evil.test 127.0.0.1']);
  page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  page.setDefaultTimeout(PAGE_TIMEOUT_MILLIS);
  page.on('dialog', (dialog) => void dialog.dismiss());
});

afterAll(async () => {
  await browser?.close();
  await collector?.close();
});

async function expectNothingParsed(): Promise<void> {
  expect(await page.locator('img').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
}

test('hostile names, errors, tags and metadata stay text in the list, title, error, tags and metadata', async () => {
  const root = postedRun({
    name: hostile('name'),
    start_time: new Date().toISOString(),
    end_time: new Date().toISOString(),
    error: hostile('error'),
    tags: [hostile('tag')],
    extra: { metadata: { [hostile('metakey')]: hostile('metavalue') } },
  });
  expect((await post(`${collector.url}/runs/batch`, batch([root]))).status).toBe(202);
  await page.goto(`${collector.url}/#/`);
  const link = page.locator(`#trace-rows tr[data-trace-id="${root.id}"] td.name a`);
  await link.waitFor();
  expect(await link.textContent()).toBe(hostile('name'));
  await expectNothingParsed();

  await link.click();
  await page.locator('.span-row').first().waitFor();
  expect(await page.locator('#trace-title').textContent()).toBe(hostile('name'));
  await page.locator('.span-row').first().click();
  await page.locator('#span-panel [data-section="error"]').waitFor();
  expect(await page.locator('#span-panel [data-section="error"]').textContent()).toBe(hostile('error'));
  expect(await page.locator('#span-panel .tags .tag').allTextContents()).toEqual([hostile('tag')]);
  expect(JSON.parse((await page.locator('#span-panel [data-section="metadata"]').textContent())!)).toEqual({ [hostile('metakey')]: hostile('metavalue') });
  expect(await page.locator('#span-panel .span-title').textContent()).toBe(hostile('name'));
  await expectNothingParsed();

  await page.goto(`${collector.url}/#/stats`);
  await page.locator('#stats-rows tr').first().waitFor();
  expect(await page.locator('#stats-rows td.name a').allTextContents()).toContain(hostile('name'));
  await expectNothingParsed();
});

test('cycles, orphans and a 20 000-deep chain render, each span once, the odd ones flagged', async () => {
  const base = Date.parse('2026-02-01T00:00:00Z');
  const at = (ms: number) => new Date(base + ms).toISOString();
  const root = postedRun({ name: 'deep-root', start_time: at(0), end_time: at(30_000) });
  const chain = [root];
  for (let i = 1; i < 20_000; i++) chain.push(postedRun({ name: `level-${i}`, trace_id: root.id, parent_run_id: chain[i - 1]!.id, start_time: at(i), end_time: at(i + 1), inputs: {} }));
  const selfParent = postedRun({ name: 'own-parent', trace_id: root.id, start_time: at(5) });
  selfParent.parent_run_id = selfParent.id;
  const a = postedRun({ name: 'cycle-a', trace_id: root.id, start_time: at(6) });
  const b = postedRun({ name: 'cycle-b', trace_id: root.id, parent_run_id: a.id, start_time: at(7) });
  a.parent_run_id = b.id;
  const orphan = postedRun({ name: 'orphan', trace_id: root.id, parent_run_id: '0190a0b0-0000-7000-8000-00000000beef', start_time: at(8) });
  for (let i = 0; i < chain.length; i += 5000) expect((await post(`${collector.url}/runs/batch`, batch(chain.slice(i, i + 5000)))).status).toBe(202);
  expect((await post(`${collector.url}/runs/batch`, batch([selfParent, a, b, orphan]))).status).toBe(202);

  await page.goto(`${collector.url}/#/trace/${root.id}`);
  await page.locator('#trace-loaded button', { hasText: 'Load all' }).click();
  await page.waitForFunction(() => /20004 spans/.test(document.getElementById('trace-meta')!.textContent!) && document.getElementById('trace-loaded')!.querySelector('button') === null, undefined, { timeout: PAGE_TIMEOUT_MILLIS });
  expect(await page.locator('#trace-title').textContent()).toBe('deep-root');
  expect(await page.locator('#trace-loaded .flag-note').textContent()).toContain('3 span(s) flagged');
  // The chain's bottom and the odd spans after it, reached by scrolling the virtualised list to its end.
  await page.locator('#waterfall-scroll').evaluate((node) => (node.scrollTop = node.scrollHeight));
  await page.locator('.span-name', { hasText: /^level-19999$/ }).waitFor();
  const flags = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('.span-row')].filter((row) => /^(own-parent|cycle-.|orphan)$/.test(row.querySelector('.span-name')!.textContent!)).map((row) => `${row.querySelector('.span-name')!.textContent}:${row.dataset.flag ?? ''}`));
  expect(flags.sort()).toEqual(['cycle-a:cycle', 'cycle-b:', 'orphan:orphan', 'own-parent:cycle']);
  const bottom = page.locator('.span-row', { has: page.locator('.span-name', { hasText: /^level-19999$/ }) });
  expect(await bottom.locator('.depth').textContent()).toContain('19999');
  // Deep rows stop indenting: the name stays inside its column, readable.
  // Measured when both are drawn: the trace is running (spans never ended), so each poll repaints its rows, and a row
  // measured across a repaint has no box (seen once in CI, under load).
  let name: { x: number; width: number } | null = null;
  let bars: { x: number } | null = null;
  for (let tries = 0; tries < 20 && (name === null || bars === null); tries++) {
    if (tries > 0) await page.waitForTimeout(100);
    [name, bars] = [await bottom.locator('.span-name').boundingBox(), await bottom.locator('.bar-col').boundingBox()];
  }
  expect(name!.x + Math.min(name!.width, 40)).toBeLessThan(bars!.x);
  expect(await page.locator('#trace-meta').textContent()).toMatch(/ \d+ d \d+ h /);
  expect(await page.locator('.span-row').count()).toBeLessThan(200);
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    await page.locator('.span-row', { has: page.locator('.span-name', { hasText: /^cycle-a$/ }) }).click();
    await page.locator('#span-panel .span-title', { hasText: 'cycle-a' }).waitFor();
    await page.screenshot({ path: join(DOCS, 'viewer-flagged.png') });
  }
});

test('a poll that answers after "Load all" finished does not take the loaded spans back', async () => {
  const base = Date.parse('2026-04-01T00:00:00Z');
  const at = (ms: number) => new Date(base + ms).toISOString();
  const root = postedRun({ name: 'poll-race-root', start_time: at(0), end_time: at(10_000) });
  const running = postedRun({ name: 'still-running', trace_id: root.id, parent_run_id: root.id, start_time: at(1) });
  const spans = [root, running];
  for (let i = 0; i < 5_100; i++) spans.push(postedRun({ name: `child-${i}`, trace_id: root.id, parent_run_id: root.id, start_time: at(2 + i), end_time: at(3 + i), inputs: {} }));
  expect((await post(`${collector.url}/runs/batch`, batch(spans))).status).toBe(202);
  const ofThisTrace = (url: URL) => url.pathname === `/api/traces/${root.id}`;
  const isFirstPageReload = (url: URL) => ofThisTrace(url) && url.searchParams.get('offset') === '0' && url.searchParams.get('limit') === '5000';

  await page.goto(`${collector.url}/#/trace/${root.id}`);
  const loadAll = page.locator('#trace-loaded button', { hasText: 'Load all' });
  await loadAll.waitFor();
  // Hold the next poll's reload of the first page until "Load all" has finished.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let onHeld!: () => void;
  const held = new Promise<void>((resolve) => (onHeld = resolve));
  let holding = true;
  await page.route(isFirstPageReload, async (route) => {
    if (holding) {
      holding = false;
      onHeld();
      await released;
    }
    await route.continue();
  });
  // A change to the trace (a patch, no new span) makes the next poll reload the first page.
  expect((await post(`${collector.url}/runs/batch`, batch([], [{ id: running.id, outputs: { progress: 1 } }]))).status).toBe(202);
  await held;
  await loadAll.click();
  await page.locator('#trace-loaded button').first().waitFor({ state: 'detached' });
  // The held answer arrives; the poll after it (its head request) starts only once that refresh has finished.
  const nextPoll = page.waitForRequest((request) => ofThisTrace(new URL(request.url())) && new URL(request.url()).searchParams.get('limit') === '0');
  release();
  await nextPoll;
  await page.unroute(isFirstPageReload);
  expect(await page.locator('#trace-loaded button').count()).toBe(0);
  expect(await page.locator('#trace-loaded').textContent()).not.toContain('Showing');
});

test('a 150 000-span trace opens (first page, virtualised), then loads whole on demand', async () => {
  const base = Date.parse('2026-03-01T00:00:00Z');
  const root = postedRun({ name: 'huge-root', start_time: new Date(base).toISOString(), end_time: new Date(base + 200_000).toISOString() });
  const span = (i: number) => postedRun({ name: `op-${i % 50}`, run_type: 'tool', trace_id: root.id, parent_run_id: root.id, start_time: new Date(base + i).toISOString(), end_time: new Date(base + i + 3).toISOString(), inputs: { i } });
  const seeded = Date.now();
  // Made a request at a time: 150 000 run objects kept alive at once would make every GC of this process (the collector's too) slower.
  for (let from = 0; from < 150_000; from += 10_000) {
    const spans = Array.from({ length: Math.min(10_000, 150_000 - from) }, (_, k) => (from + k === 0 ? root : span(from + k)));
    expect((await post(`${collector.url}/runs/batch`, batch(spans))).status).toBe(202);
  }
  const seedMillis = Date.now() - seeded;

  const opened = Date.now();
  await page.goto(`${collector.url}/#/trace/${root.id}`);
  await page.locator('.span-name', { hasText: 'huge-root' }).waitFor();
  const openMillis = Date.now() - opened;
  expect(await page.locator('#trace-loaded').textContent()).toContain('Showing 5000 of 150000 spans');
  const loadStarted = Date.now();
  await page.locator('#trace-loaded button', { hasText: 'Load all' }).click();
  await page.waitForFunction(() => document.getElementById('trace-loaded')!.querySelector('button') === null, undefined, { timeout: PAGE_TIMEOUT_MILLIS });
  const loadAllMillis = Date.now() - loadStarted;
  expect(await page.locator('.span-row').count()).toBeLessThan(200);
  await page.locator('.span-row', { has: page.locator('.span-name', { hasText: /^op-7$/ }) }).first().click();
  expect(JSON.parse((await page.locator('#span-panel [data-section="inputs"]').textContent())!)).toEqual({ i: 7 });
  // Figures, not a timed assertion (bench/ holds speed targets): the target is < 2 s to open.
  console.log(`150 000-span trace: stored in ${seedMillis} ms; first page shown in ${openMillis} ms, all loaded in ${loadAllMillis} ms`);
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    mkdirSync(DOCS, { recursive: true });
    await page.screenshot({ path: join(DOCS, 'viewer-big-trace.png') });
  }
}, 600_000);

test('stats page, search, list pagination and export', async () => {
  // A collector of its own: the stats and the list show these runs alone, not the huge traces above.
  const own = await memoryCollector();
  try {
    const now = Date.now();
    const runs = Array.from({ length: 60 }, (_, i) =>
      postedRun({ name: i % 3 === 0 ? 'checkout' : 'search', start_time: new Date(now - 600_000 + i * 10_000).toISOString(), end_time: new Date(now - 600_000 + i * 10_000 + (i % 3 === 0 ? 200 : 20) + i).toISOString(), ...(i % 10 === 0 ? { error: 'Error: payment declined' } : {}), inputs: { query: i === 42 ? 'kumquat marmalade' : 'apples' } }),
    );
    expect((await post(`${own.url}/runs/batch`, batch(runs))).status).toBe(202);
    await page.goto(`${own.url}/#/stats`);
    const checkout = page.locator('#stats-rows tr[data-name="checkout"] td');
    await checkout.first().waitFor();
    const cells = await checkout.allTextContents();
    expect(cells.slice(0, 3)).toEqual(['checkout', '20', '10.0 %']);
    expect(await page.locator('#timeline rect.tp-bar').count()).toBeGreaterThan(5);
    await page.locator('#stats-rows tr[data-name="checkout"] a').click();
    await page.waitForFunction(() => document.getElementById('histogram-title')!.textContent === 'Latency of checkout');
    expect(await page.locator('#histogram rect.hist-bar').count()).toBeGreaterThan(3);
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: join(DOCS, 'viewer-stats.png') });
    }

    await page.goto(`${own.url}/#/`);
    await page.locator('#trace-rows tr').first().waitFor();
    await page.fill('input[name="q"]', 'kumquat');
    await page.waitForFunction(() => document.querySelectorAll('#trace-rows tr').length === 1);
    expect(await page.locator('#trace-rows tr').getAttribute('data-trace-id')).toBe(runs[42]!.id);
    await page.fill('input[name="q"]', '');
    await page.waitForFunction(() => document.querySelectorAll('#trace-rows tr').length === 50);
    const firstPage = await page.locator('#trace-rows tr').first().getAttribute('data-trace-id');
    await page.click('#older');
    await page.waitForFunction((first) => document.querySelector('#trace-rows tr')?.getAttribute('data-trace-id') !== first, firstPage);
    expect(await page.locator('#page-info').textContent()).toMatch(/^51–/);

    await page.goto(`${own.url}/#/trace/${runs[42]!.id}`);
    await page.locator('.span-row').first().waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-trace')]);
    expect(download.suggestedFilename()).toBe(`trace-${runs[42]!.id}.json`);
  } finally {
    await own.close();
  }
});

describe('hostile web pages', () => {
  let attacker: Server;
  let attackerUrl: string;
  beforeAll(async () => {
    // Another origin (its own port), serving a page that tries everything a page can without CORS consent.
    attacker = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>evil</title><form id="f" method="POST" enctype="text/plain"><input name=\'{"post":[{"x":"\' value=\'"}]}\'></form>');
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => attacker.close(() => resolve())));

  test('a cross-origin page can neither write runs nor read traces', async () => {
    const victim = postedRun({ name: 'private-trace', inputs: { secret: 'hunter2' } });
    await post(`${collector.url}/runs/batch`, batch([victim]));
    const before = (await collector.traces('?limit=1000')).length;
    const evil = await browser.newPage();
    await evil.goto(attackerUrl);
    const run = JSON.stringify({ post: [postedRun({ name: 'planted' })] });
    const outcome = await evil.evaluate(async ({ target, body, traceId }) => {
      const results: string[] = [];
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        await fetch(`${target}/runs/batch`, { method: 'POST', mode: 'no-cors', headers: { 'content-type': type }, body }).then(() => results.push('sent'), () => results.push('blocked'));
      }
      await fetch(`${target}/runs/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(() => results.push('json-sent'), () => results.push('json-blocked'));
      await fetch(`${target}/api/traces/${traceId}`).then(async (r) => results.push(`read:${await r.text()}`), () => results.push('read-blocked'));
      return results;
    }, { target: collector.url, body: run, traceId: victim.id });
    expect(outcome.filter((entry) => entry.includes('hunter2'))).toEqual([]);
    expect(outcome).toContain('read-blocked');
    // A form post navigates: the collector's answer is the refusal, and nothing is stored.
    await evil.evaluate((target) => {
      const form = document.getElementById('f') as HTMLFormElement;
      form.action = `${target}/runs/batch`;
      form.submit();
    }, collector.url);
    await evil.waitForURL(`${collector.url}/runs/batch`);
    expect(await evil.locator('body').textContent()).toMatch(/Cross-origin|application\/json/);
    await evil.close();
    const after = await collector.traces('?limit=1000');
    expect(after.length).toBe(before);
    expect(after.map((trace) => trace.name)).not.toContain('planted');
  });

  test('a DNS-rebinding name (evil.test → 127.0.0.1) reads nothing: the Host is refused', async () => {
    const victim = postedRun({ name: 'rebinding-target', inputs: { secret: 'hunter3' } });
    await post(`${collector.url}/runs/batch`, batch([victim]));
    const evil = await browser.newPage();
    const response = await evil.goto(`http://evil.test:${collector.port}/api/traces/${victim.id}`);
    expect(response!.status()).toBe(403);
    expect(await evil.locator('body').textContent()).not.toContain('hunter3');
    expect((await evil.goto(`http://evil.test:${collector.port}/`))!.status()).toBe(403);
    await evil.close();
  });
});
