// Settings › Work hours against a fake core that validates like the real
// one: hours typed as decimals arrive as minutes, days off as dates, and a
// refusal shows without losing what was typed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import WorkHoursSettings from './WorkHoursSettings.svelte';
import type { WorkHours } from '../lib/api';

let stored: WorkHours;
let sent: WorkHours[];

beforeEach(() => {
  stored = { weekday_minutes: [480, 480, 480, 480, 480, 0, 0], days_off: ['2026-12-25'], balance_from: null };
  sent = [];
  mockIPC((cmd, raw) => {
    if (cmd === 'work_hours_get') return stored;
    if (cmd === 'work_hours_parse_ics') {
      const text = (raw as { text: string }).text;
      if (!text.includes('BEGIN:VCALENDAR')) {
        throw { code: 'holidays.invalid', message: 'This is not a calendar of days off TimeTracker can read.' };
      }
      return { dates: ['2026-12-25', '2026-12-26'], repeating: 1 };
    }
    if (cmd === 'work_hours_set') {
      const hours = (raw as { hours: WorkHours }).hours;
      sent.push(hours);
      if (hours.weekday_minutes.some((m) => m > 1440)) {
        throw { code: 'settings.invalid', message: 'a day has at most 24 hours of work, not 25:00' };
      }
      stored = { ...hours, days_off: [...new Set(hours.days_off)].sort() };
      return stored;
    }
    throw new Error(`unexpected command ${cmd}`);
  });
});

afterEach(() => {
  cleanup();
  clearMocks();
});

async function type(testId: string, value: string) {
  await fireEvent.input(screen.getByTestId(testId), { target: { value } });
}

describe('WorkHoursSettings', () => {
  it('shows the stored hours and saves decimals as minutes with the days off', async () => {
    render(WorkHoursSettings);
    expect(((await screen.findByTestId('work-hours-1')) as HTMLInputElement).value).toBe('8');
    expect((screen.getByTestId('work-hours-6') as HTMLInputElement).value).toBe('');
    await type('work-hours-5', '6,5');
    await type('work-days-off', '2026-12-31\n2026-12-25\n\n2026-12-24');
    await type('work-balance-from', '2026-11-02');
    await fireEvent.click(screen.getByTestId('work-save'));
    await screen.findByTestId('work-saved');
    expect(sent[0]).toEqual({
      weekday_minutes: [480, 480, 480, 480, 390, 0, 0],
      days_off: ['2026-12-31', '2026-12-25', '2026-12-24'],
      balance_from: '2026-11-02',
    });
    // The core's order comes back.
    expect((screen.getByTestId('work-days-off') as HTMLTextAreaElement).value).toBe(
      '2026-12-24\n2026-12-25\n2026-12-31',
    );
  });

  it('says what it cannot read, and shows the core refusing, keeping the form', async () => {
    render(WorkHoursSettings);
    await screen.findByTestId('work-hours-1');
    await type('work-days-off', '25/12/2026');
    await fireEvent.click(screen.getByTestId('work-save'));
    expect((await screen.findByTestId('work-error')).textContent).toContain('25/12/2026');
    expect(sent).toHaveLength(0);

    await type('work-days-off', '');
    await type('work-hours-3', '25');
    await fireEvent.click(screen.getByTestId('work-save'));
    expect((await screen.findByTestId('work-error')).textContent).toContain('24 hours');
    expect((screen.getByTestId('work-hours-3') as HTMLInputElement).value).toBe('25');
  });

  it('adds the days of a holiday calendar file to the list, once each', async () => {
    render(WorkHoursSettings);
    await screen.findByTestId('work-hours-1');
    const file = new File(['BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n'], 'holidays.ics', { type: 'text/calendar' });
    await fireEvent.change(screen.getByTestId('work-ics'), { target: { files: [file] } });
    const note = await screen.findByTestId('work-ics-added');
    expect(note.textContent).toContain('1 day added from holidays.ics');
    expect(note.textContent).toContain('1 repeating event');
    expect((screen.getByTestId('work-days-off') as HTMLTextAreaElement).value).toBe('2026-12-25\n2026-12-26');
    expect(sent).toHaveLength(0);

    const csv = new File(['id,project\n'], 'toggl.csv');
    await fireEvent.change(screen.getByTestId('work-ics'), { target: { files: [csv] } });
    expect((await screen.findByTestId('work-error')).textContent).toContain('not a calendar');
    expect((screen.getByTestId('work-days-off') as HTMLTextAreaElement).value).toBe('2026-12-25\n2026-12-26');
  });
});
