import { describe, expect, it } from 'vitest';
import {
  billingFieldFor,
  entryFieldsFor,
  parseLocalDateTime,
  parseRate,
  parseTags,
  rateText,
  toLocalInput,
} from './entryForm';

describe('entry form input', () => {
  it('reads a local date and time as a UTC instant', () => {
    const parsed = parseLocalDateTime('2026-11-28 09:30');
    expect(parsed).toEqual({ ok: true, value: new Date(2026, 10, 28, 9, 30).toISOString() });
    expect(parseLocalDateTime('2026-11-28T09:30:15').ok).toBe(true);
  });

  it('takes the date of the start for a time alone', () => {
    const start = new Date(2026, 10, 28, 9, 0).toISOString();
    const end = parseLocalDateTime('17:45', start);
    expect(end).toEqual({ ok: true, value: new Date(2026, 10, 28, 17, 45).toISOString() });
    expect(parseLocalDateTime('17:45').ok).toBe(false);
  });

  it('explains what it cannot read', () => {
    const bad = parseLocalDateTime('yesterday');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.message).toContain('2026-11-28 09:30');
    expect(parseLocalDateTime('2026-02-30 10:00').ok).toBe(false);
    expect(parseLocalDateTime('2026-11-28 24:10').ok).toBe(false);
  });

  it('round-trips what it shows', () => {
    const instant = new Date(2026, 0, 5, 7, 3).toISOString();
    expect(toLocalInput(instant)).toBe('2026-01-05 07:03');
    expect(parseLocalDateTime(toLocalInput(instant))).toEqual({ ok: true, value: instant });
  });

  it('splits tags on commas, dropping blanks and repeats', () => {
    expect(parseTags(' meeting, Research,,meeting ,  ')).toEqual(['meeting', 'Research']);
    expect(parseTags('MEETING, meeting')).toEqual(['MEETING']);
    expect(parseTags('')).toEqual([]);
  });

  it('reads hourly rates in currency units', () => {
    expect(parseRate('85')).toEqual({ ok: true, value: 8500 });
    expect(parseRate('85,5')).toEqual({ ok: true, value: 8550 });
    expect(parseRate(' 0.99 ')).toEqual({ ok: true, value: 99 });
    expect(parseRate('')).toEqual({ ok: true, value: null });
    expect(parseRate('-3').ok).toBe(false);
    expect(parseRate('12.345').ok).toBe(false);
    expect(rateText(8550)).toBe('85.50');
    expect(rateText(null)).toBe('');
  });
});

describe('core errors on the form', () => {
  it('marks the fields an entry error is about', () => {
    expect(entryFieldsFor('entry.invalid_range')).toEqual(['start', 'end']);
    expect(entryFieldsFor('project.archived')).toEqual(['project']);
    expect(entryFieldsFor('tag.invalid')).toEqual(['tags']);
    expect(entryFieldsFor('entry.invalid_description')).toEqual(['description']);
    expect(entryFieldsFor('storage.busy')).toEqual([]);
    expect(entryFieldsFor('app.unexpected')).toEqual([]);
  });

  it('marks the billing field an error is about', () => {
    expect(billingFieldFor('project.invalid_currency')).toBe('currency');
    expect(billingFieldFor('project.invalid_rate')).toBe('rate');
    expect(billingFieldFor('client.name_too_long')).toBe('client');
    expect(billingFieldFor('client.invalid_name')).toBe('client');
    expect(billingFieldFor('report.invalid_rounding')).toBeNull();
  });
});
