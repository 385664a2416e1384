import { describe, expect, it } from 'vitest';
import { SAMPLE_WEEK as WEEK, sampleReport } from '../test/sample-report';
import { dayChart, describeDays, describeShares, NO_PROJECT_COLOR, shareChart } from './charts';

describe('report charts', () => {
  it('gives every day a bar, stacked by project in its colour', () => {
    const chart = dayChart(sampleReport(), WEEK, 'en-GB');
    expect(chart.dates).toHaveLength(7);
    expect(chart.labels[0]).toBe('Mon 23');
    expect(chart.series).toEqual([
      { label: 'Owl Census', color: '#3b82f6', data: [2, 0, 1, 0, 0, 0, 0] },
      { label: 'No project', color: NO_PROJECT_COLOR, data: [1, 0, 1, 0, 0, 0, 0] },
    ]);
    expect(describeDays(chart)).toBe('Hours per day. Mon 23: 3:00, Wed 25: 2:00.');
  });

  it('shares time between projects', () => {
    const share = shareChart(sampleReport());
    expect(share.labels).toEqual(['Owl Census', 'No project']);
    expect(share.seconds).toEqual([10800, 7200]);
    expect(describeShares(share)).toBe('Share per project. Owl Census 60%, No project 40%.');
  });

  it('describes an empty period', () => {
    const empty = { ...sampleReport(), by_project: [], by_day: [], total_seconds: 0 };
    expect(describeDays(dayChart(empty, WEEK))).toBe('Hours per day: no time tracked.');
    expect(shareChart(empty).labels).toEqual([]);
  });
});
