// What the webhook form needs to know before anything is saved: the events
// a webhook can hear (the core's Change::NAMES), and whether a URL leaves
// this computer, so the form can say so first.

export const WEBHOOK_EVENTS = [
  'timer.started',
  'timer.stopped',
  'entry.created',
  'entry.updated',
  'entry.deleted',
  'project.created',
  'project.updated',
  'project.archived',
  'project.restored',
] as const;

/** Null for text that is no http(s) URL; else whether it stays on this computer. */
export function urlIsLoopback(text: string): boolean | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const host = url.hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
