/**
 * Where `nowMicros()` takes its time from: the monotonic clock
 * (`process.hrtime()`, seconds and nanoseconds) anchored on the wall clock,
 * checked against `Date.now()` once per elapsed millisecond, and strictly
 * increasing whatever either clock does, but for a step of the wall clock back
 * by more than 100 ms, which time follows. Both clocks are scripted here: the
 * module takes the host's `process.hrtime` from lib/host-timers.ts when it
 * loads, so a fresh copy is loaded with that module's scripted.
 */
const WALL = 1_700_000_000_000; // ms
const AT = WALL * 1000; // the same instant in µs

test('each call gives the monotonic time on the wall clock, kept within the wall clock’s millisecond, and never repeats', () => {
  let monotonic: [number, number] = [100, 0];
  let wall = WALL;
  const now = jest.spyOn(Date, 'now').mockImplementation(() => wall);
  try {
    let clock!: typeof import('../../../lib/model/clock');
    jest.isolateModules(() => {
      jest.doMock('../../../lib/host-timers', () => ({ ...jest.requireActual('../../../lib/host-timers'), hostHrtime: () => monotonic }));
      clock = require('../../../lib/model/clock') as typeof clock;
    });
    const steps: Array<[string, [number, number], number, number]> = [
      // [what happens, hrtime, Date.now(), nowMicros() expected]
      ['250 µs later (nanoseconds / 10⁶ are milliseconds)', [100, 250_000], WALL, AT + 250],
      ['650.5 µs later, within the millisecond checked: no check, the fraction dropped', [100, 900_500], WALL, AT + 900],
      ['the monotonic clock has not moved: one µs more all the same', [100, 900_500], WALL, AT + 901],
      ['the wall clock stepped 5 ms ahead: time jumps to it', [100, 2_100_000], WALL + 5, AT + 5000],
      ['then runs on from there', [100, 2_600_000], WALL + 5, AT + 5500],
      ['the monotonic clock ran 3 ms ahead of the wall clock: held at the wall clock’s last µs', [100, 6_600_000], WALL + 6, AT + 6999],
      ['the wall clock stepped back 20 ms: time still never goes back', [100, 7_700_000], WALL - 14, AT + 7000],
      ['and moves on by one µs per call until the clocks agree again', [100, 7_700_000], WALL - 14, AT + 7001],
      ['the wall clock stepped back an hour (past 100 ms): time follows it', [100, 8_800_000], WALL - 3_600_000 + 8, AT - 3_600_000_000 + 8999],
      ['and runs on from there, strictly increasing again', [100, 8_800_000], WALL - 3_600_000 + 8, AT - 3_600_000_000 + 9000],
    ];
    for (const [what, hr, date, micros] of steps) {
      monotonic = hr;
      wall = date;
      expect({ what, micros: clock.nowMicros() }).toEqual({ what, micros });
    }
  } finally {
    jest.dontMock('../../../lib/host-timers');
    now.mockRestore();
  }
});
