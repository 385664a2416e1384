// The Timer view's break: Pause while running, Resume while paused, and a
// refused resume that keeps the break, against a fake core that keeps the
// running and paused entries as the real one does.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import TimerView from './TimerView.svelte';
import type { Entry, Paused, WorkProgress } from '../lib/api';

let running: Entry | null;
let paused: Paused | null;
let calls: string[];
let refuseResume: boolean;
let progress: WorkProgress | null;
let firstDay: number | undefined;

function entry(id: number, description: string): Entry {
  return {
    id,
    project_id: null,
    project_name: null,
    project_color: null,
    description,
    started_at: new Date(Date.now() - 600_000).toISOString(),
    stopped_at: null,
    duration_seconds: 600,
    tags: ['field'],
    overlaps: false,
  };
}

beforeEach(() => {
  running = entry(1, 'Counting owls');
  paused = null;
  calls = [];
  refuseResume = false;
  progress = null;
  mockIPC((cmd, raw) => {
    calls.push(cmd);
    switch (cmd) {
      case 'projects_list':
        return [];
      case 'entries_recent':
        return [];
      case 'timer_status':
        return running;
      case 'timer_paused':
        return paused;
      case 'work_progress':
        firstDay = (raw as { firstDay: number }).firstDay;
        return progress;
      case 'timer_pause': {
        const stopped = { ...running!, stopped_at: new Date().toISOString() };
        paused = { entry: stopped, paused_at: new Date().toISOString() };
        running = null;
        return stopped;
      }
      case 'timer_resume':
        if (refuseResume) throw { code: 'project.archived', message: 'The project “Old” is archived.' };
        running = { ...entry(2, paused!.entry.description), started_at: new Date().toISOString() };
        paused = null;
        return { started: running, stopped: null };
      default:
        throw new Error(`unexpected command ${cmd}`);
    }
  });
});

afterEach(() => {
  cleanup();
  clearMocks();
});

describe('TimerView breaks', () => {
  it('pauses the running timer and resumes it as a new entry', async () => {
    render(TimerView);
    await fireEvent.click(await screen.findByTestId('timer-pause'));
    const note = await screen.findByTestId('timer-paused');
    expect(note.textContent).toContain('Counting owls');
    expect(screen.getByTestId('timer-status').textContent?.trim()).toBe('stopped');
    expect(screen.queryByTestId('timer-stop')).toBeNull();

    await fireEvent.click(screen.getByTestId('timer-resume'));
    await waitFor(() => expect(screen.getByTestId('timer-status').textContent?.trim()).toBe('running'));
    expect(screen.queryByTestId('timer-paused')).toBeNull();
    expect(screen.queryByTestId('timer-resume')).toBeNull();
    expect(calls.filter((c) => c === 'timer_pause' || c === 'timer_resume')).toEqual([
      'timer_pause',
      'timer_resume',
    ]);
  });

  it('shows why a resume was refused and keeps the break', async () => {
    refuseResume = true;
    render(TimerView);
    await fireEvent.click(await screen.findByTestId('timer-pause'));
    await fireEvent.click(await screen.findByTestId('timer-resume'));
    const error = await screen.findByTestId('timer-error');
    expect(error.textContent).toContain('archived');
    expect(screen.getByTestId('timer-paused')).toBeTruthy();
    expect(screen.getByTestId('timer-resume')).toBeTruthy();
  });
});

describe('TimerView work hours', () => {
  it('shows today, the week and the balance against the target, asked from the locale’s first day', async () => {
    running = null;
    progress = {
      today: { target_seconds: 8 * 3600, tracked_seconds: 2.5 * 3600, difference_seconds: -5.5 * 3600 },
      week: { target_seconds: 38 * 3600, tracked_seconds: 20 * 3600, difference_seconds: -18 * 3600 },
      balance: { from: '2026-11-02', through: '2026-11-27', seconds: 90 * 60 },
    };
    render(TimerView);
    const line = await screen.findByTestId('timer-progress');
    expect(line.textContent?.replace(/\s+/g, ' ')).toContain('Today 2:30 of 8:00 · This week 20:00 of 38:00');
    expect(screen.getByTestId('timer-balance').textContent).toBe('+1:30');
    expect(firstDay).toBeGreaterThanOrEqual(1);
    expect(firstDay).toBeLessThanOrEqual(7);
  });

  it('shows nothing of it without work hours', async () => {
    render(TimerView);
    await screen.findByTestId('timer-pause');
    expect(screen.queryByTestId('timer-progress')).toBeNull();
  });
});
