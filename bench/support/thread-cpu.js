'use strict';
/**
 * CPU time of this process split by thread, from /proc/self/task/<tid>/schedstat
 * (Linux; its first field is the nanoseconds the thread has run): the main
 * thread, where JavaScript runs, and every other thread — in a fresh Node
 * process mostly V8's background workers: concurrent (TurboFan) compilation
 * and concurrent/parallel garbage collection. process.cpuUsage() counts both;
 * this tells them apart, so a fresh process's one-off compile work shows as
 * what it is. undefined where /proc is not there.
 */
const fs = require('node:fs');

/** @returns {{ mainNs: number, otherNs: number } | undefined} */
function threadCpu() {
  let tids;
  try {
    tids = fs.readdirSync('/proc/self/task');
  } catch {
    return undefined;
  }
  let mainNs = 0;
  let otherNs = 0;
  for (const tid of tids) {
    let ns;
    try {
      ns = Number(fs.readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      continue; // the thread ended between the listing and the read
    }
    if (Number(tid) === process.pid) mainNs = ns;
    else otherNs += ns;
  }
  return { mainNs, otherNs };
}

/**
 * µs per span of the main thread and of the other threads between two
 * threadCpu() readings; with `callsDone`, a reading taken when the last call
 * returned, the calls' share of each too (the rest is the flush's).
 */
function threadCpuPerSpan(before, after, spans, callsDone) {
  if (before === undefined || after === undefined) return {};
  const perSpan = (from, to) => ({ main: (to.mainNs - from.mainNs) / 1000 / spans, other: (to.otherNs - from.otherNs) / 1000 / spans });
  const all = perSpan(before, after);
  const calls = callsDone === undefined ? undefined : perSpan(before, callsDone);
  return { mainUsPerSpan: all.main, otherUsPerSpan: all.other, ...(calls && { callsMainUsPerSpan: calls.main, callsOtherUsPerSpan: calls.other }) };
}

module.exports = { threadCpu, threadCpuPerSpan };
