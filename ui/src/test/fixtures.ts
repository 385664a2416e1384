// Fixtures the view tests share.
import type { Entry, Project } from '../lib/api';

/** A plain project, as the core returns it. */
export const owl: Project = {
  id: 1,
  name: 'Owl Census',
  color: '#3b82f6',
  archived: false,
  created_at: '2026-11-01T09:00:00Z',
  updated_at: '2026-11-01T09:00:00Z',
  client: null,
  billable: false,
  hourly_rate_cents: null,
  currency: null,
};

/** A stopped (or, with `end` null, running) entry on `owl`. */
export function owlEntry(id: number, start: string, end: string | null, extra: Partial<Entry> = {}): Entry {
  return {
    id,
    project_id: owl.id,
    project_name: owl.name,
    project_color: owl.color,
    description: `Entry ${id}`,
    started_at: start,
    stopped_at: end,
    duration_seconds: end ? (Date.parse(end) - Date.parse(start)) / 1000 : 0,
    tags: [],
    overlaps: false,
    ...extra,
  };
}
