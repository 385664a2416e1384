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
        // The text node's data, not textContent, which makes a new node.
        const node = span.firstChild;
        if (node instanceof Text) {
          if (node.data !== line.text) node.data = line.text;
        } else span.textContent = line.text;
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
  return el;
}

/** A block on screen has its test id and takes the focus; one drawn ahead
 * has neither. Attributes no style depends on: changing them restyles
 * nothing. */
function mark(el: HTMLElement, live: boolean) {
  if (live) el.dataset.testid = 'calendar-entry';
  else delete el.dataset.testid;
  el.tabIndex = live ? 0 : -1;
}

/** What a layer of blocks draws: its blocks, and whether it is the one on
 * screen (a layer drawn ahead for the days next to it is laid out but
 * hidden, and its blocks carry no test id until it is shown). */
export interface Layer {
  views: BlockView[];
  live: boolean;
}

/** Svelte action: keeps `node`'s children the blocks of `layer.views`, in
 * order. */
export function drawBlocks(node: HTMLElement, layer: Layer) {
  let live: boolean | null = null;
  let drawnViews: BlockView[] | null = null;
  const show = (nowLive: boolean) => {
    if (nowLive === live) return;
    live = nowLive;
    for (const el of node.children as HTMLCollectionOf<HTMLElement>) mark(el, live);
    node.ariaHidden = live ? null : 'true';
  };
  const update = ({ views: next, live: nowLive }: Layer) => {
    // The same views (worked out once, kept for their days): at most a
    // layer drawn ahead is now shown, or the other way round.
    if (next === drawnViews) return show(nowLive);
    drawnViews = next;
    const byId = new Map<string, HTMLElement>();
    // The node holds nothing else: Svelte draws the ghost and the "now"
    // line beside it, never among these.
    for (const child of node.children as HTMLCollectionOf<HTMLElement>) {
      byId.set(child.dataset.id ?? '', child);
    }
    let at: Element | null = node.firstElementChild;
    // Elements of blocks no longer shown are given to new ones (another
    // week has none of the same ids): changing an element costs less
    // than making one. The focused one is left alone, so focus never
    // jumps to another entry.
    const focused = document.activeElement;
    const kept = new Set(next.map((view) => String(view.block.entry.id)));
    // They are taken in the order they stand in, so that a week's blocks
    // given to the next week's need no move: taken from the end, each one
    // was moved, and its place and text were new (a week step measured
    // 15 ms of script to draw 182 blocks, against 7 in order).
    const spare = [...byId].filter(([id, el]) => !kept.has(id) && el !== focused);
    for (const [id] of spare) byId.delete(id);
    let taken = 0;
    for (const view of next) {
      const id = String(view.block.entry.id);
      let el = byId.get(id);
      if (el) byId.delete(id);
      else {
        el = spare[taken++]?.[1] ?? create();
        el.dataset.id = id;
        mark(el, nowLive);
      }
      apply(el, view);
      if (el !== at) node.insertBefore(el, at);
      else at = at.nextElementSibling;
    }
    for (const stale of [...byId.values(), ...spare.slice(taken).map(([, el]) => el)]) stale.remove();
    show(nowLive);
    // Moving an element drops its focus; a block still shown keeps it.
    if (focused instanceof HTMLElement && focused.isConnected && document.activeElement !== focused) {
      focused.focus({ preventScroll: true });
    }
  };
  update(layer);
  return { update };
}
