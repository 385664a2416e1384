// The Entries list over all of history: pages of whole days from the core,
// laid out as rows of fixed height so that only the rows on screen exist
// in the DOM and a page can be added or dropped at either end without
// measuring anything.
import type { Day, Entry, EntryPage } from './api';

/** A day's header, with the gap above it (px). Kept in step with the CSS. */
export const DAY_HEIGHT = 48;
/** One entry's row (px). */
export const ROW_HEIGHT = 46;

export type Item =
  | { kind: 'day'; key: string; day: Day; top: number }
  | { kind: 'entry'; key: string; entry: Entry; day: string; top: number };

export function itemHeight(item: Item): number {
  return item.kind === 'day' ? DAY_HEIGHT : ROW_HEIGHT;
}

export function entryCount(pages: EntryPage[]): number {
  return pages.reduce((n, p) => n + p.days.reduce((m, d) => m + d.entries.length, 0), 0);
}

/** Every row of `pages`, newest first, with its offset from the top. */
export function layout(pages: EntryPage[]): { items: Item[]; height: number } {
  const items: Item[] = [];
  let top = 0;
  for (const page of pages) {
    for (const day of page.days) {
      items.push({ kind: 'day', key: `d${day.date}`, day, top });
      top += DAY_HEIGHT;
      for (const entry of day.entries) {
        items.push({ kind: 'entry', key: `e${entry.id}`, entry, day: day.date, top });
        top += ROW_HEIGHT;
      }
    }
  }
  return { items, height: top };
}

/** The first item whose bottom edge is below `y` (binary search). */
function firstBelow(items: Item[], y: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid].top + itemHeight(items[mid]) <= y) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The rows to draw, `[start, end)`: those within `overscan` px of the
 * viewport that starts at `scrollTop` and is `viewport` px tall.
 */
export function visible(
  items: Item[],
  scrollTop: number,
  viewport: number,
  overscan: number,
): [number, number] {
  // An offset past the end (the list just got shorter) shows its last
  // screenful, as the browser will once it clamps the scroll.
  const last = items[items.length - 1];
  const height = last ? last.top + itemHeight(last) : 0;
  const top = Math.max(0, Math.min(scrollTop, height - viewport));
  const start = firstBelow(items, Math.max(0, top - overscan));
  const end = firstBelow(items, top + viewport + overscan);
  return [start, Math.min(items.length, end + 1)];
}

/**
 * Drops whole pages from the far end once more than `max` entries are
 * loaded, so memory stays flat however far the user scrolls. The list
 * keeps its place itself, from the row on screen.
 */
export function trim(pages: EntryPage[], max: number, from: 'top' | 'bottom'): EntryPage[] {
  const kept = [...pages];
  while (kept.length > 2 && entryCount(kept) > max) {
    if (from === 'top') kept.shift();
    else kept.pop();
  }
  return kept;
}
