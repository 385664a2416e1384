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

/** What each element was last given, so that a redraw writes only what
 * changed and reads nothing back from the DOM. */
const drawn = new WeakMap<HTMLElement, { css: string; text: string }>();

/** A block's element: reused across redraws by entry id, so focus stays. */
function apply(el: HTMLElement, view: BlockView) {
  const entry = view.block.entry;
  const last = drawn.get(el) ?? { css: '', text: '' };
  if (el.className !== view.cls) el.className = view.cls;
  if (el.title !== view.title) el.title = view.title;
  const attrs: [string, string][] = [
    ['data-start', entry.started_at],
    ['data-end', entry.stopped_at ?? ''],
  ];
  for (const [name, value] of attrs) {
    if (el.getAttribute(name) !== value) el.setAttribute(name, value);
  }
  // One declaration block, parsed once, instead of a property at a time.
  // (The CSP refuses style attributes, not the CSSOM.)
  const css = Object.entries(view.style)
    .map(([key, value]) => `${key}: ${value}`)
    .join('; ');
  if (last.css !== css) el.style.cssText = css;
  const text = view.lines.map((l) => `${l.cls}:${l.text}`).join('\n');
  if (last.text !== text) {
    const spans = el.children;
    if (spans.length === view.lines.length) {
      view.lines.forEach((line, i) => {
        const span = spans[i];
        if (span.className !== line.cls) span.className = line.cls;
        if (span.textContent !== line.text) span.textContent = line.text;
      });
    } else {
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
  drawn.set(el, { css, text });
}

function create(): HTMLElement {
  const el = document.createElement('div');
  el.setAttribute('role', 'button');
  el.tabIndex = 0;
  el.dataset.testid = 'calendar-entry';
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
    // Elements of blocks no longer shown are given to new ones (another
    // week has none of the same ids): changing an element costs less
    // than making one. The focused one is left alone, so focus never
    // jumps to another entry.
    const focused = document.activeElement;
    const kept = new Set(next.map((view) => String(view.block.entry.id)));
    const spare = [...byId].filter(([id, el]) => !kept.has(id) && el !== focused);
    for (const [id] of spare) byId.delete(id);
    for (const view of next) {
      const id = String(view.block.entry.id);
      let el = byId.get(id);
      if (el) byId.delete(id);
      else {
        el = spare.pop()?.[1] ?? create();
        el.dataset.id = id;
      }
      apply(el, view);
      if (el !== at) node.insertBefore(el, at);
      else at = at.nextElementSibling;
    }
    for (const stale of [...byId.values(), ...spare.map(([, el]) => el)]) stale.remove();
    // Moving an element drops its focus; a block still shown keeps it.
    if (focused instanceof HTMLElement && focused.isConnected && document.activeElement !== focused) {
      focused.focus({ preventScroll: true });
    }
  };
  update(views);
  return { update };
}
