// Runs after `npm run test:mutation` (npm's posttest:mutation hook).
//
// A run is limited to a folder at a time (`--mutate`) on this 2-core
// machine. Stryker writes the accumulated results to the incremental file,
// reports/mutation/mutation.json (committed), and this run's alone to
// last-run.json. This folds the last run into the accumulated report (a
// no-op after a normal run; it repairs one whose incremental write was
// lost) and prints the mutation score per folder.
//
//   node scripts/mutation-report.mjs [--no-merge] [--markdown]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const DIR = 'reports/mutation';
const ACCUMULATED = `${DIR}/mutation.json`;
const LAST_RUN = `${DIR}/last-run.json`;

const read = (path) => JSON.parse(readFileSync(path, 'utf8'));
const merge = !process.argv.includes('--no-merge');

/** `reports` in order, later ones winning per source file; test ids renumbered by (test file, name). */
function mergeReports(reports) {
  const testIds = new Map();
  const testFiles = {};
  const files = {};
  let mutantId = 0;
  for (const report of reports) {
    const localToKey = new Map();
    for (const [file, { tests, source }] of Object.entries(report.testFiles ?? {})) {
      for (const test of tests) {
        const key = `${file}\u0000${test.name}`;
        localToKey.set(test.id, key);
        if (!testIds.has(key)) {
          testIds.set(key, String(testIds.size));
          (testFiles[file] ??= { tests: [], source }).tests.push({ ...test, id: testIds.get(key) });
        }
      }
    }
    const remap = (ids) => ids?.map((id) => testIds.get(localToKey.get(id))).filter((id) => id !== undefined);
    for (const [file, result] of Object.entries(report.files)) {
      files[file] = { ...result, mutants: result.mutants.map((m) => ({ ...m, coveredBy: remap(m.coveredBy), killedBy: remap(m.killedBy) })) };
    }
  }
  for (const result of Object.values(files)) for (const mutant of result.mutants) mutant.id = String(mutantId++);
  const last = reports[reports.length - 1];
  return { ...last, files, testFiles };
}

function scores(report) {
  const byFolder = new Map();
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const folder = file.split('/').slice(0, -1).join('/');
    const counts = byFolder.get(folder) ?? { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, CompileError: 0, Ignored: 0, other: 0 };
    for (const { status } of mutants) counts[status in counts ? status : 'other']++;
    byFolder.set(folder, counts);
  }
  const rows = [...byFolder.entries()].sort(([a], [b]) => a.localeCompare(b));
  const total = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, CompileError: 0, Ignored: 0, other: 0 };
  for (const [, c] of rows) for (const k of Object.keys(total)) total[k] += c[k];
  const score = (c) => {
    const detected = c.Killed + c.Timeout;
    const valid = detected + c.Survived + c.NoCoverage;
    return valid === 0 ? 'n/a' : `${((100 * detected) / valid).toFixed(1)} %`;
  };
  // Ignored = static mutants (module-level code) left out by `ignoreStatic`: not run, so in no score.
  console.log('folder'.padEnd(20), 'score'.padStart(8), 'killed', 'timeout', 'survived', 'no cov', 'compile err', 'static (not run)');
  for (const [folder, c] of [...rows, ['(all run)', total]]) {
    console.log(folder.padEnd(20), score(c).padStart(8), String(c.Killed).padStart(6), String(c.Timeout).padStart(7), String(c.Survived).padStart(8), String(c.NoCoverage).padStart(6), String(c.CompileError).padStart(11), String(c.Ignored).padStart(16));
  }
  if (process.argv.includes('--markdown')) {
    console.log('\n| folder | score | killed | timeout | survived | no coverage | not compiling | static (not run) |\n|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const [folder, c] of [...rows, ['**all run**', total]]) {
      console.log(`| ${folder.startsWith('*') ? folder : `\`${folder}\``} | ${score(c)} | ${c.Killed} | ${c.Timeout} | ${c.Survived} | ${c.NoCoverage} | ${c.CompileError} | ${c.Ignored} |`);
    }
  }
}

let report = existsSync(ACCUMULATED) ? read(ACCUMULATED) : undefined;
if (merge && existsSync(LAST_RUN)) {
  report = report === undefined ? read(LAST_RUN) : mergeReports([report, read(LAST_RUN)]);
  writeFileSync(ACCUMULATED, JSON.stringify(report, null, 2));
}
if (report === undefined) throw new Error(`No mutation report yet: run \`npm run test:mutation\` first (${ACCUMULATED}).`);
scores(report);
