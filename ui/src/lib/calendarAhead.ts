// The calendar reads the days next to the ones on screen ahead of the
// user, so that a step back or forward draws from memory instead of
// waiting on a round trip to the core (a week step measured 7 ms of IPC
// and a frame more to wait for it). Only those neighbours are kept, and
// any change to the data drops them all: a span read before a change is
// never drawn after it.
import type { CalendarSpan } from './api';

type Read = (from: string, days: number) => Promise<CalendarSpan>;
type Held = { key: string; read: Promise<CalendarSpan> };

const keyOf = (from: string, days: number) => `${from}/${days}`;

export class SpanCache {
  readonly #read: Read;
  readonly #spans = new Map<string, Promise<CalendarSpan>>();
  /** What is on screen and what was before it: after a step, the days
   * left are a neighbour that needs no new read. */
  #shown: Held | null = null;
  #before: Held | null = null;

  constructor(read: Read) {
    this.#read = read;
  }

  /** The span read ahead for these days, or a fresh read. */
  take(from: string, days: number): Promise<CalendarSpan> {
    const key = keyOf(from, days);
    const read = this.#spans.get(key) ?? this.#read(from, days);
    this.#spans.delete(key);
    this.#before = this.#shown;
    this.#shown = { key, read };
    return read;
  }

  /** Reads these spans ahead and forgets any other. */
  ahead(wanted: [from: string, days: number][]): void {
    const keep = new Set(wanted.map(([from, days]) => keyOf(from, days)));
    for (const key of this.#spans.keys()) if (!keep.has(key)) this.#spans.delete(key);
    for (const [from, days] of wanted) {
      const key = keyOf(from, days);
      if (this.#spans.has(key)) continue;
      const read = this.#before?.key === key ? this.#before.read : this.#read(from, days);
      this.#spans.set(key, read);
      // A failed read is forgotten: the step reads again, and shows the
      // error if that fails too.
      read.catch(() => {
        if (this.#spans.get(key) === read) this.#spans.delete(key);
      });
    }
  }

  /** The spans read ahead, once they have arrived (a failed read is left
   * out), so that they can be drawn ahead too. */
  async arrived(): Promise<CalendarSpan[]> {
    const settled = await Promise.allSettled([...this.#spans.values()]);
    return settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }

  /** The data changed: nothing read before may be drawn. */
  clear(): void {
    this.#spans.clear();
    this.#shown = null;
    this.#before = null;
  }

  /** The days held, as `from/days` keys (for tests). */
  get held(): string[] {
    return [...this.#spans.keys()];
  }
}

/** Whether two reads of the same days hold the same entries, whenever
 * each was read: a span read again that shows nothing new is kept as
 * the object already drawn, so nothing is drawn twice. */
export function sameSpan(a: CalendarSpan, b: CalendarSpan): boolean {
  return JSON.stringify(a.days) === JSON.stringify(b.days) && JSON.stringify(a.entries) === JSON.stringify(b.entries);
}
