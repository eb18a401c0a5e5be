import { describe, expect, it } from 'vitest';
import { addCalendarDays, chinaCalendar, dueDate, makeCalendar, workingDaysBetween, workingDaysUntil } from './calendar';

describe('the statutory calendar', () => {
  it.each([
    ['2026-10-01', false, '国庆节'],
    ['2026-10-07', false, '国庆节'],
    ['2026-10-08', true, 'Thursday after 国庆'],
    ['2026-10-10', true, '调休 Saturday of 国庆'],
    ['2026-09-20', true, '调休 Sunday of 国庆'],
    ['2026-02-14', true, '调休 Saturday of 春节'],
    ['2026-02-16', false, '春节 Monday'],
    ['2026-02-28', true, '调休 Saturday of 春节'],
    ['2026-11-28', false, 'an ordinary Saturday'],
    ['2026-11-27', true, 'an ordinary Friday'],
  ])('counts %s as a working day: %s (%s)', (day, working) => {
    expect(chinaCalendar.isWorkingDay(day)).toBe(working);
  });
});

describe('the due date of a time limit in working days (N-05)', () => {
  it('runs across 国庆 2026 to the make-up Saturday', () => {
    // 9-29, 9-30, (10-01..07 off), 10-08, 10-09, 10-10 (调休).
    expect(dueDate(chinaCalendar, '2026-09-28', 5)).toEqual({ day: '2026-10-10', certain: true });
  });

  it('runs across 春节 2026, counting both make-up Saturdays and skipping 2-15 to 2-23', () => {
    // 2-14 (调休), (2-15..23 off), 2-24, 2-25, 2-26, 2-27, 2-28 (调休).
    expect(dueDate(chinaCalendar, '2026-02-13', 1)).toEqual({ day: '2026-02-14', certain: true });
    expect(dueDate(chinaCalendar, '2026-02-14', 1)).toEqual({ day: '2026-02-24', certain: true });
    expect(dueDate(chinaCalendar, '2026-02-13', 6)).toEqual({ day: '2026-02-28', certain: true });
    expect(dueDate(chinaCalendar, '2026-02-13', 7)).toEqual({ day: '2026-03-02', certain: true });
  });

  it.each([
    ['2026-11-27', 0, '2026-11-27'],
    ['2026-10-03', 0, '2026-10-03'],
    ['2026-11-27', 1, '2026-11-30'],
    ['2026-11-30', 5, '2026-12-07'],
    ['2026-04-30', 1, '2026-05-06'],
  ])('from %s, %i working days fall due on %s', (from, days, due) => {
    expect(dueDate(chinaCalendar, from, days)).toEqual({ day: due, certain: true });
  });

  it('says it is not certain for a year it has no holiday data for', () => {
    expect(chinaCalendar.knowsYear(2026)).toBe(true);
    expect(chinaCalendar.knowsYear(2099)).toBe(false);
    expect(dueDate(chinaCalendar, '2099-03-02', 3)).toEqual({ day: '2099-03-05', certain: false });
    expect(dueDate(chinaCalendar, '2099-03-02', 0)).toEqual({ day: '2099-03-02', certain: false });
  });

  it('turns uncertain when the count runs into a year without data', () => {
    const only2026 = makeCalendar({ holidays: { '2026-10-01': '国庆节' }, workdays: {} });
    expect(dueDate(only2026, '2026-12-24', 3)).toEqual({ day: '2026-12-29', certain: true });
    expect(dueDate(only2026, '2026-12-30', 3)).toEqual({ day: '2027-01-04', certain: false });
  });

  it('honours a hall override: a local closure and a Saturday worked', () => {
    const data = { holidays: { '2026-10-01': '国庆节' }, workdays: {} };
    const local = makeCalendar(data, { holidays: { '2026-11-30': '停电' }, workdays: { '2026-11-28': '加班' } });
    expect(local.isWorkingDay('2026-11-30')).toBe(false);
    expect(local.isWorkingDay('2026-11-28')).toBe(true);
    expect(dueDate(local, '2026-11-27', 2)).toEqual({ day: '2026-12-01', certain: true });
    expect(dueDate(makeCalendar(data), '2026-11-27', 2)).toEqual({ day: '2026-12-01', certain: true });
    expect(dueDate(makeCalendar(data), '2026-11-27', 1)).toEqual({ day: '2026-11-30', certain: true });
    expect(dueDate(local, '2026-11-27', 1)).toEqual({ day: '2026-11-28', certain: true });
  });

  it('lets an override reverse the statutory data both ways, and teaches it a new year', () => {
    const data = { holidays: { '2026-10-02': '国庆节' }, workdays: { '2026-10-10': '调休' } };
    const local = makeCalendar(data, { holidays: { '2026-10-10': '不调休', '2027-02-08': '春节' }, workdays: { '2026-10-02': '值班' } });
    expect(local.isWorkingDay('2026-10-02')).toBe(true);
    expect(local.isWorkingDay('2026-10-10')).toBe(false);
    expect(local.knowsYear(2027)).toBe(true);
    expect(local.isWorkingDay('2027-02-08')).toBe(false);
  });
});

describe('working days between two days', () => {
  it.each([
    ['2026-09-28', '2026-10-10', 5],
    ['2026-10-10', '2026-09-28', -5],
    ['2026-02-13', '2026-02-28', 6],
    ['2026-11-27', '2026-11-27', 0],
    ['2026-11-27', '2026-11-29', 0],
    ['2026-11-27', '2026-11-30', 1],
  ])('from %s to %s: %i', (from, to, n) => {
    expect(workingDaysBetween(chinaCalendar, from, to)).toBe(n);
  });

  it('agrees with dueDate', () => {
    for (const days of [0, 1, 5, 10, 30]) {
      const due = dueDate(chinaCalendar, '2026-01-05', days).day;
      expect(workingDaysBetween(chinaCalendar, '2026-01-05', due)).toBe(days);
    }
  });

  it('adds calendar days across month and year ends', () => {
    expect(addCalendarDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addCalendarDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addCalendarDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});

describe('working days from many days to one', () => {
  it('counts as workingDaysBetween does, asked in any order, across holidays and make-up days', () => {
    const to = '2026-10-12';
    const since = workingDaysUntil(chinaCalendar, to);
    const days = Array.from({ length: 400 }, (_, i) => addCalendarDays(to, -((i * 37) % 420) + 3));
    for (const from of days) expect(since(from)).toBe(workingDaysBetween(chinaCalendar, from, to));
  });
});

