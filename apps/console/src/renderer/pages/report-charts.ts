import type { Forecast, Report, ReportRow } from '@servicehall/reports';
import type { ChartOption } from '../chart';
import type { Strings } from '../i18n';

// The report page's charts as ECharts options: what each chart shows, apart from the page that draws it.

export const minutes = (s: number | undefined) => (s === undefined ? undefined : Math.round((s / 60) * 10) / 10);

/** People waiting at the end of each hour, a mean over the days of the period, from its arrivals and first calls. */
export function waitingByHour(dayHour: Report): { hour: number; waiting: number }[] {
  const days = new Map<string, Map<number, ReportRow>>();
  for (const r of dayHour.rows) {
    const d = days.get(r.key.day!) ?? new Map<number, ReportRow>();
    d.set(r.key.hour!, r);
    days.set(r.key.day!, d);
  }
  const hours = [...new Set(dayHour.rows.map((r) => r.key.hour!))].sort((a, b) => a - b);
  if (!hours.length) return [];
  const sums = new Map<number, number>();
  for (const byHour of days.values()) {
    let waiting = 0;
    for (let h = hours[0]!; h <= hours.at(-1)!; h++) {
      const r = byHour.get(h);
      waiting += (r?.issued ?? 0) - (r?.voided ?? 0) - (r?.called ?? 0);
      sums.set(h, (sums.get(h) ?? 0) + Math.max(0, waiting));
    }
  }
  return [...sums].map(([hour, s]) => ({ hour, waiting: Math.round((s / Math.max(1, days.size)) * 10) / 10 }));
}

/** The day's chart: people waiting (the hall's, not a clerk's: a clerk's figures have no arrivals) and the median wait by hour. */
export function dayChart(t: Strings, byHour: Report, dayHour: Report, withWaiting = true): ChartOption {
  const waiting = withWaiting ? waitingByHour(dayHour) : [];
  const hours = [...new Set([...waiting.map((w) => w.hour), ...byHour.rows.map((r) => r.key.hour!)])].sort((a, b) => a - b);
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    // The axes' names on a row of their own under the legend: on a half-width chart (1366×768) the legend reaches the right axis's name.
    grid: { left: 50, right: 60, top: 60, bottom: 30 },
    xAxis: { type: 'category', data: hours.map((h) => `${String(h).padStart(2, '0')}:00`) },
    yAxis: [
      { type: 'value', name: t.reports.charts.waiting, show: withWaiting },
      { type: 'value', name: t.reports.charts.wait, position: 'right' },
    ],
    series: [
      ...(withWaiting ? [{ type: 'bar', name: t.reports.charts.waiting, data: hours.map((h) => waiting.find((w) => w.hour === h)?.waiting ?? 0), itemStyle: { color: '#1f5fa6' } }] : []),
      { type: 'line', name: t.reports.charts.wait, yAxisIndex: 1, data: hours.map((h) => minutes(byHour.rows.find((r) => r.key.hour === h)?.waitMedianS) ?? null), itemStyle: { color: '#b5521b' } },
    ],
  };
}

export function heatChart(t: Strings, dayHour: Report): ChartOption {
  const cells = new Map<string, { sum: number; days: Set<string> }>();
  const daysOfWeekday = new Map<number, Set<string>>();
  for (const r of dayHour.rows) {
    const wd = new Date(`${r.key.day}T00:00:00Z`).getUTCDay();
    const k = `${wd}|${r.key.hour}`;
    const c = cells.get(k) ?? { sum: 0, days: new Set() };
    c.sum += r.issued;
    cells.set(k, c);
    if (r.issued > 0) daysOfWeekday.set(wd, (daysOfWeekday.get(wd) ?? new Set()).add(r.key.day!));
  }
  const hours = [...new Set(dayHour.rows.map((r) => r.key.hour!))].sort((a, b) => a - b);
  const weekdays = [1, 2, 3, 4, 5, 6, 0];
  const data: [number, number, number][] = [];
  let max = 0;
  weekdays.forEach((wd, y) =>
    hours.forEach((h, x) => {
      const n = Math.round((cells.get(`${wd}|${h}`)?.sum ?? 0) / Math.max(1, daysOfWeekday.get(wd)?.size ?? 0));
      max = Math.max(max, n);
      data.push([x, y, n]);
    }),
  );
  return {
    tooltip: { position: 'top' },
    grid: { left: 50, right: 20, top: 10, bottom: 95 },
    xAxis: { type: 'category', data: hours.map((h) => `${String(h).padStart(2, '0')}:00`), splitArea: { show: true } },
    yAxis: { type: 'category', data: weekdays.map((wd) => t.reports.charts.weekdays[wd]), splitArea: { show: true } },
    visualMap: { min: 0, max: Math.max(1, max), calculable: true, orient: 'horizontal', left: 'center', bottom: 0, inRange: { color: ['#eef4fb', '#7fb0e0', '#134074'] } },
    series: [{ type: 'heatmap', data, label: { show: true, fontSize: 11 } }],
  };
}

/**
 * The hall's own figures on the clerks' chart (two dashed lines, one per axis): their labels stand at
 * opposite ends, so that two lines at nearly the same height never put one label over the other, and
 * on a white ground, so that the bars and the clerks' line under them leave them readable.
 */
const HALL_LINE_LABEL = { backgroundColor: 'rgba(255,255,255,0.9)', padding: [2, 4], borderRadius: 3, fontWeight: 'bold' } as const;

export function clerkChart(t: Strings, byClerk: Report, name: (r: ReportRow) => string): ChartOption {
  const rows = byClerk.rows.filter((r) => r.key.clerk && r.served > 0);
  const perClerk = rows.length ? Math.round(rows.reduce((a, r) => a + r.served, 0) / rows.length) : 0;
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 64, right: 56, top: 40, bottom: 80 },
    xAxis: { type: 'category', data: rows.map(name), axisLabel: { rotate: 40, interval: 0, fontSize: 11 } },
    // The axes' titles stand along their axes, outside the plot: above it, a hall line near the top put its label over them.
    yAxis: [
      { type: 'value', name: t.reports.charts.served, nameLocation: 'middle', nameGap: 42 },
      { type: 'value', name: t.reports.charts.serviceMedian, position: 'right', nameLocation: 'middle', nameGap: 34 },
    ],
    series: [
      {
        type: 'bar',
        name: t.reports.charts.served,
        data: rows.map((r) => r.served),
        itemStyle: { color: '#1f5fa6' },
        markLine: { symbol: 'none', data: [{ yAxis: perClerk, name: t.reports.charts.hallServed }], label: { ...HALL_LINE_LABEL, formatter: `${t.reports.charts.hallServed} {c}`, position: 'insideStartTop', color: '#1f5fa6' }, lineStyle: { color: '#1f5fa6', type: 'dashed' } },
      },
      {
        type: 'line',
        name: t.reports.charts.serviceMedian,
        yAxisIndex: 1,
        data: rows.map((r) => minutes(r.serviceMedianS) ?? null),
        itemStyle: { color: '#2a7d4f' },
        markLine: { symbol: 'none', data: [{ yAxis: minutes(byClerk.total.serviceMedianS) ?? 0 }], label: { ...HALL_LINE_LABEL, formatter: `${t.reports.charts.hallService} {c}`, position: 'insideEndTop', color: '#2a7d4f' }, lineStyle: { color: '#2a7d4f', type: 'dashed' } },
      },
    ],
  };
}

/** A forecast of some items only (a department head's department's): each day's items and total of those alone. */
export function forecastOf(forecast: Forecast, serviceCodes: ReadonlySet<string>): Forecast {
  return {
    ...forecast,
    days: forecast.days.map((d) => {
      const items = Object.fromEntries(Object.entries(d.items).filter(([code]) => serviceCodes.has(code)));
      const total = Object.values(items).reduce((a, byHour) => a + Object.values(byHour).reduce((x, n) => x + n, 0), 0);
      return { ...d, items, total };
    }),
  };
}

/**
 * The next days' expected arrivals, hour by hour, over the hours the forecast has on any of its days
 * (a hall open from 08:00 to 20:00 for 延时服务 shows its evenings; no fixed 08:00 to 17:00).
 */
export function forecastChart(t: Strings, forecast: Forecast): ChartOption {
  const seen = forecast.days.flatMap((d) => Object.values(d.items).flatMap((byHour) => Object.keys(byHour).map(Number)));
  const first = seen.length ? Math.min(...seen) : 8;
  const last = seen.length ? Math.max(...seen) : 17;
  const labels: string[] = [];
  const values: number[] = [];
  for (const d of forecast.days)
    for (let h = first; h <= last; h++) {
      labels.push(`${d.day.slice(5)} ${String(h).padStart(2, '0')}时`);
      values.push(Math.round(Object.values(d.items).reduce((a, byHour) => a + (byHour[h] ?? 0), 0)));
    }
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: 50, right: 20, top: 20, bottom: 60 },
    // One label a day, at its first hour.
    xAxis: { type: 'category', data: labels, axisLabel: { interval: last - first, rotate: 0, fontSize: 11 } },
    yAxis: { type: 'value', name: t.forecast.expected },
    series: [{ type: 'bar', data: values, itemStyle: { color: '#1f5fa6' } }],
  };
}
