// Settings › Diagnostics against a fake backend: the checks with their
// status and fix, Run again, the online checks only on request, and a
// support bundle previewed before the save dialog writes it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import DiagnosticsSettings from './DiagnosticsSettings.svelte';
import type { Check, DoctorReport } from '../lib/api';

let calls: { cmd: string; args: Record<string, unknown> }[];
let level: Check;

const report = (online: boolean): DoctorReport => ({
  checks: [
    { id: 'data.folder', status: 'ok', finding: '~/data is yours and private', fix: null, detail: null },
    level,
    {
      id: 'metrics.prometheus_job',
      status: 'ok',
      finding: 'A Prometheus job is ready',
      fix: null,
      detail: 'scrape_configs:\n  - job_name: timetracker',
    },
    ...(online
      ? [{ id: 'online.sentry', status: 'skipped' as const, finding: 'Not sent: you have not agreed to crash reports', fix: null, detail: null }]
      : []),
  ],
  online,
  ran_at: '2026-11-25T10:30:00Z',
  version: '0.1.0',
});

beforeEach(() => {
  calls = [];
  level = {
    id: 'logs.level',
    status: 'problem',
    finding: 'LOG_LEVEL="verbose" is not a level, so info is used',
    fix: 'Set LOG_LEVEL to one of trace, debug, info, warn, error (or unset it).',
    detail: null,
  };
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    switch (cmd) {
      case 'doctor_run':
        return report(args.online as boolean);
      case 'doctor_bundle_preview':
        return {
          files: [
            { name: 'doctor.json', bytes: 1200, preview: '{"checks": []}' },
            { name: 'config.txt', bytes: 300, preview: 'SENTRY_DSN=[secret]' },
          ],
        };
      case 'doctor_bundle_save':
        // The shell asked where to save and wrote there.
        return { bytes: 2048, path: '/tmp/support.tar.gz' };
      default:
        throw new Error(`unexpected ${cmd}`);
    }
  });
});

afterEach(() => {
  cleanup();
  clearMocks();
});

const checks = () => screen.getAllByTestId('diagnostics-check');

describe('DiagnosticsSettings', () => {
  it('runs the local checks at once and shows each with its status and fix', async () => {
    render(DiagnosticsSettings);
    await waitFor(() => expect(checks()).toHaveLength(3));
    expect(calls).toEqual([{ cmd: 'doctor_run', args: { online: false } }]);
    const logs = checks().find((c) => c.dataset.id === 'logs.level')!;
    expect(logs.dataset.status).toBe('problem');
    expect(logs.textContent).toContain('trace, debug, info, warn, error');
    expect(screen.getByTestId('diagnostics-summary').textContent?.trim()).toBe('1 problem, 2 ok.');
    // An ok check shows no fix; the job is there to copy.
    expect(screen.getAllByTestId('diagnostics-fix')).toHaveLength(1);
    expect(screen.getByText(/job_name: timetracker/)).toBeTruthy();
  });

  it('runs again, and sends online checks only when asked', async () => {
    render(DiagnosticsSettings);
    await waitFor(() => expect(checks()).toHaveLength(3));
    level = { ...level, status: 'ok', finding: 'LOG_LEVEL is not set', fix: null };
    await fireEvent.click(screen.getByTestId('diagnostics-run'));
    await waitFor(() =>
      expect(checks().find((c) => c.dataset.id === 'logs.level')!.dataset.status).toBe('ok'),
    );
    expect(calls.every((c) => c.args.online === false)).toBe(true);
    await fireEvent.click(screen.getByTestId('diagnostics-online'));
    await waitFor(() => expect(checks()).toHaveLength(4));
    expect(calls[calls.length - 1]).toEqual({ cmd: 'doctor_run', args: { online: true } });
    expect(screen.getByText('Online checks')).toBeTruthy();
  });

  it('shows the bundle file by file before the save dialog writes it', async () => {
    render(DiagnosticsSettings);
    await waitFor(() => expect(checks()).toHaveLength(3));
    await fireEvent.click(screen.getByTestId('diagnostics-bundle'));
    const files = await screen.findAllByTestId('diagnostics-bundle-file');
    expect(files.map((f) => f.textContent)).toEqual(['doctor.json', 'config.txt']);
    expect(screen.getByTestId('diagnostics-bundle-content').textContent).toBe('{"checks": []}');
    await fireEvent.click(files[1]);
    expect(screen.getByTestId('diagnostics-bundle-content').textContent).toBe('SENTRY_DSN=[secret]');
    expect(calls.some((c) => c.cmd === 'doctor_bundle_save')).toBe(false);
    await fireEvent.click(screen.getByTestId('diagnostics-bundle-save'));
    const saved = await screen.findByTestId('diagnostics-bundle-saved');
    expect(saved.textContent).toContain('/tmp/support.tar.gz');
    expect(saved.textContent).toMatch(/2.?048 bytes/);
    // No path from the window: the shell opens the dialog.
    expect(calls[calls.length - 1]).toEqual({ cmd: 'doctor_bundle_save', args: {} });
  });
});
