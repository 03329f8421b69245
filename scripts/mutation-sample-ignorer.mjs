// Stryker ignorer plugin for `stryker.sample.config.mjs`: keeps only the mutants of the
// sampled syntax nodes listed in reports/mutation/sample.json (drawn by
// `node scripts/mutation-sample.mjs draw`).
//
// The sample run passes each sampled node's location as a `--mutate` range, but a range
// also takes every mutant nested inside it (a sampled function body would bring all of
// its statements: about 4× the mutants). An ignorer sees each node on the way down and
// ignores a node together with everything below it, so this one ignores every node that
// holds no sampled node; the sampled nodes and their ancestors stay, and the ranges keep
// the ancestors from being mutated.
import { readFileSync } from 'node:fs';
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

const SAMPLE = new URL('../reports/mutation/sample.json', import.meta.url);

/** Sampled node locations per file (0-based lines, 0-based columns, as the instrumenter reports them). */
function loadSampledLocations() {
  const byFile = new Map();
  for (const node of JSON.parse(readFileSync(SAMPLE, 'utf8')).nodes) {
    if (!byFile.has(node.file)) byFile.set(node.file, []);
    byFile.get(node.file).push(node.location);
  }
  return byFile;
}

const before = (a, b) => a.line < b.line || (a.line === b.line && a.column <= b.column);
const contains = (outer, inner) => before(outer.start, inner.start) && before(inner.end, outer.end);

let sampled;

const sampledNodesOnly = {
  shouldIgnore(path) {
    sampled ??= loadSampledLocations();
    const loc = path.node.loc;
    const fileName = path.hub?.file?.opts?.filename;
    if (!loc || typeof fileName !== 'string') return undefined;
    const normalized = fileName.replaceAll('\\', '/');
    const locations = [...sampled].find(([file]) => normalized === file || normalized.endsWith(`/${file}`))?.[1];
    if (!locations) return 'not in the mutation sample';
    // Babel counts lines from 1, the instrumenter's mutant locations from 0.
    const node = { start: { line: loc.start.line - 1, column: loc.start.column }, end: { line: loc.end.line - 1, column: loc.end.column } };
    return locations.some((location) => contains(node, location)) ? undefined : 'not in the mutation sample';
  },
};

export const strykerPlugins = [declareValuePlugin(PluginKind.Ignore, 'sampled-nodes-only', sampledNodesOnly)];
