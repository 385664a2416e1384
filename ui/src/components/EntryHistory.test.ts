// The Entries view over a long history: a fake core that pages like the
// real one (whole days, cursors at day boundaries) over ten years, and a
// list that must draw only what is on screen, load as it scrolls, keep
// memory flat, and jump to a date.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import EntriesView from '../views/EntriesView.svelte';
import type { Day, Entry, EntryPage, PageAt } from '../lib/api';
import { entryCount, layout, trim, visible, DAY_HEIGHT, ROW_HEIGHT } from '../lib/history';

const DAYS = 3650;
const PER_DAY = 27;
const DAY_MS = 86_400_000;
// Day 0 is the newest; the fake's cursors are opaque to the list, as the
// core's timestamps are.
const BASE = Date.UTC(2026, 10, 28);

function dateOf(index: number): string {
  return new Date(BASE - index * DAY_MS).toISOString().slice(0, 10);
}

function indexOf(date: string): number {
  return Math.round((BASE - Date.parse(`${date}T00:00:00Z`)) / DAY_MS);
}

function day(index: number): Day {
  const entries: Entry[] = [];
  for (let n = PER_DAY - 1; n >= 0; n--) {
    const start = BASE - index * DAY_MS + n * 1_800_000;
    entries.push({
      id: index * 1000 + n,
      project_id: null,
      project_name: null,
      project_color: null,
      description: `Day ${index} entry ${n}`,
      started_at: new Date(start).toISOString(),
      stopped_at: new Date(start + 600_000).toISOString(),
      duration_seconds: 600,
      tags: [],
      overlaps: false,
    });
  }
  // Ten minutes every half hour: twenty minutes of break between each two.
  return { date: dateOf(index), total_seconds: 600 * PER_DAY, break_seconds: 1200 * (PER_DAY - 1), entries };
}

/** Days `[from, to)` by index, newest first, as a page. */
function span(from: number, to: number): EntryPage {
  const lo = Math.max(0, from);
  const hi = Math.min(DAYS, to);
  const days = [];
  for (let i = lo; i < hi; i++) days.push(day(i));
  return { days, older: hi < DAYS ? `d${hi}` : null, newer: lo > 0 ? `d${lo}` : null };
}

function page(at: PageAt, limit: number): EntryPage {
  const k = Math.max(1, Math.ceil(limit / PER_DAY));
  if (at === 'newest') return span(0, k);
  if ('before' in at) {
    const i = Number(at.before.slice(1));
    return span(i, i + k);
  }
  if ('after' in at) {
    const i = Number(at.after.slice(1));
    return span(i - k, i);
  }
  const j = Math.max(0, indexOf(at.on_or_before));
  return span(j, j + k);
}

let asked: PageAt[];

beforeEach(() => {
  asked = [];
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as { at: PageAt; limit: number };
    if (cmd === 'projects_list') return [];
    if (cmd === 'entries_page') {
      asked.push(args.at);
      return page(args.at, args.limit);
    }
    throw new Error(`unexpected command ${cmd}`);
  });
});

afterEach(() => {
  cleanup();
  clearMocks();
});

function list(): HTMLElement {
  return screen.getByTestId('entries-list');
}

function drawnIds(): number[] {
  return screen.getAllByTestId('entry-row').map((r) => Number(r.dataset.entryId));
}

/** The height of everything loaded: the two spacers and the rows drawn. */
function loadedHeight(): number {
  let height = 0;
  for (const child of list().children) {
    const el = child as HTMLElement;
    const id = el.dataset.testid;
    if (id === 'entry-row') height += ROW_HEIGHT;
    else if (id === 'entries-day') height += DAY_HEIGHT;
    else height += parseFloat(el.style.height || '0');
  }
  return height;
}

/** Scrolls as a browser does: never past the end (jsdom's viewport is the list's fallback, 600 px). */
async function scrollTo(top: number) {
  list().scrollTop = Math.max(0, Math.min(top, loadedHeight() - 600));
  await fireEvent.scroll(list());
}

describe('layout', () => {
  it('places headers and rows at fixed heights and draws only the visible ones', () => {
    const pages = [span(0, 2), span(2, 4)];
    const { items, height } = layout(pages);
    expect(items).toHaveLength(4 * (PER_DAY + 1));
    expect(height).toBe(4 * (DAY_HEIGHT + PER_DAY * ROW_HEIGHT));
    expect(items[1].top).toBe(DAY_HEIGHT);
    expect(items[PER_DAY + 1]).toMatchObject({ kind: 'day', top: DAY_HEIGHT + PER_DAY * ROW_HEIGHT });
    const [start, end] = visible(items, 3_000, 500, 0);
    expect(items[start].top).toBeLessThanOrEqual(3_000);
    expect(items[end - 1].top).toBeGreaterThanOrEqual(3_000 + 500 - ROW_HEIGHT);
    expect(end - start).toBeLessThan(500 / ROW_HEIGHT + 3);
    expect(visible([], 0, 500, 100)).toEqual([0, 0]);
    // Past the end (a shorter page came in under a stale offset): the
    // last screenful, never nothing, or the browser clamps the scroll to 0.
    const [lastStart, lastEnd] = visible(items, height + 5_000, 500, 0);
    expect(lastEnd).toBe(items.length);
    expect(items[lastStart].top).toBeLessThanOrEqual(height - 500);
  });

  it('drops whole pages from the far end', () => {
    const pages = [span(0, 8), span(8, 16), span(16, 24), span(24, 32)];
    const top = trim(pages, 500, 'top');
    expect(top.map((p) => p.days[0].date)).toEqual([dateOf(16), dateOf(24)]);
    const bottom = trim(pages, 500, 'bottom');
    expect(bottom.map((p) => p.days[0].date)).toEqual([dateOf(0), dateOf(8)]);
    expect(entryCount(trim(pages, 10_000, 'top'))).toBe(32 * PER_DAY);
  });
});

describe('EntryHistory', () => {
  it('draws a screenful of ten years and loads older days as it scrolls, memory flat', async () => {
    render(EntriesView);
    await waitFor(() => expect(drawnIds().length).toBeGreaterThan(0));
    expect(asked).toEqual(['newest']);
    expect(drawnIds().length).toBeLessThan(50);
    expect(drawnIds()[0]).toBe(PER_DAY - 1);
    expect(screen.getAllByTestId('day-break')[0].textContent).toContain('08:40:00');

    // Scroll to the bottom of what is loaded, again and again: eight months on.
    // At most what is kept plus a page, in rows of either kind.
    const flat = (1200 + 200 + 2 * PER_DAY) * (ROW_HEIGHT + DAY_HEIGHT / PER_DAY);
    for (let i = 0; i < 30; i++) {
      await scrollTo(Number.MAX_SAFE_INTEGER);
      await new Promise((r) => setTimeout(r, 0));
      expect(loadedHeight()).toBeLessThan(flat);
      expect(drawnIds().length).toBeLessThan(60);
    }
    await waitFor(() => expect(asked.length).toBeGreaterThan(20));
    // Far back, and the rows drawn are the ones at the scroll offset.
    expect(Math.min(...drawnIds())).toBeGreaterThan(200 * 1000);
    expect(asked.slice(1).every((a) => typeof a === 'object' && 'before' in a)).toBe(true);
    expect(drawnIds().length).toBeLessThan(60);
  }, 20_000);

  it('jumps to a date, then pages up to newer days without moving what is on screen', async () => {
    render(EntriesView);
    await waitFor(() => expect(drawnIds().length).toBeGreaterThan(0));
    const target = dateOf(2000);
    await fireEvent.input(screen.getByTestId('entries-jump'), { target: { value: target } });
    await fireEvent.click(screen.getByTestId('entries-jump-go'));
    await waitFor(() => expect(asked).toContainEqual({ on_or_before: target }));
    // Near the top, the page above loads at once; the day stays on screen.
    await waitFor(() => expect(asked.some((a) => typeof a === 'object' && 'after' in a)).toBe(true));
    await waitFor(() => expect(list().scrollTop).toBeGreaterThan(0));
    const first = screen
      .getAllByTestId('entries-day')
      .find((d) => d.dataset.date === target);
    expect(first).toBeTruthy();
    expect(screen.queryByTestId('entries-jump-missing')).toBeNull();

    await fireEvent.click(screen.getByTestId('entries-newest'));
    await waitFor(() => expect(drawnIds()[0]).toBe(PER_DAY - 1));
    expect(list().scrollTop).toBe(0);
  });

  it('says so when the date jumped to has no entries', async () => {
    render(EntriesView);
    await waitFor(() => expect(drawnIds().length).toBeGreaterThan(0));
    await fireEvent.input(screen.getByTestId('entries-jump'), { target: { value: '2030-01-01' } });
    await fireEvent.click(screen.getByTestId('entries-jump-go'));
    const note = await screen.findByTestId('entries-jump-missing');
    expect(note.textContent).toContain('2030');
  });
});
