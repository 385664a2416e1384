import { afterEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { api } from './api';
import { fromErrorEvent, fromRejection, installErrorForwarding } from './errors';

afterEach(() => clearMocks());

describe('UI error forwarding', () => {
  it('describes error events and rejections', () => {
    const err = new ErrorEvent('error', {
      message: 'boom',
      filename: 'app.js',
      lineno: 3,
      colno: 9,
    });
    expect(fromErrorEvent(err)).toEqual({
      kind: 'error',
      message: 'boom',
      source: 'app.js',
      line: 3,
      column: 9,
    });
    const rejection = new Event('unhandledrejection') as PromiseRejectionEvent;
    Object.defineProperty(rejection, 'reason', { value: new TypeError('x is undefined') });
    expect(fromRejection(rejection).message).toBe('TypeError: x is undefined');
  });

  it('sends window errors to Rust with the last command', async () => {
    const sent: Record<string, unknown>[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'ui_error_log') sent.push(args as Record<string, unknown>);
      if (cmd === 'timer_status') return null;
      return undefined;
    });
    await api.timerStatus();
    installErrorForwarding(window);
    window.dispatchEvent(new ErrorEvent('error', { message: 'kaput', filename: 'x.js', lineno: 1 }));
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ error: { kind: 'error', message: 'kaput', last_command: 'timer_status' } });
  });
});
