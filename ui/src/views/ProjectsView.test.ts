// The Projects view against a fake backend that answers like the real
// commands: inline errors keep the typed name and leave the list alone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import ProjectsView from './ProjectsView.svelte';
import type { Project } from '../lib/api';

let projects: Project[];
let calls: string[];

function project(id: number, name: string): Project {
  const now = '2026-11-28T09:00:00Z';
  return { id, name, color: '#3b82f6', archived: false, created_at: now, updated_at: now };
}

beforeEach(() => {
  projects = [project(1, 'Owl Census')];
  calls = [];
  mockIPC((cmd, args) => {
    calls.push(cmd);
    const a = args as Record<string, unknown>;
    switch (cmd) {
      case 'projects_list':
        return projects.filter((p) => a.includeArchived || !p.archived);
      case 'project_create': {
        const name = String(a.name).trim();
        if (!name) throw { code: 'project.name_empty', message: 'Give the project a name.' };
        if (projects.some((p) => p.name.toLowerCase() === name.toLowerCase()))
          throw { code: 'project.name_taken', message: `A project named “${name}” already exists.` };
        const created = project(projects.length + 1, name);
        projects.push(created);
        return created;
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

describe('ProjectsView', () => {
  it('lists projects and adds a new one', async () => {
    render(ProjectsView);
    await screen.findByText('Owl Census');
    const input = screen.getByTestId('project-name-input') as HTMLInputElement;
    await fireEvent.input(input, { target: { value: '  Heron Count ' } });
    await fireEvent.click(screen.getByTestId('project-create'));
    await waitFor(() => expect(screen.getAllByTestId('project-row')).toHaveLength(2));
    expect(input.value).toBe('');
    expect(screen.queryByTestId('project-error')).toBeNull();
  });

  it('shows a duplicate name inline and keeps what was typed', async () => {
    render(ProjectsView);
    await screen.findByText('Owl Census');
    const input = screen.getByTestId('project-name-input') as HTMLInputElement;
    await fireEvent.input(input, { target: { value: 'owl census' } });
    await fireEvent.click(screen.getByTestId('project-create'));
    const error = await screen.findByTestId('project-error');
    expect(error.textContent).toContain('already exists');
    expect(input.value).toBe('owl census');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getAllByTestId('project-row')).toHaveLength(1);
  });

  it('explains an empty name', async () => {
    render(ProjectsView);
    await screen.findByText('Owl Census');
    await fireEvent.click(screen.getByTestId('project-create'));
    expect((await screen.findByTestId('project-error')).textContent).toContain('name');
    expect(calls.filter((c) => c === 'project_create')).toHaveLength(1);
  });
});
