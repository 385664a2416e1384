// Rendering of times and durations in the user's locale and time zone. The
// core stores UTC instants; only this layer turns them into local text.

/** `HH:MM:SS`; hours keep counting past 99 for a forgotten timer. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  return [hours, minutes, seconds].map((n) => String(n).padStart(2, '0')).join(':');
}

/** Seconds from `startedAt` (RFC 3339) to `nowMs`, never negative. */
export function elapsedSeconds(startedAt: string, nowMs: number): number {
  const start = Date.parse(startedAt);
  if (Number.isNaN(start)) return 0;
  return Math.max(0, Math.floor((nowMs - start) / 1000));
}

/** Local wall-clock time of an instant, e.g. `09:05`. */
export function formatClock(instant: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(
    new Date(instant),
  );
}

/** Local date and time of an instant, e.g. `Dec 4, 09:05`. */
export function formatDateTime(instant: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(instant));
}

/** `YYYY-MM-DD` of a local date. */
export function isoDate(date: Date): string {
  const y = date.getFullYear();
  const m = String(date.getMonth() + 1).padStart(2, '0');
  const d = String(date.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

/** Local midnight of a `YYYY-MM-DD` day (`days` later, when given). */
export function localDate(day: string, days = 0): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d + days);
}

/** "Today", "Yesterday", or a weekday and date for a `YYYY-MM-DD` day. */
export function dayLabel(day: string, today: Date, locale?: string): string {
  if (day === isoDate(today)) return 'Today';
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (day === isoDate(yesterday)) return 'Yesterday';
  const date = localDate(day);
  const sameYear = date.getFullYear() === today.getFullYear();
  return new Intl.DateTimeFormat(locale, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: sameYear ? undefined : 'numeric',
  }).format(date);
}

/** Hours as a decimal for charts, e.g. 5400 s → 1.5. */
export function hours(seconds: number): number {
  return Math.round((seconds / 3600) * 100) / 100;
}

/** `H:MM` for report totals, e.g. `12:05`; hours keep counting past 24. */
export function formatHoursMinutes(totalSeconds: number): string {
  const minutes = Math.round(Math.max(0, totalSeconds) / 60);
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
}

/** An amount of money in minor units (cents) in its currency, e.g. `€1,234.50`. */
export function formatMoney(cents: number, currency: string, locale?: string): string {
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(cents / 100);
  } catch {
    // An unknown code still reads sensibly.
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

/** A share between 0 and 1 as a whole percentage, e.g. `42%`. */
export function formatShare(share: number, locale?: string): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(share);
}

/** A difference in hours and minutes with its sign, e.g. `+1:30`, `−0:45`. */
export function formatSignedHoursMinutes(seconds: number): string {
  const sign = seconds < 0 ? '−' : '+';
  return `${sign}${formatHoursMinutes(Math.abs(seconds))}`;
}

/**
 * The first day of the week in `locale` (the window's by default), 1 for
 * Monday through 7 for Sunday, from Intl's week info; Monday, as ISO has
 * it, where the engine has none.
 */
export function firstDayOfWeek(locale?: string): number {
  try {
    const l = new Intl.Locale(locale ?? navigator.language) as Intl.Locale & {
      getWeekInfo?: () => { firstDay: number };
      weekInfo?: { firstDay: number };
    };
    const day = (l.getWeekInfo?.() ?? l.weekInfo)?.firstDay;
    if (day && day >= 1 && day <= 7) return day;
  } catch {
    // An unknown locale tag: fall through to ISO.
  }
  return 1;
}

/** Short weekday names, Monday first, as ISO numbers them (1 to 7). */
export const WEEKDAYS_SHORT = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

/** `n` and the noun for it: "1 entry", "2 entries" (`many` defaults to one + "s"). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A port typed in a settings form, or null when it is not 1 to 65535. */
export function validPort(value: unknown): number | null {
  const port = Number(value);
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? port : null;
}
