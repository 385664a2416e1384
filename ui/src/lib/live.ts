// Live refresh: the shell emits `data-changed` when another process (the
// `tt` command line, a second window) commits to the database. Views
// subscribe with `onDataChanged` and reload what they show.
import { listen, type UnlistenFn } from '@tauri-apps/api/event';

export const DATA_CHANGED = 'data-changed';

const subscribers = new Set<() => void>();
let started: Promise<UnlistenFn> | null = null;

/** Starts listening once for the whole window. */
export function startLiveRefresh(): Promise<UnlistenFn> {
  started ??= listen(DATA_CHANGED, () => {
    for (const reload of [...subscribers]) reload();
  });
  return started;
}

/** Calls `reload` on every change from outside; returns the unsubscribe. */
export function onDataChanged(reload: () => void): () => void {
  subscribers.add(reload);
  return () => subscribers.delete(reload);
}

/** Reloads the views after a change made in this window outside them (a
 * prompt's answer): our own commits do not move SQLite's data_version. */
export function notifyChanged(): void {
  for (const reload of [...subscribers]) reload();
}

/** Forgets the listener (tests replace the IPC mock between cases). */
export function resetLiveRefresh(): void {
  started = null;
  subscribers.clear();
}
