import type { WorkingCalendar } from '@servicehall/core';
import { addDays } from './days';

/**
 * Tomorrow's arrivals, from the hall's own history: each item's level over recent weeks, the
 * hall's weekday pattern, each item's hour profile, and the peaks at the start of a month and on
 * the first day after a holiday, each measured from the history itself. Days off by the calendar
 * (holidays, weekends not made up by 调休) get none. Simple and explainable on purpose: a
 * supervisor can see why a number is what it is, and its error on past weeks is shown beside it.
 */
export interface ArrivalRow {
  day: string;
  hour: number;
  serviceCode: string;
  arrivals: number;
}

export interface ForecastOptions {
  /** Arrivals per day, hour and item, oldest first or in any order (a year is plenty). */
  history: readonly ArrivalRow[];
  calendar: WorkingCalendar;
  /** The first day to forecast. */
  from: string;
  days?: number;
  /** Weeks of recent history for the levels and profiles; default 8. */
  weeks?: number;
}

export interface ForecastDay {
  day: string;
  working: boolean;
  /** Why this day is expected to be busier: the start of a month, the first day after a holiday. */
  peaks: ('month-start' | 'after-holiday')[];
  total: number;
  /** Expected arrivals by item, then by hour. */
  items: Record<string, Record<number, number>>;
}

export interface ForecastError {
  /** The Monday-to-Sunday week forecast from the history before it. */
  weekFrom: string;
  actual: number;
  forecast: number;
  /** Weighted absolute error of the hours of each item: Σ|forecast − actual| / Σ actual. */
  hourlyError: number;
  /** The same of each day's total. */
  dailyError: number;
}

export interface Forecast {
  from: string;
  days: ForecastDay[];
  /** The factors it used, measured from the history. */
  factors: { weekday: Record<number, number>; monthStart: number; afterHoliday: number };
  /** How the same method did on the last weeks of the history. */
  errors: ForecastError[];
  /** The days of history it was made from (days with arrivals before `from`): none in a new hall, whose forecast is nothing but zeros. */
  historyDays: number;
}

const weekdayOf = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay();

/** The first working days of their month (the first three). */
function isMonthStart(day: string, calendar: WorkingCalendar): boolean {
  let n = 0;
  for (let d = `${day.slice(0, 7)}-01`; d <= day; d = addDays(d, 1)) if (calendar.isWorkingDay(d)) n++;
  return n >= 1 && n <= 3;
}

/** The first working day after three or more days off in a row (a holiday, not a weekend). */
function isAfterHoliday(day: string, calendar: WorkingCalendar): boolean {
  let off = 0;
  for (let d = addDays(day, -1); !calendar.isWorkingDay(d) && off < 30; d = addDays(d, -1)) off++;
  return off >= 3;
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

interface Model {
  level: Map<string, number>;
  hourShare: Map<string, Map<number, number>>;
  weekday: Record<number, number>;
  monthStart: number;
  afterHoliday: number;
}

function fit(history: readonly ArrivalRow[], calendar: WorkingCalendar, before: string, weeks: number): Model {
  const since = addDays(before, -7 * weeks);
  const dayTotals = new Map<string, number>();
  const itemDay = new Map<string, Map<string, number>>();
  const itemHour = new Map<string, Map<number, number>>();
  /** The first day each item had arrivals: an item added last week is not measured over the weeks before it existed. */
  const itemFirst = new Map<string, string>();
  for (const r of history) {
    if (r.day >= before) continue;
    dayTotals.set(r.day, (dayTotals.get(r.day) ?? 0) + r.arrivals);
    const first = itemFirst.get(r.serviceCode);
    if (r.arrivals > 0 && (first === undefined || r.day < first)) itemFirst.set(r.serviceCode, r.day);
    if (r.day < since) continue;
    let m = itemDay.get(r.serviceCode);
    if (!m) itemDay.set(r.serviceCode, (m = new Map()));
    m.set(r.day, (m.get(r.day) ?? 0) + r.arrivals);
    let h = itemHour.get(r.serviceCode);
    if (!h) itemHour.set(r.serviceCode, (h = new Map()));
    h.set(r.hour, (h.get(r.hour) ?? 0) + r.arrivals);
  }
  const days = [...dayTotals.keys()].filter((d) => calendar.isWorkingDay(d)).sort();
  const ordinary = days.filter((d) => !isMonthStart(d, calendar) && !isAfterHoliday(d, calendar));
  const recent = ordinary.filter((d) => d >= since);
  const overall = mean(recent.map((d) => dayTotals.get(d)!)) || 1;
  const weekday: Record<number, number> = {};
  for (let wd = 0; wd < 7; wd++) {
    const of = recent.filter((d) => weekdayOf(d) === wd).map((d) => dayTotals.get(d)!);
    weekday[wd] = of.length ? mean(of) / overall : 1;
  }
  // A peak is measured against ordinary days of the same weekday, over the whole history.
  const expected = (d: string) => {
    const same = ordinary.filter((o) => weekdayOf(o) === weekdayOf(d) && Math.abs(Date.parse(o) - Date.parse(d)) < 56 * 86_400_000);
    return mean(same.map((o) => dayTotals.get(o)!));
  };
  const ratio = (list: string[]) => {
    const pairs = list.map((d) => [dayTotals.get(d)!, expected(d)] as const).filter(([, e]) => e > 0);
    return pairs.length ? pairs.reduce((a, [x]) => a + x, 0) / pairs.reduce((a, [, e]) => a + e, 0) : 1;
  };
  const monthStart = ratio(days.filter((d) => isMonthStart(d, calendar) && !isAfterHoliday(d, calendar)));
  const afterHoliday = ratio(days.filter((d) => isAfterHoliday(d, calendar)));
  const recentDays = new Set(recent);
  const level = new Map<string, number>();
  const hourShare = new Map<string, Map<number, number>>();
  for (const [code, byDay] of itemDay) {
    // Levels are of ordinary days since the item's first, put back to an average weekday; an item seen only on a peak day is measured on it.
    const first = itemFirst.get(code) ?? since;
    const own = [...recentDays].filter((d) => d >= first);
    const xs = (own.length ? own : [...byDay.keys()].filter((d) => calendar.isWorkingDay(d))).map((d) => (byDay.get(d) ?? 0) / (weekday[weekdayOf(d)] || 1));
    level.set(code, mean(xs));
    const hours = itemHour.get(code)!;
    const sum = [...hours.values()].reduce((a, b) => a + b, 0) || 1;
    hourShare.set(code, new Map([...hours].map(([h, n]) => [h, n / sum])));
  }
  return { level, hourShare, weekday, monthStart, afterHoliday };
}

function predict(model: Model, day: string, calendar: WorkingCalendar): ForecastDay {
  const working = calendar.isWorkingDay(day);
  const peaks: ForecastDay['peaks'] = [];
  if (working && isMonthStart(day, calendar)) peaks.push('month-start');
  if (working && isAfterHoliday(day, calendar)) peaks.push('after-holiday');
  // A make-up working day (调休) on a weekend is taken as an average day.
  const wd = weekdayOf(day);
  const weekdayFactor = wd === 0 || wd === 6 ? 1 : (model.weekday[wd] ?? 1);
  const factor = working ? weekdayFactor * (peaks.includes('month-start') ? model.monthStart : 1) * (peaks.includes('after-holiday') ? model.afterHoliday : 1) : 0;
  const items: ForecastDay['items'] = {};
  let total = 0;
  for (const [code, level] of model.level) {
    const byHour: Record<number, number> = {};
    for (const [hour, share] of model.hourShare.get(code) ?? []) {
      const n = level * factor * share;
      if (n <= 0) continue;
      byHour[hour] = n;
      total += n;
    }
    items[code] = byHour;
  }
  return { day, working, peaks, total, items };
}

/** How the method did on each of the last `weeks` weeks of the history, each forecast from what came before it. */
function backtest(options: ForecastOptions, weeks: number): ForecastError[] {
  const actual = new Map<string, number>();
  let last = '';
  for (const r of options.history) {
    actual.set(`${r.day}|${r.serviceCode}|${r.hour}`, (actual.get(`${r.day}|${r.serviceCode}|${r.hour}`) ?? 0) + r.arrivals);
    if (r.day > last) last = r.day;
  }
  if (!last) return [];
  const monday = (d: string) => addDays(d, -((weekdayOf(d) + 6) % 7));
  const out: ForecastError[] = [];
  for (let w = weeks; w >= 1; w--) {
    const weekFrom = addDays(monday(last), -7 * (w - 1));
    if (addDays(weekFrom, -7 * (options.weeks ?? 8)) < [...options.history].reduce((a, r) => (r.day < a ? r.day : a), last)) continue;
    const model = fit(options.history, options.calendar, weekFrom, options.weeks ?? 8);
    let sumActual = 0;
    let sumForecast = 0;
    let hourlyAbs = 0;
    let dailyAbs = 0;
    for (let i = 0; i < 7; i++) {
      const day = addDays(weekFrom, i);
      if (day > last) break;
      const f = predict(model, day, options.calendar);
      let dayActual = 0;
      const codes = new Set([...Object.keys(f.items)]);
      for (const k of actual.keys()) if (k.startsWith(`${day}|`)) codes.add(k.split('|')[1]!);
      for (const code of codes) {
        const hours = new Set<number>(Object.keys(f.items[code] ?? {}).map(Number));
        for (let h = 0; h < 24; h++) if (actual.has(`${day}|${code}|${h}`)) hours.add(h);
        for (const h of hours) {
          const a = actual.get(`${day}|${code}|${h}`) ?? 0;
          const p = f.items[code]?.[h] ?? 0;
          hourlyAbs += Math.abs(p - a);
          dayActual += a;
        }
      }
      sumActual += dayActual;
      sumForecast += f.total;
      dailyAbs += Math.abs(f.total - dayActual);
    }
    if (sumActual > 0) out.push({ weekFrom, actual: sumActual, forecast: sumForecast, hourlyError: hourlyAbs / sumActual, dailyError: dailyAbs / sumActual });
  }
  return out;
}

/** The next `days` days' arrivals per item and hour, with the method's error on the last four weeks. */
export function forecastArrivals(options: ForecastOptions): Forecast {
  const weeks = options.weeks ?? 8;
  const model = fit(options.history, options.calendar, options.from, weeks);
  const days = Array.from({ length: options.days ?? 7 }, (_, i) => predict(model, addDays(options.from, i), options.calendar));
  const historyDays = new Set(options.history.filter((r) => r.day < options.from && r.arrivals > 0).map((r) => r.day)).size;
  return { from: options.from, days, factors: { weekday: model.weekday, monthStart: model.monthStart, afterHoliday: model.afterHoliday }, errors: backtest(options, 4), historyDays };
}
