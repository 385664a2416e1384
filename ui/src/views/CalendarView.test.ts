// The Calendar view against a fake backend that keeps entries as the core
// does: the week it asks for, a block dragged and refused, delete and
// undo with Ctrl+Z.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import CalendarView from './CalendarView.svelte';
import type { CalendarEdit, CalendarSpan, Deleted, Entry, EntryPatch } from '../lib/api';
import { owl, owlEntry } from '../test/fixtures';
import { addDays, atMinutes, weekStart } from '../lib/calendar';
import { firstDayOfWeek, isoDate } from '../lib/format';
import { notifyChanged, resetLiveRefresh } from '../lib/live';

let entries: Entry[];
let trash: Map<string, Entry>;
let calls: { cmd: string; args: Record<string, unknown> }[];
let refuse: string | null;

const today = () => isoDate(new Date());
const iso = (date: string, minutes: number) => new Date(atMinutes(date, minutes)).toISOString();

const entry = owlEntry;

function span(from: string, days: number): CalendarSpan {
  const cols = Array.from({ length: days }, (_, i) => addDays(from, i)).map((date) => ({
    date,
    starts_at: iso(date, 0),
    ends_at: iso(addDays(date, 1), 0),
    total_seconds: 0,
    break_seconds: 0,
  }));
  const lo = cols[0].starts_at;
  const hi = cols[cols.length - 1].ends_at;
  return {
    days: cols,
    entries: entries.filter((e) => e.started_at < hi && (e.stopped_at ?? '9') > lo),
    now: new Date().toISOString(),
  };
}

function spans() {
  return calls.filter((c) => c.cmd === 'calendar_span').map((c) => [c.args.from, c.args.days]);
}

beforeEach(() => {
  calls = [];
  trash = new Map();
  refuse = null;
  entries = [entry(1, iso(today(), 9 * 60), iso(today(), 10 * 60))];
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    switch (cmd) {
      case 'calendar_span':
        // A copy, as over real IPC: the view must not share the fake's objects.
        return structuredClone(span(args.from as string, args.days as number));
      case 'projects_list':
        return [owl];
      case 'calendar_edit': {
        if (refuse) throw { code: 'entry.invalid_range', message: refuse };
        const edit = args.edit as CalendarEdit;
        const e = entries.find((x) => x.id === args.id)!;
        if (edit.edit === 'move') {
          const length = Date.parse(e.stopped_at!) - Date.parse(e.started_at);
          e.started_at = edit.started_at;
          e.stopped_at = new Date(Date.parse(edit.started_at) + length).toISOString();
        }
        return e;
      }
      case 'entry_update': {
        const patch = args.patch as EntryPatch;
        const e = entries.find((x) => x.id === args.id)!;
        Object.assign(e, { started_at: patch.started_at, stopped_at: patch.stopped_at });
        return e;
      }
      case 'entry_delete': {
        const e = entries.find((x) => x.id === args.id)!;
        entries = entries.filter((x) => x !== e);
        trash.set(`token-${e.id}`, e);
        const deleted: Deleted = { id: e.id, undo: `token-${e.id}` };
        return deleted;
      }
      case 'entry_restore': {
        const e = trash.get(args.undo as string)!;
        entries.push(e);
        return e;
      }
      default:
        throw new Error(`unexpected command ${cmd}`);
    }
  });
});

afterEach(() => {
  cleanup();
  clearMocks();
  resetLiveRefresh();
});

describe('CalendarView', () => {
  it('asks for the week holding today, from the locale first day, and steps by weeks', async () => {
    render(CalendarView);
    const monday = weekStart(today(), firstDayOfWeek());
    await waitFor(() => expect(screen.getAllByTestId('calendar-day')).toHaveLength(7));
    expect(screen.getAllByTestId('calendar-day')[0].dataset.date).toBe(monday);
    expect(screen.getAllByTestId('calendar-now')).toHaveLength(1);
    expect(screen.getAllByTestId('calendar-entry')).toHaveLength(1);

    await fireEvent.click(screen.getByTestId('calendar-next'));
    await waitFor(() => expect(screen.getByTestId('calendar').dataset.from).toBe(addDays(monday, 7)));
    expect(screen.queryAllByTestId('calendar-entry')).toHaveLength(0);
    expect(screen.queryAllByTestId('calendar-now')).toHaveLength(0);
    await fireEvent.click(screen.getByTestId('calendar-prev'));
    await fireEvent.click(screen.getByTestId('calendar-prev'));
    await waitFor(() => expect(screen.getByTestId('calendar').dataset.from).toBe(addDays(monday, -7)));

    await fireEvent.click(screen.getByTestId('calendar-mode-day'));
    await waitFor(() => expect(screen.getAllByTestId('calendar-day')).toHaveLength(1));
    expect(spans()).toContainEqual([addDays(today(), -7), 1]);
  });

  it('draws a step from the week read ahead, and reads afresh after a change', async () => {
    render(CalendarView);
    const monday = weekStart(today(), firstDayOfWeek());
    const next = addDays(monday, 7);
    await waitFor(() => expect(spans()).toContainEqual([next, 7]));
    expect(spans()).toContainEqual([addDays(monday, -7), 7]);
    const asked = () => spans().filter(([from]) => from === next).length;
    expect(asked()).toBe(1);

    await fireEvent.click(screen.getByTestId('calendar-next'));
    await waitFor(() => expect(screen.getByTestId('calendar').dataset.from).toBe(next));
    expect(asked()).toBe(1);
    // Back again: the week just left is held, not read again.
    await waitFor(() => expect(spans()).toContainEqual([addDays(monday, 14), 7]));
    const reads = spans().length;
    await fireEvent.click(screen.getByTestId('calendar-prev'));
    await waitFor(() => expect(screen.getByTestId('calendar').dataset.from).toBe(monday));
    expect(spans().slice(reads)).not.toContainEqual([monday, 7]);

    // Another process adds an entry next week: what was read ahead is
    // dropped, and the step shows the new entry.
    await waitFor(() => expect(spans().slice(reads)).toContainEqual([addDays(monday, -7), 7]));
    expect(spans().slice(reads)).not.toContainEqual([next, 7]);
    entries.push(entry(2, iso(addDays(next, 1), 9 * 60), iso(addDays(next, 1), 11 * 60)));
    notifyChanged();
    await fireEvent.click(screen.getByTestId('calendar-next'));
    await waitFor(() => expect(screen.getByTestId('calendar').dataset.from).toBe(next));
    await waitFor(() => expect(screen.getAllByTestId('calendar-entry')).toHaveLength(1));
    expect(screen.getByTestId('calendar-entry').dataset.id).toBe('2');
  });

  it('draws the week read ahead hidden, and a step shows those very blocks', async () => {
    const monday = weekStart(today(), firstDayOfWeek());
    const next = addDays(monday, 7);
    entries.push(entry(2, iso(addDays(next, 2), 9 * 60), iso(addDays(next, 2), 10 * 60)));
    const { container } = render(CalendarView);
    const ahead = await waitFor(() => {
      const el = container.querySelector<HTMLElement>('.blocks.ahead [data-id="2"]');
      expect(el).not.toBeNull();
      return el!;
    });
    // Hidden: no test id, out of the tab order, its layer hidden from
    // assistive technology.
    expect(ahead.dataset.testid).toBeUndefined();
    expect(ahead.tabIndex).toBe(-1);
    expect(ahead.parentElement!.ariaHidden).toBe('true');
    expect(screen.getAllByTestId('calendar-entry').map((b) => b.dataset.id)).toEqual(['1']);

    await fireEvent.click(screen.getByTestId('calendar-next'));
    await waitFor(() => expect(screen.getByTestId('calendar').dataset.from).toBe(next));
    const shown = screen.getAllByTestId('calendar-entry');
    expect(shown).toEqual([ahead]);
    expect(ahead.tabIndex).toBe(0);
    expect(ahead.parentElement!.classList.contains('ahead')).toBe(false);
    // This week's block stays drawn, hidden, for the step back.
    const left = container.querySelector<HTMLElement>('[data-id="1"]')!;
    expect(left.parentElement!.classList.contains('ahead')).toBe(true);
    expect(left.dataset.testid).toBeUndefined();
  });

  it('kept hidden behind another view, shows only once read afresh, and redraws only what changed', async () => {
    const view = render(CalendarView, { active: true });
    const cal = () => screen.getByTestId('calendar');
    await waitFor(() => expect(cal().dataset.shown).toBe('true'));
    const block = screen.getByTestId('calendar-entry');
    block.focus();
    await fireEvent.keyDown(block, { key: 'Delete' });
    await waitFor(() => expect(screen.queryAllByTestId('calendar-entry')).toHaveLength(0));
    expect(screen.getByTestId('undo-toast')).toBeTruthy();

    // Another view on screen: hidden, and Ctrl+Z there is not the calendar's.
    await view.rerender({ active: false });
    expect(cal().dataset.shown).toBe('false');
    expect(cal().ariaHidden).toBe('true');
    expect(cal().classList.contains('away')).toBe(true);
    // Its blocks and buttons are out of the tab order and carry no test id.
    expect(view.container.querySelectorAll('.block[tabindex="0"]')).toHaveLength(0);
    expect(screen.getByTestId('calendar-prev').closest<HTMLElement>('.toolbar')!.inert).toBe(true);
    expect(screen.queryByTestId('undo-toast')).toBeNull();
    await fireEvent.keyDown(window, { key: 'z', ctrlKey: true });
    expect(calls.filter((c) => c.cmd === 'entry_restore')).toHaveLength(0);

    // Opened again with nothing changed: read afresh, the same blocks kept.
    entries.push(entry(3, iso(today(), 13 * 60), iso(today(), 14 * 60)));
    const reads = spans().length;
    await view.rerender({ active: true });
    await waitFor(() => expect(cal().dataset.shown).toBe('true'));
    expect(spans().length).toBeGreaterThan(reads);
    const drawn = screen.getAllByTestId('calendar-entry');
    expect(drawn.map((b) => b.dataset.id)).toEqual(['3']);

    // Once the neighbours are read ahead again too, nothing in the grid
    // was redrawn: blocks were only marked shown again, and the "now"
    // line moved.
    await view.rerender({ active: false });
    const reread = spans().length;
    const touched: MutationRecord[] = [];
    const watch = new MutationObserver((records) => touched.push(...records));
    watch.observe(view.container.querySelector('.calendar-grid')!, {
      subtree: true,
      childList: true,
      attributes: true,
      characterData: true,
    });
    await view.rerender({ active: true });
    await waitFor(() => expect(spans().length).toBe(reread + 3));
    await waitFor(() => expect(cal().dataset.shown).toBe('true'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    watch.disconnect();
    const now = screen.getByTestId('calendar-now');
    const marks = ['tabindex', 'data-testid', 'aria-hidden'];
    const redrawn = touched.filter(
      (r) => r.target !== now && !now.contains(r.target) && !(r.type === 'attributes' && marks.includes(r.attributeName!)),
    );
    expect(redrawn).toEqual([]);
    expect(touched.length).toBeGreaterThan(0);
    expect(screen.getAllByTestId('calendar-entry')[0]).toBe(drawn[0]);
    // The undo steps went with the hiding: the deleted entry stays deleted.
    await fireEvent.keyDown(window, { key: 'z', ctrlKey: true });
    expect(calls.filter((c) => c.cmd === 'entry_restore')).toHaveLength(0);
  });

  it('opens a focused block with Enter or Space, as a button would', async () => {
    render(CalendarView);
    const block = await screen.findByTestId('calendar-entry');
    expect(block.getAttribute('role')).toBe('button');
    for (const key of ['Enter', ' ']) {
      block.focus();
      expect(document.activeElement).toBe(block);
      await fireEvent.keyDown(block, { key });
      await screen.findByTestId('entry-dialog');
      await fireEvent.click(screen.getByTestId('entry-edit-cancel'));
      await waitFor(() => expect(screen.queryByTestId('entry-dialog')).toBeNull());
    }
  });

  it('deletes the focused block with Delete and brings it back with Ctrl+Z', async () => {
    render(CalendarView);
    const block = await screen.findByTestId('calendar-entry');
    block.focus();
    await fireEvent.keyDown(block, { key: 'Delete' });
    await waitFor(() => expect(screen.queryAllByTestId('calendar-entry')).toHaveLength(0));
    expect(screen.getByTestId('undo-toast').textContent).toContain('Entry deleted.');
    await fireEvent.keyDown(window, { key: 'z', ctrlKey: true });
    await waitFor(() => expect(screen.getAllByTestId('calendar-entry')).toHaveLength(1));
    expect(calls.filter((c) => c.cmd === 'entry_restore')).toHaveLength(1);
  });

  describe('dragging', () => {
    // jsdom lays nothing out: the columns get a week's width and a day's
    // height (48 px an hour) so that pointer positions mean times.
    let restore: () => void;
    beforeEach(() => {
      const original = HTMLElement.prototype.getBoundingClientRect;
      HTMLElement.prototype.getBoundingClientRect = function () {
        const columns = this.classList.contains('columns');
        // A block is where its CSS variables put it.
        const top = columns ? 0 : parseFloat(this.style.getPropertyValue('top')) || 0;
        const height = columns ? 24 * 48 : parseFloat(this.style.getPropertyValue('height')) || 0;
        const width = columns ? 700 : 100;
        return { left: 0, top, right: width, bottom: top + height, width, height, x: 0, y: top, toJSON() {} };
      };
      restore = () => (HTMLElement.prototype.getBoundingClientRect = original);
    });
    afterEach(() => restore());

    async function dragBlock(dy: number, escape = false) {
      const block = await screen.findByTestId('calendar-entry');
      const columns = block.closest('.columns')!;
      const day = Number(block.closest<HTMLElement>('[data-day-index]')!.dataset.dayIndex);
      const x = day * 100 + 50;
      const y = 9 * 48 + 24;
      await fireEvent.pointerDown(block, { button: 0, pointerId: 1, clientX: x, clientY: y });
      await fireEvent.pointerMove(columns, { pointerId: 1, clientX: x, clientY: y + dy });
      if (escape) await fireEvent.keyDown(window, { key: 'Escape' });
      await fireEvent.pointerUp(columns, { pointerId: 1, clientX: x, clientY: y + dy });
    }

    it('moves a block by an hour and undoes the move', async () => {
      render(CalendarView);
      await dragBlock(48);
      await waitFor(() => expect(calls.some((c) => c.cmd === 'calendar_edit')).toBe(true));
      const edit = calls.find((c) => c.cmd === 'calendar_edit')!;
      expect(edit.args).toEqual({ id: 1, edit: { edit: 'move', started_at: iso(today(), 10 * 60) } });
      expect((await screen.findByTestId('undo-toast')).textContent).toContain('Entry moved.');
      await fireEvent.keyDown(window, { key: 'z', ctrlKey: true });
      await waitFor(() => expect(calls.some((c) => c.cmd === 'entry_update')).toBe(true));
      expect(calls.find((c) => c.cmd === 'entry_update')!.args).toEqual({
        id: 1,
        patch: { started_at: iso(today(), 9 * 60), stopped_at: iso(today(), 10 * 60) },
      });
    });

    it('drops a drag on Escape, changing nothing', async () => {
      render(CalendarView);
      await dragBlock(48, true);
      await new Promise((r) => setTimeout(r, 50));
      expect(calls.some((c) => c.cmd === 'calendar_edit')).toBe(false);
      expect(screen.queryByTestId('entry-dialog')).toBeNull();
    });

    it('opens the dialog with the dragged times and the reason when the core refuses', async () => {
      refuse = 'The start of a range must come before its end.';
      render(CalendarView);
      await dragBlock(-48);
      const dialog = await screen.findByTestId('entry-dialog');
      expect(screen.getByTestId('entry-edit-error').textContent).toBe(refuse);
      const start = screen.getByTestId('entry-edit-start') as HTMLInputElement;
      expect(dialog).toBeTruthy();
      expect(start.value).toContain('08:00');
      expect(screen.queryByTestId('undo-toast')).toBeNull();
    });
  });
});
