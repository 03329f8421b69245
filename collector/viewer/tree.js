import { timeMillis } from './dom.js';

/**
 * Spans in tree order (depth first, children by start time), each with its
 * depth and what is odd about it: `orphan` (its parent is not in the trace,
 * or not loaded yet; an OpenTelemetry span's parent named by span id alone is
 * found by it) or `cycle` (it is its own ancestor). Built with an
 * explicit stack, so a 20 000-deep chain costs no call stack; every span
 * appears exactly once, cycles included.
 */
export function treeOrder(spans) {
  const byId = new Map();
  for (const span of spans) byId.set(span.id, span);
  const resolve = parentResolver(spans, byId);
  const start = new Map(spans.map((span) => [span, timeMillis(span.start_time)]));
  const byStart = (a, b) => (start.get(a) - start.get(b)) || (a.id < b.id ? -1 : 1);
  const children = new Map();
  const roots = [];
  const flags = new Map();
  for (const span of spans) {
    const parent = resolve(span.parent_run_id);
    if (!parent) roots.push(span);
    else if (parent === span.id) {
      roots.push(span);
      flags.set(span, 'cycle');
    } else if (!byId.has(parent)) {
      roots.push(span);
      flags.set(span, 'orphan');
    } else {
      const list = children.get(parent);
      if (list) list.push(span);
      else children.set(parent, [span]);
    }
  }
  for (const list of children.values()) list.sort(byStart);
  const ordered = [];
  const visited = new Set();
  const walk = (first) => {
    const stack = [[first, 0]];
    while (stack.length > 0) {
      const [span, depth] = stack.pop();
      if (visited.has(span)) continue;
      visited.add(span);
      ordered.push({ span, depth, flag: flags.get(span) || null });
      const list = children.get(span.id);
      if (list) for (let i = list.length - 1; i >= 0; i--) if (!visited.has(list[i])) stack.push([list[i], depth + 1]);
    }
  };
  roots.sort(byStart).forEach(walk);
  // What no root reaches is in a cycle of parents (A → B → A): shown from its earliest span, flagged.
  if (visited.size < spans.length) {
    for (const span of [...spans].sort(byStart)) {
      if (visited.has(span)) continue;
      flags.set(span, 'cycle');
      walk(span);
    }
  }
  return ordered;
}

/** How the collector names a span by its OpenTelemetry span id alone: `00000000-0000-0000-<16 hex digits>`. */
const SPAN_ID_ONLY = /^00000000-0000-0000-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A parent id as the tree reads it: an OpenTelemetry SDK's span names its parent by span id alone, which the collector
 * stores as `00000000-0000-0000-<span id>`; when that parent is a tracewire run of the trace, whose UUID ends in that
 * span id, the span hangs under it (it was flagged an orphan, though its parent was right there).
 */
function parentResolver(spans, byId) {
  let bySpanId;
  return (parent) => {
    if (!parent || byId.has(parent) || !SPAN_ID_ONLY.test(parent)) return parent;
    if (bySpanId === undefined) {
      bySpanId = new Map();
      for (const span of spans) if (!SPAN_ID_ONLY.test(span.id)) bySpanId.set(span.id.slice(19), span.id);
    }
    return bySpanId.get(parent.slice(19)) ?? parent;
  };
}
