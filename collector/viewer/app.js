// tracewire viewer: a trace list, a trace page (virtualised waterfall + span
// panel) and a stats page, refreshed by polling the collector's JSON API.
// No framework, no build: ES modules served by the collector.
import { api, el, formatDuration, formatTime, keepToken, showProblem, statusBadge, timeMillis } from './dom.js';
import { renderStats } from './stats-view.js';
import { closeTrace, openTrace, setUpTraceView } from './trace-view.js';

const POLL_MILLIS = 2000;
const LIST_PAGE = 50;
const list = { offset: 0 };
let timer = null;
/**
 * Counts list requests. Only the latest may show its answer: typing in Search
 * sends one per keystroke, and an earlier (broader) one answering late would
 * otherwise replace the list for the words in the box.
 */
let listGeneration = 0;

keepToken();

/** The list's filters as API parameters (one trace more than a page: whether there is an older page). */
function listQuery() {
  const form = document.getElementById('filters');
  const params = new URLSearchParams({ limit: String(LIST_PAGE + 1), offset: String(list.offset) });
  for (const name of ['name', 'status', 'tag', 'q']) {
    const value = form.elements[name].value.trim();
    if (value) params.set(name, value);
  }
  const minutes = Number(form.elements.since.value);
  if (minutes > 0) params.set('since', new Date(Date.now() - minutes * 60_000).toISOString());
  return params;
}

async function renderList() {
  const generation = ++listGeneration;
  const params = listQuery();
  const answer = await api(`/api/traces?${params}`);
  if (generation !== listGeneration) return; // a newer request (a keystroke, a page) was sent meanwhile
  const more = answer.traces.length > LIST_PAGE;
  const traces = answer.traces.slice(0, LIST_PAGE);
  const tbody = document.getElementById('trace-rows');
  // The rows are rebuilt: a keyboard user's focus goes back to the same trace's link, not to the page.
  const focused = tbody.contains(document.activeElement) ? document.activeElement.closest('tr').dataset.traceId : null;
  const rows = traces.map((trace) => {
    const name = trace.name || '(unnamed)';
    const link = el('a', null, name);
    link.title = name; // the cell shows its start only (CSS): a long name must not widen the table
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
  tbody.replaceChildren(...rows);
  const again = focused === null ? undefined : rows.find((row) => row.dataset.traceId === focused);
  if (again) again.querySelector('a').focus({ preventScroll: true });
  const filtered = [...params.keys()].some((name) => name !== 'limit' && name !== 'offset');
  document.getElementById('empty').hidden = rows.length > 0 || list.offset > 0 || filtered;
  document.getElementById('no-match').hidden = rows.length > 0 || list.offset > 0 || !filtered;
  document.getElementById('newer').disabled = list.offset === 0;
  document.getElementById('older').disabled = !more;
  document.getElementById('page-info').textContent = traces.length === 0 ? '' : `${list.offset + 1}–${list.offset + traces.length}`;
}

/** The header's indicator: live while the collector answers, offline while it does not. */
function showLive(online) {
  const live = document.getElementById('live');
  live.classList.toggle('offline', !online);
  live.textContent = online ? 'live' : 'offline';
  live.title = online ? 'Refreshes every 2 s' : 'The collector does not answer; retrying every 2 s';
}

async function refresh() {
  const trace = /^#\/trace\/(.+)$/.exec(location.hash);
  const stats = /^#\/stats(?:\/(.+))?$/.exec(location.hash);
  document.getElementById('list-view').hidden = Boolean(trace || stats);
  document.getElementById('trace-view').hidden = !trace;
  document.getElementById('stats-view').hidden = !stats;
  try {
    if (trace) await openTrace(decodeURIComponent(trace[1]));
    else if (stats) await renderStats(stats[1] ? decodeURIComponent(stats[1]) : null);
    else await renderList();
    showProblem(null);
    showLive(true);
  } catch (error) {
    showProblem(error);
    showLive(!error.offline);
  }
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(async () => {
    if (!document.hidden) await refresh();
    schedule();
  }, POLL_MILLIS);
}

window.addEventListener('hashchange', () => {
  if (!location.hash.startsWith('#/trace/')) closeTrace();
  void refresh();
});
const filters = document.getElementById('filters');
filters.addEventListener('input', () => {
  list.offset = 0;
  void refresh();
});
filters.addEventListener('submit', (event) => event.preventDefault());
document.getElementById('newer').addEventListener('click', () => {
  list.offset = Math.max(0, list.offset - LIST_PAGE);
  void refresh();
});
document.getElementById('older').addEventListener('click', () => {
  list.offset += LIST_PAGE;
  void refresh();
});
setUpTraceView();
void refresh().then(schedule);
