// Settings › Sync against a fake backend that keeps sync state as the core
// does: enable with a folder, devices seen, conflicts restored, a missing
// folder refused with the core's message.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import SyncSettings from './SyncSettings.svelte';
import type { SyncReport, SyncStatus } from '../lib/api';

let state: SyncStatus;
let calls: { cmd: string; args: Record<string, unknown> }[];

const report: SyncReport = {
  exported: 4,
  applied: 2,
  skipped_files: 0,
  conflicts: 0,
  devices: 1,
  timers_stopped: 0,
};

beforeEach(() => {
  calls = [];
  state = {
    enabled: false,
    folder: null,
    device: { id: 'd1', name: 'laptop' },
    devices: [],
    pending: 3,
    last_sync: null,
    conflicts: [],
    problems: [],
    notices: [],
  };
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    switch (cmd) {
      case 'sync_status':
        return structuredClone(state);
      case 'sync_enable':
        if (args.folder === '/mnt/gone') {
          throw { code: 'sync.folder_missing', message: 'The sync folder /mnt/gone cannot be found.' };
        }
        state = {
          ...state,
          enabled: true,
          folder: args.folder as string,
          device: { id: 'd1', name: (args.name as string) ?? 'laptop' },
          devices: [{ id: 'd2', name: 'desktop', last_seen: new Date(2026, 10, 25, 9, 0).toISOString() }],
          pending: 0,
          last_sync: new Date(2026, 10, 25, 10, 29).toISOString(),
        };
        return report;
      case 'sync_disable':
        state = { ...state, enabled: false };
        return structuredClone(state);
      case 'sync_now':
        return report;
      case 'sync_restore_conflict':
        state = { ...state, conflicts: [] };
        return structuredClone(state);
      default:
        throw new Error(`unexpected command ${cmd}`);
    }
  });
});

afterEach(() => {
  cleanup();
  clearMocks();
});

describe('Settings › Sync', () => {
  it('turns sync on with the folder and name typed, then lists the other devices', async () => {
    render(SyncSettings);
    await screen.findByText(/Sync is off/);
    expect((screen.getByTestId('settings-sync-now') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(screen.getByTestId('settings-sync-folder'), { target: { value: '/home/you/Sync' } });
    const name = screen.getByTestId('settings-sync-device-name') as HTMLInputElement;
    expect(name.value).toBe('laptop');
    await fireEvent.input(name, { target: { value: 'work laptop' } });
    await fireEvent.click(screen.getByTestId('settings-sync-enable'));
    await waitFor(() => expect(screen.getAllByTestId('sync-device-row')).toHaveLength(1));
    expect(calls.find((c) => c.cmd === 'sync_enable')?.args).toEqual({
      folder: '/home/you/Sync',
      name: 'work laptop',
    });
    const status = screen.getByTestId('settings-sync-status').textContent ?? '';
    expect(status).toContain('Sync is on');
    expect(status).toContain('last synced 10:29');
    expect(screen.getByTestId('sync-device-row').textContent).toContain('desktop');
    expect(screen.getByTestId('settings-sync-report').textContent).toContain('applied 2 changes');
    expect((screen.getByTestId('settings-sync-folder') as HTMLInputElement).disabled).toBe(true);
    await fireEvent.click(screen.getByTestId('settings-sync-now'));
    await waitFor(() => expect(calls.filter((c) => c.cmd === 'sync_now')).toHaveLength(1));
  });

  it('refuses to start without a folder and shows the core message for a missing one', async () => {
    render(SyncSettings);
    await screen.findByText(/Sync is off/);
    await fireEvent.click(screen.getByTestId('settings-sync-enable'));
    expect((await screen.findByTestId('settings-sync-error')).textContent).toContain('Choose the folder');
    expect(calls.some((c) => c.cmd === 'sync_enable')).toBe(false);
    expect((screen.getByTestId('settings-sync-enable') as HTMLInputElement).checked).toBe(false);
    await fireEvent.input(screen.getByTestId('settings-sync-folder'), { target: { value: '/mnt/gone' } });
    await fireEvent.click(screen.getByTestId('settings-sync-enable'));
    await waitFor(() =>
      expect(screen.getByTestId('settings-sync-error').textContent).toContain('cannot be found'),
    );
    expect((screen.getByTestId('settings-sync-enable') as HTMLInputElement).checked).toBe(false);
    expect((screen.getByTestId('settings-sync-folder') as HTMLInputElement).value).toBe('/mnt/gone');
  });

  it('lists conflicts with the value lost and restores mine in one click', async () => {
    state = {
      ...state,
      enabled: true,
      folder: '/home/you/Sync',
      conflicts: [
        {
          id: 7,
          kind: 'entry',
          record_id: 12,
          label: '“Landing page” from 2026-11-23T08:00:00Z',
          field: 'description',
          lost: 'from the laptop',
          kept: 'from the desktop',
          lost_here: true,
          detected_at: null,
        },
      ],
      problems: [{ code: 'sync.file_damaged', message: 'Skipped a damaged file.', path: '/x/0000000003.jsonl' }],
    };
    render(SyncSettings);
    const row = await screen.findByTestId('sync-conflict-row');
    expect(row.textContent).toContain('from the laptop');
    expect(row.textContent).toContain('from the desktop');
    expect(screen.getByTestId('sync-problem').getAttribute('data-code')).toBe('sync.file_damaged');
    const restore = screen.getByTestId('sync-conflict-restore');
    expect(restore.textContent).toContain('Restore mine');
    await fireEvent.click(restore);
    await waitFor(() => expect(screen.queryByTestId('sync-conflict-row')).toBeNull());
    expect(calls.find((c) => c.cmd === 'sync_restore_conflict')?.args).toEqual({ id: 7 });
  });
});
