// The calendar's read-ahead: which reads reach the core, and that nothing
// read before a change is handed out after it.
import { describe, expect, it } from 'vitest';
import type { CalendarSpan } from './api';
import { SpanCache, sameSpan } from './calendarAhead';

function fake(fail: Set<string> = new Set()) {
  const reads: string[] = [];
  let version = 0;
  const read = (from: string, days: number): Promise<CalendarSpan> => {
    const key = `${from}/${days}`;
    reads.push(key);
    if (fail.has(key)) return Promise.reject(new Error(`no ${key}`));
    // `now` carries the data version the span was read at.
    return Promise.resolve({ days: [], entries: [], now: `${key}@${version}` });
  };
  return { reads, read, bump: () => (version += 1) };
}

describe('SpanCache', () => {
  it('hands out the neighbours it read ahead without reading them again', async () => {
    const core = fake();
    const cache = new SpanCache(core.read);
    expect((await cache.take('2026-11-30', 7)).now).toBe('2026-11-30/7@0');
    cache.ahead([
      ['2026-11-23', 7],
      ['2026-12-07', 7],
    ]);
    expect(core.reads).toEqual(['2026-11-30/7', '2026-11-23/7', '2026-12-07/7']);
    expect((await cache.take('2026-12-07', 7)).now).toBe('2026-12-07/7@0');
    expect(core.reads).toHaveLength(3);
  });

  it('keeps the days just left as a neighbour, and forgets the far side', async () => {
    const core = fake();
    const cache = new SpanCache(core.read);
    await cache.take('2026-11-30', 7);
    cache.ahead([
      ['2026-11-23', 7],
      ['2026-12-07', 7],
    ]);
    await cache.take('2026-12-07', 7);
    cache.ahead([
      ['2026-11-30', 7],
      ['2026-12-14', 7],
    ]);
    // Only the new far side is read; the week left is held as it was.
    expect(core.reads.slice(3)).toEqual(['2026-12-14/7']);
    expect(cache.held.sort()).toEqual(['2026-11-30/7', '2026-12-14/7']);
    expect((await cache.take('2026-11-30', 7)).now).toBe('2026-11-30/7@0');
  });

  it('reads afresh after a change, whatever it held', async () => {
    const core = fake();
    const cache = new SpanCache(core.read);
    await cache.take('2026-11-30', 7);
    cache.ahead([['2026-12-07', 7]]);
    core.bump();
    cache.clear();
    expect(cache.held).toEqual([]);
    expect((await cache.take('2026-12-07', 7)).now).toBe('2026-12-07/7@1');
    // The week before the change is not reused as a neighbour either.
    cache.ahead([['2026-11-30', 7]]);
    expect((await cache.take('2026-11-30', 7)).now).toBe('2026-11-30/7@1');
  });

  it('forgets a read ahead that failed, so the step reads again', async () => {
    const fail = new Set(['2026-12-07/7']);
    const core = fake(fail);
    const cache = new SpanCache(core.read);
    await cache.take('2026-11-30', 7);
    cache.ahead([['2026-12-07', 7]]);
    await Promise.resolve();
    expect(cache.held).toEqual([]);
    fail.clear();
    expect((await cache.take('2026-12-07', 7)).now).toBe('2026-12-07/7@0');
    expect(core.reads.filter((r) => r === '2026-12-07/7')).toHaveLength(2);
  });
});

describe('sameSpan', () => {
  const day = { date: '2026-12-07', starts_at: 'a', ends_at: 'b', total_seconds: 3600, break_seconds: 0 };
  const read = (total: number, description: string, now: string): CalendarSpan => ({
    days: [{ ...day, total_seconds: total }],
    entries: [{ id: 1, description } as CalendarSpan['entries'][number]],
    now,
  });

  it('holds two reads alike whenever they were read', () => {
    expect(sameSpan(read(3600, 'a', 'then'), read(3600, 'a', 'now'))).toBe(true);
  });

  it('tells a changed entry or day total apart', () => {
    expect(sameSpan(read(3600, 'a', 'now'), read(3600, 'b', 'now'))).toBe(false);
    expect(sameSpan(read(3600, 'a', 'now'), read(60, 'a', 'now'))).toBe(false);
  });
});
