'use strict';
/** Aligned plain-text tables on stdout. */

function pad(s, w, right) {
  s = String(s);
  return right ? s.padStart(w) : s.padEnd(w);
}

/**
 * Prints a header row, a dashed rule and one line per row. columns: [{ key, title, right? }];
 * a cell is String(row[key] ?? ''). { trimEnd: true } strips the trailing padding of every line.
 */
function printTable(columns, rows, options = {}) {
  const widths = columns.map((c) => Math.max(c.title.length, ...rows.map((r) => String(r[c.key] ?? '').length)));
  const line = (cells) => {
    const text = cells.map((cell, i) => pad(cell ?? '', widths[i], columns[i].right)).join('  ');
    return options.trimEnd ? text.trimEnd() : text;
  };
  console.log(line(columns.map((c) => c.title)));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(columns.map((c) => r[c.key])));
}

/** Prints a blank line, `title` and a targets table (first column `first`, then target / measured / result), lines trimmed. */
function printTargets(title, first, rows) {
  console.log('');
  console.log(title);
  printTable(
    [
      first,
      { key: 'target', title: 'target' },
      { key: 'measured', title: 'measured' },
      { key: 'result', title: 'result' },
    ],
    rows,
    { trimEnd: true },
  );
}

/** "targets: 7 PASS, 1 FAIL" over rows with result 'PASS' / 'FAIL'. */
function targetCounts(rows) {
  const fails = rows.filter((r) => r.result === 'FAIL').length;
  return `targets: ${rows.length - fails} PASS, ${fails} FAIL`;
}

module.exports = { pad, printTable, printTargets, targetCounts };
