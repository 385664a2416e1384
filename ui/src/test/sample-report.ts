// A small report as the core returns it, shared by the unit tests. Its
// days are the week of SAMPLE_NOW, the instant every unit test's clock is
// pinned to (src/test/setup.ts), so "this week" in a view under test is the
// week this report covers, whatever the real date is.
import type { Report } from '../lib/api';

/** Wednesday 25 November 2026, 10:30 local time, in whatever zone runs the tests. */
export const SAMPLE_NOW = new Date(2026, 10, 25, 10, 30);
/** The Monday-to-Sunday week holding SAMPLE_NOW. */
export const SAMPLE_WEEK = { kind: 'week' as const, from: '2026-11-23', to: '2026-11-29' };

export function sampleReport(): Report {
  return {
    from: '2026-11-23T00:00:00Z',
    to: '2026-11-30T00:00:00Z',
    rounding_minutes: 1,
    entry_count: 4,
    total_seconds: 5 * 3600,
    rounded_total_seconds: 5 * 3600,
    by_project: [
      {
        project_id: 1,
        name: 'Owl Census',
        color: '#3b82f6',
        client: 'Audubon',
        seconds: 3 * 3600,
        rounded_seconds: 3 * 3600,
        share: 0.6,
        billable_cents: 25500,
        currency: 'EUR',
      },
      {
        project_id: null,
        name: null,
        color: null,
        client: null,
        seconds: 2 * 3600,
        rounded_seconds: 2 * 3600,
        share: 0.4,
        billable_cents: null,
        currency: null,
      },
    ],
    by_tag: [{ tag: 'field', seconds: 3600, rounded_seconds: 3600 }],
    by_day: [
      {
        date: '2026-11-23',
        seconds: 3 * 3600,
        rounded_seconds: 3 * 3600,
        break_seconds: 45 * 60,
        by_project: [
          { project_id: 1, seconds: 2 * 3600 },
          { project_id: null, seconds: 3600 },
        ],
      },
      {
        date: '2026-11-25',
        seconds: 2 * 3600,
        rounded_seconds: 2 * 3600,
        break_seconds: 0,
        by_project: [
          { project_id: 1, seconds: 3600 },
          { project_id: null, seconds: 3600 },
        ],
      },
    ],
    billable: [{ currency: 'EUR', cents: 25500 }],
    target: null,
    balance: null,
  };
}
