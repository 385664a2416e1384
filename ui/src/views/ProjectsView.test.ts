// The Projects view against a fake backend that answers like the real
// commands: inline errors keep the typed name and leave the list alone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import ProjectsView from './ProjectsView.svelte';
import type { Project, ProjectBilling } from '../lib/api';

let projects: Project[];
let calls: string[];

function project(id: number, name: string): Project {
  const now = '2026-11-28T09:00:00Z';
  return {
    id,
    name,
    color: '#3b82f6',
    archived: false,
    created_at: now,
    updated_at: now,
    client: null,
    billable: false,
    hourly_rate_cents: null,
    currency: null,
  };
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
      case 'project_set_billing': {
        const b = a.billing as ProjectBilling;
        if (b.currency && !/^[A-Za-z]{3}$/.test(b.currency))
          throw { code: 'project.invalid_currency', message: `“${b.currency}” is not a currency code.` };
        const p = projects.find((x) => x.id === a.id)!;
        Object.assign(p, b, { currency: b.currency?.toUpperCase() ?? null });
        return p;
      }
      case 'clients_all':
      case 'tags_all':
        return [];
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

  it('sets a client, billable flag and hourly rate', async () => {
    render(ProjectsView);
    await screen.findByText('Owl Census');
    await fireEvent.click(screen.getByTestId('project-billing'));
    await fireEvent.input(screen.getByTestId('project-client'), { target: { value: 'Audubon' } });
    await fireEvent.click(screen.getByTestId('project-billable'));
    await fireEvent.input(screen.getByTestId('project-rate'), { target: { value: '85,50' } });
    await fireEvent.input(screen.getByTestId('project-currency'), { target: { value: 'EURO' } });
    await fireEvent.click(screen.getByTestId('project-billing-save'));
    // The core refuses the currency; the form stays open with what was typed.
    const error = await screen.findByTestId('project-billing-error');
    expect(error.textContent).toContain('not a currency code');
    expect(screen.getByTestId('project-currency').getAttribute('aria-invalid')).toBe('true');
    expect((screen.getByTestId('project-rate') as HTMLInputElement).value).toBe('85,50');

    await fireEvent.input(screen.getByTestId('project-currency'), { target: { value: 'eur' } });
    await fireEvent.click(screen.getByTestId('project-billing-save'));
    await waitFor(() => expect(screen.queryByTestId('project-client')).toBeNull());
    expect(projects[0]).toMatchObject({
      client: 'Audubon',
      billable: true,
      hourly_rate_cents: 8550,
      currency: 'EUR',
    });
    const row = screen.getAllByTestId('project-row')[0];
    expect((await within(row).findByTestId('project-billing-summary')).textContent).toMatch(
      /Audubon · .*85\.50.*\/h · billable/,
    );
  });

  it('refuses a rate it cannot read without asking the core', async () => {
    render(ProjectsView);
    await screen.findByText('Owl Census');
    await fireEvent.click(screen.getByTestId('project-billing'));
    await fireEvent.input(screen.getByTestId('project-rate'), { target: { value: 'lots' } });
    await fireEvent.click(screen.getByTestId('project-billing-save'));
    expect((await screen.findByTestId('project-billing-error')).textContent).toContain('85.50');
    expect(calls).not.toContain('project_set_billing');
  });
});
