// The first-run dialog: both choices start unchecked, both answers carry
// equal weight, and what is saved is exactly what was ticked.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import ConsentDialog from './ConsentDialog.svelte';
import type { TelemetryStatus } from '../lib/api';

const status: TelemetryStatus = {
  configured: true,
  usage_configured: true,
  crash_reports_configured: true,
  forced_off: null,
  needs_consent: true,
  consent: null,
  anonymous_id: 'a'.repeat(64),
  queued: 0,
  dropped: 0,
  debug: false,
};

afterEach(() => {
  cleanup();
  clearMocks();
});

function record() {
  const calls: Record<string, unknown>[] = [];
  mockIPC((cmd, args) => {
    if (cmd === 'telemetry_set_consent') {
      calls.push(args as Record<string, unknown>);
      return { ...status, needs_consent: false };
    }
    throw new Error(`unexpected ${cmd}`);
  });
  return calls;
}

describe('ConsentDialog', () => {
  it('starts with both choices unchecked', () => {
    record();
    render(ConsentDialog, { status, onanswered: () => {} });
    expect((screen.getByTestId('consent-crash-reports') as HTMLInputElement).checked).toBe(false);
    expect((screen.getByTestId('consent-usage') as HTMLInputElement).checked).toBe(false);
    expect(screen.getByTestId('consent-dialog').getAttribute('aria-modal')).toBe('true');
  });

  it('saves exactly what was ticked', async () => {
    const calls = record();
    let answered = false;
    render(ConsentDialog, { status, onanswered: () => (answered = true) });
    await fireEvent.click(screen.getByTestId('consent-usage'));
    await fireEvent.click(screen.getByTestId('consent-save'));
    await waitFor(() => expect(answered).toBe(true));
    expect(calls).toEqual([{ crashReports: false, usage: true }]);
  });

  it('declining sends no to both, whatever was ticked', async () => {
    const calls = record();
    render(ConsentDialog, { status, onanswered: () => {} });
    await fireEvent.click(screen.getByTestId('consent-crash-reports'));
    await fireEvent.click(screen.getByTestId('consent-decline'));
    await waitFor(() => expect(calls).toEqual([{ crashReports: false, usage: false }]));
  });

  it('greys out a choice this build cannot send', () => {
    record();
    render(ConsentDialog, { status: { ...status, crash_reports_configured: false }, onanswered: () => {} });
    expect((screen.getByTestId('consent-crash-reports') as HTMLInputElement).disabled).toBe(true);
  });
});
