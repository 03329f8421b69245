import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Run } from '../../../index';
import { BUILT_ENTRY } from '../../helpers/built-entry';

/**
 * The wall clock steps back an hour (an NTP step, `date -s`, a restored VM) in a real process: libfaketime (Debian's
 * `faketime`, which CI installs) moves what `clock_gettime(CLOCK_REALTIME)` answers, and so `Date.now()`, mid-run;
 * the monotonic clock runs on. Runs after the step take their times from the wall clock and last as long as they ran.
 * Before, time was held at the last time given until the wall clock caught up: for that hour every run lasted 1 µs (a
 * report-only probe). A run across the step ends no earlier than it started, and a child started after it no earlier
 * than its parent: LangSmith refuses a child whose `dotted_order` time is earlier than its parent's. Needs `npm run
 * build`.
 */
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const HOUR_MILLIS = 3_600_000;
const micros = (iso: string): number => Date.parse(iso.slice(0, 23) + 'Z') * 1000 + Number(iso.slice(23, 26));
const durationMillis = (run: Run): number => (micros(run.end_time!) - micros(run.start_time)) / 1000;
const only = (runs: Run[], name: string): Run => {
  const named = runs.filter((run) => run.name === name);
  expect(named).toHaveLength(1);
  return named[0]!;
};

test('after the wall clock steps back an hour, runs follow it and last as long as they ran; runs across the step keep their order', async () => {
  expect(existsSync(LIBFAKETIME)).toBe(true); // apt-get install faketime
  const dir = mkdtempSync(join(tmpdir(), 'tw-clock-'));
  const offsetFile = join(dir, 'offset');
  writeFileSync(offsetFile, '+0');
  try {
    const env = { ...process.env, LD_PRELOAD: LIBFAKETIME, FAKETIME_TIMESTAMP_FILE: offsetFile, FAKETIME_NO_CACHE: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1' };
    const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, 'fixtures', 'clock-step-back.cjs'), BUILT_ENTRY, offsetFile], { env, timeout: 30_000 });
    const { wallAfter, runs } = JSON.parse(stdout) as { wallAfter: number; runs: Run[] };
    expect(Math.abs(wallAfter - (Date.now() - HOUR_MILLIS))).toBeLessThan(60_000); // the child's clock did step
    const [acrossRun, childRun, afterRun] = [only(runs, 'across'), only(runs, 'child'), only(runs, 'after')];
    expect(durationMillis(afterRun)).toBeGreaterThanOrEqual(40);
    expect(Math.abs(micros(afterRun.end_time!) / 1000 - wallAfter)).toBeLessThan(60_000);
    expect(micros(childRun.start_time)).toBeGreaterThanOrEqual(micros(acrossRun.start_time));
    expect(childRun.dotted_order.startsWith(`${acrossRun.dotted_order}.`)).toBe(true);
    for (const run of [acrossRun, childRun, afterRun]) expect(durationMillis(run)).toBeGreaterThanOrEqual(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
