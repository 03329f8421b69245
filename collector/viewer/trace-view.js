import { api, download, el, formatDuration, formatTime, statusBadge, timeMillis } from './dom.js';
import { treeOrder } from './tree.js';

/** Row height of the waterfall, px: rows are positioned, only those in view exist in the DOM. */
const ROW_PX = 26;
const OVERSCAN_ROWS = 20;
const PAGE_SPANS = 5000;
// 12 levels × 12 px leave half of the 280 px name column for the depth marker and the name.
const MAX_INDENT_LEVELS = 12;

const state = { traceId: null, spans: [], total: 0, revision: null, nextOffset: null, ordered: [], t0: 0, t1: 0, lastData: 0, running: false, total_ms: 1, selectedId: null, focusId: null, panelJson: null, loading: false };

/**
 * Counts loads of spans. Only the latest load may show its result: a poll's
 * reload of the first page that answers after "Load all" finished (or after
 * another trace was opened) would otherwise put back fewer spans, or another
 * trace's, than the user asked for.
 */
let loadGeneration = 0;

function spanStatus(span) {
  if (span.error !== undefined || span.status === 'error') return 'error';
  if (!span.end_time) return 'running';
  return span.status === 'cancelled' ? 'cancelled' : 'ok';
}

/** Opens a trace: its first page of spans; more on demand. */
export async function openTrace(traceId) {
  if (state.traceId !== traceId) {
    Object.assign(state, { traceId, spans: [], total: 0, revision: null, nextOffset: null, ordered: [], selectedId: null, focusId: null, panelJson: null });
    document.getElementById('span-panel').replaceChildren(el('p', 'hint', 'Click a span (or press Enter on it) to see its inputs, outputs, error and metadata.'));
    document.getElementById('waterfall-scroll').scrollTop = 0;
    await loadPages(0, PAGE_SPANS);
    return;
  }
  // Polling: reload what is shown only when the trace changed (its revision moved: a span added or
  // patched), and never while the user's "Load more"/"Load all" is under way: it is the newer request.
  // A trace whose process died (spans never ended) never changes again, and is never downloaded again.
  if (state.loading) return;
  // Its head alone (limit=0): the revision, without a span, which may be megabytes of inputs.
  const head = await api(`/api/traces/${encodeURIComponent(traceId)}?limit=0`);
  if (state.loading || state.traceId !== traceId) return; // the user asked for more meanwhile, or left
  if (head.revision !== state.revision) await loadPages(0, Math.max(state.spans.length, PAGE_SPANS));
  else if (state.running) paint(); // unchanged: only the running bars grow to now
}

async function loadPages(offset, count) {
  const generation = ++loadGeneration;
  const traceId = state.traceId;
  const spans = offset === 0 ? [] : state.spans.slice();
  let next = offset;
  let total = state.total;
  // The revision shown is the first page's: a change while later pages load moves it, and the next poll reloads.
  let revision = state.revision;
  while (next !== null && spans.length < offset + count) {
    const page = await api(`/api/traces/${encodeURIComponent(traceId)}?offset=${next}&limit=${Math.min(PAGE_SPANS, offset + count - spans.length)}`);
    if (generation !== loadGeneration) return; // a newer load (or another trace) superseded this one
    if (offset === 0 && next === 0) revision = page.revision;
    spans.push(...page.spans);
    next = page.next_offset;
    total = page.total;
  }
  Object.assign(state, { spans, total, revision, nextOffset: next });
  render();
}

/** Loads the next page (or every remaining one). */
async function loadMore(all) {
  if (state.loading || state.nextOffset === null) return;
  state.loading = true;
  try {
    await loadPages(state.spans.length, all ? state.total - state.spans.length : PAGE_SPANS);
  } finally {
    state.loading = false;
  }
}

/** Shows newly loaded spans: tree order, extent, the loaded note; the panel only if its span changed. */
function render() {
  const { spans } = state;
  state.ordered = treeOrder(spans);
  let t0 = Infinity;
  let t1 = -Infinity;
  let running = false;
  for (const span of spans) {
    const start = timeMillis(span.start_time);
    const end = timeMillis(span.end_time);
    if (Number.isFinite(start)) { t0 = Math.min(t0, start); t1 = Math.max(t1, start); }
    if (Number.isFinite(end)) t1 = Math.max(t1, end);
    if (!span.end_time) running = true;
  }
  Object.assign(state, { t0, lastData: t1, running });
  const flagged = state.ordered.filter((row) => row.flag).length;
  const root = state.ordered[0] ? state.ordered[0].span : null;
  document.getElementById('trace-title').textContent = root ? root.name || '(unnamed)' : state.traceId;
  const loaded = document.getElementById('trace-loaded');
  loaded.replaceChildren();
  if (state.nextOffset !== null) {
    const more = el('button', 'more', 'Load more');
    more.addEventListener('click', () => void loadMore(false));
    const all = el('button', 'more', 'Load all');
    all.addEventListener('click', () => void loadMore(true));
    loaded.append(el('span', null, `Showing ${spans.length} of ${state.total} spans (by start time). `), more, all);
  }
  if (flagged > 0) loaded.append(el('span', 'flag-note', ` ${flagged} span(s) flagged: parent missing, not loaded yet, or a cycle of parents.`));
  document.getElementById('waterfall-space').style.height = `${state.ordered.length * ROW_PX}px`;
  paint();
  const selected = spans.find((span) => span.id === state.selectedId);
  if (selected) showSpan(selected);
}

/** Draws what depends on the clock as well as the spans: the time scale (running spans end now), the meta line, the rows in view. */
function paint() {
  const { spans, t0 } = state;
  const t1 = state.running ? Math.max(state.lastData, Date.now()) : state.lastData;
  state.t1 = t1;
  state.total_ms = Math.max(t1 - t0, 0.001);
  const root = state.ordered[0] ? state.ordered[0].span : null;
  const statuses = new Set(spans.map(spanStatus));
  const status = statuses.has('error') ? 'error' : statuses.has('running') ? 'running' : 'ok';
  document.getElementById('trace-meta').replaceChildren(
    statusBadge(status),
    document.createTextNode(`  ${state.total} spans · ${formatDuration(t1 - t0)} · started ${formatTime(root && root.start_time)} · trace ${state.traceId}`),
  );
  document.getElementById('axis-scale').replaceChildren(el('span', null, '0'), el('span', null, formatDuration(state.total_ms / 2)), el('span', null, formatDuration(state.total_ms)));
  renderVisibleRows(true);
}

let drawn = { from: -1, to: -1 };

/**
 * Draws only the rows in (and near) the scrolled viewport. One row is in the
 * Tab order (the focused span's, else the first in view); a focused row that
 * is redrawn gets the focus back, so polling and scrolling never drop it.
 */
function renderVisibleRows(force) {
  const scroller = document.getElementById('waterfall-scroll');
  const container = document.getElementById('waterfall-rows');
  const from = Math.max(0, Math.floor(scroller.scrollTop / ROW_PX) - OVERSCAN_ROWS);
  const to = Math.min(state.ordered.length, Math.ceil((scroller.scrollTop + scroller.clientHeight) / ROW_PX) + OVERSCAN_ROWS);
  if (!force && from === drawn.from && to === drawn.to) return;
  drawn = { from, to };
  const hadFocus = container.contains(document.activeElement);
  const rows = [];
  for (let i = from; i < to; i++) rows.push(spanRow(state.ordered[i], i));
  container.replaceChildren(...rows);
  const current = rows.find((row) => row.dataset.spanId === state.focusId) || rows[Math.min(Math.floor(scroller.scrollTop / ROW_PX) - from, rows.length - 1)];
  if (current) current.tabIndex = 0;
  if (hadFocus && current && current.dataset.spanId === state.focusId) current.focus({ preventScroll: true });
}

function spanRow({ span, depth, flag }, index) {
  const start = timeMillis(span.start_time);
  const end = span.end_time ? timeMillis(span.end_time) : state.t1;
  const status = spanStatus(span);
  const label = el('div', 'span-label', null, el('span', 'span-name', span.name || '(unnamed)'), el('span', 'kind', span.run_type || ''));
  if (depth > MAX_INDENT_LEVELS) label.prepend(el('span', 'depth', `${depth}↳ `));
  if (flag) label.append(el('span', `flag flag-${flag}`, flag));
  label.style.paddingLeft = `${Math.min(depth, MAX_INDENT_LEVELS) * 12}px`;
  const bar = el('div', `bar kind-${String(span.run_type || 'chain').replace(/[^a-z]/g, '')}${status === 'error' ? ' error' : ''}${status === 'running' ? ' running' : ''}`);
  const left = Number.isFinite(start) ? ((start - state.t0) / state.total_ms) * 100 : 0;
  const width = Number.isFinite(end - start) ? Math.max(((end - start) / state.total_ms) * 100, 0.2) : 0.2;
  bar.style.left = `${left}%`;
  bar.style.width = `${width}%`;
  const time = el('span', 'bar-time', formatDuration(end - start));
  if (left + width > 80) time.style.right = `${100 - left + 0.5}%`;
  else time.style.left = `${left + width + 0.5}%`;
  const row = el('div', 'span-row', null, label, el('div', 'bar-col', null, bar, time));
  row.style.top = `${index * ROW_PX}px`;
  row.dataset.spanId = span.id;
  row.dataset.index = String(index);
  if (flag) row.dataset.flag = flag;
  row.title = span.name || '';
  // A tree item the keyboard reaches (see renderVisibleRows for which one Tab stops at); its level and place for screen readers, as only some rows exist.
  row.tabIndex = -1;
  row.setAttribute('role', 'treeitem');
  row.setAttribute('aria-level', String(depth + 1));
  row.setAttribute('aria-posinset', String(index + 1));
  row.setAttribute('aria-setsize', String(state.ordered.length));
  row.setAttribute('aria-selected', String(span.id === state.selectedId));
  if (span.id === state.selectedId) row.classList.add('selected');
  row.addEventListener('click', () => selectSpan(span));
  return row;
}

function selectSpan(span) {
  state.selectedId = span.id;
  state.focusId = span.id;
  for (const row of document.querySelectorAll('.span-row')) {
    row.classList.toggle('selected', row.dataset.spanId === span.id);
    row.setAttribute('aria-selected', String(row.dataset.spanId === span.id));
  }
  showSpan(span);
}

/** Shows a span in the panel, unless it is shown already as it is: a poll must not take the reader's scroll position or text selection. */
function showSpan(span) {
  const json = JSON.stringify(span);
  if (json === state.panelJson) return;
  state.panelJson = json;
  renderSpanPanel(span);
}

/** Keys on a focused row: arrows, Home/End and Page Up/Down move between rows; Enter or Space opens the span. */
function onRowKey(event) {
  const row = event.target.closest('.span-row');
  if (!row || event.altKey || event.ctrlKey || event.metaKey) return;
  const index = Number(row.dataset.index);
  const page = Math.max(1, Math.floor(document.getElementById('waterfall-scroll').clientHeight / ROW_PX) - 1);
  const moves = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: state.ordered.length - 1, PageDown: index + page, PageUp: index - page };
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault();
    selectSpan(state.ordered[index].span);
  } else if (Object.hasOwn(moves, event.key)) {
    event.preventDefault();
    focusRow(Math.min(Math.max(moves[event.key], 0), state.ordered.length - 1));
  }
}

/** Scrolls row `index` into view, draws it if it was not, and focuses it. */
function focusRow(index) {
  const scroller = document.getElementById('waterfall-scroll');
  const top = index * ROW_PX;
  if (top < scroller.scrollTop) scroller.scrollTop = top;
  else if (top + ROW_PX > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = top + ROW_PX - scroller.clientHeight;
  state.focusId = state.ordered[index].span.id;
  renderVisibleRows(true);
  const row = document.querySelector(`#waterfall-rows .span-row[data-index="${index}"]`);
  if (row) row.focus({ preventScroll: true });
}

function jsonBlock(value, className) {
  return el('pre', className || null, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}

function renderSpanPanel(span) {
  const panel = document.getElementById('span-panel');
  const duration = span.end_time ? formatDuration(timeMillis(span.end_time) - timeMillis(span.start_time)) : 'running';
  const facts = el('dl');
  const fact = (name, value) => facts.append(el('dt', null, name), el('dd', null, value));
  fact('status', spanStatus(span));
  fact('run type', span.run_type || '—');
  fact('duration', duration);
  fact('started', formatTime(span.start_time));
  fact('span id', span.id);
  if (span.parent_run_id) fact('parent', span.parent_run_id);
  if (span.session_name) fact('project', span.session_name);
  const tags = el('dd', 'tags');
  for (const tag of span.tags || []) tags.append(el('span', 'tag', tag));
  if ((span.tags || []).length > 0) facts.append(el('dt', null, 'tags'), tags);

  const sections = [el('h2', 'span-title', span.name || '(unnamed)'), facts];
  const section = (title, node, id) => {
    node.dataset.section = id;
    sections.push(el('h3', null, title), node);
  };
  if (span.error !== undefined) section('Error', jsonBlock(span.error, 'error'), 'error');
  section('Inputs', jsonBlock(span.inputs === undefined ? '—' : span.inputs), 'inputs');
  section('Outputs', jsonBlock(span.outputs === undefined ? (span.end_time ? '—' : 'still running') : span.outputs), 'outputs');
  const metadata = span.extra && span.extra.metadata;
  if (metadata && Object.keys(metadata).length > 0) section('Metadata', jsonBlock(metadata), 'metadata');
  if (Array.isArray(span.events) && span.events.length > 0) section('Events', jsonBlock(span.events), 'events');
  panel.replaceChildren(...sections);
}

/** Wires the trace page's scrolling and export once. */
export function setUpTraceView() {
  let pending = false;
  document.getElementById('waterfall-scroll').addEventListener('scroll', () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      renderVisibleRows(false);
    });
  });
  const rows = document.getElementById('waterfall-rows');
  rows.addEventListener('keydown', onRowKey);
  rows.addEventListener('focusin', (event) => {
    const row = event.target.closest('.span-row');
    if (row) state.focusId = row.dataset.spanId;
  });
  document.getElementById('export-trace').addEventListener('click', () => {
    if (state.traceId) void download(`/api/traces/${encodeURIComponent(state.traceId)}/export`, `trace-${state.traceId}.json`);
  });
}

/** Forgets the open trace (leaving the page). */
export function closeTrace() {
  state.traceId = null;
}
