import { describe, expect, it } from 'vitest';
import { SHORTCUTS, shortcutFor, type KeyLike } from './shortcuts';

function key(k: string, mods: Partial<KeyLike> = {}): KeyLike {
  return { key: k, altKey: false, ctrlKey: false, metaKey: false, target: null, ...mods };
}

describe('in-app shortcuts', () => {
  it('maps Alt+digits to views and Alt+S / Alt+N to the timer and a new entry', () => {
    expect(shortcutFor(key('2', { altKey: true }), false)).toEqual({ kind: 'view', view: 'entries' });
    expect(shortcutFor(key('5', { altKey: true }), false)).toEqual({ kind: 'view', view: 'settings' });
    expect(shortcutFor(key('S', { altKey: true }), false)).toEqual({ kind: 'toggle-timer' });
    expect(shortcutFor(key('n', { altKey: true }), false)).toEqual({ kind: 'new-entry' });
    expect(shortcutFor(key('x', { altKey: true }), false)).toBeNull();
  });

  it('leaves Ctrl and Meta combinations to the system', () => {
    expect(shortcutFor(key('s', { altKey: true, ctrlKey: true }), false)).toBeNull();
    expect(shortcutFor(key('1', { altKey: true, metaKey: true }), false)).toBeNull();
  });

  it('opens help with ? outside text fields only, and Esc closes it', () => {
    expect(shortcutFor(key('?'), false)).toEqual({ kind: 'help' });
    const input = document.createElement('input');
    expect(shortcutFor(key('?', { target: input }), false)).toBeNull();
    const textarea = document.createElement('textarea');
    expect(shortcutFor(key('?', { target: textarea }), false)).toBeNull();
    expect(shortcutFor(key('Escape'), true)).toEqual({ kind: 'close' });
    expect(shortcutFor(key('Escape'), false)).toBeNull();
  });

  it('lists every Alt shortcut it handles in the help table', () => {
    for (const help of SHORTCUTS.filter((s) => s.keys.startsWith('Alt+'))) {
      const k = help.keys.slice(4);
      expect(shortcutFor(key(k, { altKey: true }), false), help.keys).not.toBeNull();
    }
  });
});
