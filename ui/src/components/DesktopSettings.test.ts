// Settings › Desktop against a fake backend that validates like core and
// reports a shortcut it could not register.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import DesktopSettings from './DesktopSettings.svelte';
import type { DesktopSettings as Settings, DesktopStatus } from '../lib/api';

let stored: Settings;
let saves: Settings[];

function status(): DesktopStatus {
  return {
    settings: structuredClone(stored),
    shortcut_error: stored.shortcut === 'Hyper+Nope' ? '“Hyper+Nope” is not a shortcut' : null,
    pause_shortcut_error: stored.pause_shortcut === 'Hyper+Nope' ? '“Hyper+Nope” is not a shortcut' : null,
    idle_source: 'x11',
  };
}

beforeEach(() => {
  saves = [];
  stored = {
    hide_to_tray: true,
    shortcut: 'Ctrl+Alt+T',
    pause_shortcut: '',
    idle_timeout_minutes: 10,
    forgotten_after_hours: 10,
    reminders: { enabled: false, weekdays: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', every_minutes: 30 },
    autostart: false,
  };
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    if (cmd === 'desktop_settings_get') return status();
    if (cmd === 'desktop_settings_set') {
      const s = args.settings as Settings;
      saves.push(s);
      if (s.reminders.start >= s.reminders.end) {
        throw { code: 'settings.invalid', message: 'Working hours must end after they start.' };
      }
      stored = s;
      return status();
    }
    return null;
  });
});

afterEach(() => {
  cleanup();
  clearMocks();
});

describe('Settings › Desktop', () => {
  it('shows the stored settings and saves changes as numbers', async () => {
    render(DesktopSettings);
    const idle = (await screen.findByTestId('settings-desktop-idle')) as HTMLInputElement;
    expect(idle.value).toBe('10');
    expect((screen.getByTestId('settings-desktop-hide-to-tray') as HTMLInputElement).checked).toBe(true);
    expect((screen.getByTestId('settings-desktop-autostart') as HTMLInputElement).checked).toBe(false);

    await fireEvent.input(idle, { target: { value: '15' } });
    await fireEvent.click(screen.getByTestId('settings-desktop-autostart'));
    await fireEvent.click(screen.getByTestId('settings-desktop-save'));
    await screen.findByTestId('settings-desktop-saved');
    expect(saves[0].idle_timeout_minutes).toBe(15);
    expect(saves[0].autostart).toBe(true);
    expect(stored.autostart).toBe(true);
  });

  it('shows why a shortcut could not be registered', async () => {
    render(DesktopSettings);
    const shortcut = await screen.findByTestId('settings-desktop-shortcut');
    expect(screen.queryByTestId('settings-shortcut-error')).toBeNull();
    await fireEvent.input(shortcut, { target: { value: 'Hyper+Nope' } });
    await fireEvent.click(screen.getByTestId('settings-desktop-save'));
    const error = await screen.findByTestId('settings-shortcut-error');
    expect(error.textContent).toContain('Hyper+Nope');
  });

  it('saves a pause shortcut and shows why it could not be registered', async () => {
    render(DesktopSettings);
    const pause = await screen.findByTestId('settings-desktop-pause-shortcut');
    expect((pause as HTMLInputElement).value).toBe('');
    await fireEvent.input(pause, { target: { value: 'Hyper+Nope' } });
    await fireEvent.click(screen.getByTestId('settings-desktop-save'));
    const error = await screen.findByTestId('settings-pause-shortcut-error');
    expect(error.textContent).toContain('Hyper+Nope');
    expect(saves[0].pause_shortcut).toBe('Hyper+Nope');
    expect(screen.queryByTestId('settings-shortcut-error')).toBeNull();
  });

  it('shows core’s message for an invalid value and keeps what the user typed', async () => {
    render(DesktopSettings);
    await fireEvent.click(await screen.findByTestId('settings-desktop-reminders'));
    const start = await screen.findByTestId('settings-desktop-reminder-start');
    await fireEvent.input(start, { target: { value: '18:00' } });
    await fireEvent.click(screen.getByTestId('settings-desktop-save'));
    const error = await screen.findByTestId('settings-desktop-error');
    expect(error.textContent).toContain('end after they start');
    expect((start as HTMLInputElement).value).toBe('18:00');
    expect(stored.reminders.start).toBe('09:00');
    expect(stored.reminders.enabled).toBe(false);
  });

  it('edits reminder weekdays in order', async () => {
    render(DesktopSettings);
    await fireEvent.click(await screen.findByTestId('settings-desktop-reminders'));
    await fireEvent.click(await screen.findByTestId('settings-desktop-weekday-6'));
    await fireEvent.click(screen.getByTestId('settings-desktop-weekday-1'));
    await fireEvent.click(screen.getByTestId('settings-desktop-save'));
    await waitFor(() => expect(saves.length).toBe(1));
    expect(saves[0].reminders.enabled).toBe(true);
    expect(saves[0].reminders.weekdays).toEqual([2, 3, 4, 5, 6]);
  });
});
