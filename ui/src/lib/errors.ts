// Forwards uncaught errors and unhandled promise rejections from the window
// to the Rust log (logs/app.jsonl), with the command the UI ran last.
import { reportUiError, type WindowError } from './api';

function describe(reason: unknown): string {
  if (reason instanceof Error) return `${reason.name}: ${reason.message}`;
  if (typeof reason === 'string') return reason;
  try {
    return JSON.stringify(reason) ?? String(reason);
  } catch {
    return String(reason);
  }
}

export function fromErrorEvent(event: ErrorEvent): WindowError {
  return {
    kind: 'error',
    message: event.message || describe(event.error),
    source: event.filename || null,
    line: event.lineno || null,
    column: event.colno || null,
  };
}

export function fromRejection(event: PromiseRejectionEvent): WindowError {
  return { kind: 'unhandledrejection', message: describe(event.reason), source: null, line: null, column: null };
}

export function installErrorForwarding(target: Window = window): void {
  target.addEventListener('error', (event) => void reportUiError(fromErrorEvent(event)));
  target.addEventListener('unhandledrejection', (event) => void reportUiError(fromRejection(event)));
}
