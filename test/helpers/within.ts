/**
 * `work`, or `'timed out'` once `millis` have passed: a test that would
 * otherwise hang until jest's own time-out fails at a bound of its choosing,
 * its assertion receiving `'timed out'`. Give a generous bound (the machine
 * may be loaded): the positive case settles in milliseconds.
 */
export function within<T>(work: Promise<T>, millis: number): Promise<T | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), millis)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
