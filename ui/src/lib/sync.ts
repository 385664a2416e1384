// Words for Settings › Sync: what state sync is in, what the last run did.
import type { SyncReport, SyncStatus } from './api';
import { formatClock, isoDate, plural } from './format';

/** An instant as `14:05` today, else `2026-11-23 14:05`, in the local zone. */
export function formatWhen(instant: string, now: Date = new Date(), locale?: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  const clock = formatClock(instant, locale);
  return isoDate(date) === isoDate(now) ? clock : `${isoDate(date)} ${clock}`;
}

/** One line: on or off, when it last ran, what waits, what is wrong. */
export function syncHeadline(status: SyncStatus, last: SyncReport | null, now: Date = new Date()): string {
  if (!status.enabled) return 'Sync is off.';
  const parts = ['Sync is on'];
  parts.push(status.last_sync ? `last synced ${formatWhen(status.last_sync, now)}` : 'not synced yet');
  const devices = last?.devices ?? status.devices.length;
  parts.push(`${plural(devices, 'other device')}`);
  if (status.pending > 0) parts.push(`${plural(status.pending, 'change')} waiting`);
  if (status.conflicts.length > 0) parts.push(plural(status.conflicts.length, 'conflict'));
  if (status.problems.length > 0) parts.push(plural(status.problems.length, 'problem'));
  return `${parts.join(' · ')}.`;
}

/** What one run did, for the line under the status. */
export function reportSummary(r: SyncReport): string {
  const parts = [`wrote ${plural(r.exported, 'change')}`, `applied ${plural(r.applied, 'change')}`];
  if (r.conflicts > 0) parts.push(plural(r.conflicts, 'new conflict'));
  if (r.timers_stopped > 0) parts.push(`stopped ${plural(r.timers_stopped, 'timer')}`);
  if (r.skipped_files > 0) parts.push(`${plural(r.skipped_files, 'file')} skipped for now`);
  const text = parts.join(', ');
  return `Last run: ${text}.`;
}
