import type { Forecast, Report, ReportRow } from '@servicehall/reports';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { describe, expect, it } from 'vitest';
import { STRINGS } from '../i18n';
import { clerkChart, forecastChart, forecastOf } from './report-charts';

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

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, SVGRenderer]);

interface Box {
  text: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The texts ECharts lays out for `option` on a chart of the console's size (360 high), each with its box on the page. */
function textsOf(option: object, width: number): Box[] {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height: 360 });
  chart.setOption({ animation: false, ...option });
  // zrender's display list: each text's box, moved to where it is drawn (the axes' titles are turned).
  const list = (chart.getZr() as unknown as { storage: { getDisplayList(update: boolean): TextEl[] } }).storage.getDisplayList(true);
  const boxes = list
    .filter((el) => typeof el.style?.text === 'string')
    .map((el) => {
      const r = el.getBoundingRect().clone();
      r.applyTransform(el.getComputedTransform());
      return { text: el.style.text!, x: r.x, y: r.y, width: r.width, height: r.height };
    });
  chart.dispose();
  return boxes;
}
interface TextEl {
  style: { text?: string };
  getBoundingRect(): { clone(): { applyTransform(m: unknown): void; x: number; y: number; width: number; height: number } };
  getComputedTransform(): unknown;
}

/** Two boxes overlap, the label's white ground (4 px each side, 2 above and below) counted. */
const overlap = (a: Box, b: Box) => a.x - 4 < b.x + b.width && b.x < a.x + a.width + 4 && a.y - 2 < b.y + b.height && b.y < a.y + a.height + 2;

describe("the clerks' chart, drawn", () => {
  const zh = STRINGS['zh-CN'];
  it.each([
    ['every clerk served as many, the hall line at the top', [['001', 200, 480], ['002', 200, 330], ['003', 199, 402]] as [string, number, number][]],
    ['a week of 150 to 206', [['001', 150, 480], ['002', 206, 330], ['003', 178, 402]] as [string, number, number][]],
    ['one clerk', [['001', 40, 402]] as [string, number, number][]],
  ])("never puts the hall's labels over an axis title (%s), at the laptop's and a wide screen's width", (_, rows) => {
    for (const width of [1100, 1700]) {
      const texts = textsOf(clerkChart(zh, byClerk(rows, 402), (r) => r.key.clerk!), width);
      const titles = texts.filter((b) => b.text === zh.reports.charts.served || b.text === zh.reports.charts.serviceMedian);
      const labels = texts.filter((b) => b.text.startsWith(zh.reports.charts.hallServed) || b.text.startsWith(zh.reports.charts.hallService));
      // The legend names the two series too: four titles and legend entries, two hall labels.
      expect(titles.length).toBeGreaterThanOrEqual(2);
      expect(labels).toHaveLength(2);
      for (const label of labels) for (const title of titles) expect(overlap(label, title), `${label.text} over ${title.text} at ${width}`).toBe(false);
    }
  });
});

describe("the forecast's chart of 明日窗口", () => {
  // A hall with 延时服务: open from 07:00, evenings to 20:00 on weekdays.
  const day = (d: string, items: Forecast['days'][number]['items']) => ({ day: d, working: true, peaks: [], total: 0, items });
  const forecast = {
    from: '2026-12-08',
    days: [day('2026-12-08', { A: { 7: 4, 9: 30, 19: 12 }, B: { 19: 3.4 } }), day('2026-12-09', { A: { 9: 25, 10: 20 } })],
  } as unknown as Forecast;
  const option = forecastChart(STRINGS['zh-CN'], forecast) as { xAxis: { data: string[]; axisLabel: { interval: number } }; series: { data: number[] }[] };

  it('shows every hour the forecast has, the evening and the early morning too', () => {
    const at = (label: string) => option.series[0]!.data[option.xAxis.data.indexOf(label)];
    expect(option.xAxis.data[0]).toBe('12-08 07时');
    expect(at('12-08 07时')).toBe(4);
    expect(at('12-08 19时')).toBe(15);
    expect(at('12-09 10时')).toBe(20);
    expect(option.xAxis.data).toHaveLength(2 * 13);
    // One label a day: each day's 07时.
    expect(option.xAxis.axisLabel.interval).toBe(12);
  });
});

describe("a department head's forecast", () => {
  const day = (d: string, items: Forecast['days'][number]['items']) => ({ day: d, working: true, peaks: [], total: 999, items });
  const hall = { from: '2026-12-08', days: [day('2026-12-08', { A: { 9: 30, 10: 10 }, B: { 9: 100 } })] } as unknown as Forecast;

  it("counts their department's items alone, in the day's total and in the chart", () => {
    const mine = forecastOf(hall, new Set(['A']));
    expect(mine.days[0]!.total).toBe(40);
    expect(Object.keys(mine.days[0]!.items)).toEqual(['A']);
    const option = forecastChart(STRINGS['zh-CN'], mine) as { series: { data: number[] }[] };
    expect(option.series[0]!.data).toEqual([30, 10]);
    expect(hall.days[0]!.total).toBe(999);
  });
});
