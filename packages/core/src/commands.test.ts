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

describe('free text typed by people, held to what screens, printers and workbooks can take', () => {
  const ESC = '\u001b';
  // Each command with the field under test set to `text`; the field's path for the refusal.
  const fields: [string, 'line' | 'note', (text: string) => CommandBody][] = [
    ['a complaint summary', 'note', (text) => ({ type: 'createComplaint', source: 'hotline-12345', summary: text })],
    ['a complaint complainant', 'line', (text) => ({ type: 'createComplaint', source: 'hotline-12345', summary: '态度生硬', complainant: text })],
    ['a complaint sourceRef', 'line', (text) => ({ type: 'createComplaint', source: 'hotline-12345', summary: '态度生硬', sourceRef: text })],
    ["a complaint's next step note", 'note', (text) => ({ type: 'advanceComplaint', complaintId: 'TS1', action: 'reply', channel: 'phone', note: text })],
    ["a case route's note", 'note', (text) => ({ type: 'routeCase', caseNumber: 'C1', toDepartment: '税务', note: text })],
    ['a delivery signed by', 'line', (text) => ({ type: 'recordDelivery', caseNumber: 'C1', action: 'hand-over', signedBy: text })],
    ['originals returned', 'note', (text) => ({ type: 'recordDelivery', caseNumber: 'C1', action: 'return-originals', signedBy: '张三', items: text })],
    ['a void reason', 'line', (text) => ({ type: 'voidTicket', ticketId: 'T1', reason: text })],
    ['a pause reason', 'line', (text) => ({ type: 'pauseWindow', window: 1, reason: text })],
    ['a transfer reason', 'line', (text) => ({ type: 'transferTicket', window: 1, toWindow: 2, reason: text })],
    ['a reason not to accept', 'note', (text) => ({ type: 'recordOutcome', window: 1, serviceCode: 'A', outcome: 'rejected', reason: text })],
    ['an applicant name', 'line', (text) => ({ type: 'recordOutcome', window: 1, serviceCode: 'A', outcome: 'accepted', applicant: { name: text } })],
    ['an amend reason', 'line', (text) => ({ type: 'amendOutcome', window: 1, caseNumber: 'C1', outcome: 'accepted', amendReason: text })],
    ["a follow-up step's note", 'note', (text) => ({ type: 'advanceFollowUp', followUpId: 'F1', step: 'verify', note: text })],
    ["a clerk's appeal", 'note', (text) => ({ type: 'appealFollowUp', followUpId: 'F1', reason: text })],
    ["a supervisor's decision", 'note', (text) => ({ type: 'decideFollowUpAppeal', followUpId: 'F1', upheld: true, note: text })],
    ["a temporary window's name", 'line', (text) => ({ type: 'openTemporaryWindow', window: 9, name: text, serves: ['A'] })],
    ['a holiday name', 'line', (text) => ({ type: 'setCalendarYear', year: 2027, holidays: { '2027-01-01': text }, workdays: {} })],
  ];

  it.each(fields)('refuses %s holding ESC, a bell or a C1 control, saying so', (_, kind, make) => {
    for (const bad of [`窗口${ESC}@打印`, '请\u0007回电', '3号\u0085窗口']) {
      const r = CommandSchema.safeParse({ id: 'c-00000001', ...make(bad) });
      expect(r.success, JSON.stringify(bad)).toBe(false);
      expect(r.error!.issues.map((i) => i.message)).toContain(kind === 'line' ? 'one line of text without control characters' : 'text without control characters (line breaks are kept)');
    }
    expect(CommandSchema.safeParse({ id: 'c-00000001', ...make('正常的文字') }).success).toBe(true);
  });

  it.each(fields)('keeps the line breaks of %s only where it is a note of several lines', (_, kind, make) => {
    expect(CommandSchema.safeParse({ id: 'c-00000001', ...make('第一行\r\n第二行\t备注') }).success).toBe(kind === 'note');
  });

  it("leaves a citizen's control characters out of a rating's words rather than refuse the rating", () => {
    const r = CommandSchema.parse({ id: 'c-00000001', type: 'rate', window: 1, level: 'very-satisfied', aspects: {}, reasons: ['态度\u0007好 '], text: ' 很好\u001b[2J\n谢谢 ', channel: 'window-pad' });
    expect(r).toMatchObject({ reasons: ['态度好'], text: '很好[2J\n谢谢' });
  });
});
