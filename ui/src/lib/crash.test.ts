import { describe, expect, it } from 'vitest';
import { testErrorMessage } from './crash';

describe('testErrorMessage', () => {
  it('reports success with the event id', () => {
    expect(testErrorMessage({ status: 'accepted', event_id: 'abc123' })).toEqual({
      ok: true,
      text: 'Sentry accepted the test error (event abc123).',
    });
  });

  it('explains each failure and what to do', () => {
    expect(testErrorMessage({ status: 'no_dsn' }).text).toContain('SENTRY_DSN');
    expect(testErrorMessage({ status: 'no_consent' }).text).toContain('turn on');
    expect(testErrorMessage({ status: 'forced_off', reason: 'do_not_track' }).text).toContain(
      'DO_NOT_TRACK',
    );
    expect(testErrorMessage({ status: 'http_status', code: 401 }).text).toBe(
      'Sentry refused the test error with HTTP 401: the DSN key is wrong or revoked.',
    );
    expect(testErrorMessage({ status: 'http_status', code: 503 }).text).toContain(
      'the server has a problem',
    );
    const net = testErrorMessage({ status: 'network_error', message: 'Connection refused' });
    expect(net).toEqual({ ok: false, text: 'Sentry could not be reached: Connection refused' });
  });
});
