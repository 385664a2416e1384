// Import: preview first, then commit; a file with errors lists them by line
// and offers no commit.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import ImportPanel from './ImportPanel.svelte';

let calls: { cmd: string; args: Record<string, unknown> }[];
let imported: number;
// What the (shell's) open dialog answers next: a path, or null for Cancel.
let picked: string | null;
// Tokens the fake shell handed out, like the core's grants.
let grants: Map<string, string>;

beforeEach(() => {
  calls = [];
  imported = 0;
  picked = null;
  grants = new Map();
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    if (cmd === 'import_choose') {
      if (picked === null) return null;
      const token = `t${grants.size + 1}`;
      grants.set(token, picked);
      return { token, path: picked };
    }
    const path = grants.get(String(args.token));
    if (path === undefined) {
      throw { code: 'import.not_chosen', message: 'Choose the file to import again.', lines: [], omitted: 0 };
    }
    if (path.includes('broken')) {
      throw {
        code: 'import.invalid',
        message:
          'The file has 2 problems, so nothing was imported.\nLine 3: start is not a date: "tomorrow"\nLine 7: end before start',
        lines: [
          { line: 3, message: 'start is not a date: "tomorrow"' },
          { line: 7, message: 'end before start' },
        ],
        omitted: 2,
      };
    }
    switch (cmd) {
      case 'import_preview':
        return {
          total: 3,
          new_entries: 3 - imported,
          duplicates: imported,
          new_projects: imported ? [] : ['Owl Census'],
          new_tags: imported ? [] : ['field'],
        };
      case 'import_commit': {
        const added = 3 - imported;
        imported = 3;
        return {
          total: 3,
          imported: added,
          duplicates: 3 - added,
          new_projects: ['Owl Census'],
          new_tags: ['field'],
        };
      }
      default:
        throw new Error(`unexpected command ${cmd}`);
    }
  });
});

afterEach(() => {
  cleanup();
  clearMocks();
});

async function choose(path: string | null) {
  picked = path;
  await fireEvent.click(screen.getByTestId('import-browse'));
  if (path !== null) await waitFor(() => expect(screen.getByTestId('import-path').textContent).toBe(path));
}

async function preview(path: string, format = '') {
  await choose(path);
  await fireEvent.change(screen.getByTestId('import-format'), { target: { value: format } });
  await fireEvent.click(screen.getByTestId('import-preview'));
}

describe('ImportPanel', () => {
  it('previews, commits, and finds nothing new the second time', async () => {
    render(ImportPanel);
    await preview('/tmp/toggl.csv', 'toggl');
    const summary = await screen.findByTestId('import-preview-summary');
    expect(summary.textContent).toContain('3 entries');
    expect(summary.textContent).toContain('3 new');
    expect(summary.textContent).toContain('Owl Census');
    expect(summary.textContent).toContain('field');
    // Only the token crosses back to the shell, never a path.
    expect(calls[0]).toEqual({ cmd: 'import_choose', args: {} });
    expect(calls[1]).toEqual({ cmd: 'import_preview', args: { token: 't1', format: 'toggl' } });

    await fireEvent.click(screen.getByTestId('import-commit'));
    const result = await screen.findByTestId('import-result');
    expect(result.textContent).toContain('Imported 3 entries');
    expect(calls[2]).toEqual({ cmd: 'import_commit', args: { token: 't1', format: 'toggl' } });
    expect(screen.queryByTestId('import-preview-summary')).toBeNull();

    await preview('/tmp/toggl.csv');
    const again = await screen.findByTestId('import-preview-summary');
    expect(again.textContent).toContain('0 new');
    expect(again.textContent).toContain('3 already here');
    expect((screen.getByTestId('import-commit') as HTMLButtonElement).disabled).toBe(true);
    expect(calls[calls.length - 1].args.format).toBeNull();
  });

  it('lists every problem by line and offers no commit', async () => {
    render(ImportPanel);
    await preview('/tmp/broken.csv');
    const errors = await screen.findByTestId('import-errors');
    expect(errors.textContent).toContain('The file has 2 problems, so nothing was imported.');
    const lines = screen.getAllByTestId('import-error-line').map((l) => l.textContent);
    expect(lines).toEqual(['Line 3: start is not a date: "tomorrow"', 'Line 7: end before start']);
    // The headline is not repeated line by line; what was not listed is counted.
    expect(errors.textContent?.match(/Line 3/g)).toHaveLength(1);
    expect(errors.textContent).toContain('…and 2 more.');
    expect(screen.queryByTestId('import-commit')).toBeNull();
  });

  it('asks for a file before previewing', async () => {
    render(ImportPanel);
    await fireEvent.click(screen.getByTestId('import-preview'));
    expect((await screen.findByTestId('import-errors')).textContent).toContain('Choose a file');
    expect(calls).toHaveLength(0);
  });

  it('forgets a preview when the file changes, and keeps it when the dialog is cancelled', async () => {
    render(ImportPanel);
    await preview('/tmp/toggl.csv');
    await screen.findByTestId('import-preview-summary');
    await choose(null);
    expect(screen.getByTestId('import-path').textContent).toBe('/tmp/toggl.csv');
    expect(screen.queryByTestId('import-preview-summary')).toBeTruthy();
    await choose('/tmp/other.csv');
    await waitFor(() => expect(screen.queryByTestId('import-preview-summary')).toBeNull());
  });
});
