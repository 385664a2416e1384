// The calendar's block drawing: elements follow the views in order, an
// element left over from another week is reused with all of its text and
// place rewritten, and the focused block is never handed to another entry.
import { afterEach, describe, expect, it } from 'vitest';
import type { Block } from './calendar';
import { drawBlocks, type BlockView } from './calendarBlocks';

const live = (views: BlockView[]) => ({ views, live: true });
import { owlEntry } from '../test/fixtures';

function view(id: number, top: number, lines: string[]): BlockView {
  const entry = owlEntry(id, '2026-11-25T09:00:00Z', '2026-11-25T10:00:00Z');
  const block: Block = { entry, top, bottom: top + 60, lane: 0, lanes: 1, fromBefore: false, intoAfter: false, running: false };
  return {
    block,
    cls: 'block',
    title: `#${id}`,
    lines: lines.map((text, i) => ({ cls: i === 0 ? 'what' : 'when', text })),
    style: { top: `${top}px`, height: '48px' },
  };
}

const shown = (node: HTMLElement) =>
  [...node.children].map((el) => ({
    id: (el as HTMLElement).dataset.id,
    title: (el as HTMLElement).title,
    top: (el as HTMLElement).style.getPropertyValue('top'),
    text: [...el.children].map((s) => `${s.className}:${s.textContent}`),
  }));

afterEach(() => document.body.replaceChildren());

describe('drawBlocks', () => {
  it('reuses the elements of another week, rewriting all they show', () => {
    const node = document.createElement('div');
    document.body.append(node);
    const action = drawBlocks(node, live([view(1, 60, ['Owl', '09:00–10:00']), view(2, 120, ['Owl'])]));
    const before = [...node.children];
    action.update(live([view(7, 30, ['Heron']), view(8, 90, ['Heron', '08:30–09:30']), view(9, 200, ['Kite'])]));
    expect(shown(node)).toEqual([
      { id: '7', title: '#7', top: '30px', text: ['what:Heron'] },
      { id: '8', title: '#8', top: '90px', text: ['what:Heron', 'when:08:30–09:30'] },
      { id: '9', title: '#9', top: '200px', text: ['what:Kite'] },
    ]);
    // Both old elements were reused; only the third is new.
    expect(before.every((el) => [...node.children].includes(el))).toBe(true);
    action.update(live([view(8, 90, ['Heron', '08:30–09:30'])]));
    expect(shown(node).map((b) => b.id)).toEqual(['8']);
  });

  it('keeps the focused block on its entry, and drops it once it is gone', () => {
    const node = document.createElement('div');
    document.body.append(node);
    const action = drawBlocks(node, live([view(1, 60, ['Owl']), view(2, 120, ['Owl'])]));
    const focused = node.querySelector<HTMLElement>('[data-id="2"]')!;
    focused.focus();
    expect(document.activeElement).toBe(focused);
    // Entry 2 now comes first: its element moves, and keeps the focus.
    action.update(live([view(2, 30, ['Owl moved']), view(3, 240, ['Kite'])]));
    expect(node.querySelector('[data-id="2"]')).toBe(focused);
    expect(node.firstElementChild).toBe(focused);
    expect(document.activeElement).toBe(focused);
    expect(focused.style.getPropertyValue('top')).toBe('30px');
    expect(focused.textContent).toBe('Owl moved');
    action.update(live([view(4, 30, ['Heron']), view(5, 90, ['Heron'])]));
    expect(focused.isConnected).toBe(false);
    expect(shown(node).map((b) => b.id)).toEqual(['4', '5']);
  });

  it('gives test ids to the blocks of the layer on screen only', () => {
    const node = document.createElement('div');
    document.body.append(node);
    const views = [view(1, 60, ['Owl']), view(2, 120, ['Owl'])];
    const action = drawBlocks(node, { views, live: false });
    const ids = () => [...node.children].map((el) => (el as HTMLElement).dataset.testid ?? null);
    expect(ids()).toEqual([null, null]);
    // Shown: the same elements, nothing redrawn but their ids.
    const before = [...node.children];
    action.update({ views, live: true });
    expect(ids()).toEqual(['calendar-entry', 'calendar-entry']);
    expect([...node.children]).toEqual(before);
    action.update({ views: [...views, view(3, 240, ['Kite'])], live: true });
    expect(ids()).toEqual(['calendar-entry', 'calendar-entry', 'calendar-entry']);
    action.update({ views, live: false });
    expect(ids()).toEqual([null, null]);
  });
});

