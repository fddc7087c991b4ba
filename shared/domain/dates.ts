/**
 * Calendar dates are plain 'YYYY-MM-DD' strings and accounting periods 'YYYY-MM' strings, both in
 * the bureau's zone, Asia/Shanghai (UTC+8 all year; China has no daylight saving time). Keeping them
 * as fixed-width strings means they sort and compare correctly as text.
 */
import { DateTime } from 'luxon';

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
  if (!DateTime.fromFormat(text, 'yyyy-MM-dd', { zone: ZONE }).isValid) {
    return { ok: false, message: `${label} ${quote(text)} is not a real calendar date` };
  }
  return { ok: true, date: text };
}

/** Exactly 'YYYY-MM' with a month 01–12. */
export function parsePeriod(text: string, label = 'period'): ParsePeriodResult {
  if (!PERIOD_SHAPE.test(text) || !DateTime.fromFormat(text, 'yyyy-MM', { zone: ZONE }).isValid) {
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
  return isoDate(DateTime.fromFormat(period, 'yyyy-MM', { zone: ZONE }).endOf('month'));
}

/** The calendar date in Shanghai at a given instant (16:30 UTC is already the next day there). */
export function shanghaiDate(instant: Date): string {
  const dateTime = DateTime.fromJSDate(instant, { zone: ZONE });
  if (!dateTime.isValid) throw new RangeError('shanghaiDate needs a valid Date');
  return isoDate(dateTime);
}

/**
 * The current instant as ISO-8601 with Shanghai's fixed offset, e.g. '2025-03-01T09:30:00.000+08:00':
 * readable by bureau staff, unambiguous for machines, and (the offset never changing) sortable as text.
 */
export function nowIso(clock: Clock = systemClock): string {
  const dateTime = DateTime.fromJSDate(clock(), { zone: ZONE });
  const iso = dateTime.isValid ? dateTime.toISO() : null;
  if (iso === null) throw new RangeError('clock returned an invalid Date');
  return iso;
}

function requireDate(date: string): string {
  const parsed = parseIsoDate(date);
  if (!parsed.ok) throw new RangeError(parsed.message);
  return parsed.date;
}

function isoDate(dateTime: DateTime): string {
  const iso = dateTime.toISODate();
  if (iso === null) throw new RangeError('invalid date');
  return iso;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
