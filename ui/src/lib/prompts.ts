// Wording for the desktop prompts, kept out of the components so it can be
// tested without a window.
import type { Entry } from './bindings/Entry';
import type { IdlePrompt } from './bindings/IdlePrompt';
import { formatHoursMinutes } from './format';

export const IDLE_PROMPT = 'idle-prompt';
export const FORGOTTEN_PROMPT = 'forgotten-prompt';

export function projectOf(entry: Pick<Entry, 'project_name' | 'description'>): string {
  return entry.project_name ?? (entry.description || 'No project');
}

/** How long the user was away, `H:MM`-style words ("12 min", "1 h 05 min"). */
export function awayFor(prompt: Pick<IdlePrompt, 'idle_started_at' | 'returned_at'>): string {
  const seconds = Math.max(
    0,
    Math.round((Date.parse(prompt.returned_at) - Date.parse(prompt.idle_started_at)) / 1000),
  );
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

export function runningFor(entry: Pick<Entry, 'duration_seconds'>): string {
  return formatHoursMinutes(entry.duration_seconds);
}
