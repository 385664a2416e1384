// Instants here are built from local wall times (`at`), so the layout is
// checked in whatever zone the tests run in (scripts/test-dates runs
// them in several).
import { describe, expect, it } from 'vitest';
import type { CalendarDay, Entry } from './api';
import {
  addDays,
  atMinutes,
  dragTimes,
  layoutDay,
  neighbour,
  snap,
  weekStart,
  wallMinutes,
  type Block,
} from './calendar';

const DAY = '2026-11-25';

function at(date: string, hhmm: string): string {
  const [h, m] = hhmm.split(':').map(Number);
  return new Date(atMinutes(date, h * 60 + m)).toISOString();
}

function day(date: string): CalendarDay {
  return {
    date,
    starts_at: at(date, '00:00'),
    ends_at: at(addDays(date, 1), '00:00'),
    total_seconds: 0,
    break_seconds: 0,
  };
}

let nextId = 1;
function entry(start: string, end: string | null, startDate = DAY, endDate = startDate): Entry {
  return {
    id: nextId++,
    project_id: null,
    project_name: null,
    project_color: null,
    description: '',
    started_at: at(startDate, start),
    stopped_at: end === null ? null : at(endDate, end),
    duration_seconds: 0,
    tags: [],
    overlaps: false,
  };
}

const lanes = (blocks: Block[]) => blocks.map((b) => [b.lane, b.lanes]);

describe('layoutDay', () => {
  it('puts entries at their wall times, separate ones full width', () => {
    const blocks = layoutDay([entry('09:00', '10:30'), entry('13:15', '14:00')], day(DAY), 0);
    expect(blocks.map((b) => [b.top, b.bottom])).toEqual([
      [540, 630],
      [795, 840],
    ]);
    expect(lanes(blocks)).toEqual([
      [0, 1],
      [0, 1],
    ]);
  });

  it('sets overlapping entries side by side, and a chain of overlaps shares the lanes', () => {
    const blocks = layoutDay(
      [
        entry('09:00', '11:00'),
        entry('10:00', '12:00'),
        // Overlaps neither of the first two at its start: takes lane 0 back.
        entry('11:00', '11:30'),
        entry('15:00', '16:00'),
      ],
      day(DAY),
      0,
    );
    expect(lanes(blocks)).toEqual([
      [0, 2],
      [1, 2],
      [0, 2],
      [0, 1],
    ]);
  });

  it('three at once make three lanes; touching ends do not overlap', () => {
    const blocks = layoutDay(
      [entry('09:00', '10:00'), entry('09:00', '10:00'), entry('09:30', '09:45'), entry('10:00', '11:00')],
      day(DAY),
      0,
    );
    expect(lanes(blocks)).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
      [0, 1],
    ]);
  });

  it('draws an entry across midnight in both days, cut at midnight', () => {
    const night = entry('22:00', '01:30', DAY, addDays(DAY, 1));
    const [today] = layoutDay([night], day(DAY), 0);
    expect([today.top, today.bottom, today.fromBefore, today.intoAfter]).toEqual([1320, 1440, false, true]);
    const [tomorrow] = layoutDay([night], day(addDays(DAY, 1)), 0);
    expect([tomorrow.top, tomorrow.bottom, tomorrow.fromBefore, tomorrow.intoAfter]).toEqual([0, 90, true, false]);
    expect(layoutDay([night], day(addDays(DAY, 2)), 0)).toEqual([]);
  });

  it('grows the running entry to now', () => {
    const running = entry('14:00', null);
    const now = atMinutes(DAY, 15 * 60 + 20);
    const [block] = layoutDay([running], day(DAY), now);
    expect([block.top, block.bottom, block.running]).toEqual([840, 920, true]);
    const later = layoutDay([running], day(DAY), now + 40 * 60_000)[0];
    expect(later.bottom).toBe(960);
  });

  it('keeps a zero-length entry in its own lane only while something covers it', () => {
    const blocks = layoutDay([entry('09:00', '09:00'), entry('09:00', '10:00')], day(DAY), 0);
    expect(blocks.map((b) => [b.top, b.bottom])).toEqual([
      [540, 540],
      [540, 600],
    ]);
    expect(lanes(blocks)).toEqual([
      [0, 2],
      [1, 2],
    ]);
  });
});

describe('dates', () => {
  it('starts the week on the locale first day', () => {
    // 2026-11-25 is a Wednesday.
    expect(weekStart(DAY, 1)).toBe('2026-11-23');
    expect(weekStart(DAY, 7)).toBe('2026-11-22');
    expect(weekStart(DAY, 6)).toBe('2026-11-21');
    expect(weekStart('2026-11-22', 7)).toBe('2026-11-22');
    expect(weekStart('2026-11-22', 1)).toBe('2026-11-16');
  });
  it('steps days across months and years', () => {
    expect(addDays('2026-12-29', 7)).toBe('2027-01-05');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
  });
  it('reads wall minutes back from an instant', () => {
    expect(wallMinutes(atMinutes(DAY, 17 * 60 + 45))).toBe(17 * 60 + 45);
  });
});

describe('dragTimes', () => {
  const start = atMinutes(DAY, 9 * 60);
  const end = atMinutes(DAY, 10 * 60);
  const min = 60_000;

  it('snaps to five minutes, or one', () => {
    expect(snap(atMinutes(DAY, 9 * 60 + 7.4), 5)).toBe(atMinutes(DAY, 9 * 60 + 5));
    expect(snap(atMinutes(DAY, 9 * 60 + 7.6), 5)).toBe(atMinutes(DAY, 9 * 60 + 10));
    expect(snap(atMinutes(DAY, 9 * 60 + 7.6), 1)).toBe(atMinutes(DAY, 9 * 60 + 8));
  });

  it('moves a block by the pointer, keeping its length', () => {
    const from = { kind: 'move' as const, startMs: start, endMs: end, pointerMs: start + 20 * min };
    const moved = dragTimes(from, start + 20 * min + 47 * min, 5);
    expect(moved).toEqual({ startMs: start + 45 * min, endMs: end + 45 * min });
    // To the next day's column at the same time of day.
    const next = dragTimes(from, atMinutes(addDays(DAY, 1), 9 * 60 + 20), 5);
    expect(next.startMs).toBe(atMinutes(addDays(DAY, 1), 9 * 60));
  });

  it('resizes one edge and never past the other', () => {
    const top = { kind: 'start' as const, startMs: start, endMs: end, pointerMs: start };
    expect(dragTimes(top, start - 32 * min, 5)).toEqual({ startMs: start - 30 * min, endMs: end });
    expect(dragTimes(top, end + 30 * min, 5)).toEqual({ startMs: end - 5 * min, endMs: end });
    const bottom = { kind: 'end' as const, startMs: start, endMs: end, pointerMs: end };
    expect(dragTimes(bottom, end + 13 * min, 1)).toEqual({ startMs: start, endMs: end + 13 * min });
    expect(dragTimes(bottom, start - 60 * min, 5)).toEqual({ startMs: start, endMs: start + 5 * min });
  });

  it('creates from where the drag began, either way', () => {
    const from = { kind: 'create' as const, startMs: start, endMs: start, pointerMs: start + 2 * min };
    expect(dragTimes(from, start + 58 * min, 5)).toEqual({ startMs: start, endMs: end });
    expect(dragTimes(from, start - 29 * min, 5)).toEqual({ startMs: start - 30 * min, endMs: start });
    expect(dragTimes(from, start + 2 * min, 5)).toEqual({ startMs: start, endMs: start + 5 * min });
  });
});

describe('neighbour', () => {
  const block = (top: number) => ({ top }) as Block;
  const days = [[block(540), block(700)], [], [block(100), block(650)]];

  it('walks a day with up and down and stops at its ends', () => {
    expect(neighbour(days, null, 'ArrowDown')).toEqual({ day: 0, index: 0 });
    expect(neighbour(days, { day: 0, index: 0 }, 'ArrowDown')).toEqual({ day: 0, index: 1 });
    expect(neighbour(days, { day: 0, index: 1 }, 'ArrowDown')).toEqual({ day: 0, index: 1 });
    expect(neighbour(days, { day: 0, index: 0 }, 'ArrowUp')).toEqual({ day: 0, index: 0 });
  });

  it('goes sideways to the nearest block in time, over empty days', () => {
    expect(neighbour(days, { day: 0, index: 1 }, 'ArrowRight')).toEqual({ day: 2, index: 1 });
    expect(neighbour(days, { day: 2, index: 0 }, 'ArrowLeft')).toEqual({ day: 0, index: 0 });
    expect(neighbour(days, { day: 2, index: 0 }, 'ArrowRight')).toEqual({ day: 2, index: 0 });
  });
});
