// tracewire viewer: a trace list and a trace page (waterfall + span panel),
// refreshed by polling the collector's JSON API. No framework, no build.
// Every value that comes from a span is inserted as text (textContent or
// element attributes set through the DOM), never as HTML: span names, inputs
// and errors are whatever the traced program produced.
'use strict';

const POLL_MILLIS = 2000;
const TOKEN_KEY = 'tracewire.token';
const state = { selectedSpanId: null, timer: null, lastTraceJson: null };

// A token given once in the URL (?token=…) is kept for the tab's session.
(function keepToken() {
  const params = new URLSearchParams(location.search);
  const token = params.get('token');
  if (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    history.replaceState(null, '', location.pathname + location.hash);
  }
})();

/** An element with optional class and text, children appended. */
function el(tag, className, text, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const child of children) if (child) node.append(child);
  return node;
}

async function api(path) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const response = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail || `${response.status} ${response.statusText}`);
  return body;
}

function showProblem(error) {
  document.getElementById('problem').textContent = error ? String(error.message || error) : '';
}

/** Milliseconds since the epoch, keeping the microseconds of `…T00:00:00.123456Z`. */
function timeMillis(iso) {
  if (!iso) return NaN;
  const match = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(iso);
  if (!match) return Date.parse(iso);
  return Date.parse(`${match[1]}Z`) + Number(`0.${match[2] || '0'}`) * 1000;
}

function formatDuration(ms) {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

function formatTime(iso) {
  const ms = timeMillis(iso);
  return Number.isFinite(ms) ? new Date(ms).toLocaleString() : '—';
}

function statusBadge(status) {
  return el('span', `status status-${status}`, status);
}

function spanStatus(span) {
  if (span.error !== undefined || span.status === 'error') return 'error';
  if (!span.end_time) return 'running';
  return span.status === 'cancelled' ? 'cancelled' : 'ok';
}

/** As the API summarises a trace: any error wins, then anything still running. */
function traceStatus(spans) {
  const statuses = spans.map(spanStatus);
  if (statuses.includes('error')) return 'error';
  return statuses.includes('running') ? 'running' : 'ok';
}

// ---------------------------------------------------------------- list view

function listQuery() {
  const form = document.getElementById('filters');
  const params = new URLSearchParams({ limit: '100' });
  for (const name of ['name', 'status', 'tag']) {
    const value = form.elements[name].value.trim();
    if (value) params.set(name, value);
  }
  const minutes = Number(form.elements.since.value);
  if (minutes > 0) params.set('since', new Date(Date.now() - minutes * 60_000).toISOString());
  return params;
}

async function renderList() {
  const { traces } = await api(`/api/traces?${listQuery()}`);
  const rows = traces.map((trace) => {
    const link = el('a', null, trace.name || '(unnamed)');
    link.href = `#/trace/${encodeURIComponent(trace.trace_id)}`;
    const row = el(
      'tr',
      null,
      null,
      el('td', 'name', null, link),
      el('td', null, null, statusBadge(trace.status)),
      el('td', null, formatTime(trace.start_time)),
      el('td', 'num', trace.end_time ? formatDuration(timeMillis(trace.end_time) - timeMillis(trace.start_time)) : '…'),
      el('td', 'num', trace.span_count),
      el('td', 'id', trace.trace_id),
    );
    row.dataset.traceId = trace.trace_id;
    row.addEventListener('click', () => { location.hash = link.getAttribute('href'); });
    return row;
  });
  document.getElementById('trace-rows').replaceChildren(...rows);
  document.getElementById('empty').hidden = rows.length > 0;
}

// --------------------------------------------------------------- trace view

/** Spans in tree order (depth first, children by start time), each with its depth. */
function treeOrder(spans) {
  const byId = new Map(spans.map((span) => [span.id, span]));
  const children = new Map();
  const roots = [];
  for (const span of spans) {
    const parent = span.parent_run_id && byId.has(span.parent_run_id) ? span.parent_run_id : null;
    if (parent === null) roots.push(span);
    else (children.get(parent) || children.set(parent, []).get(parent)).push(span);
  }
  const byStart = (a, b) => timeMillis(a.start_time) - timeMillis(b.start_time);
  const ordered = [];
  const visit = (span, depth) => {
    ordered.push({ span, depth });
    for (const child of (children.get(span.id) || []).sort(byStart)) visit(child, depth + 1);
  };
  roots.sort(byStart).forEach((root) => visit(root, 0));
  return ordered;
}

async function renderTrace(traceId) {
  const trace = await api(`/api/traces/${encodeURIComponent(traceId)}`);
  const json = JSON.stringify(trace);
  if (json === state.lastTraceJson) return; // Nothing new: keep the page (and the reader's scroll) as it is.
  state.lastTraceJson = json;
  const ordered = treeOrder(trace.spans);
  const starts = trace.spans.map((span) => timeMillis(span.start_time)).filter(Number.isFinite);
  const ends = trace.spans.map((span) => timeMillis(span.end_time)).filter(Number.isFinite);
  const t0 = Math.min(...starts);
  const running = trace.spans.some((span) => !span.end_time);
  const t1 = Math.max(...ends, ...starts, running ? Date.now() : -Infinity);
  const total = Math.max(t1 - t0, 0.001);
  const root = ordered[0] ? ordered[0].span : null;

  document.getElementById('trace-title').textContent = root ? root.name || '(unnamed)' : traceId;
  document.getElementById('trace-meta').replaceChildren(
    statusBadge(traceStatus(trace.spans)),
    document.createTextNode(`  ${trace.spans.length} spans · ${formatDuration(t1 - t0)} · started ${formatTime(root && root.start_time)} · trace ${trace.trace_id}`),
  );
  document.getElementById('axis-scale').replaceChildren(el('span', null, '0'), el('span', null, formatDuration(total / 2)), el('span', null, formatDuration(total)));

  const rows = ordered.map(({ span, depth }) => {
    const start = timeMillis(span.start_time);
    const end = span.end_time ? timeMillis(span.end_time) : t1;
    const status = spanStatus(span);
    const label = el('div', 'span-label', null, el('span', 'span-name', span.name || '(unnamed)'), el('span', 'kind', span.run_type || ''));
    label.style.paddingLeft = `${depth * 16}px`;
    const bar = el('div', `bar kind-${String(span.run_type || 'chain').replace(/[^a-z]/g, '')}${status === 'error' ? ' error' : ''}${status === 'running' ? ' running' : ''}`);
    const left = Number.isFinite(start) ? ((start - t0) / total) * 100 : 0;
    const width = Number.isFinite(end - start) ? Math.max(((end - start) / total) * 100, 0.2) : 0.2;
    bar.style.left = `${left}%`;
    bar.style.width = `${width}%`;
    const time = el('span', 'bar-time', formatDuration(end - start));
    if (left + width > 80) time.style.right = `${100 - left + 0.5}%`;
    else time.style.left = `${left + width + 0.5}%`;
    const row = el('div', 'span-row', null, label, el('div', 'bar-col', null, bar, time));
    row.dataset.spanId = span.id;
    row.title = span.name || '';
    if (span.id === state.selectedSpanId) row.classList.add('selected');
    row.addEventListener('click', () => selectSpan(span));
    return row;
  });
  document.getElementById('waterfall-rows').replaceChildren(...rows);
  const selected = trace.spans.find((span) => span.id === state.selectedSpanId);
  if (selected) renderSpanPanel(selected);
}

function selectSpan(span) {
  state.selectedSpanId = span.id;
  for (const row of document.querySelectorAll('.span-row')) row.classList.toggle('selected', row.dataset.spanId === span.id);
  renderSpanPanel(span);
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
  const tags = el('dd');
  for (const tag of span.tags || []) tags.append(el('span', 'tag', tag));
  if ((span.tags || []).length > 0) facts.append(el('dt', null, 'tags'), tags);

  const sections = [el('h2', 'span-title', span.name || '(unnamed)'), facts];
  const section = (title, node, id) => {
    const heading = el('h3', null, title);
    node.dataset.section = id;
    sections.push(heading, node);
  };
  if (span.error !== undefined) section('Error', jsonBlock(span.error, 'error'), 'error');
  section('Inputs', jsonBlock(span.inputs === undefined ? '—' : span.inputs), 'inputs');
  section('Outputs', jsonBlock(span.outputs === undefined ? (span.end_time ? '—' : 'still running') : span.outputs), 'outputs');
  const metadata = span.extra && span.extra.metadata;
  if (metadata && Object.keys(metadata).length > 0) section('Metadata', jsonBlock(metadata), 'metadata');
  if (Array.isArray(span.events) && span.events.length > 0) section('Events', jsonBlock(span.events), 'events');
  panel.replaceChildren(...sections);
}

// ------------------------------------------------------------------ routing

async function refresh() {
  const match = /^#\/trace\/(.+)$/.exec(location.hash);
  document.getElementById('list-view').hidden = Boolean(match);
  document.getElementById('trace-view').hidden = !match;
  try {
    if (match) await renderTrace(decodeURIComponent(match[1]));
    else await renderList();
    showProblem(null);
  } catch (error) {
    showProblem(error);
  }
}

function schedule() {
  clearTimeout(state.timer);
  state.timer = setTimeout(async () => {
    if (!document.hidden) await refresh();
    schedule();
  }, POLL_MILLIS);
}

window.addEventListener('hashchange', () => {
  state.lastTraceJson = null;
  state.selectedSpanId = null;
  document.getElementById('span-panel').replaceChildren(el('p', 'hint', 'Click a span to see its inputs, outputs, error and metadata.'));
  void refresh();
});
document.getElementById('filters').addEventListener('input', () => void refresh());
document.getElementById('filters').addEventListener('submit', (event) => event.preventDefault());
void refresh().then(schedule);
