import { applyEvent, CatalogueSchema, dayChange, decide, emptyView, type Actor, type CommandBody, type HallView } from '@servicehall/core';
import { describe, expect, it } from 'vitest';
import demo from '../../../../fixtures/catalogue/demo-hall.json' with { type: 'json' };
import { deskOf, displayFaceOf, maskedId } from './desk';

const DAY = '2026-09-28';
const at = (time: string) => Date.parse(`${DAY}T${time}:00+08:00`);
const kiosk: Actor = { role: 'kiosk', terminal: 'kiosk-1' };
const win = (window: number): Actor => ({ role: 'window', terminal: `window-${window}`, window });
const extras = { devices: { printer: { kind: 'ok' as const }, display: { kind: 'absent' as const } } };

function must(view: HallView, command: CommandBody, actor: Actor, now: number) {
  const r = decide(view, command, { now, actor });
  if (!r.ok) throw new Error(`${command.type} refused: ${r.code}: ${r.message}`);
  for (const e of r.value.events) applyEvent(view, { ...e, seq: view.seq + 1, at: now });
  return r.value;
}

/** Windows 3 and 4 (出入境) open; three passport tickets and one priority, one 身份证 ticket for window 1. */
function hall(): HallView {
  const view = emptyView(CatalogueSchema.parse(demo), DAY);
  must(view, { type: 'openWindow', window: 3, clerk: '1005' }, win(3), at('08:30'));
  must(view, { type: 'openWindow', window: 4, clerk: '1006' }, win(4), at('08:30'));
  for (const code of ['CRJ-HZ-SL', 'CRJ-GA-SL', 'GA-SFZ-HL', 'CRJ-HZ-SL']) must(view, { type: 'issueTicket', serviceCode: code, lane: 'ordinary' }, kiosk, at('09:00'));
  must(view, { type: 'issueTicket', serviceCode: 'CRJ-GA-QZ', lane: 'priority', priorityReason: 'elderly' }, kiosk, at('09:01'));
  return view;
}

describe("the clerk's desk", () => {
  it('marks a number taken by phone, waiting and called alike', () => {
    const view = hall();
    const r = decide(view, { type: 'takeRemoteTicket', serviceCode: 'CRJ-HZ-SL' }, { now: at('09:02'), actor: { role: 'admin', terminal: 'phone' }, holder: { tickets: [], appointments: [] } });
    if (!r.ok) throw new Error(r.message);
    for (const e of r.value.events) applyEvent(view, { ...e, seq: view.seq + 1, at: at('09:02') });
    const remote = r.value.ticket!;
    const desk = deskOf(view, 3, at('09:05'), extras);
    expect(desk.queue.map((t) => [t.number, t.remote])).toEqual([
      ['B004', false],
      ['B001', false],
      ['B002', false],
      ['B003', false],
      [remote.number, true],
    ]);
    for (let i = 0; i < 5; i++) {
      must(view, { type: 'callNext', window: 3 }, win(3), at('09:10'));
      must(view, { type: 'startService', window: 3 }, win(3), at('09:11'));
      if (i < 4) must(view, { type: 'finishService', window: 3 }, win(3), at('09:12'));
    }
    expect(deskOf(view, 3, at('09:13'), extras).current).toMatchObject({ number: remote.number, remote: true });
  });

  it('says on the sign-in screen that the window was signed out by the hall day\'s end, until someone signs in', () => {
    const view = hall();
    must(view, { type: 'closeWindow', window: 4 }, win(4), at('16:00'));
    const morning = Date.parse('2026-09-29T08:10:00+08:00');
    for (const e of dayChange(view, morning)) applyEvent(view, { ...e, seq: view.seq + 1, at: morning });
    // Window 3's clerk went home without signing out: closed by the day at the hall's closing time; window 4 signed out itself.
    expect(deskOf(view, 3, morning, extras)).toMatchObject({ open: false, dayEndedAt: at('17:00') });
    expect(deskOf(view, 4, morning, extras).dayEndedAt).toBeUndefined();
    must(view, { type: 'openWindow', window: 3, clerk: '1005' }, win(3), morning);
    expect(deskOf(view, 3, morning, extras).dayEndedAt).toBeUndefined();
  });

  it('lists the waiting line in the order the window would call it, its own items only', () => {
    const desk = deskOf(hall(), 3, at('09:05'), extras);
    // A fresh window calls a waiting priority ticket first, then ordinary ones by arrival.
    expect(desk.queue.map((t) => t.number)).toEqual(['B004', 'B001', 'B002', 'B003']);
    expect(desk.waitingTotal).toBe(4);
    expect(desk.byItem.find((i) => i.code === 'CRJ-HZ-SL')?.waiting).toBe(2);
    expect(desk.queue.some((t) => t.serviceCode === 'GA-SFZ-HL')).toBe(false);
    expect(desk.clerk).toEqual({ number: '1005', name: '刘子豪' });
  });

  it('shows the call at another window: the ticket leaves this queue and the neighbour shows its number', () => {
    const view = hall();
    must(view, { type: 'callNext', window: 4 }, win(4), at('09:06'));
    const desk = deskOf(view, 3, at('09:06'), extras);
    expect(desk.queue.map((t) => t.number)).not.toContain('B004');
    expect(desk.neighbours.find((n) => n.number === 4)).toMatchObject({ open: true, ticket: 'B004' });
  });

  it('keeps the first-responsible clerk on a ticket transferred to another window (H-02)', () => {
    const view = hall();
    must(view, { type: 'callNext', window: 3 }, win(3), at('09:06'));
    must(view, { type: 'startService', window: 3 }, win(3), at('09:07'));
    must(view, { type: 'transferTicket', window: 3, toWindow: 4, reason: '需港澳签注窗口办理' }, win(3), at('09:10'));
    must(view, { type: 'callTicket', window: 4, ticketId: `${DAY}-B004` }, win(4), at('09:11'));
    const desk = deskOf(view, 4, at('09:11'), extras);
    expect(desk.current).toMatchObject({ number: 'B004', state: 'called', firstClerk: { number: '1005', name: '刘子豪' }, transferred: true });
    expect(desk.current?.transfers[0]?.reason).toBe('需港澳签注窗口办理');
  });

  it('tells which windows a ticket can be transferred to have nobody signed in, as the hall stands', () => {
    const view = hall();
    const open = (n: number) => deskOf(view, 3, at('09:05'), extras).targets.windows.find((w) => w.number === n)?.open;
    expect([open(4), open(5)]).toEqual([true, false]);
    must(view, { type: 'pauseWindow', window: 4, reason: '会议' }, win(4), at('09:06'));
    expect(open(4)).toBe(true);
    must(view, { type: 'resumeWindow', window: 4 }, win(4), at('09:07'));
    must(view, { type: 'closeWindow', window: 4 }, win(4), at('09:08'));
    expect(open(4)).toBe(false);
  });

  it("shows only this window's cases (H-19)", () => {
    const view = hall();
    for (const w of [3, 4]) {
      must(view, { type: 'callNext', window: w }, win(w), at('09:06'));
      must(view, { type: 'startService', window: w }, win(w), at('09:07'));
    }
    const current3 = view.tickets.get(view.current.get(3)!)!;
    must(view, { type: 'recordOutcome', window: 3, serviceCode: current3.serviceCode, outcome: 'consultation', applicant: { name: '张三丰', idNumber: '110101199003071234' } }, win(3), at('09:08'));
    const current4 = view.tickets.get(view.current.get(4)!)!;
    must(view, { type: 'recordOutcome', window: 4, serviceCode: current4.serviceCode, outcome: 'consultation' }, win(4), at('09:08'));
    const desk = deskOf(view, 3, at('09:09'), extras);
    expect(desk.cases).toHaveLength(1);
    expect(desk.cases[0]!.applicant).toEqual({ name: '张**', idNumber: '1101**********1234' });
  });

  it('masks an ID number that ever arrives whole', () => {
    expect(maskedId('110101199003071234')).toBe('1101**********1234');
    expect(maskedId('1101**********1234')).toBe('1101**********1234');
  });

  it('flags a second correction notice that names new material (H-03)', () => {
    const view = emptyView(CatalogueSchema.parse(demo), DAY);
    must(view, { type: 'openWindow', window: 7, clerk: '1011' }, win(7), at('08:30'));
    must(view, { type: 'issueTicket', serviceCode: 'SJ-QY-SL', lane: 'ordinary' }, kiosk, at('09:00'));
    must(view, { type: 'callNext', window: 7 }, win(7), at('09:01'));
    must(view, { type: 'startService', window: 7 }, win(7), at('09:02'));
    must(view, { type: 'recordOutcome', window: 7, serviceCode: 'SJ-QY-SL', outcome: 'correction', materials: ['m1'] }, win(7), at('09:03'));
    // The citizen comes back in a later visit; the clerk confirmed the added material with a reason.
    must(view, { type: 'finishService', window: 7 }, win(7), at('09:04'));
    must(view, { type: 'issueTicket', serviceCode: 'SJ-QY-SL', lane: 'ordinary' }, kiosk, at('10:00'));
    must(view, { type: 'callNext', window: 7 }, win(7), at('10:01'));
    must(view, { type: 'startService', window: 7 }, win(7), at('10:02'));
    must(view, { type: 'recordOutcome', window: 7, serviceCode: 'SJ-QY-SL', outcome: 'correction', caseNumber: 'SL202609280001', materials: ['m1', 'm3'], breachReason: '申请人变更了申请内容' }, win(7), at('10:04'));
    const desk = deskOf(view, 7, at('10:05'), extras);
    const c = desk.cases[0]!;
    expect(c.breach).toBe(true);
    expect(c.notices).toHaveLength(2);
    expect(c.notices[1]!.newMaterials).toHaveLength(1);
    expect(c.notices[1]!.newMaterials[0]).not.toBe('m3');
    expect(c.notices[1]!.breachReason).toBe('申请人变更了申请内容');
    expect(desk.visitCases.map((x) => [x.number, x.outcome])).toEqual([['SL202609280001', 'correction']]);
  });

  it('asks the rating of the pad after finishing, and shows the level once the citizen rated (H-13)', () => {
    const view = hall();
    must(view, { type: 'callNext', window: 3 }, win(3), at('09:06'));
    must(view, { type: 'startService', window: 3 }, win(3), at('09:07'));
    must(view, { type: 'finishService', window: 3 }, win(3), at('09:15'));
    expect(deskOf(view, 3, at('09:15'), extras).rating).toEqual({ ticketNumber: 'B004', state: 'waiting' });
    must(view, { type: 'rate', ticketId: `${DAY}-B004`, level: 'very-satisfied', aspects: {}, reasons: [], channel: 'window-pad' }, { role: 'rating-pad', terminal: 'pad-3', window: 3 }, at('09:16'));
    expect(deskOf(view, 3, at('09:16'), extras).rating).toMatchObject({ ticketNumber: 'B004', state: 'rated', level: 'very-satisfied' });
  });
});

describe("the window's number display", () => {
  it('follows the window: clear when closed, the call, the service, 暂停服务 while paused', () => {
    const view = hall();
    expect(displayFaceOf(view, 5)).toEqual({ kind: 'clear' });
    expect(displayFaceOf(view, 3)).toEqual({ kind: 'idle', window: 3 });
    must(view, { type: 'callNext', window: 3 }, win(3), at('09:06'));
    expect(displayFaceOf(view, 3)).toEqual({ kind: 'call', number: 'B004', window: 3 });
    must(view, { type: 'startService', window: 3 }, win(3), at('09:07'));
    expect(displayFaceOf(view, 3)).toEqual({ kind: 'serving', number: 'B004', window: 3 });
    must(view, { type: 'finishService', window: 3 }, win(3), at('09:08'));
    must(view, { type: 'pauseWindow', window: 3, reason: '会议' }, win(3), at('09:09'));
    expect(displayFaceOf(view, 3)).toEqual({ kind: 'paused', window: 3 });
  });

  it('keeps a call above the window when the clerk pauses before the citizen arrives, and says 暂停服务 once the call is answered or let go', () => {
    const view = hall();
    must(view, { type: 'callNext', window: 3 }, win(3), at('09:06'));
    must(view, { type: 'pauseWindow', window: 3, reason: '取材料' }, win(3), at('09:06'));
    // The citizen walking over reads their number, not 暂停服务 (which reads as their number missed).
    expect(displayFaceOf(view, 3)).toEqual({ kind: 'call', number: 'B004', window: 3 });
    must(view, { type: 'startService', window: 3 }, win(3), at('09:07'));
    expect(displayFaceOf(view, 3)).toEqual({ kind: 'paused', window: 3 });
  });
});
