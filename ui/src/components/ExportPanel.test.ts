// Export: the shell asks where to save; the panel sends only the format and
// the range, and reports what was written, a cancel, or the error.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import ExportPanel from './ExportPanel.svelte';
import type { DateRange } from '../lib/range';

let calls: { cmd: string; args: Record<string, unknown> }[];
let answer: () => unknown;

beforeEach(() => {
  calls = [];
  mockIPC((cmd, raw) => {
    calls.push({ cmd, args: (raw ?? {}) as Record<string, unknown> });
    if (cmd !== 'export_entries') throw new Error(`unexpected command ${cmd}`);
    return answer();
  });
});

afterEach(() => {
  cleanup();
  clearMocks();
});

const range: DateRange = { kind: 'month', from: '2026-11-01', to: '2026-11-30' };

describe('ExportPanel', () => {
  it('sends no path: the shell asks where to save', async () => {
    answer = () => ({ entries: 5, path: '/home/u/november.csv' });
    render(ExportPanel, { range });
    await fireEvent.click(screen.getByTestId('export-bom'));
    await fireEvent.click(screen.getByTestId('export-run'));
    const result = await screen.findByTestId('export-result');
    expect(result.textContent).toBe('Exported 5 entries to /home/u/november.csv.');
    expect(calls).toEqual([
      { cmd: 'export_entries', args: { format: 'csv', bom: true, from: '2026-11-01', to: '2026-11-30' } },
    ]);
  });

  it('says nothing when the dialog is cancelled, and shows a refusal', async () => {
    answer = () => null;
    render(ExportPanel, { range });
    await fireEvent.click(screen.getByTestId('export-run'));
    // The cancelled call has answered once the button is free again.
    await waitFor(() => expect(calls).toHaveLength(1));
    await waitFor(() => expect((screen.getByTestId('export-run') as HTMLButtonElement).disabled).toBe(false));
    expect(screen.queryByTestId('export-result')).toBeNull();
    expect(screen.queryByTestId('export-error')).toBeNull();
    answer = () => {
      throw { code: 'export.target_protected', message: 'That is TimeTracker’s own data.' };
    };
    await fireEvent.click(screen.getByTestId('export-run'));
    expect((await screen.findByTestId('export-error')).textContent).toContain('own data');
  });
});
