import { MIN_RECENT_SERVICES, type Catalogue } from '@servicehall/core';
import { windowsNeeded, type WaitTarget } from './erlang';
import type { Forecast } from './forecast';

/**
 * Each item's mean service time in seconds from serviceTimesQuery's rows, for the items with at least
 * MIN_RECENT_SERVICES services in them (as the expected waits take them): one 40-second consultation
 * of an item added yesterday is no mean to plan its windows on, its typical time is.
 */
export function meanServiceTimes(rows: readonly Record<string, unknown>[]): Map<string, number> {
  const times = new Map<string, number>();
  for (const r of rows) if (Number(r.served) >= MIN_RECENT_SERVICES) times.set(String(r.service_code), Number(r.service_s) / Number(r.served));
  return times;
}

export interface StaffingCell {
  hour: number;
  arrivals: number;
  needed: number;
  planned: number;
}

export interface StaffingItem {
  serviceCode: string;
  name: string;
  department: string;
  /** The mean service time used, seconds: the hall's own, or the item's typical time until it has some. */
  meanServiceSeconds: number;
  fromHistory: boolean;
  hours: StaffingCell[];
}

export interface StaffingDay {
  day: string;
  working: boolean;
  items: StaffingItem[];
  /** The hall by hour: windows needed (the items' sum) against the windows it has. */
  hours: StaffingCell[];
  /** Hours and items where fewer windows are planned than needed. */
  short: { serviceCode: string; hour: number; needed: number; planned: number }[];
}

export interface StaffingPlan {
  target: WaitTarget;
  days: StaffingDay[];
}

/**
 * The windows each item needs in each hour to keep the wait target (Erlang C on the forecast
 * arrivals and the item's mean service time), against the windows that serve it. A window serving
 * several items is planned for each of them; the hall's line counts each window once.
 */
export function staffingPlan(forecast: Forecast, catalogue: Catalogue, serviceSeconds: ReadonlyMap<string, number>, target: WaitTarget): StaffingPlan {
  const windowsOf = new Map<string, number>();
  for (const w of catalogue.windows) if (!w.temporary) for (const code of w.serves) windowsOf.set(code, (windowsOf.get(code) ?? 0) + 1);
  const totalWindows = catalogue.windows.filter((w) => !w.temporary).length;
  const days = forecast.days.map((d): StaffingDay => {
    const hours = new Map<number, StaffingCell>();
    const items: StaffingItem[] = [];
    const short: StaffingDay['short'] = [];
    for (const item of catalogue.items) {
      const own = serviceSeconds.get(item.code);
      const mean = own && own > 0 ? own : item.typicalServiceMinutes * 60;
      const byHour = d.items[item.code] ?? {};
      const cells: StaffingCell[] = Object.entries(byHour)
        .map(([h, arrivals]) => ({ hour: Number(h), arrivals, needed: windowsNeeded(arrivals, mean, target), planned: windowsOf.get(item.code) ?? 0 }))
        .sort((a, b) => a.hour - b.hour);
      for (const c of cells) {
        const hall = hours.get(c.hour) ?? { hour: c.hour, arrivals: 0, needed: 0, planned: totalWindows };
        hall.arrivals += c.arrivals;
        hall.needed += c.needed;
        hours.set(c.hour, hall);
        if (c.needed > c.planned) short.push({ serviceCode: item.code, hour: c.hour, needed: c.needed, planned: c.planned });
      }
      if (cells.length) items.push({ serviceCode: item.code, name: item.name, department: item.department, meanServiceSeconds: Math.round(mean), fromHistory: !!own, hours: cells });
    }
    return { day: d.day, working: d.working, items, hours: [...hours.values()].sort((a, b) => a.hour - b.hour), short };
  });
  return { target, days };
}
