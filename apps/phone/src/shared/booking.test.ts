import type { PhoneSlots } from '@servicehall/protocol/phone';
import { describe, expect, it } from 'vitest';
import { appointmentStateKey, keptChoice } from './booking';
import { tr } from './strings';

const slot = (day: string, from: string, left: number) => {
  const start = Date.parse(`${day}T${from}:00+08:00`);
  return { start, end: start + 30 * 60_000, from, to: '', capacity: 2, left };
};
const slots = (...days: [string, number[]][]): PhoneSlots => ({
  serviceCode: 'GA-SFZ-HL',
  days: days.map(([day, lefts]) => ({ day, slots: lefts.map((left, i) => slot(day, `0${9 + i}:00`.slice(-5), left)) })),
});

describe('the day and slot a booking page keeps when it reads the slots again', () => {
  it('chooses the first day with a place left when nothing was chosen', () => {
    expect(keptChoice(slots(['2026-11-30', [0, 0]], ['2026-12-01', [0, 1]]), {})).toEqual({ day: '2026-12-01' });
    expect(keptChoice(slots(['2026-11-30', [0]]), {})).toEqual({ day: '2026-11-30' });
    expect(keptChoice(slots(), {})).toEqual({});
  });

  it('keeps the day and the slot while the slot still has a place', () => {
    const s = slots(['2026-11-30', [2, 1]], ['2026-12-01', [2]]);
    expect(keptChoice(s, { day: '2026-11-30', slot: slot('2026-11-30', '10:00', 2) })).toEqual({ day: '2026-11-30', slot: s.days[0]!.slots[1] });
  });

  it('lets go of a slot taken meanwhile (its last place booked by someone else), keeping the day', () => {
    expect(keptChoice(slots(['2026-11-30', [2, 0]]), { day: '2026-11-30', slot: slot('2026-11-30', '10:00', 1) })).toEqual({ day: '2026-11-30' });
  });

  it('lets go of a day no longer bookable (the page left open until that day came) and its slot, for the first bookable day', () => {
    expect(keptChoice(slots(['2026-12-01', [0, 2]], ['2026-12-02', [2]]), { day: '2026-11-30', slot: slot('2026-11-30', '09:00', 2) })).toEqual({ day: '2026-12-01' });
    expect(keptChoice(slots(), { day: '2026-11-30', slot: slot('2026-11-30', '09:00', 2) })).toEqual({});
  });
});

describe('a booking the hall cancelled because its item is no longer offered here', () => {
  it('is said as cancelled by the hall, with why and what to do, in Chinese and English; one the citizen cancelled stays 已取消', () => {
    const withdrawn = { state: 'cancelled' as const, withdrawn: true };
    expect(tr('zh-CN', appointmentStateKey(withdrawn))).toBe('已由大厅取消');
    expect(tr('en', appointmentStateKey(withdrawn))).toBe('Cancelled by the hall');
    expect(tr('zh-CN', appointmentStateKey({ state: 'cancelled' }))).toBe('已取消');
    expect(tr('zh-CN', appointmentStateKey({ state: 'booked' }))).toBe('已预约');
    expect(tr('zh-CN', 'appt.withdrawn')).toBe('很抱歉，本大厅已不再办理该事项，这个预约已由大厅取消，无法签到。您可以预约其他事项，或到大厅服务台咨询，工作人员将为您安排。');
    expect(tr('en', 'appt.withdrawn')).toContain('no longer offers this service, so the hall has cancelled this booking');
  });
});
