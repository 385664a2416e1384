// Settings › Integrations › Webhooks against a fake backend that keeps the
// webhooks as the core does: added with a secret, a remote address held
// back until the user agrees to send data there, a test delivery, the
// delivery log, and removal.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import WebhooksSettings from './WebhooksSettings.svelte';
import type { Delivery, Webhook } from '../lib/api';

let hooks: Webhook[];
let deliveries: Delivery[];
let calls: { cmd: string; args: Record<string, unknown> }[];

const at = '2026-06-10T12:00:00Z';

beforeEach(() => {
  hooks = [];
  deliveries = [];
  calls = [];
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    switch (cmd) {
      case 'webhooks_list':
        return structuredClone(hooks);
      case 'webhook_add': {
        const url = args.url as string;
        const hook: Webhook = {
          id: hooks.length + 1,
          url,
          events: args.events as string[],
          secret: 'whsec_c2VjcmV0',
          created_at: at,
          loopback: url.includes('127.0.0.1'),
          pending: 0,
          delivered: 0,
          failed: 0,
        };
        hooks.push(hook);
        return structuredClone(hook);
      }
      case 'webhook_test': {
        const d: Delivery = {
          id: deliveries.length + 1,
          webhook_id: args.id as number,
          uuid: 'msg_1',
          event: 'webhook.test',
          created_at: at,
          attempts: 1,
          next_attempt_at: null,
          delivered_at: at,
          gave_up_at: null,
          last_status: 204,
          last_error: null,
        };
        deliveries.unshift(d);
        hooks[0].delivered += 1;
        return structuredClone(d);
      }
      case 'webhook_deliveries':
        return structuredClone(deliveries);
      case 'webhook_remove':
        hooks = hooks.filter((h) => h.id !== args.id);
        return null;
      default:
        throw new Error(`unexpected ${cmd}`);
    }
  });
});

afterEach(() => {
  cleanup();
  clearMocks();
});

describe('WebhooksSettings', () => {
  it('adds a loopback webhook with the chosen events, tests it and shows its log', async () => {
    render(WebhooksSettings);
    await fireEvent.input(await screen.findByTestId('webhook-url'), {
      target: { value: 'http://127.0.0.1:8123/hook' },
    });
    expect(screen.queryByTestId('webhook-remote-warning')).toBeNull();
    await fireEvent.click(screen.getByTestId('webhook-event-entry.deleted'));
    await fireEvent.click(screen.getByTestId('webhook-add'));
    await waitFor(() => expect(screen.getAllByTestId('webhook-row')).toHaveLength(1));
    const add = calls.find((c) => c.cmd === 'webhook_add')!;
    expect(add.args.url).toBe('http://127.0.0.1:8123/hook');
    expect(add.args.events).toHaveLength(8);
    expect(add.args.events).not.toContain('entry.deleted');
    expect(screen.getByTestId('webhook-secret').textContent).toBe('whsec_c2VjcmV0');

    await fireEvent.click(screen.getByTestId('webhook-test'));
    await waitFor(() => expect(screen.getByTestId('webhook-notice').textContent).toContain('HTTP 204'));
    await fireEvent.click(screen.getByTestId('webhook-log-toggle'));
    const rows = await screen.findAllByTestId('webhook-delivery-row');
    expect(rows[0].textContent).toContain('webhook.test');
    expect(rows[0].textContent).toContain('delivered');

    await fireEvent.click(screen.getByTestId('webhook-remove'));
    await waitFor(() => expect(screen.queryAllByTestId('webhook-row')).toHaveLength(0));
  });

  it('says a remote address gets the user data, and saves it only once agreed', async () => {
    render(WebhooksSettings);
    await fireEvent.input(await screen.findByTestId('webhook-url'), {
      target: { value: 'https://hooks.example.com/tt' },
    });
    const warning = screen.getByTestId('webhook-remote-warning');
    expect(warning.textContent).toContain('not on this computer');
    await fireEvent.click(screen.getByTestId('webhook-add'));
    expect((await screen.findByTestId('webhook-error')).textContent).toContain('tick the box');
    expect(calls.some((c) => c.cmd === 'webhook_add')).toBe(false);

    await fireEvent.click(screen.getByTestId('webhook-remote-confirm'));
    await fireEvent.click(screen.getByTestId('webhook-add'));
    await waitFor(() => expect(screen.getAllByTestId('webhook-row')).toHaveLength(1));
    expect(screen.getByTestId('webhook-row').textContent).toContain('leaves this computer');
  });

  it('refuses an address that is no http URL before asking the core', async () => {
    render(WebhooksSettings);
    await fireEvent.input(await screen.findByTestId('webhook-url'), { target: { value: 'ftp://x' } });
    await fireEvent.click(screen.getByTestId('webhook-add'));
    expect((await screen.findByTestId('webhook-error')).textContent).toContain('http://');
    expect(calls.some((c) => c.cmd === 'webhook_add')).toBe(false);
  });
});
