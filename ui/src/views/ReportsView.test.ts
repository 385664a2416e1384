// The Reports view against a fake backend: the period picker asks the core
// for the right days, and totals, rows, billable amounts and rounding show.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import ReportsView from './ReportsView.svelte';
import type { Report } from '../lib/api';
import { SAMPLE_WEEK, sampleReport } from '../test/sample-report';

let asked: { from: string; to: string }[];
let report: Report;
/** What the fake core rounds to; null follows the stored setting. */
let forced: number | null;
let stored: number;

beforeAll(() => {
  // jsdom has no canvas: the charts draw nothing, everything else renders.
  HTMLCanvasElement.prototype.getContext = (() => null) as typeof HTMLCanvasElement.prototype.getContext;
});

beforeEach(() => {
  asked = [];
  report = sampleReport();
  forced = null;
  stored = 1;
  mockIPC((cmd, raw) => {
    const args = raw as { from: string; to: string; minutes: number };
    if (cmd === 'report') {
      asked.push({ from: args.from, to: args.to });
      return { ...report, rounding_minutes: forced ?? stored };
    }
    if (cmd === 'rounding_set') {
      stored = args.minutes;
      return null;
    }
    throw new Error(`unexpected command ${cmd}`);
  });
});

afterEach(() => {
  cleanup();
  clearMocks();
});

describe('ReportsView', () => {
  it('shows this week by project, tag and day, with billable amounts', async () => {
    render(ReportsView);
    expect((await screen.findByTestId('report-total')).textContent?.trim()).toBe('5:00');
    // The clock is pinned inside the sample report's week (src/test/setup.ts).
    expect(asked[0]).toEqual({ from: SAMPLE_WEEK.from, to: SAMPLE_WEEK.to });
    const projects = screen.getAllByTestId('report-project-row');
    expect(projects.map((r) => r.textContent)).toEqual([
      expect.stringContaining('Owl Census'),
      expect.stringContaining('No project'),
    ]);
    expect(projects[0].textContent).toContain('Audubon');
    expect(projects[0].textContent).toContain('60%');
    expect(projects[0].textContent).toContain('255');
    expect(screen.getAllByTestId('report-tag-row')[0].textContent).toContain('field');
    expect(screen.getAllByTestId('report-day-row')).toHaveLength(2);
    expect(screen.getAllByTestId('report-day-break').map((c) => c.textContent?.trim())).toEqual([
      '0:45',
      '–',
    ]);
    expect(screen.getByTestId('report-billable').textContent).toMatch(/255\.00/);
    expect(screen.getByTestId('report-day-chart').textContent).toContain('3:00');
    expect(screen.queryByTestId('report-rounding')).toBeNull();
    expect(screen.queryByTestId('report-target')).toBeNull();
  });

  it('shows the target of the days shown, the difference and the balance', async () => {
    report.target = { target_seconds: 38 * 3600, tracked_seconds: 5 * 3600, difference_seconds: -33 * 3600 };
    report.balance = { from: '2026-11-02', through: '2026-11-27', seconds: 90 * 60 };
    render(ReportsView);
    const target = await screen.findByTestId('report-target');
    expect(screen.getByTestId('report-difference').textContent).toBe('−33:00');
    expect(target.textContent?.replace(/\s+/g, ' ')).toContain('5:00 tracked of 38:00');
    expect(target.textContent).toContain('2026-11-02');
    expect(screen.getByTestId('report-balance').textContent).toBe('+1:30');
  });

  it('steps through periods and switches to months', async () => {
    render(ReportsView);
    await screen.findByTestId('report-total');
    await fireEvent.click(screen.getByTestId('report-prev'));
    await waitFor(() => expect(asked).toHaveLength(2));
    expect(asked[1]).toEqual({ from: '2026-11-16', to: '2026-11-22' });
    expect(screen.getByTestId('report-today')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('report-next'));
    await fireEvent.click(screen.getByTestId('report-kind-month'));
    await waitFor(() => expect(asked).toHaveLength(4));
    expect(asked[3]).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    expect(screen.getByTestId('report-kind-month').getAttribute('aria-pressed')).toBe('true');
  });

  it('shows rounded totals and says so when rounding is on', async () => {
    stored = 15;
    report = { ...sampleReport(), rounded_total_seconds: 5 * 3600 + 900 };
    render(ReportsView);
    expect((await screen.findByTestId('report-total')).textContent?.trim()).toBe('5:15');
    const note = screen.getByTestId('report-rounding').textContent ?? '';
    expect(note).toContain('15 minutes');
    expect(note).toContain('5:00');
  });

  it('stores the rounding picked and reloads', async () => {
    render(ReportsView);
    await screen.findByTestId('report-total');
    const select = screen.getByTestId('report-rounding-select') as HTMLSelectElement;
    expect(select.value).toBe('1');
    await fireEvent.change(select, { target: { value: '15' } });
    expect(await screen.findByTestId('report-rounding')).toBeTruthy();
    expect(stored).toBe(15);
    expect(select.value).toBe('15');
    expect(screen.queryByText(/takes precedence/)).toBeNull();
  });

  it('says when ROUNDING_MINUTES overrides the choice', async () => {
    forced = 6;
    render(ReportsView);
    await screen.findByTestId('report-total');
    await fireEvent.change(screen.getByTestId('report-rounding-select'), { target: { value: '30' } });
    expect(await screen.findByText(/takes precedence/)).toBeTruthy();
    const select = screen.getByTestId('report-rounding-select') as HTMLSelectElement;
    await waitFor(() => expect(select.value).toBe('6'));
  });
});
