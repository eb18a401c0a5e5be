import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clockMinutes, hallDay, localTime, zonedInstant } from './clock';

const ZONE = 'Asia/Shanghai';

describe('the hall clock in Asia/Shanghai', () => {
  it.each([
    ['2026-11-27T15:59:59Z', '2026-11-27', '23:59', 1439],
    ['2026-11-27T16:00:00Z', '2026-11-28', '00:00', 0],
    ['2026-11-27T16:01:00Z', '2026-11-28', '00:01', 1],
    ['2026-11-28T00:00:00+08:00', '2026-11-28', '00:00', 0],
    ['2026-11-27T23:30:00Z', '2026-11-28', '07:30', 450],
    ['2026-12-31T16:00:00Z', '2027-01-01', '00:00', 0],
    ['2026-02-28T16:00:00Z', '2026-03-01', '00:00', 0],
    ['2026-11-27T08:30:00+08:00', '2026-11-27', '08:30', 510],
  ])('reads %s as %s %s (%i minutes after midnight)', (iso, day, time, minutes) => {
    expect(localTime(Date.parse(iso), ZONE)).toEqual({ day, time, minutes });
    expect(hallDay(Date.parse(iso), ZONE)).toBe(day);
  });

  it('is always eight hours ahead of UTC (China keeps no summer time)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2099-12-31T00:00:00Z') }), (at) => {
        const shifted = new Date(at + 8 * 3600_000).toISOString();
        const t = localTime(at, ZONE);
        expect(t.day).toBe(shifted.slice(0, 10));
        expect(t.time).toBe(shifted.slice(11, 16));
        expect(t.minutes).toBe(clockMinutes(t.time));
      }),
      { numRuns: 200 },
    );
  });

  it('follows another zone, summer time included', () => {
    expect(localTime(Date.parse('2026-07-01T12:00:00Z'), 'Europe/London')).toMatchObject({ time: '13:00' });
    expect(localTime(Date.parse('2026-01-01T12:00:00Z'), 'Europe/London')).toMatchObject({ time: '12:00' });
  });

  it.each([
    ['00:00', 0],
    ['08:30', 510],
    ['17:00', 1020],
    ['23:59', 1439],
  ])('counts %s as %i minutes', (hhmm, minutes) => {
    expect(clockMinutes(hhmm)).toBe(minutes);
  });
});

describe('the instant of a hall time', () => {
  it.each([
    ['2026-11-27', '09:00', 'Asia/Shanghai', '2026-11-27T01:00:00.000Z'],
    ['2026-11-27', '00:00', 'Asia/Shanghai', '2026-11-26T16:00:00.000Z'],
    ['2026-11-27', '24:00', 'Asia/Shanghai', '2026-11-27T16:00:00.000Z'],
    ['2026-07-01', '09:00', 'Europe/London', '2026-07-01T08:00:00.000Z'],
    ['2026-01-01', '09:00', 'Europe/London', '2026-01-01T09:00:00.000Z'],
  ])('finds %s %s in %s', (day, time, zone, iso) => {
    expect(new Date(zonedInstant(day, time, zone)).toISOString()).toBe(iso);
  });

  it('is the inverse of localTime', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3650 }), fc.integer({ min: 0, max: 1439 }), (days, minutes) => {
        const day = new Date(Date.parse('2020-01-01T00:00:00Z') + days * 86_400_000).toISOString().slice(0, 10);
        const hhmm = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
        expect(localTime(zonedInstant(day, hhmm, ZONE), ZONE)).toEqual({ day, time: hhmm, minutes });
      }),
      { numRuns: 200 },
    );
  });
});
