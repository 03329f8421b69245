// Shared helpers of the viewer. Every value that comes from a span is
// inserted as text (textContent, or attributes set through the DOM), never
// as HTML: names, inputs, errors, tags and metadata are whatever the traced
// program (or a hostile sender) produced.

const TOKEN_KEY = 'tracewire.token';

/** An element with optional class and text, children appended. */
export function el(tag, className, text, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const child of children) if (child) node.append(child);
  return node;
}

/** An SVG element with attributes (numbers and fixed names only; text goes through textContent). */
export function svg(tag, attributes = {}, text) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

function authHeaders() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { authorization: `Bearer ${token}` } : {};
}

/**
 * GET a JSON API path; an error answer becomes an Error with the collector's
 * reason, no answer at all (the collector is down) an Error marked `offline`.
 */
export async function api(path) {
  const response = await fetch(path, { headers: authHeaders() }).catch((error) => {
    throw Object.assign(new Error(`The collector does not answer (${error.message})`), { offline: true });
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.detail || `${response.status} ${response.statusText}`);
  return body;
}

/** Downloads an API path as a file (a link cannot carry the token header). */
export async function download(path, filename) {
  const response = await fetch(path, { headers: authHeaders() });
  if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
  const url = URL.createObjectURL(await response.blob());
  const link = el('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A token given once in the URL (?token=…) is kept for the tab's session. */
export function keepToken() {
  const params = new URLSearchParams(location.search);
  const token = params.get('token');
  if (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    history.replaceState(null, '', location.pathname + location.hash);
  }
}

export function showProblem(error) {
  document.getElementById('problem').textContent = error ? String(error.message || error) : '';
}

/** Milliseconds since the epoch, keeping the microseconds of `…T00:00:00.123456Z`. */
export function timeMillis(iso) {
  if (!iso) return NaN;
  const match = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(iso);
  if (!match) return Date.parse(iso);
  return Date.parse(`${match[1]}Z`) + Number(`0.${match[2] || '0'}`) * 1000;
}

export function formatDuration(ms) {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  // Long spans (and traces still running for days) in units a reader takes in at a glance.
  const [big, bigName, small, smallName] = ms < 3_600_000 ? [60_000, 'min', 1000, 's'] : ms < 86_400_000 ? [3_600_000, 'h', 60_000, 'min'] : [86_400_000, 'd', 3_600_000, 'h'];
  const whole = Math.floor(ms / big);
  return `${whole} ${bigName} ${Math.floor((ms - whole * big) / small)} ${smallName}`;
}

/** A time in the browser's zone, the zone named: every page shows times one way (the stats axis too). */
export function formatTime(iso) {
  const ms = timeMillis(iso);
  return Number.isFinite(ms) ? new Date(ms).toLocaleString(undefined, { timeZoneName: 'short' }) : '—';
}

/** A minute of the stats timeline (`YYYY-MM-DDTHH:MM`, UTC) as the browser's hour and minute, the zone named. */
/** A UTC minute `YYYY-MM-DDTHH:MM` (the stats API's) as epoch ms; NaN if it is not one. */
export const minuteMillis = (minute) => Date.parse(`${minute}:00Z`);

export function formatMinute(minute) {
  const ms = minuteMillis(minute);
  return Number.isFinite(ms) ? new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }) : minute;
}

export function statusBadge(status) {
  return el('span', `status status-${status}`, status);
}
