// The mutation score over all of lib/ and decorators/, estimated from a random sample
// of the mutants no run has reached yet (issue 16).
//
// A full Stryker run over lib/ and decorators/ is ~7 900 mutants: many hours on this
// 2-core machine. Runs therefore go folder by folder into the committed report
// (reports/mutation/mutation.json), and the files not run yet are estimated:
//
//   node scripts/mutation-sample.mjs draw [--nodes 120] [--seed 16]
//       lists every mutant Stryker's instrumenter makes in lib/ and decorators/, keeps the
//       files the committed report does not hold yet, and draws syntax nodes from them
//       uniformly at random (a node and all its mutants: Stryker can target a node, not
//       one mutant of it) into reports/mutation/sample.json.
//   npx stryker run stryker.sample.config.mjs
//       runs exactly those nodes' mutants (reports/mutation/sample-run.json).
//   node scripts/mutation-sample.mjs estimate [--markdown] [--partial]
//       score = (detected in the report's files + estimated detected in the rest)
//             / (scored in the report's files + estimated scored in the rest),
//       the rest estimated as (nodes in it) × (mean per sampled node), with a 95 %
//       bootstrap interval over the sampled nodes.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Instrumenter } from '@stryker-mutator/instrumenter';

const DIR = 'reports/mutation';
const SAMPLE = `${DIR}/sample.json`;
const SAMPLE_RUN = `${DIR}/sample-run.json`;
const REPORT = `${DIR}/mutation.json`;
const DETECTED = new Set(['Killed', 'Timeout']);
const SCORED = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage']);

const read = (path) => JSON.parse(readFileSync(path, 'utf8'));
const option = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};

/** Deterministic PRNG (mulberry32), so a sample can be drawn again from its seed. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const quiet = { isDebugEnabled: () => false, isTraceEnabled: () => false, debug() {}, trace() {}, info() {}, warn() {}, error() {} };

async function draw() {
  const nodesWanted = option('--nodes', 120);
  const seed = option('--seed', 16);
  const files = execFileSync('git', ['ls-files', 'lib/*.ts', 'decorators/*.ts'], { encoding: 'utf8' })
    .split('\n')
    .filter((file) => file && !file.endsWith('.d.ts'));
  const { mutants } = await new Instrumenter(quiet).instrument(
    files.map((name) => ({ name, content: readFileSync(name, 'utf8'), mutate: true })),
    { plugins: null, excludedMutations: [], ignorers: [], noHeader: false },
  );
  const alreadyRun = new Set(Object.keys(read(REPORT).files));
  const nodes = new Map();
  for (const mutant of mutants) {
    const file = mutant.fileName.replace(`${process.cwd()}/`, '');
    if (alreadyRun.has(file)) continue;
    const key = `${file}:${JSON.stringify(mutant.location)}`;
    if (!nodes.has(key)) nodes.set(key, { file, location: mutant.location, mutants: [] });
    nodes.get(key).mutants.push({ mutatorName: mutant.mutatorName, replacement: mutant.replacement });
  }
  const pool = [...nodes.values()];
  const next = random(seed);
  const sample = [];
  while (sample.length < nodesWanted && pool.length > 0) sample.push(pool.splice(Math.floor(next() * pool.length), 1)[0]);
  const populationFiles = [...new Set([...nodes.values()].map((node) => node.file))].sort();
  writeFileSync(
    SAMPLE,
    `${JSON.stringify({
      drawnAt: new Date().toISOString(),
      commit: execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim(),
      seed,
      population: { files: populationFiles, nodes: nodes.size, mutants: [...nodes.values()].reduce((n, node) => n + node.mutants.length, 0) },
      nodes: sample,
    }, null, 1)}\n`,
  );
  console.log(`drew ${sample.length} of ${nodes.size} nodes (${sample.reduce((n, node) => n + node.mutants.length, 0)} mutants) from ${populationFiles.length} files not run yet → ${SAMPLE}`);
}

/** Per sampled node: [detected, scored] among its mutants in the sample run, or undefined when the run lacks it. */
function nodeOutcomes(sample, run) {
  return sample.nodes.map((node) => {
    // The report counts lines and columns from 1, the instrumenter from 0.
    const same = (m) => m.location.start.line === node.location.start.line + 1 && m.location.start.column === node.location.start.column + 1
      && m.location.end.line === node.location.end.line + 1 && m.location.end.column === node.location.end.column + 1;
    const mutants = (run.files[node.file]?.mutants ?? []).filter(same);
    if (mutants.length === 0) return undefined;
    return {
      detected: mutants.filter((m) => DETECTED.has(m.status)).length,
      scored: mutants.filter((m) => SCORED.has(m.status)).length,
      statuses: mutants.map((m) => m.status),
    };
  });
}

function estimate() {
  const sample = read(SAMPLE);
  const outcomes = nodeOutcomes(sample, read(SAMPLE_RUN));
  const measured = outcomes.filter(Boolean);
  if (measured.length < sample.nodes.length && !process.argv.includes('--partial')) {
    // A run that stopped early, or a sample-run.json left from another draw, would be read as a sample.
    console.error(`${sample.nodes.length - measured.length} of the ${sample.nodes.length} sampled nodes have no result in ${SAMPLE_RUN}: is it this sample's completed run? (--partial estimates from the measured nodes anyway)`);
    process.exit(1);
  }
  const population = new Set(sample.population.files);
  let knownDetected = 0;
  let knownScored = 0;
  for (const [file, { mutants }] of Object.entries(read(REPORT).files)) {
    if (population.has(file)) continue;
    for (const { status } of mutants) {
      if (DETECTED.has(status)) knownDetected++;
      if (SCORED.has(status)) knownScored++;
    }
  }
  const score = (nodes) => {
    const mean = (key) => nodes.reduce((sum, node) => sum + node[key], 0) / nodes.length;
    return (knownDetected + sample.population.nodes * mean('detected')) / (knownScored + sample.population.nodes * mean('scored'));
  };
  const next = random(sample.seed + 1);
  const resampled = Array.from({ length: 4000 }, () => score(measured.map(() => measured[Math.floor(next() * measured.length)]))).sort((a, b) => a - b);
  const statusCounts = {};
  for (const node of measured) for (const status of node.statuses) statusCounts[status] = (statusCounts[status] ?? 0) + 1;
  const pct = (x) => `${(100 * x).toFixed(1)} %`;
  const sampleDetected = measured.reduce((n, node) => n + node.detected, 0);
  const sampleScored = measured.reduce((n, node) => n + node.scored, 0);
  const lines = [
    `sample: ${measured.length} of ${sample.nodes.length} drawn nodes measured (seed ${sample.seed}, drawn ${sample.drawnAt} at ${sample.commit.slice(0, 7)}), from ${sample.population.nodes} nodes / ${sample.population.mutants} mutants in ${sample.population.files.length} files not run yet`,
    `sample mutants by status: ${Object.entries(statusCounts).map(([s, n]) => `${s} ${n}`).join(', ')}; sample score ${pct(sampleDetected / sampleScored)} (${sampleDetected}/${sampleScored})`,
    `report's other files: ${knownDetected} detected of ${knownScored} scored (${pct(knownDetected / knownScored)})`,
    `estimated score over lib/ and decorators/: ${pct(score(measured))} (95 % bootstrap interval ${pct(resampled[100])}–${pct(resampled[3899])})`,
  ];
  console.log(process.argv.includes('--markdown') ? lines.map((line) => `- ${line}`).join('\n') : lines.join('\n'));
}

const command = process.argv[2];
if (command === 'draw') await draw();
else if (command === 'estimate') estimate();
else {
  console.error('usage: node scripts/mutation-sample.mjs draw [--nodes N] [--seed S] | estimate [--markdown]');
  process.exit(2);
}
