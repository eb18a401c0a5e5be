import { describe, expect, it } from 'vitest';
import { CommandSchema, credentialDaysProblem, mayCommand, type Actor, type CommandBody } from './commands';

const kiosk: Actor = { role: 'kiosk', terminal: 'kiosk-1' };
const window3: Actor = { role: 'window', terminal: 'win-3', window: 3 };
const pad3: Actor = { role: 'rating-pad', terminal: 'pad-3', window: 3 };
const display: Actor = { role: 'display', terminal: 'hall-screen' };
const admin: Actor = { role: 'admin', terminal: 'admin' };

const issue: CommandBody = { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' };
const checkIn: CommandBody = { type: 'checkInAppointment', code: 'YY0001' };
const voidIt: CommandBody = { type: 'voidTicket', ticketId: '2026-11-27-A001', reason: '打印失败' };
const book: CommandBody = { type: 'bookAppointment', code: 'YY0001', serviceCode: 'GA-SFZ-HL', slotStart: 0, slotEnd: 1 };
const callAt = (window: number): CommandBody => ({ type: 'callNext', window });
const finishAt = (window: number): CommandBody => ({ type: 'finishService', window });
const openAt = (window: number): CommandBody => ({ type: 'openWindow', window, clerk: '1004' });

describe('who may send what', () => {
  it.each<[string, Actor, CommandBody, boolean]>([
    ['a kiosk issues a ticket', kiosk, issue, true],
    ['a kiosk checks in an appointment', kiosk, checkIn, true],
    ['a kiosk voids a ticket whose print failed', kiosk, voidIt, true],
    ['a kiosk calls the next ticket', kiosk, callAt(3), false],
    ['a kiosk books an appointment', kiosk, book, false],
    ['a window calls at itself', window3, callAt(3), true],
    ['a window finishes at itself', window3, finishAt(3), true],
    ['a window opens itself without a PIN', window3, openAt(3), false],
    ['a window signs a clerk in at itself', window3, { type: 'signIn', window: 3, clerk: '1004', pin: '1234' }, true],
    ['a window signs a clerk in at another window', window3, { type: 'signIn', window: 4, clerk: '1004', pin: '1234' }, false],
    ['an admin opens a window for a clerk', admin, openAt(4), true],
    ['a window calls at another window', window3, callAt(4), false],
    ['a window finishes at another window', window3, finishAt(4), false],
    ['a window opens another window', window3, openAt(4), false],
    ['a window issues a ticket', window3, issue, false],
    ['a rating pad issues a ticket', pad3, issue, false],
    ['a rating pad calls at its window', pad3, callAt(3), false],
    ['a display issues a ticket', display, issue, false],
    ['a display calls', display, callAt(3), false],
    ['an admin books an appointment', admin, book, true],
    ['an admin calls at any window', admin, callAt(9), true],
  ])('%s: %s', (_what, actor, command, allowed) => {
    expect(mayCommand(actor, command)).toBe(allowed);
  });
});

describe('the command schema', () => {
  it('defaults an issued ticket to the ordinary lane and refuses an appointment lane from the kiosk', () => {
    const parsed = CommandSchema.safeParse({ id: 'cmd-00000001', type: 'issueTicket', serviceCode: 'GA-SFZ-HL' });
    expect(parsed.success && parsed.data).toMatchObject({ lane: 'ordinary' });
    expect(CommandSchema.safeParse({ id: 'cmd-00000002', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'appointment' }).success).toBe(false);
  });

  it('wants a reason, not blanks, for a pause', () => {
    expect(CommandSchema.safeParse({ id: 'cmd-00000003', type: 'pauseWindow', window: 1, reason: '   ' }).success).toBe(false);
    expect(CommandSchema.safeParse({ id: 'cmd-00000004', type: 'pauseWindow', window: 1, reason: '接听电话' }).success).toBe(true);
  });
});

describe("a terminal credential's validity", () => {
  it.each([
    [365, undefined],
    [1, undefined],
    [1825, undefined],
    [0, 'out-of-range'],
    [1826, 'out-of-range'],
    [-5, 'out-of-range'],
    [30.5, 'not-whole'],
    ['365', 'not-whole'],
    [null, 'not-whole'],
    [Number.NaN, 'not-whole'],
  ])('%s days: %s', (days, problem) => {
    expect(credentialDaysProblem(days)).toBe(problem);
  });
});
