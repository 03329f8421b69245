'use strict';
/**
 * bench/coldstart.js's Deno rows: Deno (from npm, node_modules/.bin/deno)
 * loads a package as it is installed, so its `import` of tracewire is the
 * `deno` condition's file, unbundled. A project of its own under the
 * benchmark's temp dir (Deno resolves a bare specifier through the nearest
 * package.json's dependencies and node_modules), one fresh Deno process per
 * run, reporting what CHILD_SOURCE in coldstart.js reports.
 */
const fs = require('node:fs');
const path = require('node:path');
const { fileURLToPath, pathToFileURL } = require('node:url');
const { spawnReport } = require('./child-process');
const { ROOT } = require('./machine');

/** The Deno binary the dev dependency installs; undefined where it is not installed. */
const DENO = [path.join(ROOT, 'node_modules/.bin/deno')].find((file) => fs.existsSync(file));

const CHILD = `
const cpuMs = (since) => { const u = process.cpuUsage(since); return (u.user + u.system) / 1000; };
const c0 = process.cpuUsage();
const t0 = performance.now();
const mod = await import(Deno.env.get('BENCH_TARGET'));
const loadMs = performance.now() - t0;
const loadCpuMs = cpuMs(c0);
let firstCallMs = null, firstCallCpuMs = null, result = null;
if (typeof mod.handler === 'function') {
  const c1 = process.cpuUsage();
  const t1 = performance.now();
  result = await mod.handler({ n: 1 });
  firstCallMs = performance.now() - t1;
  firstCallCpuMs = cpuMs(c1);
}
console.log(JSON.stringify({ loadMs, loadCpuMs, firstCallMs, firstCallCpuMs, result }));
`;

/**
 * Writes the Deno project into `tmp/deno` (its node_modules: the benchmark's
 * own, linked; `links` collects the link for removal) and returns its
 * subjects: an empty module (the rows' baseline), `handler` importing each of
 * `packages` by name, and the per-module edge build by path (what the `deno`
 * condition picked before it had a file of its own).
 */
function denoSubjects(tmp, links, handler, packages) {
  if (DENO === undefined) return [];
  const dir = path.join(tmp, 'deno');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'cold-start-deno', private: true, type: 'module', dependencies: Object.fromEntries(packages.map((name) => [name, '*'])) }));
  const modules = path.join(dir, 'node_modules');
  fs.symlinkSync(path.join(tmp, 'node_modules'), modules, 'dir');
  links.push(modules);
  fs.writeFileSync(path.join(dir, 'child.mjs'), CHILD);
  const file = (name, source) => {
    fs.writeFileSync(path.join(dir, name), source);
    return pathToFileURL(path.join(dir, name)).href;
  };
  const subjects = [{ id: 'deno-empty', label: 'Deno: empty ES module file (the Deno rows\' baseline)', target: file('empty.mjs', '') }];
  for (const name of packages) {
    subjects.push({ id: `deno-${name}`, label: `Deno: import from '${name}', not bundled (the deno condition)`, target: file(`${name}.mjs`, handler(`'${name}'`)) });
  }
  const perModule = JSON.stringify(pathToFileURL(path.join(ROOT, 'dist/esm/edge.js')).href);
  subjects.push({ id: 'deno-per-module', label: 'Deno: the per-module edge build, by path', target: file('per-module.mjs', handler(perModule)) });
  return subjects.map((subject) => ({ ...subject, deno: true, base: 'deno-empty' }));
}

/** One fresh Deno process loading `target` (a file URL); resolves its report. */
function runDeno(target, env) {
  const child = path.join(path.dirname(fileURLToPath(target)), 'child.mjs');
  return spawnReport(target, DENO, ['run', '--allow-read', '--allow-env', '--allow-net', child], { ...env, BENCH_TARGET: target, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' });
}

module.exports = { denoSubjects, runDeno };
