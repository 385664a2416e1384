import { describe, expect, it } from 'vitest';
import { groupChecks, summary } from './diagnostics';
import type { Check } from './api';

const check = (id: string, status: Check['status']): Check => ({
  id,
  status,
  finding: id,
  fix: null,
  detail: null,
});

describe('diagnostics', () => {
  it('groups checks by area in the guide order, unknown areas last', () => {
    const groups = groupChecks([
      check('sync.folder', 'skipped'),
      check('future.thing', 'ok'),
      check('data.folder', 'ok'),
      check('logs.level', 'problem'),
      check('data.wal', 'ok'),
    ]);
    expect(groups.map((g) => g.label)).toEqual(['Data folder', 'Logs', 'Sync', 'future']);
    expect(groups[0].checks.map((c) => c.id)).toEqual(['data.folder', 'data.wal']);
  });

  it('sums up with problems first and says when nothing needs fixing', () => {
    expect(summary([check('a.b', 'ok'), check('a.c', 'warning'), check('a.d', 'skipped')])).toBe(
      'Nothing needs fixing: 1 warning, 1 ok, 1 skipped.',
    );
    expect(
      summary([check('a.b', 'problem'), check('a.c', 'problem'), check('a.d', 'ok')]),
    ).toBe('2 problems, 1 ok.');
  });
});
