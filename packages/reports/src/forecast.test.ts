import { makeCalendar } from '@servicehall/core';
import { describe, expect, it } from 'vitest';
import { addDays } from './days';
import { forecastArrivals, type ArrivalRow } from './forecast';
import { meanServiceTimes, staffingPlan } from './staffing';
import { demoCatalogue } from '@servicehall/fixtures';

// A hall's own calendar: the Dragon Boat holiday on a Friday (three days off), National Day a week off, a Saturday made up (调休).
const calendar = makeCalendar({ holidays: { '2026-06-19': '端午节', ...Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`2026-10-0${i + 1}`, '国庆节'])) }, workdays: { '2026-10-10': '国庆节调休' } });
const WEEKDAY = [1, 1.2, 1.05, 1, 0.95, 0.85, 1];
const HOURS: Record<number, number> = { 8: 0.05, 9: 0.2, 10: 0.25, 11: 0.1, 13: 0.1, 14: 0.15, 15: 0.1, 16: 0.05 };
const LEVEL: Record<string, number> = { 'GA-SFZ-HL': 200, 'CRJ-HZ-SL': 80 };
const weekday = (d: string) => new Date(`${d}T00:00:00Z`).getUTCDay();

function firstWorkingDays(day: string): number {
  let n = 0;
  for (let d = `${day.slice(0, 7)}-01`; d <= day; d = addDays(d, 1)) if (calendar.isWorkingDay(d)) n++;
  return n;
}

/** What the hall saw: each item's level, the weekday's factor, the hour's share, 30 % more on a month's first three working days, 50 % more after a holiday. */
function expected(day: string, code: string, hour: number): number {
  if (!calendar.isWorkingDay(day)) return 0;
  const wd = weekday(day);
  const start = firstWorkingDays(day) <= 3 ? 1.3 : 1;
  let off = 0;
  for (let d = addDays(day, -1); !calendar.isWorkingDay(d); d = addDays(d, -1)) off++;
  return LEVEL[code]! * (wd === 0 || wd === 6 ? 1 : WEEKDAY[wd]!) * (HOURS[hour] ?? 0) * start * (off >= 3 ? 1.5 : 1);
}

function history(from: string, to: string): ArrivalRow[] {
  const rows: ArrivalRow[] = [];
  for (let day = from; day <= to; day = addDays(day, 1))
    for (const code of Object.keys(LEVEL)) for (const hour of Object.keys(HOURS).map(Number)) if (calendar.isWorkingDay(day)) rows.push({ day, hour, serviceCode: code, arrivals: expected(day, code, hour) });
  return rows;
}

describe("tomorrow's arrivals", () => {
  const forecast = forecastArrivals({ history: history('2026-05-04', '2026-10-04'), calendar, from: '2026-10-05', days: 7 });

  it("finds the hall's own peaks in its history: a month's first days and the day after a holiday", () => {
    expect(forecast.factors.monthStart).toBeCloseTo(1.3, 2);
    expect(forecast.factors.afterHoliday).toBeCloseTo(1.5, 1);
  });

  it('gives holidays none, a made-up Saturday an ordinary day, and the first day back both peaks', () => {
    const day = (d: string) => forecast.days.find((x) => x.day === d)!;
    expect(day('2026-10-05').total).toBe(0);
    expect(day('2026-10-07').working).toBe(false);
    expect(day('2026-10-11').total).toBe(0);
    expect(day('2026-10-08').peaks).toEqual(['month-start', 'after-holiday']);
    for (const d of ['2026-10-08', '2026-10-09', '2026-10-10'])
      for (const code of Object.keys(LEVEL))
        for (const hour of [9, 10, 14]) expect(Math.abs(day(d).items[code]![hour]! / expected(d, code, hour) - 1)).toBeLessThan(0.03);
  });

  it('says how far off the same method was on the last four weeks', () => {
    expect(forecast.errors).toHaveLength(4);
    for (const e of forecast.errors) {
      expect(e.actual).toBeGreaterThan(0);
      expect(e.hourlyError).toBeLessThan(0.1);
    }
  });

  it('turns the forecast into the windows each item needs, against those planned', () => {
    const plan = staffingPlan(forecast, demoCatalogue(), new Map([['GA-SFZ-HL', 600]]), { share: 0.8, minutes: 20 });
    const thursday = plan.days.find((d) => d.day === '2026-10-08')!;
    const sfz = thursday.items.find((i) => i.serviceCode === 'GA-SFZ-HL')!;
    expect(sfz.fromHistory).toBe(true);
    const ten = sfz.hours.find((h) => h.hour === 10)!;
    // 200 × 1.0 × 0.25 × 1.3 × 1.5 ≈ 97.5 an hour at 10 minutes: over 16 Erlangs, so at least 17 windows.
    expect(ten.needed).toBeGreaterThanOrEqual(17);
    expect(thursday.short.some((s) => s.serviceCode === 'GA-SFZ-HL' && s.hour === 10)).toBe(true);
    expect(plan.days.find((d) => d.day === '2026-10-05')!.items).toEqual([]);
  });
});

describe('an item new to the hall', () => {
  it('is forecast from the days since it was first taken, not diluted by the weeks before it existed', () => {
    const plain = makeCalendar({ holidays: {}, workdays: {} });
    const rows: ArrivalRow[] = [];
    for (let day = '2026-09-14'; day <= '2026-11-13'; day = addDays(day, 1)) {
      if (!plain.isWorkingDay(day)) continue;
      rows.push({ day, hour: 9, serviceCode: 'GA-SFZ-HL', arrivals: 50 }, { day, hour: 10, serviceCode: 'GA-SFZ-HL', arrivals: 50 });
      // Added on Thursday: 60 a day since, all at nine.
      if (day >= '2026-11-12') rows.push({ day, hour: 9, serviceCode: 'NEW-ITEM', arrivals: 60 });
    }
    const monday = forecastArrivals({ history: rows, calendar: plain, from: '2026-11-16', days: 1 }).days[0]!;
    expect(monday.items['NEW-ITEM']![9]).toBeGreaterThan(45);
    expect(monday.items['NEW-ITEM']![9]).toBeLessThan(75);
    // The items there all along keep their level.
    expect(monday.items['GA-SFZ-HL']![9]).toBeGreaterThan(40);
    expect(monday.items['GA-SFZ-HL']![9]).toBeLessThan(60);
  });
});

describe('a hall with no history yet', () => {
  it('forecasts nothing and says it has no days to go on, so that no one reads its zeros as a quiet week', () => {
    const none = forecastArrivals({ history: [], calendar, from: '2026-11-16', days: 7 });
    expect(none.historyDays).toBe(0);
    expect(none.days.map((d) => d.total)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(none.errors).toEqual([]);
    // Tickets of today are no history of the days forecast.
    expect(forecastArrivals({ history: [{ day: '2026-11-16', hour: 9, serviceCode: 'GA-SFZ-HL', arrivals: 5 }], calendar, from: '2026-11-16' }).historyDays).toBe(0);
    expect(forecastArrivals({ history: history('2026-11-02', '2026-11-13'), calendar, from: '2026-11-16' }).historyDays).toBe(10);
  });
});

describe("an item's service time for the plan", () => {
  it("is the hall's own mean once it has three services in the weeks looked at, the item's typical time before", () => {
    const times = meanServiceTimes([
      { service_code: 'GA-SFZ-HL', served: 120, service_s: 120 * 420 },
      { service_code: 'CRJ-HZ-SL', served: 3, service_s: 3 * 600 },
      // Added yesterday: one consultation of 40 seconds.
      { service_code: 'NEW-ITEM', served: 1, service_s: 40 },
      { service_code: 'NONE', served: 0, service_s: 0 },
    ]);
    expect([...times]).toEqual([
      ['GA-SFZ-HL', 420],
      ['CRJ-HZ-SL', 600],
    ]);
  });
});
