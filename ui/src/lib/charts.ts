// Turns a report into what the charts draw: hours per day stacked by
// project, and each project's share. Pure data, so it is tested without a
// canvas; ReportCharts.svelte hands it to Chart.js.
import type { Report } from './api';
import { axisLabel, datesIn, type DateRange } from './range';
import { formatHoursMinutes, hours } from './format';

/** The colour of time on no project. */
export const NO_PROJECT_COLOR = '#9aa2b4';

export interface Series {
  label: string;
  color: string;
  /** Hours, one value per label. */
  data: number[];
}

export interface DayChart {
  dates: string[];
  labels: string[];
  series: Series[];
}

export interface ShareChart {
  labels: string[];
  colors: string[];
  /** Seconds per project, in the report's order. */
  seconds: number[];
  shares: number[];
}

function key(projectId: number | null): string {
  return projectId === null ? 'none' : String(projectId);
}

export function projectLabel(name: string | null): string {
  return name ?? 'No project';
}

/** Every day of the range gets a bar, empty days included. */
export function dayChart(report: Report, range: DateRange, locale?: string): DayChart {
  const dates = datesIn(range);
  const index = new Map(dates.map((d, i) => [d, i]));
  const series = report.by_project.map((p) => ({
    id: key(p.project_id),
    label: projectLabel(p.name),
    color: p.color ?? NO_PROJECT_COLOR,
    data: dates.map(() => 0),
  }));
  const byId = new Map(series.map((s) => [s.id, s]));
  for (const day of report.by_day) {
    const i = index.get(day.date);
    if (i === undefined) continue;
    for (const part of day.by_project) {
      const s = byId.get(key(part.project_id));
      if (s) s.data[i] += part.seconds;
    }
  }
  return {
    dates,
    labels: dates.map((d) => axisLabel(d, dates.length, locale)),
    series: series.map(({ label, color, data }) => ({ label, color, data: data.map(hours) })),
  };
}

export function shareChart(report: Report): ShareChart {
  const projects = report.by_project.filter((p) => p.seconds > 0);
  return {
    labels: projects.map((p) => projectLabel(p.name)),
    colors: projects.map((p) => p.color ?? NO_PROJECT_COLOR),
    seconds: projects.map((p) => p.seconds),
    shares: projects.map((p) => p.share),
  };
}

/** What a screen reader hears for the bar chart: the days with time on them. */
export function describeDays(chart: DayChart): string {
  const parts = chart.dates
    .map((_, i) => ({ label: chart.labels[i], h: chart.series.reduce((sum, s) => sum + s.data[i], 0) }))
    .filter((d) => d.h > 0)
    .map((d) => `${d.label}: ${formatHoursMinutes(d.h * 3600)}`);
  return parts.length ? `Hours per day. ${parts.join(', ')}.` : 'Hours per day: no time tracked.';
}

export function describeShares(chart: ShareChart): string {
  const parts = chart.labels.map((l, i) => `${l} ${Math.round(chart.shares[i] * 100)}%`);
  return parts.length ? `Share per project. ${parts.join(', ')}.` : 'Share per project: no time tracked.';
}
