'use strict';
/**
 * This process's own peak resident set, in KiB (1 KiB = 1024 B).
 *
 * Not `process.resourceUsage().maxRSS` alone: on Linux a child's maxRSS
 * starts at its parent's RSS when it was forked (exec keeps the signal
 * struct's high-water mark), so a benchmark child forked by a parent that
 * holds 150 MB reports at least 150 MB whatever it used itself (measured:
 * 304 MB against 39 MB for a child of a 300 MB parent). `/proc/self/status`'s
 * VmHWM is the high-water mark of this process image alone; maxRSS is the
 * fallback where there is no /proc.
 */
const fs = require('node:fs');

function peakRssKb() {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // No /proc (macOS, Windows): maxRSS below.
  }
  return process.resourceUsage().maxRSS;
}

module.exports = { peakRssKb };
