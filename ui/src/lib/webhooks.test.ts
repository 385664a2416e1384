import { describe, expect, it } from 'vitest';
import { urlIsLoopback, WEBHOOK_EVENTS } from './webhooks';

describe('urlIsLoopback', () => {
  it('tells this computer from the rest, and refuses what is no http URL', () => {
    expect(urlIsLoopback(' http://127.0.0.1:8123/hook ')).toBe(true);
    expect(urlIsLoopback('http://127.8.0.1/x')).toBe(true);
    expect(urlIsLoopback('http://localhost:9/x')).toBe(true);
    expect(urlIsLoopback('http://[::1]:9/x')).toBe(true);
    expect(urlIsLoopback('https://hooks.example.com/x')).toBe(false);
    expect(urlIsLoopback('http://192.168.1.20/x')).toBe(false);
    expect(urlIsLoopback('http://127.0.0.1.evil.example/x')).toBe(false);
    expect(urlIsLoopback('ftp://127.0.0.1/x')).toBeNull();
    expect(urlIsLoopback('not a url')).toBeNull();
  });

  it('lists the nine events the core sends', () => {
    expect(WEBHOOK_EVENTS).toHaveLength(9);
  });
});
