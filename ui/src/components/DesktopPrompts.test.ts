// The desktop prompts against a fake backend: the start-up stale check, and
// the idle and forgotten prompts the shell sends as events.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import DesktopPrompts from './DesktopPrompts.svelte';
import type { Entry, StaleTimer } from '../lib/api';
import { awayFor, projectOf } from '../lib/prompts';

let calls: { cmd: string; args: Record<string, unknown> }[];
let stale: StaleTimer | null;

const running: Entry = {
  id: 7,
  project_id: 1,
  project_name: 'Lighthouse Survey',
  project_color: '#3b82f6',
  description: 'night shift',
  started_at: '2026-11-28T20:00:00Z',
  stopped_at: null,
  duration_seconds: 11 * 3600,
  tags: [],
  overlaps: false,
};

beforeEach(() => {
  calls = [];
  stale = null;
  mockIPC(
    (cmd, raw) => {
      const args = (raw ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args });
      switch (cmd) {
        case 'stale_timer_check':
          return stale;
        case 'stale_resolve':
          return { ...running, stopped_at: stale?.last_heartbeat ?? null };
        case 'idle_resolve':
          return null;
        case 'timer_stop':
          return { ...running, stopped_at: '2026-11-29T07:00:00Z' };
        default:
          return null;
      }
    },
    { shouldMockEvents: true },
  );
});

afterEach(() => {
  cleanup();
  clearMocks();
});

describe('desktop prompts', () => {
  it('offers to stop a timer that ran while the app was closed at the last heartbeat', async () => {
    stale = { entry: running, last_heartbeat: '2026-11-28T22:00:00Z' };
    render(DesktopPrompts);
    await screen.findByTestId('stale-dialog');
    expect(screen.getByTestId('stale-dialog').textContent).toContain('Lighthouse Survey');
    await fireEvent.click(screen.getByTestId('stale-stop-at-heartbeat'));
    await waitFor(() => expect(screen.queryByTestId('stale-dialog')).toBeNull());
    expect(calls.find((c) => c.cmd === 'stale_resolve')?.args).toEqual({
      entryId: 7,
      decision: 'stop_at_heartbeat',
    });
  });

  it('shows nothing when no timer was left running', async () => {
    render(DesktopPrompts);
    await waitFor(() => expect(calls.some((c) => c.cmd === 'stale_timer_check')).toBe(true));
    expect(screen.queryByTestId('stale-dialog')).toBeNull();
  });

  it('asks about idle time and sends the chosen decision with the prompt', async () => {
    render(DesktopPrompts);
    const prompt = {
      idle_started_at: '2026-11-29T10:00:00Z',
      returned_at: '2026-11-29T10:25:00Z',
      entry_id: 7,
    };
    await emit('idle-prompt', prompt);
    const dialog = await screen.findByTestId('idle-dialog');
    expect(dialog.textContent).toContain('25 min');
    await fireEvent.click(screen.getByTestId('idle-discard-continue'));
    await waitFor(() => expect(screen.queryByTestId('idle-dialog')).toBeNull());
    expect(calls.find((c) => c.cmd === 'idle_resolve')?.args).toEqual({
      prompt,
      decision: 'discard_and_continue',
    });
  });

  it('asks "Still working?" and stops the timer on request', async () => {
    render(DesktopPrompts);
    await emit('forgotten-prompt', running);
    const dialog = await screen.findByTestId('forgotten-dialog');
    expect(dialog.textContent).toContain('Still working on Lighthouse Survey?');
    expect(dialog.textContent).toContain('11:00');
    await fireEvent.click(screen.getByTestId('forgotten-stop'));
    await waitFor(() => expect(screen.queryByTestId('forgotten-dialog')).toBeNull());
    expect(calls.some((c) => c.cmd === 'timer_stop')).toBe(true);
  });

  it('keeps a forgotten timer without calling the backend', async () => {
    render(DesktopPrompts);
    await emit('forgotten-prompt', running);
    await fireEvent.click(await screen.findByTestId('forgotten-keep'));
    await waitFor(() => expect(screen.queryByTestId('forgotten-dialog')).toBeNull());
    expect(calls.some((c) => c.cmd === 'timer_stop')).toBe(false);
  });
});

describe('prompt wording', () => {
  it('says how long the user was away', () => {
    expect(awayFor({ idle_started_at: '2026-11-29T10:00:00Z', returned_at: '2026-11-29T10:12:40Z' })).toBe('12 min');
    expect(awayFor({ idle_started_at: '2026-11-29T10:00:00Z', returned_at: '2026-11-29T11:05:00Z' })).toBe('1 h 05 min');
  });

  it('names the project, else the description', () => {
    expect(projectOf({ project_name: null, description: 'reading' })).toBe('reading');
    expect(projectOf({ project_name: null, description: '' })).toBe('No project');
  });
});
