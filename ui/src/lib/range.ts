// The report period picker's arithmetic: local calendar days, weeks from
// Monday (as Toggl and ISO 8601 count them) and months, plus custom spans.
// Ranges are inclusive `YYYY-MM-DD` dates; the core turns them into
// instants in the user's time zone.
import { isoDate } from './format';

export type RangeKind = 'day' | 'week' | 'month' | 'custom';

export interface DateRange {
  kind: RangeKind;
  /** First day, `YYYY-MM-DD`. */
  from: string;
  /** Last day, inclusive. */
  to: string;
}

/** A `YYYY-MM-DD` string as a local date at midnight, or null if malformed. */
export function parseIsoDate(text: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(y, mo - 1, d);
  // Rejects 2026-02-30 and friends, which Date would roll over.
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d) return null;
  return date;
}

function addDays(date: Date, days: number): Date {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + days);
}

/** The day, week or month holding `anchor`. */
export function rangeFor(kind: Exclude<RangeKind, 'custom'>, anchor: Date): DateRange {
  const day = new Date(anchor.getFullYear(), anchor.getMonth(), anchor.getDate());
  switch (kind) {
    case 'day':
      return { kind, from: isoDate(day), to: isoDate(day) };
    case 'week': {
      const monday = addDays(day, -((day.getDay() + 6) % 7));
      return { kind, from: isoDate(monday), to: isoDate(addDays(monday, 6)) };
    }
    case 'month': {
      const first = new Date(day.getFullYear(), day.getMonth(), 1);
      const last = new Date(day.getFullYear(), day.getMonth() + 1, 0);
      return { kind, from: isoDate(first), to: isoDate(last) };
    }
  }
}

/** A custom range; the dates are swapped if given backwards. */
export function customRange(from: string, to: string): DateRange | null {
  const a = parseIsoDate(from);
  const b = parseIsoDate(to);
  if (!a || !b) return null;
  return a <= b
    ? { kind: 'custom', from: isoDate(a), to: isoDate(b) }
    : { kind: 'custom', from: isoDate(b), to: isoDate(a) };
}

/** Number of days in a range. */
export function dayCount(range: DateRange): number {
  const a = parseIsoDate(range.from);
  const b = parseIsoDate(range.to);
  if (!a || !b) return 0;
  // Round: a DST change makes one day 23 or 25 hours long.
  return Math.round((b.getTime() - a.getTime()) / 86_400_000) + 1;
}

/** The previous (`-1`) or next (`1`) period of the same kind and length. */
export function shiftRange(range: DateRange, direction: -1 | 1): DateRange {
  const from = parseIsoDate(range.from) ?? new Date();
  if (range.kind === 'custom') {
    const length = dayCount(range);
    const start = addDays(from, direction * length);
    return { kind: 'custom', from: isoDate(start), to: isoDate(addDays(start, length - 1)) };
  }
  if (range.kind === 'month') {
    return rangeFor('month', new Date(from.getFullYear(), from.getMonth() + direction, 1));
  }
  return rangeFor(range.kind, addDays(from, direction * (range.kind === 'week' ? 7 : 1)));
}

/** Every day of the range in order, as `YYYY-MM-DD`. */
export function datesIn(range: DateRange): string[] {
  const from = parseIsoDate(range.from);
  if (!from) return [];
  return Array.from({ length: dayCount(range) }, (_, i) => isoDate(addDays(from, i)));
}

/** Whether `today` falls inside the range. */
export function containsDate(range: DateRange, today: Date): boolean {
  const t = isoDate(today);
  return range.from <= t && t <= range.to;
}

/** How the period reads above the report, in the user's locale. */
export function rangeLabel(range: DateRange, today: Date, locale?: string): string {
  const from = parseIsoDate(range.from);
  const to = parseIsoDate(range.to);
  if (!from || !to) return '';
  const sameYear = from.getFullYear() === to.getFullYear() && from.getFullYear() === today.getFullYear();
  const long = (d: Date, withYear: boolean) =>
    new Intl.DateTimeFormat(locale, {
      day: 'numeric',
      month: 'short',
      year: withYear ? 'numeric' : undefined,
    }).format(d);
  switch (range.kind) {
    case 'day': {
      const weekday = new Intl.DateTimeFormat(locale, { weekday: 'long' }).format(from);
      const prefix = range.from === isoDate(today) ? 'Today' : weekday;
      return `${prefix}, ${long(from, !sameYear)}`;
    }
    case 'month':
      return new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric' }).format(from);
    default: {
      if (range.from === range.to) return long(from, !sameYear);
      return `${long(from, !sameYear)} – ${long(to, !sameYear)}`;
    }
  }
}

/** A short label for one day on the chart's axis, e.g. `Mon 23`. */
export function axisLabel(date: string, days: number, locale?: string): string {
  const d = parseIsoDate(date);
  if (!d) return date;
  const options: Intl.DateTimeFormatOptions =
    days <= 7 ? { weekday: 'short', day: 'numeric' } : { day: 'numeric', month: 'short' };
  return new Intl.DateTimeFormat(locale, options).format(d);
}
