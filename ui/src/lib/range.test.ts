import { describe, expect, it } from 'vitest';
import {
  customRange,
  datesIn,
  dayCount,
  parseIsoDate,
  rangeFor,
  rangeLabel,
  shiftRange,
} from './range';

// Saturday 28 November 2026, local time.
const SAT = new Date(2026, 10, 28, 15, 30);

describe('report ranges', () => {
  it('finds the day, the Monday-to-Sunday week and the month of a date', () => {
    expect(rangeFor('day', SAT)).toEqual({ kind: 'day', from: '2026-11-28', to: '2026-11-28' });
    expect(rangeFor('week', SAT)).toEqual({ kind: 'week', from: '2026-11-23', to: '2026-11-29' });
    // A Sunday belongs to the week that started the Monday before.
    expect(rangeFor('week', new Date(2026, 10, 29)).from).toBe('2026-11-23');
    expect(rangeFor('month', SAT)).toEqual({ kind: 'month', from: '2026-11-01', to: '2026-11-30' });
    expect(rangeFor('month', new Date(2028, 1, 10)).to).toBe('2028-02-29');
  });

  it('steps to the previous and next period across month and year ends', () => {
    const week = rangeFor('week', new Date(2026, 11, 30));
    expect(shiftRange(week, 1)).toEqual({ kind: 'week', from: '2027-01-04', to: '2027-01-10' });
    expect(shiftRange(rangeFor('day', new Date(2027, 0, 1)), -1).from).toBe('2026-12-31');
    const jan = rangeFor('month', new Date(2027, 0, 31));
    expect(shiftRange(jan, 1)).toEqual({ kind: 'month', from: '2027-02-01', to: '2027-02-28' });
    expect(shiftRange(jan, -1).from).toBe('2026-12-01');
  });

  it('moves a custom range by its own length', () => {
    const r = customRange('2026-11-10', '2026-11-03');
    expect(r).toEqual({ kind: 'custom', from: '2026-11-03', to: '2026-11-10' });
    expect(dayCount(r!)).toBe(8);
    expect(shiftRange(r!, 1)).toEqual({ kind: 'custom', from: '2026-11-11', to: '2026-11-18' });
    expect(customRange('2026-02-30', '2026-03-01')).toBeNull();
  });

  it('lists every day, including across a daylight-saving change', () => {
    const days = datesIn({ kind: 'custom', from: '2026-10-24', to: '2026-10-27' });
    expect(days).toEqual(['2026-10-24', '2026-10-25', '2026-10-26', '2026-10-27']);
    expect(datesIn(rangeFor('month', SAT))).toHaveLength(30);
  });

  it('rejects dates that do not exist', () => {
    expect(parseIsoDate('2026-13-01')).toBeNull();
    expect(parseIsoDate('28.11.2026')).toBeNull();
    expect(parseIsoDate('2026-11-28')?.getDate()).toBe(28);
  });

  it('labels periods for people', () => {
    expect(rangeLabel(rangeFor('day', SAT), SAT, 'en-GB')).toBe('Today, 28 Nov');
    expect(rangeLabel(rangeFor('week', SAT), SAT, 'en-GB')).toBe('23 Nov – 29 Nov');
    expect(rangeLabel(rangeFor('month', SAT), SAT, 'en-GB')).toBe('November 2026');
    const lastYear = rangeFor('week', new Date(2025, 0, 8));
    expect(rangeLabel(lastYear, SAT, 'en-GB')).toBe('6 Jan 2025 – 12 Jan 2025');
  });
});
