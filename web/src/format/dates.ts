/** Dates and times are shown as in Fenghua: Asia/Shanghai, whatever the browser's own zone. */
export const TIME_ZONE = 'Asia/Shanghai';

const dateTime = new Map<string, Intl.DateTimeFormat>();

function formatter(lang: string): Intl.DateTimeFormat {
  let f = dateTime.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'zh-CN', {
      timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    });
    dateTime.set(lang, f);
  }
  return f;
}

/** "2025-06-30T16:05:00Z" -> "2025-07-01 00:05:00" (Shanghai wall clock, one format in both languages). */
export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = Object.fromEntries(formatter('zh').formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts['year']}-${parts['month']}-${parts['day']} ${parts['hour']}:${parts['minute']}:${parts['second']}`;
}

/** The Shanghai calendar date of an instant: "2025-07-01". */
export function shanghaiDate(instant: Date = new Date()): string {
  const parts = Object.fromEntries(formatter('zh').formatToParts(instant).map((p) => [p.type, p.value]));
  return `${parts['year']}-${parts['month']}-${parts['day']}`;
}

export function currentShanghaiYear(now: Date = new Date()): number {
  return Number(shanghaiDate(now).slice(0, 4));
}

/** The previous month (Shanghai), "YYYY-MM": the period a clerk usually prepares. */
export function previousPeriod(now: Date = new Date()): string {
  const [y, m] = shanghaiDate(now).split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}
