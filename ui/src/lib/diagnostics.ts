// How Settings › Diagnostics groups and sums up the doctor's checks. A
// check's area is the part of its id before the dot (`logs.level` → logs).
import type { Check } from './api';
import { plural } from './format';

const AREAS: { area: string; label: string }[] = [
  { area: 'data', label: 'Data folder' },
  { area: 'logs', label: 'Logs' },
  { area: 'crash', label: 'Crash reports' },
  { area: 'usage', label: 'Usage statistics' },
  { area: 'metrics', label: 'Metrics endpoint' },
  { area: 'sync', label: 'Sync' },
  { area: 'desktop', label: 'Desktop' },
  { area: 'online', label: 'Online checks' },
];

export interface CheckGroup {
  area: string;
  label: string;
  checks: Check[];
}

/** Checks by area, in the order of the troubleshooting guide; unknown areas last. */
export function groupChecks(checks: Check[]): CheckGroup[] {
  const groups = new Map<string, CheckGroup>();
  for (const check of checks) {
    const area = check.id.split('.')[0];
    const label = AREAS.find((a) => a.area === area)?.label ?? area;
    if (!groups.has(area)) groups.set(area, { area, label, checks: [] });
    groups.get(area)!.checks.push(check);
  }
  const rank = (area: string) => {
    const i = AREAS.findIndex((a) => a.area === area);
    return i === -1 ? AREAS.length : i;
  };
  return [...groups.values()].sort((a, b) => rank(a.area) - rank(b.area));
}

/** "2 problems, 1 warning, 20 ok": problems first, as they matter most. */
export function summary(checks: Check[]): string {
  const count = (s: Check['status']) => checks.filter((c) => c.status === s).length;
  const problems = count('problem');
  const warnings = count('warning');
  const parts = [
    problems ? plural(problems, 'problem') : null,
    warnings ? plural(warnings, 'warning') : null,
    `${count('ok')} ok`,
    count('skipped') ? `${count('skipped')} skipped` : null,
  ].filter((p) => p !== null);
  return problems === 0 ? `Nothing needs fixing: ${parts.join(', ')}.` : `${parts.join(', ')}.`;
}
