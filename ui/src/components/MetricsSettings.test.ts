// Settings › Metrics against a fake backend that saves what it is given,
// as the core does: the boxes show what is saved, never a click that a
// bad port stopped before anything was saved.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import MetricsSettings from './MetricsSettings.svelte';
import type { MetricsStatus } from '../lib/api';

let state: MetricsStatus;
let configured: number;

beforeEach(() => {
  configured = 0;
  state = {
    settings: { enabled: false, port: 9464, per_project: false },
    url: null,
    error: null,
    env_addr: null,
    token_required: false,
    token_from_env: false,
    token_file: '/home/u/.local/share/timetracker/metrics-token',
  };
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    switch (cmd) {
      case 'metrics_status':
        return structuredClone(state);
      case 'metrics_configure': {
        configured += 1;
        const enabled = Boolean(args.enabled);
        const port = args.port as number;
        state = {
          ...state,
          settings: { enabled, port, per_project: Boolean(args.perProject) },
          url: enabled ? `http://127.0.0.1:${port}/metrics` : null,
          token_required: Boolean(args.perProject),
        };
        return structuredClone(state);
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

describe('MetricsSettings', () => {
  it('leaves the box unticked when the port is refused before anything is saved', async () => {
    render(MetricsSettings);
    const enabled = (await screen.findByTestId('settings-metrics-enabled')) as HTMLInputElement;
    await fireEvent.input(screen.getByTestId('settings-metrics-port'), { target: { value: '70000' } });
    await fireEvent.click(enabled);
    expect((await screen.findByTestId('settings-metrics-error')).textContent).toContain('1 to 65535');
    expect(enabled.checked).toBe(false);
    expect(configured).toBe(0);

    await fireEvent.input(screen.getByTestId('settings-metrics-port'), { target: { value: '9470' } });
    await fireEvent.click(enabled);
    await waitFor(() => expect(enabled.checked).toBe(true));
    expect(screen.getByTestId('settings-metrics-status').textContent).toContain('127.0.0.1:9470');
    const perProject = screen.getByTestId('settings-metrics-per-project') as HTMLInputElement;
    await fireEvent.click(perProject);
    await waitFor(() => expect(perProject.checked).toBe(true));
    expect(state.settings.per_project).toBe(true);
  });
});
