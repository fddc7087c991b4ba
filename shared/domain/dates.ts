/**
 * Calendar dates are plain 'YYYY-MM-DD' strings and accounting periods 'YYYY-MM' strings, both in
 * the bureau's zone, Asia/Shanghai (UTC+8 all year; China has no daylight saving time). Keeping them
 * as fixed-width strings means they sort and compare correctly as text.
 */
// Time-zone conversion uses the platform's ICU data through Intl (no bundled tz library: it keeps
// every Lambda bundle small). Calendar checks are plain UTC date arithmetic.
import { ValidationError } from './errors.ts';

export const ZONE = 'Asia/Shanghai';

/** Injectable source of "now", so tests and replays are deterministic. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

export type ParseDateResult = { ok: true; date: string } | { ok: false; message: string };
export type ParsePeriodResult = { ok: true; period: string } | { ok: false; message: string };

const DATE_SHAPE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const PERIOD_SHAPE = /^[0-9]{4}-[0-9]{2}$/;

/** Exactly 'YYYY-MM-DD' and a real calendar date (no '2025-1-5', no '2025-02-29', no spaces). */
export function parseIsoDate(text: string, label = 'date'): ParseDateResult {
  if (!DATE_SHAPE.test(text)) {
    return { ok: false, message: `${label} must be a date in YYYY-MM-DD form, got ${quote(text)}` };
  }
  if (!isRealDate(Number(text.slice(0, 4)), Number(text.slice(5, 7)), Number(text.slice(8, 10)))) {
    return { ok: false, message: `${label} ${quote(text)} is not a real calendar date` };
  }
  return { ok: true, date: text };
}

/** Exactly 'YYYY-MM' with a month 01–12. */
export function parsePeriod(text: string, label = 'period'): ParsePeriodResult {
  if (!PERIOD_SHAPE.test(text) || !isRealDate(Number(text.slice(0, 4)), Number(text.slice(5, 7)), 1)) {
    return { ok: false, message: `${label} must be a month in YYYY-MM form, got ${quote(text)}` };
  }
  return { ok: true, period: text };
}

/**
 * from <= date <= to, all valid 'YYYY-MM-DD' strings. Plain string comparison is correct because
 * the format is fixed-width with the most significant part first.
 */
export function isDateWithin(date: string, from: string, to: string): boolean {
  return from <= date && date <= to;
}

/** China's fiscal year is the calendar year (1 January – 31 December, 预算法 art. 18). */
export function fiscalYearOf(date: string): number {
  return Number(requireDate(date).slice(0, 4));
}

/** 'YYYY-MM' of a valid date. */
export function periodOf(date: string): string {
  return requireDate(date).slice(0, 7);
}

/** Last calendar day of a period: periodLastDay('2024-02') === '2024-02-29'. */
export function periodLastDay(period: string): string {
  const parsed = parsePeriod(period);
  if (!parsed.ok) throw new RangeError(parsed.message);
  // Day 0 of the next month is the last day of this one.
  const last = new Date(Date.UTC(Number(period.slice(0, 4)), Number(period.slice(5, 7)), 0));
  return last.toISOString().slice(0, 10);
}

/** The calendar date in Shanghai at a given instant (16:30 UTC is already the next day there). */
export function shanghaiDate(instant: Date): string {
  if (Number.isNaN(instant.getTime())) throw new RangeError('shanghaiDate needs a valid Date');
  const p = zoneParts(instant);
  return `${p.year}-${p.month}-${p.day}`;
}

/** The instant a Shanghai calendar day begins: '2025-05-01' starts at 2025-04-30T16:00:00Z. */
export function startOfShanghaiDay(date: string): Date {
  return new Date(`${requireDate(date)}T00:00:00.000${SHANGHAI_OFFSET}`);
}

/**
 * A "since" filter: a Shanghai calendar date given by a person, as the instant that day begins (ISO).
 * A bad date is refused naming `field` (the CLI option or the request field).
 */
export function sinceShanghaiDay(text: string, field: string): string {
  const parsed = parseIsoDate(text, field);
  if (!parsed.ok) throw new ValidationError('BAD_OPTION', parsed.message, { field });
  return startOfShanghaiDay(parsed.date).toISOString();
}

/**
 * The current instant as ISO-8601 with Shanghai's fixed offset, e.g. '2025-03-01T09:30:00.000+08:00':
 * readable by bureau staff, unambiguous for machines, and (the offset never changing) sortable as text.
 */
export function nowIso(clock: Clock = systemClock): string {
  const instant = clock();
  if (Number.isNaN(instant.getTime())) throw new RangeError('clock returned an invalid Date');
  const p = zoneParts(instant);
  const ms = String(instant.getUTCMilliseconds()).padStart(3, '0');
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}.${ms}${SHANGHAI_OFFSET}`;
}

function requireDate(date: string): string {
  const parsed = parseIsoDate(date);
  if (!parsed.ok) throw new RangeError(parsed.message);
  return parsed.date;
}

/** Asia/Shanghai has been UTC+8 without daylight saving since 1991. */
const SHANGHAI_OFFSET = '+08:00';

const zoneFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

/** Wall-clock fields of an instant in Asia/Shanghai, zero-padded. */
function zoneParts(instant: Date): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string> {
  const parts = Object.fromEntries(zoneFormat.formatToParts(instant).map((part) => [part.type, part.value]));
  return { year: parts['year']!, month: parts['month']!, day: parts['day']!, hour: parts['hour']!, minute: parts['minute']!, second: parts['second']! };
}

/** Whether year-month-day names a real calendar day (Date.UTC would roll 02-30 over into March). */
function isRealDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return year >= 1 && d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
