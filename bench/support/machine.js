'use strict';
/** The machine and package versions a benchmark ran on, for the header lines of its output. */
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');

/** node / V8 / OS / CPU / memory of this process's machine. */
function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: os.platform(),
    release: os.release(),
    arch: os.arch(),
    cpuModel: cpus[0] ? cpus[0].model.trim() : 'unknown',
    cores: cpus.length,
    memGiB: os.totalmem() / 2 ** 30,
  };
}

/** "0.52 0.61 0.70": the 1/5/15-minute load averages. */
const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

/** "node v20.x (V8 11.x) | linux 6.x x64" */
function nodeLine() {
  const m = machine();
  return `node ${m.node} (V8 ${m.v8}) | ${m.platform} ${m.release} ${m.arch}`;
}

/** "cpu: <model> | cores: 2 | mem: 23.5 GiB" (+ " | loadavg: …" with { loadavg: true }). */
function cpuLine(options = {}) {
  const m = machine();
  return `cpu: ${m.cpuModel} | cores: ${m.cores} | mem: ${m.memGiB.toFixed(1)} GiB${options.loadavg ? ` | loadavg: ${loadavg()}` : ''}`;
}

/** The version of this repo's package ('tracewire') or of a package in its node_modules. */
function versionOf(name) {
  return require(name === 'tracewire' ? path.join(ROOT, 'package.json') : path.join(ROOT, 'node_modules', name, 'package.json')).version;
}

module.exports = { ROOT, machine, loadavg, nodeLine, cpuLine, versionOf };
