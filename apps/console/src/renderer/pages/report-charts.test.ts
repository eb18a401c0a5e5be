import type { Report, ReportRow } from '@servicehall/reports';
import { describe, expect, it } from 'vitest';
import { STRINGS } from '../i18n';
import { clerkChart } from './report-charts';

/** A week by clerk: what the chart reads of it (served, the median service) and the hall's median. */
function byClerk(rows: [clerk: string, served: number, serviceMedianS: number][], hallMedianS: number): Report {
  return {
    rows: rows.map(([clerk, served, serviceMedianS]) => ({ key: { clerk }, served, serviceMedianS }) as unknown as ReportRow),
    total: { serviceMedianS: hallMedianS },
  } as unknown as Report;
}

interface MarkLine {
  markLine: { data: { yAxis: number }[]; label: { formatter: string; position: string; backgroundColor?: string } };
}

describe("the clerks' chart of 统计报表", () => {
  // A week where the hall's served per clerk (178, left axis) and its median service (6.7 min, right
  // axis) come out at nearly the same height: their two dashed lines' labels once stood one on the other.
  const option = clerkChart(STRINGS['zh-CN'], byClerk([['001', 150, 480], ['002', 206, 330], ['003', 178, 402]], 402), (r) => r.key.clerk!) as { series: MarkLine[] };
  const [served, service] = option.series.map((s) => s.markLine);

  it("draws the hall's two figures as dashed lines with their values", () => {
    expect(served!.data[0]!.yAxis).toBe(178);
    expect(service!.data[0]!.yAxis).toBe(6.7);
    expect(served!.label.formatter).toBe('全厅人均办结 {c}');
    expect(service!.label.formatter).toBe('全厅办理中位数 {c}');
  });

  it('puts their labels at opposite ends of the chart, each on a ground of its own, so that neither covers the other', () => {
    const end = (position: string) => (position.startsWith('insideStart') ? 'start' : position.startsWith('insideEnd') ? 'end' : position);
    expect(new Set([end(served!.label.position), end(service!.label.position)])).toEqual(new Set(['start', 'end']));
    expect(served!.label.backgroundColor).toBeTruthy();
    expect(service!.label.backgroundColor).toBeTruthy();
  });
});
