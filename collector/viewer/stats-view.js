import { api, el, formatDuration, formatMinute, svg } from './dom.js';

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

/** Bars per latency bucket, log-scaled x axis (the buckets are). */
function histogram(buckets) {
  const chart = svg('svg', { viewBox: `0 0 ${CHART.width} ${CHART.height}`, role: 'img', class: 'chart' });
  chart.append(svg('title', {}, 'Latency histogram'));
  if (buckets.length === 0) return chart;
  const max = Math.max(...buckets.map((b) => b.count));
  const width = (CHART.width - 2 * CHART.pad) / buckets.length;
  buckets.forEach((bucket, i) => {
    const height = (bucket.count / max) * (CHART.height - 2 * CHART.pad);
    const bar = svg('rect', { x: CHART.pad + i * width, y: CHART.height - CHART.pad - height, width: Math.max(width - 1, 1), height, class: 'hist-bar' });
    bar.append(svg('title', {}, `${formatDuration(bucket.ms)}: ${bucket.count} spans`));
    chart.append(bar);
  });
  chart.append(
    svg('text', { x: CHART.pad, y: CHART.height - 8, class: 'axis-label' }, formatDuration(buckets[0].ms)),
    svg('text', { x: CHART.width - CHART.pad, y: CHART.height - 8, class: 'axis-label', 'text-anchor': 'end' }, formatDuration(buckets[buckets.length - 1].ms)),
    svg('text', { x: CHART.pad, y: 14, class: 'axis-label' }, `max ${max} spans`),
  );
  return chart;
}

/** Spans per minute (bars) and error rate (line, right scale 0–100 %). */
function timeline(minutes) {
  const chart = svg('svg', { viewBox: `0 0 ${CHART.width} ${CHART.height}`, role: 'img', class: 'chart' });
  chart.append(svg('title', {}, 'Throughput and error rate per minute'));
  if (minutes.length === 0) return chart;
  const max = Math.max(...minutes.map((m) => m.spans));
  const width = (CHART.width - 2 * CHART.pad) / minutes.length;
  const inner = CHART.height - 2 * CHART.pad;
  const points = [];
  minutes.forEach((minute, i) => {
    const height = (minute.spans / max) * inner;
    const bar = svg('rect', { x: CHART.pad + i * width, y: CHART.height - CHART.pad - height, width: Math.max(width - 1, 1), height, class: 'tp-bar' });
    bar.append(svg('title', {}, `${formatMinute(minute.minute)}: ${minute.spans} spans, ${minute.errors} errors`));
    chart.append(bar);
    points.push(`${CHART.pad + (i + 0.5) * width},${CHART.height - CHART.pad - (minute.errors / Math.max(minute.spans, 1)) * inner}`);
  });
  chart.append(
    svg('polyline', { points: points.join(' '), class: 'err-line' }),
    svg('text', { x: CHART.pad, y: CHART.height - 8, class: 'axis-label' }, formatMinute(minutes[0].minute)),
    svg('text', { x: CHART.width - CHART.pad, y: CHART.height - 8, class: 'axis-label', 'text-anchor': 'end' }, formatMinute(minutes[minutes.length - 1].minute)),
    svg('text', { x: CHART.pad, y: 14, class: 'axis-label' }, `max ${max} spans/min · red: error rate`),
  );
  return chart;
}
