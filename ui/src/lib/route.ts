// Where the window is: a view, and for Settings a section, kept in the URL
// hash (`#/settings/sync`) so any view can link straight to a section and
// the back button in a dev browser works.
import type { View } from './shortcuts';

export const SETTINGS_SECTIONS = [
  { id: 'general', label: 'General' },
  { id: 'sync', label: 'Sync' },
  { id: 'privacy', label: 'Privacy' },
  { id: 'desktop', label: 'Desktop' },
  { id: 'work', label: 'Work hours' },
  { id: 'import', label: 'Import' },
  { id: 'metrics', label: 'Metrics' },
  { id: 'integrations', label: 'Integrations' },
  { id: 'diagnostics', label: 'Diagnostics' },
] as const;

export type SettingsSection = (typeof SETTINGS_SECTIONS)[number]['id'];

export interface Route {
  view: View;
  section: SettingsSection;
}

const VIEWS: View[] = ['timer', 'entries', 'calendar', 'projects', 'reports', 'settings'];

/** The route a hash names; anything unknown is the Timer view. */
export function parseRoute(hash: string): Route {
  const [view, section] = hash.replace(/^#\/?/, '').split('/');
  const known = VIEWS.find((v) => v === view) ?? 'timer';
  const sec = SETTINGS_SECTIONS.find((s) => s.id === section)?.id ?? 'general';
  return { view: known, section: sec };
}

/** The hash for a view (and a Settings section). */
export function routeHash(view: View, section?: SettingsSection): string {
  if (view === 'settings' && section && section !== 'general') return `#/settings/${section}`;
  return `#/${view}`;
}

/** Goes to a view or a Settings section. */
export function navigate(view: View, section?: SettingsSection): void {
  const hash = routeHash(view, section);
  if (window.location.hash !== hash) window.location.hash = hash;
}
