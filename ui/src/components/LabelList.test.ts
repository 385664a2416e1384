// The clients and tags lists against a fake store that keeps the core's
// rules: names unique ignoring case, a tag rename onto another name moving
// to (or merging into) that tag and archiving the old one.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import LabelList, { type Label, type LabelStore } from './LabelList.svelte';
import { ApiError } from '../lib/api';

let labels: Label[];

function tagStore(): LabelStore {
  let next = 100;
  const byName = (name: string) => labels.find((l) => l.name.toLowerCase() === name.toLowerCase());
  const check = (name: string) => {
    const trimmed = name.trim();
    if (!trimmed || trimmed.includes(';'))
      throw new ApiError('tag.invalid', `“${trimmed}” is not a valid tag.`);
    return trimmed;
  };
  return {
    load: async (all) =>
      labels
        .filter((l) => all || !l.archived)
        .sort((a, b) => Number(a.archived) - Number(b.archived) || a.name.localeCompare(b.name)),
    create: async (name) => {
      const clean = check(name);
      const found = byName(clean);
      if (found) return { ...found, archived: false };
      const made = { id: next++, name: clean, archived: false, uses: 0 };
      labels.push(made);
      return made;
    },
    rename: async (id, name) => {
      const clean = check(name);
      const old = labels.find((l) => l.id === id)!;
      if (old.name.toLowerCase() === clean.toLowerCase()) {
        old.name = clean;
        return { ...old };
      }
      let into = byName(clean);
      if (!into) {
        into = { id: next++, name: clean, archived: false, uses: 0 };
        labels.push(into);
      }
      into.uses += old.uses;
      old.uses = 0;
      old.archived = true;
      return { ...into };
    },
    setArchived: async (id, archived) => {
      const l = labels.find((x) => x.id === id)!;
      l.archived = archived;
      return { ...l };
    },
  };
}

function show() {
  render(LabelList, {
    kind: 'tag',
    title: 'Tags',
    placeholder: 'New tag',
    usesText: (n: number) => `${n} entries`,
    renamedText: (before: Label, after: Label) =>
      after.id === before.id ? `Renamed to ${after.name}` : `${before.name} is now ${after.name}`,
    store: tagStore(),
  });
}

const rows = () => screen.getAllByTestId('tag-row');
const row = (name: string) => rows().find((r) => within(r).queryByText(name))!;

beforeEach(() => {
  labels = [
    { id: 1, name: 'urgnet', archived: false, uses: 2 },
    { id: 2, name: 'billing', archived: false, uses: 1 },
  ];
});

afterEach(cleanup);

describe('LabelList', () => {
  it('lists tags with their use and adds one, refusing a bad name inline', async () => {
    show();
    await screen.findByText('urgnet');
    expect(within(row('urgnet')).getByTestId('tag-uses').textContent).toBe('2 entries');
    const input = screen.getByTestId('tag-name-input') as HTMLInputElement;
    await fireEvent.input(input, { target: { value: 'a;b' } });
    await fireEvent.click(screen.getByTestId('tag-create'));
    const error = await screen.findByTestId('tag-error');
    expect(error.textContent).toContain('not a valid tag');
    expect(input.value).toBe('a;b');
    await fireEvent.input(input, { target: { value: ' deep work ' } });
    await fireEvent.click(screen.getByTestId('tag-create'));
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(input.value).toBe('');
    expect(screen.queryByTestId('tag-error')).toBeNull();
  });

  it('renames onto a new name, says so, and hides the old name until archived ones are shown', async () => {
    show();
    await screen.findByText('urgnet');
    await fireEvent.click(within(row('urgnet')).getByTestId('tag-rename'));
    const edit = screen.getByTestId('tag-rename-input') as HTMLInputElement;
    expect(edit.value).toBe('urgnet');
    await fireEvent.input(edit, { target: { value: 'urgent' } });
    await fireEvent.click(screen.getByTestId('tag-rename-save'));
    expect((await screen.findByTestId('tag-status')).textContent).toBe('urgnet is now urgent');
    await waitFor(() => expect(screen.queryByText('urgnet')).toBeNull());
    expect(within(row('urgent')).getByTestId('tag-uses').textContent).toBe('2 entries');

    await fireEvent.click(screen.getByTestId('tag-show-archived'));
    const old = await waitFor(() => row('urgnet'));
    expect(old.classList.contains('archived')).toBe(true);
    expect(within(old).queryByTestId('tag-rename')).toBeNull();
    await fireEvent.click(within(old).getByTestId('tag-archive'));
    await waitFor(() => expect(row('urgnet').classList.contains('archived')).toBe(false));
  });

  it('archives a tag out of the list and keeps a refused rename open with its error', async () => {
    show();
    await screen.findByText('billing');
    await fireEvent.click(within(row('billing')).getByTestId('tag-archive'));
    await waitFor(() => expect(screen.queryByText('billing')).toBeNull());

    await fireEvent.click(within(row('urgnet')).getByTestId('tag-rename'));
    const edit = screen.getByTestId('tag-rename-input') as HTMLInputElement;
    await fireEvent.input(edit, { target: { value: '  ' } });
    await fireEvent.click(screen.getByTestId('tag-rename-save'));
    const editing = rows().find((r) => r.dataset.labelId === '1')!;
    expect((await within(editing).findByRole('alert')).textContent).toContain(
      'not a valid tag',
    );
    expect((screen.getByTestId('tag-rename-input') as HTMLInputElement).value).toBe('  ');
    await fireEvent.keyDown(screen.getByTestId('tag-rename-input'), { key: 'Escape' });
    expect(screen.queryByTestId('tag-rename-input')).toBeNull();
  });
});
