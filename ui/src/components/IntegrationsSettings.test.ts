// Settings › Integrations against a fake backend that keeps the API's state
// as the core does: turned on with tokens, tokens hidden until shown and
// replaced by "New tokens", a taken port shown with the core's message.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import IntegrationsSettings from './IntegrationsSettings.svelte';
import type { ApiStatus } from '../lib/api';

let state: ApiStatus;
let calls: { cmd: string; args: Record<string, unknown> }[];
let generation: number;

const off: ApiStatus = {
  settings: { enabled: false, port: 9465 },
  url: null,
  error: null,
  env_addr: null,
  token: null,
  read_only_token: null,
  token_from_env: false,
  token_file: '/home/u/.local/share/timetracker/api-token',
  read_only_token_file: '/home/u/.local/share/timetracker/api-token-readonly',
};

function serving(port: number): ApiStatus {
  return {
    ...off,
    settings: { enabled: true, port },
    url: `http://127.0.0.1:${port}/api/v1`,
    token: `full-${generation}`,
    read_only_token: `read-${generation}`,
  };
}

beforeEach(() => {
  calls = [];
  generation = 1;
  state = structuredClone(off);
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    switch (cmd) {
      case 'api_status':
        return structuredClone(state);
      case 'api_configure': {
        const port = args.port as number;
        if (!args.enabled) {
          state = { ...structuredClone(off), settings: { enabled: false, port } };
        } else if (port === 8080) {
          state = {
            ...structuredClone(off),
            settings: { enabled: true, port },
            error: {
              code: 'api.port_in_use',
              message: 'Port 8080 is already in use by another program.',
            },
          };
        } else {
          state = serving(port);
        }
        return structuredClone(state);
      }
      case 'api_tokens_rotate':
        generation += 1;
        state = serving(state.settings.port);
        return structuredClone(state);
      default:
        throw new Error(`unexpected ${cmd}`);
    }
  });
});

afterEach(() => {
  cleanup();
  clearMocks();
});

describe('IntegrationsSettings', () => {
  it('turns the API on, shows its tokens on request and makes new ones', async () => {
    render(IntegrationsSettings);
    const enabled = (await screen.findByTestId('settings-api-enabled')) as HTMLInputElement;
    expect(enabled.checked).toBe(false);
    expect(screen.getByTestId('settings-api-status').textContent).toContain('Not serving');
    expect(screen.queryByTestId('settings-api-token')).toBeNull();

    await fireEvent.click(enabled);
    await waitFor(() =>
      expect(screen.getByTestId('settings-api-status').textContent).toContain(
        'http://127.0.0.1:9465/api/v1',
      ),
    );
    expect(calls.find((c) => c.cmd === 'api_configure')?.args).toEqual({ enabled: true, port: 9465 });
    const token = screen.getByTestId('settings-api-token');
    expect(token.textContent).not.toContain('full-1');
    await fireEvent.click(screen.getByTestId('settings-api-token-show'));
    expect(screen.getByTestId('settings-api-token').textContent).toBe('full-1');
    expect(screen.getByTestId('settings-api-token-readonly').textContent).toBe('read-1');

    await fireEvent.click(screen.getByTestId('settings-api-rotate'));
    await waitFor(() => expect(screen.getByTestId('settings-api-token').textContent).toBe('full-2'));
    expect(screen.getByRole('status').textContent).toContain('old ones no longer work');
  });

  it('shows a taken port with the core message, and checks the port first', async () => {
    render(IntegrationsSettings);
    const port = (await screen.findByTestId('settings-api-port')) as HTMLInputElement;
    await fireEvent.input(port, { target: { value: '70000' } });
    await fireEvent.click(screen.getByTestId('settings-api-enabled'));
    expect((await screen.findByTestId('settings-api-error')).textContent).toContain('1 to 65535');
    expect(calls.some((c) => c.cmd === 'api_configure')).toBe(false);

    await fireEvent.input(port, { target: { value: '8080' } });
    await fireEvent.click(screen.getByTestId('settings-api-enabled'));
    await waitFor(() =>
      expect(screen.getByTestId('settings-api-error').textContent).toContain('already in use'),
    );
    expect(screen.getByTestId('settings-api-status').textContent).toContain('Not serving');
  });

  it('says when TIMETRACKER_API_ADDR decides, and locks the switch', async () => {
    state = { ...serving(9999), env_addr: '127.0.0.1:9999', settings: { enabled: false, port: 9465 } };
    render(IntegrationsSettings);
    const enabled = (await screen.findByTestId('settings-api-enabled')) as HTMLInputElement;
    expect(enabled.checked).toBe(true);
    expect(enabled.disabled).toBe(true);
    expect(screen.getByText(/TIMETRACKER_API_ADDR=127.0.0.1:9999/)).toBeTruthy();
  });
});
