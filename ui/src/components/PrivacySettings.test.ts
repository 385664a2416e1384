// Settings › Privacy, the inspector, against a fake backend holding a full
// outbox (10,000 payloads): it pages through every one of them, newest
// first, and asks the backend only for the page it shows.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import PrivacySettings from './PrivacySettings.svelte';
import type { Payload, TelemetryStatus } from '../lib/api';

const TOTAL = 10_000;
let calls: { cmd: string; args: Record<string, unknown> }[];

// Newest first, as the outbox lists them.
const payload = (i: number): Payload => ({
  uuid: `u${TOTAL - 1 - i}`,
  event: 'timer.started',
  json: `{"uuid":"u${TOTAL - 1 - i}"}`,
  at: '2026-11-28T09:00:00Z',
});
const slice = (offset: number, limit: number) =>
  Array.from({ length: Math.max(0, Math.min(limit, TOTAL - offset)) }, (_, k) => payload(offset + k));

const status: TelemetryStatus = {
  configured: true,
  usage_configured: true,
  crash_reports_configured: false,
  forced_off: null,
  needs_consent: false,
  consent: null,
  anonymous_id: 'a'.repeat(64),
  queued: TOTAL,
  dropped: 0,
  debug: false,
};

beforeEach(() => {
  calls = [];
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    switch (cmd) {
      case 'telemetry_status':
        return status;
      case 'telemetry_inspect':
        return {
          anonymous_id: status.anonymous_id,
          queued: slice(0, 100),
          queued_total: TOTAL,
          page_size: 100,
          sent: [],
          crash_queued: [],
          crash_sent: [],
        };
      case 'telemetry_queued_page': {
        const offset = args.offset as number;
        return { offset, total: TOTAL, items: slice(offset, args.limit as number) };
      }
      default:
        throw new Error(`unexpected ${cmd}`);
    }
  });
});

afterEach(() => {
  cleanup();
  clearMocks();
});

const range = () => screen.getByTestId('telemetry-queued-range').textContent?.trim();
const items = () => screen.getAllByTestId('telemetry-queued-item').map((i) => i.textContent);

describe('PrivacySettings inspector', () => {
  it('pages through all 10,000 queued payloads, newest first', async () => {
    render(PrivacySettings);
    await waitFor(() => expect(range()).toBe('1–100 of 10000'));
    expect(screen.getByText('Queued (10000)')).toBeTruthy();
    expect(items()[0]).toBe('{"uuid":"u9999"}');
    expect((screen.getByTestId('telemetry-queued-newer') as HTMLButtonElement).disabled).toBe(true);

    const seen = new Set(items());
    const older = screen.getByTestId('telemetry-queued-older') as HTMLButtonElement;
    while (!older.disabled) {
      const before = range();
      await fireEvent.click(older);
      await waitFor(() => expect(range()).not.toBe(before));
      items().forEach((i) => seen.add(i));
    }
    expect(range()).toBe('9901–10000 of 10000');
    expect(items()[items().length - 1]).toBe('{"uuid":"u0"}');
    expect(seen.size).toBe(TOTAL);
    const pages = calls.filter((c) => c.cmd === 'telemetry_queued_page');
    expect(pages).toHaveLength(99);
    expect(pages[0].args).toEqual({ offset: 100, limit: 100 });

    await fireEvent.click(screen.getByTestId('telemetry-queued-newer'));
    await waitFor(() => expect(range()).toBe('9801–9900 of 10000'));
  });
});
