// What the entry and billing forms accept as typed text, and what they turn
// it into. Times are typed as local `YYYY-MM-DD HH:MM` (a time alone means
// the start's day), which works by keyboard everywhere, unlike browser date
// pickers; the core receives UTC RFC 3339 instants.
import type { ApiErrorCode } from './api';
import { isoDate } from './format';

/** `YYYY-MM-DD HH:MM` of an instant in local time. */
export function toLocalInput(instant: string): string {
  const d = new Date(instant);
  if (Number.isNaN(d.getTime())) return '';
  const hh = String(d.getHours()).padStart(2, '0');
  const mm = String(d.getMinutes()).padStart(2, '0');
  return `${isoDate(d)} ${hh}:${mm}`;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Parses a local date and time into an RFC 3339 UTC instant. `HH:MM` alone
 * takes its date from `dayOf` (another instant); `T` may replace the space
 * and seconds are optional.
 */
export function parseLocalDateTime(text: string, dayOf?: string): Parsed<string> {
  const t = text.trim();
  const full = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(t);
  const timeOnly = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(t);
  let y: number, mo: number, d: number, h: number, mi: number, s: number;
  if (full) {
    [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(full[i] ?? 0));
  } else if (timeOnly && dayOf) {
    const base = new Date(dayOf);
    if (Number.isNaN(base.getTime())) return { ok: false, message: 'Type the date too.' };
    [y, mo, d] = [base.getFullYear(), base.getMonth() + 1, base.getDate()];
    [h, mi, s] = [1, 2, 3].map((i) => Number(timeOnly[i] ?? 0));
  } else {
    return { ok: false, message: 'Type a date and time like 2026-11-28 09:30.' };
  }
  const date = new Date(y, mo - 1, d, h, mi, s);
  const valid =
    date.getFullYear() === y &&
    date.getMonth() === mo - 1 &&
    date.getDate() === d &&
    h < 24 &&
    mi < 60 &&
    s < 60;
  if (!valid) return { ok: false, message: `${t} is not a real date and time.` };
  return { ok: true, value: date.toISOString() };
}

/** Tags typed as a comma-separated list: trimmed, empties dropped, first spelling kept. */
export function parseTags(text: string): string[] {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const raw of text.split(',')) {
    const tag = raw.trim();
    const key = tag.toLowerCase();
    if (tag && !seen.has(key)) {
      seen.add(key);
      tags.push(tag);
    }
  }
  return tags;
}

/** An hourly rate typed in currency units (`85`, `85.5`, `85,50`) as cents; empty is no rate. */
export function parseRate(text: string): Parsed<number | null> {
  const t = text.trim().replace(',', '.');
  if (t === '') return { ok: true, value: null };
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(t)) {
    return { ok: false, message: 'Type the hourly rate as a number, like 85 or 85.50.' };
  }
  return { ok: true, value: Math.round(Number(t) * 100) };
}

/** Cents as the rate field shows them, e.g. 8550 → `85.50`. */
export function rateText(cents: number | null): string {
  return cents === null ? '' : (cents / 100).toFixed(2);
}

export type EntryField = 'project' | 'description' | 'start' | 'end' | 'tags';
export type BillingField = 'rate' | 'currency' | 'client';

// By code, never by message: messages are for people and may be reworded.
const ENTRY_FIELDS: Partial<Record<ApiErrorCode, EntryField[]>> = {
  'entry.invalid_range': ['start', 'end'],
  'entry.running_conflict': ['start', 'end'],
  'entry.description_too_long': ['description'],
  'entry.invalid_description': ['description'],
  'project.not_found': ['project'],
  'project.archived': ['project'],
  'tag.invalid': ['tags'],
};

const BILLING_FIELDS: Partial<Record<ApiErrorCode, BillingField>> = {
  'project.invalid_currency': 'currency',
  'project.invalid_rate': 'rate',
  'client.name_too_long': 'client',
  'client.invalid_name': 'client',
};

/** The entry form's fields a core error is about; none for other errors. */
export function entryFieldsFor(code: ApiErrorCode): EntryField[] {
  return ENTRY_FIELDS[code] ?? [];
}

/** The billing form's field a core error is about, if any. */
export function billingFieldFor(code: ApiErrorCode): BillingField | null {
  return BILLING_FIELDS[code] ?? null;
}
