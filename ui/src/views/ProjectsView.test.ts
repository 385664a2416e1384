// The Projects view against a fake backend that answers like the real
// commands: inline errors keep the typed name and leave the list alone.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import ProjectsView from './ProjectsView.svelte';
import type { Client, Project, ProjectBilling, Tag } from '../lib/api';

let projects: Project[];
let clients: Client[];
let tags: Tag[];
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
  clients = [];
  tags = [];
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
        return clients.filter((c) => a.includeArchived || !c.archived);
      case 'tags_all':
        return tags.filter((t) => a.includeArchived || !t.archived);
      case 'client_rename': {
        // As the core does: its projects name the client as it is now.
        const c = clients.find((x) => x.id === a.id)!;
        for (const p of projects) if (p.client === c.name) p.client = String(a.name);
        c.name = String(a.name);
        return c;
      }
      case 'tag_rename': {
        // Renamed onto a tag that exists: its entries move there and the
        // old tag is archived.
        const from = tags.find((x) => x.id === a.id)!;
        const onto = tags.find((x) => x.name === a.name)!;
        onto.entries += from.entries;
        Object.assign(from, { entries: 0, archived: true });
        return onto;
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

  it('lists clients and tags with their use, and a rename shows where it went', async () => {
    projects[0].client = 'Audubon';
    clients = [{ id: 1, name: 'Audubon', archived: false, projects: 1 }];
    tags = [
      { id: 1, name: 'field', archived: false, entries: 2 },
      { id: 2, name: 'Fieldwork', archived: false, entries: 3 },
    ];
    render(ProjectsView);
    const client = await screen.findByTestId('client-row');
    expect(within(client).getByTestId('client-uses').textContent).toBe('1 project');
    const field = (await screen.findAllByTestId('tag-row')).find((r) => within(r).queryByText('field'))!;
    expect(within(field).getByTestId('tag-uses').textContent).toBe('2 entries');

    await fireEvent.click(within(client).getByTestId('client-rename'));
    await fireEvent.input(screen.getByTestId('client-rename-input'), { target: { value: 'Audubon NE' } });
    await fireEvent.click(screen.getByTestId('client-rename-save'));
    expect((await screen.findByTestId('client-status')).textContent).toBe('Renamed to “Audubon NE” on 1 project.');
    // The project row is read again and names the client as it is now.
    await waitFor(() =>
      expect(screen.getByTestId('project-billing-summary').textContent).toContain('Audubon NE'),
    );

    await fireEvent.click(within(field).getByTestId('tag-rename'));
    await fireEvent.input(screen.getByTestId('tag-rename-input'), { target: { value: 'Fieldwork' } });
    await fireEvent.click(screen.getByTestId('tag-rename-save'));
    expect((await screen.findByTestId('tag-status')).textContent).toBe(
      '“field” is now “Fieldwork” on 5 entries; the old name is archived.',
    );
    await waitFor(() => expect(screen.getAllByTestId('tag-row')).toHaveLength(1));
  });
});
