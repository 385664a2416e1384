import { describe, expect, it } from 'vitest';
import {
  dayLabel,
  elapsedSeconds,
  firstDayOfWeek,
  formatDuration,
  formatSignedHoursMinutes,
  isoDate,
  plural,
  validPort,
} from './format';

describe('formatDuration', () => {
  it('pads hours, minutes and seconds', () => {
    expect(formatDuration(0)).toBe('00:00:00');
    expect(formatDuration(2)).toBe('00:00:02');
    expect(formatDuration(3725)).toBe('01:02:05');
  });
  it('keeps counting hours past a day and clamps negatives', () => {
    expect(formatDuration(100 * 3600 + 1)).toBe('100:00:01');
    expect(formatDuration(-5)).toBe('00:00:00');
    expect(formatDuration(59.9)).toBe('00:00:59');
  });
});

describe('elapsedSeconds', () => {
  it('counts from the original start', () => {
    const start = '2026-11-28T09:00:00Z';
    expect(elapsedSeconds(start, Date.parse('2026-11-28T10:00:02.900Z'))).toBe(3602);
  });
  it('never goes negative and tolerates garbage', () => {
    expect(elapsedSeconds('2026-11-28T09:00:00Z', Date.parse('2026-11-28T08:00:00Z'))).toBe(0);
    expect(elapsedSeconds('not a date', Date.now())).toBe(0);
  });
});

describe('dayLabel', () => {
  const today = new Date(2026, 10, 28, 15, 0);
  it('names today and yesterday', () => {
    expect(isoDate(today)).toBe('2026-11-28');
    expect(dayLabel('2026-11-28', today)).toBe('Today');
    expect(dayLabel('2026-11-27', today)).toBe('Yesterday');
  });
  it('spells out older days, with the year only when it differs', () => {
    // ICU versions differ on the comma after the weekday; the parts do not.
    const sameYear = dayLabel('2026-11-20', today, 'en-GB');
    expect(sameYear).toMatch(/^Friday,? 20 November$/);
    const lastYear = dayLabel('2025-12-31', today, 'en-GB');
    expect(lastYear).toMatch(/^Wednesday,? 31 December 2025$/);
  });
  it('crosses month boundaries for yesterday', () => {
    expect(dayLabel('2026-11-30', new Date(2026, 11, 1))).toBe('Yesterday');
  });
});

describe('work-hour figures', () => {
  it('signs a difference and finds the locale’s first day of the week', () => {
    expect(formatSignedHoursMinutes(5400)).toBe('+1:30');
    expect(formatSignedHoursMinutes(-2700)).toBe('−0:45');
    expect(formatSignedHoursMinutes(0)).toBe('+0:00');
    expect(firstDayOfWeek('en-US')).toBe(7);
    expect(firstDayOfWeek('de-DE')).toBe(1);
    expect(firstDayOfWeek('not a locale')).toBe(1);
  });
});

describe('validPort', () => {
  it('takes a whole number from 1 to 65535, typed or not', () => {
    expect(validPort('9464')).toBe(9464);
    expect(validPort(1)).toBe(1);
    expect(validPort(' 65535 ')).toBe(65535);
  });

  it('refuses anything else', () => {
    for (const bad of ['', '0', '65536', '-1', '80.5', 'eighty', null, undefined, NaN]) {
      expect(validPort(bad), String(bad)).toBeNull();
    }
  });
});

describe('plural', () => {
  it('counts with the noun for one or many', () => {
    expect(plural(1, 'change')).toBe('1 change');
    expect(plural(0, 'change')).toBe('0 changes');
    expect(plural(2, 'entry', 'entries')).toBe('2 entries');
  });
});
