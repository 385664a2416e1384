// Fixtures the view tests share.
import type { Project } from '../lib/api';

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
