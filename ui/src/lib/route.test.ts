import { describe, expect, it } from 'vitest';
import { parseRoute, routeHash } from './route';

describe('routes', () => {
  it('name a view and a Settings section, and fall back on anything unknown', () => {
    expect(parseRoute('#/settings/sync')).toEqual({ view: 'settings', section: 'sync' });
    expect(parseRoute('#/reports')).toEqual({ view: 'reports', section: 'general' });
    expect(parseRoute('')).toEqual({ view: 'timer', section: 'general' });
    expect(parseRoute('#/nowhere/else')).toEqual({ view: 'timer', section: 'general' });
    expect(parseRoute('#/settings/nope')).toEqual({ view: 'settings', section: 'general' });
  });

  it('round-trip', () => {
    for (const hash of ['#/timer', '#/entries', '#/settings', '#/settings/privacy', '#/settings/metrics']) {
      const r = parseRoute(hash);
      expect(routeHash(r.view, r.section)).toBe(hash);
    }
  });
});
