// In-app keyboard shortcuts: one table drives both the key handler and the
// help overlay (`?`), so the overlay never lists a key that does nothing.

export type View = 'timer' | 'entries' | 'calendar' | 'projects' | 'reports' | 'settings';

export type ShortcutAction =
  | { kind: 'view'; view: View }
  | { kind: 'toggle-timer' }
  | { kind: 'new-entry' }
  | { kind: 'help' }
  | { kind: 'close' };

export interface ShortcutHelp {
  keys: string;
  does: string;
}

const VIEW_KEYS: { key: string; view: View; label: string }[] = [
  { key: '1', view: 'timer', label: 'Timer' },
  { key: '2', view: 'entries', label: 'Entries' },
  { key: '3', view: 'projects', label: 'Projects' },
  { key: '4', view: 'reports', label: 'Reports' },
  { key: '5', view: 'settings', label: 'Settings' },
  { key: '6', view: 'calendar', label: 'Calendar' },
];

export const SHORTCUTS: ShortcutHelp[] = [
  { keys: 'Alt+S', does: 'Start or stop the timer (starts the last project)' },
  { keys: 'Alt+N', does: 'New entry' },
  ...VIEW_KEYS.map((v) => ({ keys: `Alt+${v.key}`, does: `Go to ${v.label}` })),
  { keys: '?', does: 'Show this help' },
  { keys: 'Esc', does: 'Close this help' },
];

/** The key event as far as shortcuts care; a DOM KeyboardEvent fits. */
export interface KeyLike {
  key: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  target?: EventTarget | null;
}

/** Typing in a field: plain keys like `?` belong to the text. */
export function isTyping(target: EventTarget | null | undefined): boolean {
  if (!target || typeof (target as HTMLElement).tagName !== 'string') return false;
  const el = target as HTMLElement;
  const tag = el.tagName.toLowerCase();
  return tag === 'input' || tag === 'textarea' || tag === 'select' || el.isContentEditable === true;
}

/** What a key press does, or null when it is not a shortcut. Alt shortcuts
 * work everywhere, forms included; `?` only outside text fields. */
export function shortcutFor(event: KeyLike, helpOpen: boolean): ShortcutAction | null {
  if (event.ctrlKey || event.metaKey) return null;
  if (event.key === 'Escape') return helpOpen ? { kind: 'close' } : null;
  if (event.altKey) {
    const key = event.key.toLowerCase();
    const view = VIEW_KEYS.find((v) => v.key === key);
    if (view) return { kind: 'view', view: view.view };
    if (key === 's') return { kind: 'toggle-timer' };
    if (key === 'n') return { kind: 'new-entry' };
    return null;
  }
  if (event.key === '?' && !isTyping(event.target)) return { kind: 'help' };
  return null;
}
