import { describe, expect, it } from 'vitest';
import type { SyncReport, SyncStatus } from './api';
import { formatWhen, reportSummary, syncHeadline } from './sync';
import { SAMPLE_NOW } from '../test/sample-report';

function status(extra: Partial<SyncStatus> = {}): SyncStatus {
  return {
    enabled: true,
    folder: '/home/you/Sync',
    device: { id: 'd1', name: 'laptop' },
    devices: [{ id: 'd2', name: 'desktop', last_seen: null }],
    pending: 0,
    last_sync: null,
    conflicts: [],
    problems: [],
    notices: [],
    ...extra,
  };
}

const report: SyncReport = {
  exported: 1,
  applied: 3,
  skipped_files: 0,
  conflicts: 0,
  devices: 1,
  timers_stopped: 0,
};

describe('sync words', () => {
  it('say whether sync is on, what waits and what is wrong', () => {
    expect(syncHeadline(status({ enabled: false }), null)).toBe('Sync is off.');
    expect(syncHeadline(status(), null)).toBe('Sync is on · not synced yet · 1 other device.');
    const busy = status({
      pending: 2,
      problems: [{ code: 'sync.file_damaged', message: 'x', path: null }],
      last_sync: new Date(2026, 10, 25, 9, 5).toISOString(),
    });
    const line = syncHeadline(busy, { ...report, devices: 2 }, SAMPLE_NOW);
    expect(line).toContain('last synced 09:05');
    expect(line).toContain('2 other devices');
    expect(line).toContain('2 changes waiting');
    expect(line).toContain('1 problem');
  });

  it('show an instant of another day with its date', () => {
    const yesterday = new Date(2026, 10, 24, 18, 30).toISOString();
    expect(formatWhen(yesterday, SAMPLE_NOW, 'en-GB')).toBe('2026-11-24 18:30');
    expect(formatWhen('not a time', SAMPLE_NOW)).toBe('not a time');
  });

  it('sum up a run', () => {
    expect(reportSummary(report)).toBe('Last run: wrote 1 change, applied 3 changes.');
    expect(reportSummary({ ...report, conflicts: 1, timers_stopped: 1, skipped_files: 2 })).toBe(
      'Last run: wrote 1 change, applied 3 changes, 1 new conflict, stopped 1 timer, 2 files skipped for now.',
    );
  });
});
