// One list's inline rename and its per-row errors, shared by the lists of
// projects, clients and tags: which row is being renamed, what is typed in
// it, and the error of the last row action that failed.
import { tick } from 'svelte';
import { toApiError } from './api';

export class RowEdit {
  editingId = $state<number | null>(null);
  editName = $state('');
  rowError = $state<{ id: number; message: string } | null>(null);

  /** `inputId` names the rename field of a row, to focus it. */
  constructor(private readonly inputId: (id: number) => string) {}

  async begin(id: number, name: string) {
    this.editingId = id;
    this.editName = name;
    this.rowError = null;
    await tick();
    document.getElementById(this.inputId(id))?.focus();
  }

  /** Saves the typed name with `rename`; on a refusal the field stays open with its error. */
  async save(id: number, rename: (name: string) => Promise<void>): Promise<boolean> {
    try {
      await rename(this.editName);
      this.editingId = null;
      this.rowError = null;
      return true;
    } catch (e) {
      this.rowError = { id, message: toApiError(e).message };
      return false;
    }
  }

  /** Escape leaves the rename without saving. */
  cancelOnEscape = (event: KeyboardEvent) => {
    if (event.key === 'Escape') this.cancel();
  };

  cancel() {
    this.editingId = null;
    this.rowError = null;
  }

  /** Runs a row's action (archive, restore), showing its error on the row. */
  async run(id: number, action: () => Promise<void>) {
    this.rowError = null;
    try {
      await action();
    } catch (e) {
      this.rowError = { id, message: toApiError(e).message };
    }
  }
}
