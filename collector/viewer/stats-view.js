import { api, el, formatDuration, formatMinute, minuteMillis, svg } from './dom.js';

const CHART = { width: 560, height: 160, pad: 28 };

/** The stats page: per span name count, error rate, p50/p95/p99; a latency histogram; spans and error rate per minute. */
export async function renderStats(selectedName) {
  const query = new URLSearchParams({ minutes: '120' });
  if (selectedName) query.set('name', selectedName);
  const report = await api(`/api/stats?${query}`);
  const rows = report.names.map((stats) => {
    const link = el('a', null, stats.name);
    link.href = `#/stats/${encodeURIComponent(stats.name)}`;
    const row = el(
      'tr',
      stats.name === selectedName ? 'selected' : null,
      null,
      el('td', 'name', null, link),
      el('td', 'num', stats.count),
      el('td', `num${stats.errors > 0 ? ' bad' : ''}`, `${(stats.error_rate * 100).toFixed(1)} %`),
      el('td', 'num', formatDuration(stats.p50_ms)),
      el('td', 'num', formatDuration(stats.p95_ms)),
      el('td', 'num', formatDuration(stats.p99_ms)),
    );
    row.dataset.name = stats.name;
    return row;
  });
  document.getElementById('stats-rows').replaceChildren(...rows);
  document.getElementById('stats-empty').hidden = rows.length > 0;
  document.getElementById('histogram-title').textContent = selectedName ? `Latency of ${selectedName}` : 'Latency of all spans';
  document.getElementById('histogram').replaceChildren(histogram(report.histogram));
  document.getElementById('timeline').replaceChildren(timeline(report.timeline));
}

/**
 * Bars per latency bucket on a log-scaled x axis (the buckets are): a bar
 * stands at its bucket's place, so buckets with no span between two that
 * have some are a gap, not drawn away.
 */
function histogram(buckets) {
  const chart = svg('svg', { viewBox: `0 0 ${CHART.width} ${CHART.height}`, role: 'img', class: 'chart' });
  chart.append(svg('title', {}, 'Latency histogram'));
  if (buckets.length === 0) return chart;
  const first = buckets[0].bucket;
  const slots = buckets[buckets.length - 1].bucket - first + 1;
  const { max } = bars(chart, buckets, (bucket) => bucket.bucket - first, slots, (bucket) => bucket.count, 'hist-bar', (bucket) => `${formatDuration(bucket.ms)}: ${bucket.count} spans`);
  chart.append(
    svg('text', { x: CHART.pad, y: CHART.height - 8, class: 'axis-label' }, formatDuration(buckets[0].ms)),
    svg('text', { x: CHART.width - CHART.pad, y: CHART.height - 8, class: 'axis-label', 'text-anchor': 'end' }, formatDuration(buckets[buckets.length - 1].ms)),
    svg('text', { x: CHART.pad, y: 14, class: 'axis-label' }, `max ${max} spans`),
  );
  return chart;
}

/** Spans per minute (bars) and error rate (line, right scale 0–100 %), on a time axis: a minute without spans is a gap. */
function timeline(minutes) {
  const chart = svg('svg', { viewBox: `0 0 ${CHART.width} ${CHART.height}`, role: 'img', class: 'chart' });
  chart.append(svg('title', {}, 'Throughput and error rate per minute'));
  if (minutes.length === 0) return chart;
  // Minutes are UTC `YYYY-MM-DDTHH:MM`: a bar's place is its minute's distance from the first.
  // A minute that does not parse (none should) takes the slot after the one before it.
  const first = minuteMillis(minutes[0].minute);
  const slots = [];
  for (const minute of minutes) {
    const slot = Math.round((minuteMillis(minute.minute) - first) / 60_000);
    slots.push(Number.isFinite(slot) && slot >= (slots.at(-1) ?? -1) + 1 ? slot : (slots.at(-1) ?? -1) + 1);
  }
  const inner = CHART.height - 2 * CHART.pad;
  const { width, max } = bars(chart, minutes, (_, i) => slots[i], slots.at(-1) + 1, (minute) => minute.spans, 'tp-bar', (minute) => `${formatMinute(minute.minute)}: ${minute.spans} spans, ${minute.errors} errors`);
  const points = minutes.map((minute, i) => `${CHART.pad + (slots[i] + 0.5) * width},${CHART.height - CHART.pad - (minute.errors / Math.max(minute.spans, 1)) * inner}`);
  chart.append(
    svg('polyline', { points: points.join(' '), class: 'err-line' }),
    svg('text', { x: CHART.pad, y: CHART.height - 8, class: 'axis-label' }, formatMinute(minutes[0].minute)),
    svg('text', { x: CHART.width - CHART.pad, y: CHART.height - 8, class: 'axis-label', 'text-anchor': 'end' }, formatMinute(minutes[minutes.length - 1].minute)),
    svg('text', { x: CHART.pad, y: 14, class: 'axis-label' }, `max ${max} spans/min · red: error rate`),
  );
  return chart;
}

/**
 * Draws `items` as bars into `chart`: each at slot `slotOf(item, index)` of `slots`
 * across the plot, as tall as its `valueOf` against the largest, titled
 * `titleOf(item)`. Returns a slot's width and the largest value.
 */
function bars(chart, items, slotOf, slots, valueOf, className, titleOf) {
  const max = Math.max(...items.map(valueOf));
  const width = (CHART.width - 2 * CHART.pad) / slots;
  const inner = CHART.height - 2 * CHART.pad;
  items.forEach((item, i) => {
    const height = (valueOf(item) / max) * inner;
    const bar = svg('rect', { x: CHART.pad + slotOf(item, i) * width, y: CHART.height - CHART.pad - height, width: Math.max(width - 1, 1), height, class: className });
    bar.append(svg('title', {}, titleOf(item)));
    chart.append(bar);
  });
  return { width, max };
}
