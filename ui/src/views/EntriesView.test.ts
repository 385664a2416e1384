// The Entries view against a fake backend that keeps entries like the core
// does: add, edit, refuse a backwards range, delete and undo.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import EntriesView from './EntriesView.svelte';
import type { Deleted, Entry, EntryPatch, NewEntry } from '../lib/api';
import { owl, owlEntry } from '../test/fixtures';
import { isoDate } from '../lib/format';
import { resetLiveRefresh, startLiveRefresh } from '../lib/live';

let entries: Entry[];
let trash: Map<string, Entry>;
let calls: { cmd: string; args: Record<string, unknown> }[];
let nextId: number;

function at(hours: number, minutes = 0): string {
  const d = new Date();
  d.setHours(hours, minutes, 0, 0);
  return d.toISOString();
}

const entry = owlEntry;

function days() {
  if (entries.length === 0) return [];
  const sorted = [...entries].sort((a, b) => b.started_at.localeCompare(a.started_at));
  return [
    {
      date: isoDate(new Date()),
      total_seconds: sorted.reduce((s, e) => s + e.duration_seconds, 0),
      break_seconds: 0,
      entries: sorted,
    },
  ];
}

function fail(code: string, message: string): never {
  throw { code, message };
}

beforeEach(() => {
  nextId = 10;
  calls = [];
  trash = new Map();
  entries = [
    entry(1, at(8), at(9), { tags: ['field', 'owls'], overlaps: true }),
    entry(2, at(8, 30), at(10), { overlaps: true, description: 'Overlapping' }),
  ];
  mockIPC(
    (cmd, raw) => {
      const args = (raw ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args });
      switch (cmd) {
        case 'entries_page':
          return { days: days(), older: null, newer: null };
        case 'projects_list':
          return [owl];
        case 'entry_add': {
          const e = args.entry as NewEntry;
          if (e.stopped_at < e.started_at) fail('entry.invalid_range', 'The start of a range must come before its end.');
          const created = entry(nextId++, e.started_at, e.stopped_at, {
            description: e.description,
            tags: e.tags,
          });
          entries.push(created);
          return created;
        }
        case 'entry_update': {
          const patch = args.patch as EntryPatch;
          const e = entries.find((x) => x.id === args.id)!;
          const start = patch.started_at ?? e.started_at;
          const end = patch.stopped_at === undefined ? e.stopped_at : patch.stopped_at;
          if (end && end < start) fail('entry.invalid_range', 'The start of a range must come before its end.');
          Object.assign(e, { started_at: start, stopped_at: end });
          if (patch.description !== undefined) e.description = patch.description;
          if (patch.tags) e.tags = patch.tags;
          return e;
        }
        case 'entry_delete': {
          const e = entries.find((x) => x.id === args.id)!;
          entries = entries.filter((x) => x !== e);
          // The core keeps the entry and hands out a token; so does this fake.
          const undo = `token-${e.id}`;
          trash.set(undo, e);
          const deleted: Deleted = { id: e.id, undo };
          return deleted;
        }
        case 'entry_restore': {
          const restored = trash.get(args.undo as string);
          if (!restored) fail('entry.undo_expired', 'That delete can no longer be undone.');
          trash.delete(args.undo as string);
          entries.push(restored);
          return restored;
        }
        default:
          throw new Error(`unexpected command ${cmd}`);
      }
    },
    { shouldMockEvents: true },
  );
});

afterEach(() => {
  cleanup();
  clearMocks();
  resetLiveRefresh();
});

async function rows() {
  return screen.findAllByTestId('entry-row');
}

function rowFor(text: string): HTMLElement {
  const row = screen.getAllByTestId('entry-row').find((r) => r.textContent?.includes(text));
  if (!row) throw new Error(`no row with ${text}`);
  return row;
}

describe('EntriesView', () => {
  it('shows tags and flags overlapping entries', async () => {
    render(EntriesView);
    await rows();
    const first = rowFor('Entry 1');
    expect(within(first).getAllByTestId('entry-tag').map((t) => t.textContent)).toEqual([
      'field',
      'owls',
    ]);
    expect(within(first).getByTestId('entry-overlap')).toBeTruthy();
    expect(screen.getAllByTestId('entry-overlap')).toHaveLength(2);
  });

  it('adds an entry typed by hand', async () => {
    render(EntriesView);
    await rows();
    await fireEvent.click(screen.getByTestId('entry-add'));
    await fireEvent.input(screen.getByTestId('entry-edit-description'), {
      target: { value: 'Pellet analysis' },
    });
    const day = isoDate(new Date());
    await fireEvent.input(screen.getByTestId('entry-edit-start'), { target: { value: `${day} 13:00` } });
    await fireEvent.input(screen.getByTestId('entry-edit-end'), { target: { value: '14:15' } });
    await fireEvent.input(screen.getByTestId('entry-edit-tags'), { target: { value: 'lab, owls' } });
    await fireEvent.click(screen.getByTestId('entry-edit-save'));
    await waitFor(() => expect(screen.getAllByTestId('entry-row')).toHaveLength(3));
    expect(screen.queryByTestId('entry-dialog')).toBeNull();
    const sent = calls.find((c) => c.cmd === 'entry_add')!.args.entry as NewEntry;
    expect(sent).toEqual({
      project_id: null,
      description: 'Pellet analysis',
      started_at: at(13),
      stopped_at: at(14, 15),
      tags: ['lab', 'owls'],
    });
  });

  it('keeps what was typed and marks the times when the core refuses a backwards range', async () => {
    render(EntriesView);
    await rows();
    await fireEvent.click(within(rowFor('Entry 1')).getByTestId('entry-edit'));
    const end = screen.getByTestId('entry-edit-end') as HTMLInputElement;
    await fireEvent.input(end, { target: { value: '07:00' } });
    await fireEvent.input(screen.getByTestId('entry-edit-description'), {
      target: { value: 'Renamed' },
    });
    await fireEvent.click(screen.getByTestId('entry-edit-save'));
    const error = await screen.findByTestId('entry-edit-error');
    expect(error.textContent).toContain('before its end');
    expect(end.value).toBe('07:00');
    expect(end.getAttribute('aria-invalid')).toBe('true');
    expect((screen.getByTestId('entry-edit-description') as HTMLInputElement).value).toBe('Renamed');
    expect(entries.find((e) => e.id === 1)!.description).toBe('Entry 1');

    // Fixing the end saves, and only the changed fields are sent.
    await fireEvent.input(end, { target: { value: '09:30' } });
    await fireEvent.click(screen.getByTestId('entry-edit-save'));
    await waitFor(() => expect(screen.queryByTestId('entry-dialog')).toBeNull());
    const updates = calls.filter((c) => c.cmd === 'entry_update');
    const patch = updates[updates.length - 1].args.patch;
    expect(patch).toEqual({ description: 'Renamed', stopped_at: at(9, 30) });
  });

  it('says what it cannot read before asking the core', async () => {
    render(EntriesView);
    await rows();
    await fireEvent.click(within(rowFor('Entry 1')).getByTestId('entry-edit'));
    await fireEvent.input(screen.getByTestId('entry-edit-start'), { target: { value: 'soon' } });
    await fireEvent.click(screen.getByTestId('entry-edit-save'));
    expect(await screen.findByText(/Type a date and time/)).toBeTruthy();
    expect(calls.some((c) => c.cmd === 'entry_update')).toBe(false);
  });

  it('deletes with an undo that brings the same entry back', async () => {
    render(EntriesView);
    await rows();
    await fireEvent.click(within(rowFor('Entry 1')).getByTestId('entry-delete'));
    await waitFor(() => expect(screen.getAllByTestId('entry-row')).toHaveLength(1));
    await fireEvent.click(await screen.findByTestId('entry-undo'));
    await waitFor(() => expect(screen.getAllByTestId('entry-row')).toHaveLength(2));
    // Only the token goes back to the core, never the entry itself.
    const restore = calls.find((c) => c.cmd === 'entry_restore')!.args;
    expect(restore).toEqual({ undo: 'token-1' });
    expect(within(rowFor('Entry 1')).getByText(/owls/)).toBeTruthy();
    expect(screen.queryByTestId('entry-undo')).toBeNull();
  });

  it('reloads when another process changed the data', async () => {
    await startLiveRefresh();
    render(EntriesView);
    await rows();
    entries.push(entry(20, at(11), at(12), { description: 'From the command line' }));
    await emit('data-changed');
    await waitFor(() => expect(screen.getAllByTestId('entry-row')).toHaveLength(3));
    expect(rowFor('From the command line')).toBeTruthy();
  });
});
