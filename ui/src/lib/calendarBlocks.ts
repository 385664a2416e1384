// Draws a day column's blocks straight into the DOM. A week holds up to a
// few hundred of them, and as Svelte components they cost several times
// their drawing (an effect per class, attribute and handler): a week step
// measured 57 ms of script for 196 blocks, against 5 ms this way. Events
// are handled once on the grid, which finds the block by `data-id`.
// A block is a focusable `div` with the button role, not a <button>: a
// button is laid out as a flex box around an anonymous block, and a week
// of them took a quarter longer to lay out (32 ms against 26 for 161).
import type { Block } from './calendar';

export interface BlockLine {
  cls: string;
  text: string;
}

/** What one block shows; everything the DOM needs, already worked out. */
export interface BlockView {
  block: Block;
  cls: string;
  title: string;
  lines: BlockLine[];
  style: Record<string, string>;
}

/** A block's element: reused across redraws by entry id, so focus stays. */
function apply(el: HTMLElement, view: BlockView) {
  const entry = view.block.entry;
  if (el.className !== view.cls) el.className = view.cls;
  if (el.title !== view.title) el.title = view.title;
  const attrs: [string, string][] = [
    ['data-start', entry.started_at],
    ['data-end', entry.stopped_at ?? ''],
  ];
  for (const [name, value] of attrs) {
    if (el.getAttribute(name) !== value) el.setAttribute(name, value);
  }
  for (const [key, value] of Object.entries(view.style)) {
    if (el.style.getPropertyValue(key) !== value) el.style.setProperty(key, value);
  }
  const text = view.lines.map((l) => `${l.cls}:${l.text}`).join('\n');
  if (el.dataset.text !== text) {
    el.dataset.text = text;
    el.replaceChildren(
      ...view.lines.map((line) => {
        const span = document.createElement('span');
        span.className = line.cls;
        span.textContent = line.text;
        return span;
      }),
    );
  }
}

function create(id: number): HTMLElement {
  const el = document.createElement('div');
  el.setAttribute('role', 'button');
  el.tabIndex = 0;
  el.dataset.testid = 'calendar-entry';
  el.dataset.id = String(id);
  return el;
}

/** Svelte action: keeps `node`'s children the blocks of `views`, in order. */
export function drawBlocks(node: HTMLElement, views: BlockView[]) {
  const update = (next: BlockView[]) => {
    const byId = new Map<string, HTMLElement>();
    for (const child of node.querySelectorAll<HTMLElement>(':scope > [data-testid=calendar-entry]')) {
      byId.set(child.dataset.id ?? '', child);
    }
    // The node holds nothing else: Svelte draws the ghost and the "now"
    // line beside it, never among these.
    let at: Element | null = node.firstElementChild;
    for (const view of next) {
      const id = String(view.block.entry.id);
      const el = byId.get(id) ?? create(view.block.entry.id);
      byId.delete(id);
      apply(el, view);
      if (el !== at) node.insertBefore(el, at);
      else at = at.nextElementSibling;
    }
    for (const stale of byId.values()) stale.remove();
  };
  update(views);
  return { update };
}
