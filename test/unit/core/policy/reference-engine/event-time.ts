import { parseTime } from '../../../../../functions/core/event';

/** Digit at `i` (0–9), or a value outside 0–9 when it is not one. */
const digit = (text: string, i: number) => text.charCodeAt(i) - 48;
const isDigit = (d: number) => d >= 0 && d <= 9;

// The last day seen (as YYYYMMDD) and its epoch ms at 00:00Z: a batch's events share a day or two.
let cachedDay = -1;
let cachedDayMs = 0;

/**
 * `YYYY-MM-DDTHH:MM:SS.sssZ` — the form every canonical event carries (`toISOString`) — without a regex,
 * `Date.parse` or a Date per event: this runs once per event on the triage path. The date is validated by
 * `parseTime` once per day seen and remembered; the time of day is read here. Anything else is left to
 * `parseTime`, so both always agree.
 */
function canonicalTime(text: string): number | undefined {
  if (
    text.length !== 24 ||
    text.charCodeAt(4) !== 45 || // -
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 || // T
    text.charCodeAt(13) !== 58 || // :
    text.charCodeAt(16) !== 58 ||
    text.charCodeAt(19) !== 46 || // .
    text.charCodeAt(23) !== 90 // Z
  ) {
    return undefined;
  }
  const y1 = digit(text, 0);
  const y2 = digit(text, 1);
  const y3 = digit(text, 2);
  const y4 = digit(text, 3);
  const mo1 = digit(text, 5);
  const mo2 = digit(text, 6);
  const d1 = digit(text, 8);
  const d2 = digit(text, 9);
  const h1 = digit(text, 11);
  const h2 = digit(text, 12);
  const mi1 = digit(text, 14);
  const mi2 = digit(text, 15);
  const s1 = digit(text, 17);
  const s2 = digit(text, 18);
  const ms1 = digit(text, 20);
  const ms2 = digit(text, 21);
  const ms3 = digit(text, 22);
  if (
    !isDigit(y1) ||
    !isDigit(y2) ||
    !isDigit(y3) ||
    !isDigit(y4) ||
    !isDigit(mo1) ||
    !isDigit(mo2) ||
    !isDigit(d1) ||
    !isDigit(d2) ||
    !isDigit(h1) ||
    !isDigit(h2) ||
    !isDigit(mi1) ||
    !isDigit(mi2) ||
    !isDigit(s1) ||
    !isDigit(s2) ||
    !isDigit(ms1) ||
    !isDigit(ms2) ||
    !isDigit(ms3)
  ) {
    return undefined;
  }
  const hour = h1 * 10 + h2;
  if (hour > 23 || mi1 > 5 || s1 > 5) return undefined;
  const day = (y1 * 1000 + y2 * 100 + y3 * 10 + y4) * 10_000 + (mo1 * 10 + mo2) * 100 + d1 * 10 + d2;
  if (day !== cachedDay) {
    const midnight = parseTime(`${text.slice(0, 10)}T00:00:00.000Z`);
    if (midnight === undefined) return undefined;
    cachedDay = day;
    cachedDayMs = midnight;
  }
  return (
    cachedDayMs +
    hour * 3_600_000 +
    (mi1 * 10 + mi2) * 60_000 +
    (s1 * 10 + s2) * 1000 +
    ms1 * 100 +
    ms2 * 10 +
    ms3
  );
}

/** Event time (epoch ms): `occurredAt` when it is a valid time, else `fallback` (the batch's receive time). */
export function eventTime(occurredAt: string | undefined, fallback: number): number {
  if (occurredAt === undefined) return fallback;
  return canonicalTime(occurredAt) ?? parseTime(occurredAt) ?? fallback;
}
