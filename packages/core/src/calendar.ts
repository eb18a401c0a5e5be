import chineseDays from 'chinese-days/dist/chinese-days.json' with { type: 'json' };

/**
 * Mainland China's working-day calendar: statutory holidays and make-up working days (调休) come
 * from the chinese-days package's data; a hall may add its own overrides (a year the package does
 * not know yet, a local closure). Time limits of 行政许可法 count in working days (N-05).
 */
export interface CalendarData {
  /** Day (YYYY-MM-DD) to a description: days off although Monday to Friday. */
  holidays: Record<string, string>;
  /** 调休: days worked although Saturday or Sunday. */
  workdays: Record<string, string>;
}

export interface WorkingCalendar {
  isWorkingDay(day: string): boolean;
  /** Whether the calendar's data covers this year (otherwise only weekends count as days off). */
  knowsYear(year: number): boolean;
}

export function makeCalendar(data: CalendarData, overrides?: Partial<CalendarData>): WorkingCalendar {
  const holidays = new Set([...Object.keys(data.holidays), ...Object.keys(overrides?.holidays ?? {})]);
  const workdays = new Set([...Object.keys(data.workdays), ...Object.keys(overrides?.workdays ?? {})]);
  for (const day of Object.keys(overrides?.holidays ?? {})) workdays.delete(day);
  for (const day of Object.keys(overrides?.workdays ?? {})) holidays.delete(day);
  const years = new Set([...holidays, ...workdays].map((d) => Number(d.slice(0, 4))));
  return {
    isWorkingDay(day) {
      if (workdays.has(day)) return true;
      if (holidays.has(day)) return false;
      const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
      return weekday !== 0 && weekday !== 6;
    },
    knowsYear: (year) => years.has(year),
  };
}

/** The statutory calendar as published in the chinese-days package. */
export const chinaCalendar: WorkingCalendar = makeCalendar(chineseDays as CalendarData);

export function addCalendarDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export interface DueDate {
  day: string;
  /** False when the count ran through a year the calendar has no holiday data for. */
  certain: boolean;
}

/**
 * The day a limit of `workingDays` falls due for a case accepted on `acceptedOn`: counting starts
 * the next day, holidays are skipped and make-up working days count. Zero means the same day.
 */
export function dueDate(calendar: WorkingCalendar, acceptedOn: string, workingDays: number): DueDate {
  // Every acceptance, notice and follow-up asks; the answers for a day are few and never change.
  let known = dueDates.get(calendar);
  if (!known) dueDates.set(calendar, (known = new Map()));
  const key = `${acceptedOn}+${workingDays}`;
  let due = known.get(key);
  if (!due) {
    if (known.size > 10_000) known.clear();
    known.set(key, (due = countWorkingDays(calendar, acceptedOn, workingDays)));
  }
  return { ...due };
}

const dueDates = new WeakMap<WorkingCalendar, Map<string, DueDate>>();

function countWorkingDays(calendar: WorkingCalendar, acceptedOn: string, workingDays: number): DueDate {
  let day = acceptedOn;
  let certain = calendar.knowsYear(Number(day.slice(0, 4)));
  let left = workingDays;
  while (left > 0) {
    day = addCalendarDays(day, 1);
    if (!calendar.knowsYear(Number(day.slice(0, 4)))) certain = false;
    if (calendar.isWorkingDay(day)) left -= 1;
  }
  return { day, certain };
}

/** Working days from `from` (exclusive) to `to` (inclusive); negative when `to` is earlier. */
export function workingDaysBetween(calendar: WorkingCalendar, from: string, to: string): number {
  if (to < from) return -workingDaysBetween(calendar, to, from);
  let n = 0;
  for (let day = addCalendarDays(from, 1); day <= to; day = addCalendarDays(day, 1)) if (calendar.isWorkingDay(day)) n += 1;
  return n;
}

/**
 * workingDaysBetween(calendar, from, to) for many `from` and one `to` (how late each of the hall's
 * overdue items is, today): one walk back from `to`, shared by all, instead of a walk for each.
 */
export function workingDaysUntil(calendar: WorkingCalendar, to: string): (from: string) => number {
  // Working days in (day, to] for each day from `to` back to the earliest asked so far.
  const after = new Map<string, number>([[to, 0]]);
  let earliest = to;
  let count = 0;
  return (from) => {
    if (from > to) return workingDaysBetween(calendar, from, to);
    while (earliest > from) {
      if (calendar.isWorkingDay(earliest)) count += 1;
      earliest = addCalendarDays(earliest, -1);
      after.set(earliest, count);
    }
    return after.get(from)!;
  };
}
