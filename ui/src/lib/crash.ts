// What "Send test error" tells the user, for each answer the core can give.
// Each message says what happened and what to do next.
import type { CrashTestResult } from './bindings/CrashTestResult';

const forced: Record<string, string> = {
  enable_telemetry_false: 'ENABLE_TELEMETRY=false is set',
  do_not_track: 'DO_NOT_TRACK is set',
};

const httpHints: Record<number, string> = {
  400: 'the server could not read the report',
  401: 'the DSN key is wrong or revoked',
  403: 'the DSN key is wrong or the project is disabled',
  404: 'no such project: check the number at the end of the DSN',
  413: 'the report is too large',
  429: 'the project is over its rate limit; try later',
};

export function testErrorMessage(result: CrashTestResult): { ok: boolean; text: string } {
  switch (result.status) {
    case 'accepted':
      return { ok: true, text: `Sentry accepted the test error (event ${result.event_id}).` };
    case 'no_dsn':
      return {
        ok: false,
        text: 'No Sentry DSN is configured: set SENTRY_DSN (or build with it) and restart.',
      };
    case 'invalid_dsn':
      return { ok: false, text: `SENTRY_DSN is not a valid DSN (${result.message}).` };
    case 'forced_off':
      return {
        ok: false,
        text: `Crash reports are off because ${forced[result.reason] ?? result.reason}.`,
      };
    case 'no_consent':
      return {
        ok: false,
        text: 'Crash reports are switched off: turn on “Send crash and error reports” first.',
      };
    case 'http_status': {
      const hint = httpHints[result.code] ?? (result.code >= 500 ? 'the server has a problem' : '');
      return {
        ok: false,
        text: `Sentry refused the test error with HTTP ${result.code}${hint ? `: ${hint}` : ''}.`,
      };
    }
    case 'network_error':
      return { ok: false, text: `Sentry could not be reached: ${result.message}` };
    case 'timed_out':
      return {
        ok: false,
        text: 'No answer from Sentry within 15 seconds. Check the network and try again.',
      };
  }
}
