// The calendar's geometry, kept out of the component so that it can be
// tested without a window: where each entry's block goes in its day's
// column (overlapping entries side by side), and what a drag turns into.
// Columns are wall-clock days of 24 hours: on a DST day the skipped hour
// has no blocks and the repeated one may hold two, as on a paper diary.
import type { CalendarDay, Entry } from './api';
import { isoDate, localDate } from './format';

export const MINUTES_PER_DAY = 24 * 60;
/** Drags snap to this many minutes; with Alt held, to one. */
export const SNAP_MINUTES = 5;

export interface Block {
  entry: Entry;
  /** Minutes from the column's midnight to the block's top and bottom. */
  top: number;
  bottom: number;
  /** Side-by-side position among the entries it overlaps: lane of lanes. */
  lane: number;
  lanes: number;
  /** It began on an earlier day, or goes on into a later one. */
  fromBefore: boolean;
  intoAfter: boolean;
  running: boolean;
}

/** Minutes since local midnight of an instant, in the window's zone. */
export function wallMinutes(ms: number): number {
  const d = new Date(ms);
  return d.getHours() * 60 + d.getMinutes() + d.getSeconds() / 60;
}

/** The instant at `minutes` past local midnight of `date` (`YYYY-MM-DD`);
 * a time in a DST gap comes out as the instant after it. */
export function atMinutes(date: string, minutes: number): number {
  const at = localDate(date);
  const whole = Math.floor(minutes);
  at.setMinutes(whole, Math.round((minutes - whole) * 60));
  return at.getTime();
}

/** The `YYYY-MM-DD` `days` after `date` (before, when negative). */
export function addDays(date: string, days: number): string {
  return isoDate(localDate(date, days));
}

/** The first day of the week holding `date`, weeks starting on `firstDay`
 * (1 Monday through 7 Sunday). */
export function weekStart(date: string, firstDay: number): string {
  const weekday = localDate(date).getDay() || 7; // 1..7, Monday first
  return addDays(date, -((weekday - firstDay + 7) % 7));
}

/** An entry's end: the running one ends now (never before its start). */
export function endMs(entry: Entry, nowMs: number): number {
  const start = Date.parse(entry.started_at);
  return Math.max(start, entry.stopped_at ? Date.parse(entry.stopped_at) : nowMs);
}

/** The blocks of one day's column, in start order, with overlapping
 * entries in side-by-side lanes. */
export function layoutDay(entries: Entry[], day: CalendarDay, nowMs: number): Block[] {
  return layoutDays(entries, [day], nowMs)[0];
}

/** `layoutDay` for each of `days`, reading each entry's times once (a
 * week's entries were parsed seven times over, once per column). */
export function layoutDays(entries: Entry[], days: CalendarDay[], nowMs: number): Block[][] {
  const times = entries.map((entry) => [Date.parse(entry.started_at), endMs(entry, nowMs)]);
  return days.map((day) => {
    const lo = Date.parse(day.starts_at);
    const hi = Date.parse(day.ends_at);
    const blocks: Block[] = [];
    entries.forEach((entry, i) => {
      const [start, end] = times[i];
      const inside = start === end ? start >= lo && start < hi : start < hi && end > lo;
      if (!inside) return;
      const top = start <= lo ? 0 : wallMinutes(start);
      const bottom = end >= hi ? MINUTES_PER_DAY : wallMinutes(end);
      blocks.push({
        entry,
        top,
        // The repeated hour of an autumn DST day can put the end's wall
        // time before the start's.
        bottom: Math.max(top, bottom),
        lane: 0,
        lanes: 1,
        fromBefore: start < lo,
        intoAfter: end > hi,
        running: entry.stopped_at === null,
      });
    });
    blocks.sort((a, b) => a.top - b.top || a.bottom - b.bottom || a.entry.id - b.entry.id);
    assignLanes(blocks);
    return blocks;
  });
}

/** Groups blocks that overlap, directly or through others, and gives each
 * the first lane free at its top; a group shares its number of lanes. */
function assignLanes(blocks: Block[]): void {
  let group: Block[] = [];
  let laneEnds: number[] = [];
  let groupEnd = -1;
  const close = () => {
    for (const b of group) b.lanes = laneEnds.length;
    group = [];
    laneEnds = [];
  };
  for (const block of blocks) {
    // A zero-length block still takes a line's height on screen.
    const bottom = Math.max(block.bottom, block.top + 1);
    if (group.length && block.top >= groupEnd) close();
    let lane = laneEnds.findIndex((end) => end <= block.top);
    if (lane === -1) {
      lane = laneEnds.length;
      laneEnds.push(bottom);
    } else {
      laneEnds[lane] = bottom;
    }
    block.lane = lane;
    group.push(block);
    groupEnd = group.length === 1 ? bottom : Math.max(groupEnd, bottom);
  }
  close();
}

/** `ms` rounded to the nearest `step` minutes of local wall time. */
export function snap(ms: number, step: number): number {
  const d = new Date(ms);
  const minutes = d.getHours() * 60 + d.getMinutes() + d.getSeconds() / 60 + d.getMilliseconds() / 60000;
  const rounded = Math.round(minutes / step) * step;
  d.setHours(0, rounded, 0, 0);
  return d.getTime();
}

export type DragKind = 'move' | 'start' | 'end' | 'create';

/** Where a drag began: what it holds, and the pointer's instant then. */
export interface DragFrom {
  kind: DragKind;
  /** The entry's times (for `create`, both the pointer's instant). */
  startMs: number;
  endMs: number;
  pointerMs: number;
}

/** The times a drag gives, from where it began to the pointer's instant
 * now, snapped to `step` minutes. Never shorter than one step: an edge
 * dragged past the other stops a step short of it. */
export function dragTimes(from: DragFrom, pointerMs: number, step: number): { startMs: number; endMs: number } {
  const min = step * 60_000;
  switch (from.kind) {
    case 'move': {
      const startMs = snap(from.startMs + (pointerMs - from.pointerMs), step);
      return { startMs, endMs: startMs + (from.endMs - from.startMs) };
    }
    case 'start':
      return { startMs: Math.min(snap(pointerMs, step), from.endMs - min), endMs: from.endMs };
    case 'end':
      return { startMs: from.startMs, endMs: Math.max(snap(pointerMs, step), from.startMs + min) };
    case 'create': {
      const a = snap(from.pointerMs, step);
      const b = snap(pointerMs, step);
      const startMs = Math.min(a, b);
      return { startMs, endMs: Math.max(a, b, startMs + min) };
    }
  }
}

/** The block next to `current` for an arrow key: up and down in time
 * within the day, left and right to the nearest block of the next day
 * that has one. `days` holds each column's blocks, in start order. */
export function neighbour(
  days: Block[][],
  current: { day: number; index: number } | null,
  key: 'ArrowUp' | 'ArrowDown' | 'ArrowLeft' | 'ArrowRight',
): { day: number; index: number } | null {
  if (!current) {
    const day = days.findIndex((d) => d.length > 0);
    return day === -1 ? null : { day, index: 0 };
  }
  const column = days[current.day] ?? [];
  if (key === 'ArrowUp' || key === 'ArrowDown') {
    const index = current.index + (key === 'ArrowDown' ? 1 : -1);
    return index >= 0 && index < column.length ? { day: current.day, index } : current;
  }
  const top = column[current.index]?.top ?? 0;
  const step = key === 'ArrowRight' ? 1 : -1;
  for (let day = current.day + step; day >= 0 && day < days.length; day += step) {
    const blocks = days[day];
    if (blocks.length === 0) continue;
    let best = 0;
    for (let i = 1; i < blocks.length; i++) {
      if (Math.abs(blocks[i].top - top) < Math.abs(blocks[best].top - top)) best = i;
    }
    return { day, index: best };
  }
  return current;
}
