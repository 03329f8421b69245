/**
 * Recognisers for the forms the collector stores ids and times in. Clients
 * (tracewire, langsmith's SDK) already send them so, and a value that is
 * already canonical is kept as it is: these checks run on every id and time
 * ingested, so they read char codes and allocate nothing.
 */

const DASH = 45;
const DIGIT_SLOT = 100; // 'd' in LAYOUT

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isLowerHex(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 97 && code <= 102);
}

/** `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in lower-case hex: the stored form of every id. */
export function isCanonicalUuid(value: string): boolean {
  if (value.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const code = value.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (code !== DASH) return false;
    } else if (!isLowerHex(code)) return false;
  }
  return true;
}

/** The number the decimal digits at `value[from..to)` spell (the caller checked they are digits). */
function digitsAt(value: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + value.charCodeAt(i) - 48;
  return n;
}

/** The stored time form's layout: `YYYY-MM-DDTHH:MM:SS.ffffffZ`, 27 characters. */
const LAYOUT = 'dddd-dd-ddTdd:dd:dd.ddddddZ';

/**
 * `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, microseconds): the stored form of every
 * time. Only the layout is checked here; {@link isCalendarDate} checks the date.
 */
export function isCanonicalIsoMicros(value: string): boolean {
  if (value.length !== LAYOUT.length) return false;
  for (let i = 0; i < LAYOUT.length; i++) {
    const code = value.charCodeAt(i);
    const expected = LAYOUT.charCodeAt(i);
    if (expected === DIGIT_SLOT ? !isDigit(code) : code !== expected) return false;
  }
  return true;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A real calendar date and time (not month 13, not 25:61, not February 30), from their numbers. */
export function isCalendarTime(year: number, month: number, day: number, hours: number, minutes: number, seconds: number): boolean {
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]!) return false;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return false;
  return hours <= 23 && minutes <= 59 && seconds <= 59;
}

/** Whether a time in the stored layout (see {@link isCanonicalIsoMicros}) names a real calendar time. */
export function isCalendarDate(iso: string): boolean {
  return isCalendarTime(digitsAt(iso, 0, 4), digitsAt(iso, 5, 7), digitsAt(iso, 8, 10), digitsAt(iso, 11, 13), digitsAt(iso, 14, 16), digitsAt(iso, 17, 19));
}

/** Days from 1970-01-01 to a proleptic Gregorian date (Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** Epoch milliseconds (microseconds kept as the fraction) of a time in the stored layout, by arithmetic. */
export function isoMicrosToMillis(iso: string): number {
  const days = daysFromCivil(digitsAt(iso, 0, 4), digitsAt(iso, 5, 7), digitsAt(iso, 8, 10));
  const seconds = digitsAt(iso, 11, 13) * 3600 + digitsAt(iso, 14, 16) * 60 + digitsAt(iso, 17, 19);
  return (days * 86_400 + seconds) * 1000 + digitsAt(iso, 20, 26) / 1000;
}
