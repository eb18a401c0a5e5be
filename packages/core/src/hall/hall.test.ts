import { describe, expect, it } from 'vitest';
import demo from '../../../../fixtures/catalogue/demo-hall.json' with { type: 'json' };
import { checkCatalogue, findItem, type Catalogue, type CatalogueInput } from '../catalogue';
import type { Actor, CommandBody } from '../commands';
import type { HallEvent } from '../events';
import {
  applyEvent,
  currentTicket,
  dayChange,
  decide,
  emptyView,
  fromSnapshot,
  heldTickets,
  itemWait,
  KIOSK_VOID_MINUTES,
  OutOfStep,
  toSnapshot,
  waitingTickets,
  windowQueue,
  type Decision,
  type HallView,
} from '.';
import type { Result } from '../result';
import type { Ticket } from '../ticket';

const DAY = '2026-11-27';
/** An instant in the hall's zone: at('09:05') or at('09:05:30', '2026-11-28'). */
const at = (time: string, day = DAY) => Date.parse(`${day}T${time.length === 5 ? `${time}:00` : time}+08:00`);

const kiosk: Actor = { role: 'kiosk', terminal: 'kiosk-1' };
const admin: Actor = { role: 'admin', terminal: 'admin-1' };
const win = (window: number): Actor => ({ role: 'window', terminal: `win-${window}`, window });

function catalogue(spoil?: (c: CatalogueInput) => void): Catalogue {
  const input = JSON.parse(JSON.stringify(demo)) as CatalogueInput;
  spoil?.(input);
  const r = checkCatalogue(input);
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r.catalogue;
}

/** Decides a command and, when it is accepted, folds its events in with the next sequence numbers. */
function run(view: HallView, command: CommandBody, actor: Actor, now: number): Result<Decision> {
  const r = decide(view, command, { now, actor });
  if (r.ok) for (const e of r.value.events) applyEvent(view, { ...e, seq: view.seq + 1, at: now });
  return r;
}

/** As run, for the steps of a story that must succeed; returns the ticket the command made or touched. */
function step(view: HallView, command: CommandBody, actor: Actor, now: number): Ticket | undefined {
  const r = run(view, command, actor, now);
  if (!r.ok) throw new Error(`${command.type} refused: ${r.code}: ${r.message}`);
  return r.value.ticket;
}

function issue(view: HallView, serviceCode: string, now: number, lane: 'ordinary' | 'priority' = 'ordinary'): Ticket {
  return step(view, { type: 'issueTicket', serviceCode, lane }, kiosk, now)!;
}

function open(view: HallView, window: number, clerk: string, now = at('08:20')): void {
  step(view, { type: 'openWindow', window, clerk }, win(window), now);
}

/** Calls the next ticket at a window, serves it and finishes it. */
function serve(view: HallView, window: number, from: number, minutes: number): Ticket {
  const t = step(view, { type: 'callNext', window }, win(window), from)!;
  step(view, { type: 'startService', window }, win(window), from + 30_000);
  step(view, { type: 'finishService', window }, win(window), from + 30_000 + minutes * 60_000);
  return view.tickets.get(t.id)!;
}

const refusal = (r: Result<unknown>) => (r.ok ? 'accepted' : r.code);

describe('a citizen’s visit, from the kiosk to the end of service', () => {
  it('issues, calls, recalls, serves and finishes a ticket', () => {
    const view = emptyView(catalogue(), DAY);
    open(view, 1, '1001');

    const issued = issue(view, 'GA-SFZ-HL', at('09:00'));
    expect(issued).toMatchObject({ id: '2026-11-27-A001', number: 'A001', day: DAY, state: 'issued', lane: 'ordinary', place: 1, issuedAt: at('09:00') });
    expect(view.tickets.get(issued.id)).toEqual(issued);
    // A ticket taken now waits for this one: one ahead, its typical service time.
    expect(itemWait(view, 'GA-SFZ-HL', at('09:00'))).toMatchObject({ waiting: 1, ahead: 1, minutes: findItem(view.catalogue, 'GA-SFZ-HL')!.typicalServiceMinutes, basis: 'typical', noWindowOpen: false });

    const called = step(view, { type: 'callNext', window: 1 }, win(1), at('09:05'))!;
    expect(called.id).toBe(issued.id);
    expect(view.tickets.get(issued.id)).toMatchObject({ state: 'called', window: 1, clerk: '1001', firstClerk: '1001', calledAt: at('09:05') });
    expect(currentTicket(view, 1)?.id).toBe(issued.id);
    expect(waitingTickets(view)).toEqual([]);

    const seq = view.seq;
    expect(refusal(run(view, { type: 'recall', window: 1 }, win(1), at('09:05:10')))).toBe('recall-cooldown');
    expect(view.seq).toBe(seq);
    step(view, { type: 'recall', window: 1 }, win(1), at('09:05:30'));
    expect(view.tickets.get(issued.id)).toMatchObject({ recalls: 1, lastCalledAt: at('09:05:30') });

    step(view, { type: 'startService', window: 1 }, win(1), at('09:06'));
    expect(view.tickets.get(issued.id)).toMatchObject({ state: 'serving', servingAt: at('09:06') });
    expect(refusal(run(view, { type: 'recall', window: 1 }, win(1), at('09:07')))).toBe('illegal-transition');

    step(view, { type: 'finishService', window: 1 }, win(1), at('09:16'));
    expect(view.tickets.get(issued.id)).toMatchObject({ state: 'done', finishedAt: at('09:16') });
    expect(view.serviceTimes.get('GA-SFZ-HL')).toEqual([10 * 60_000]);
    expect(currentTicket(view, 1)).toBeUndefined();
    expect(refusal(run(view, { type: 'callNext', window: 1 }, win(1), at('09:17')))).toBe('queue-empty');
    expect(refusal(run(view, { type: 'finishService', window: 1 }, win(1), at('09:17')))).toBe('not-found');
  });

  it('stops recalls at the cap of five', () => {
    const view = emptyView(catalogue(), DAY);
    open(view, 1, '1001');
    issue(view, 'GA-SFZ-HL', at('09:00'));
    step(view, { type: 'callNext', window: 1 }, win(1), at('09:01'));
    for (let i = 1; i <= 5; i++) step(view, { type: 'recall', window: 1 }, win(1), at('09:01') + i * 30_000);
    expect(refusal(run(view, { type: 'recall', window: 1 }, win(1), at('09:10')))).toBe('recall-limit');
    step(view, { type: 'markNoShow', window: 1 }, win(1), at('09:10'));
    expect([...view.tickets.values()][0]).toMatchObject({ state: 'no-show', recalls: 5 });
  });

  it('tells the expected wait from the hall’s own figures once three services are done (H-09)', () => {
    const view = emptyView(catalogue(), DAY);
    open(view, 1, '1001');
    open(view, 2, '1002');
    for (let i = 0; i < 5; i++) issue(view, 'GA-CS-DJ', at('09:00') + i * 1000);
    for (let i = 0; i < 3; i++) serve(view, 1, at('09:10') + i * 10 * 60_000, 6);
    // Both windows are free: each calls one of the two waiting, then a ticket taken now is next at window 1.
    expect(itemWait(view, 'GA-CS-DJ', at('09:45'))).toMatchObject({ waiting: 2, ahead: 2, minutes: 6, window: 1, basis: 'recent', noWindowOpen: false });
    step(view, { type: 'closeWindow', window: 1 }, win(1), at('10:00'));
    step(view, { type: 'pauseWindow', window: 2, reason: '接听电话' }, win(2), at('10:00'));
    expect(itemWait(view, 'GA-CS-DJ', at('10:00'))).toMatchObject({ waiting: 2, noWindowOpen: true, caveats: ['paused-window'] });
  });
});

describe('a window that cannot call', () => {
  it('refuses callNext at a window that is not open, or paused, with window-closed', () => {
    const view = emptyView(catalogue(), DAY);
    issue(view, 'GA-SFZ-HL', at('09:00'));
    expect(refusal(run(view, { type: 'callNext', window: 1 }, win(1), at('09:01')))).toBe('window-closed');
    open(view, 1, '1001');
    step(view, { type: 'pauseWindow', window: 1, reason: '离岗取材料' }, win(1), at('09:02'));
    expect(view.windows.get(1)).toMatchObject({ open: true, pausedSince: at('09:02'), pauseReason: '离岗取材料' });
    expect(refusal(run(view, { type: 'callNext', window: 1 }, win(1), at('09:03')))).toBe('window-closed');
    expect(refusal(run(view, { type: 'pauseWindow', window: 1, reason: '再次暂停' }, win(1), at('09:03')))).toBe('window-closed');
    step(view, { type: 'resumeWindow', window: 1 }, win(1), at('09:04'));
    expect(refusal(run(view, { type: 'resumeWindow', window: 1 }, win(1), at('09:04')))).toBe('illegal-transition');
    expect(step(view, { type: 'callNext', window: 1 }, win(1), at('09:05'))?.number).toBe('A001');
  });

  it('refuses callNext, and closing, while the window still has its current ticket (window-busy)', () => {
    const view = emptyView(catalogue(), DAY);
    open(view, 1, '1001');
    issue(view, 'GA-SFZ-HL', at('09:00'));
    issue(view, 'GA-SFZ-HL', at('09:01'));
    step(view, { type: 'callNext', window: 1 }, win(1), at('09:02'));
    expect(refusal(run(view, { type: 'callNext', window: 1 }, win(1), at('09:03')))).toBe('window-busy');
    step(view, { type: 'startService', window: 1 }, win(1), at('09:03'));
    expect(refusal(run(view, { type: 'callNext', window: 1 }, win(1), at('09:04')))).toBe('window-busy');
    expect(refusal(run(view, { type: 'closeWindow', window: 1 }, win(1), at('09:04')))).toBe('window-busy');
  });

  it('refuses to sign out a window that a ticket waits for alone, held there or transferred to it: nobody else would call it', () => {
    const view = emptyView(catalogue(), DAY);
    open(view, 1, '1001');
    open(view, 2, '1002');
    issue(view, 'GA-SFZ-HL', at('09:00'));
    issue(view, 'GA-SFZ-HL', at('09:01'));
    // A001 is held at window 1; A002 is sent from window 2 to window 1.
    step(view, { type: 'callNext', window: 1 }, win(1), at('09:02'));
    step(view, { type: 'holdTicket', window: 1 }, win(1), at('09:03'));
    step(view, { type: 'callNext', window: 2 }, win(2), at('09:04'));
    step(view, { type: 'transferTicket', window: 2, toWindow: 1, reason: '需1号窗口核验' }, win(2), at('09:05'));
    const closing = run(view, { type: 'closeWindow', window: 1 }, win(1), at('09:06'));
    expect(refusal(closing)).toBe('window-busy');
    expect(closing.ok ? '' : closing.message).toContain('A001, A002');
    // Called back and finished, sent to the item and finished: the window may close.
    step(view, { type: 'callTicket', window: 1, ticketId: `${DAY}-A001` }, win(1), at('09:07'));
    step(view, { type: 'startService', window: 1 }, win(1), at('09:07'));
    step(view, { type: 'finishService', window: 1 }, win(1), at('09:08'));
    step(view, { type: 'callNext', window: 1 }, win(1), at('09:09'));
    step(view, { type: 'transferTicket', window: 1, toService: 'GA-SFZ-HL', reason: '任一窗口办理' }, win(1), at('09:10'));
    expect(refusal(run(view, { type: 'closeWindow', window: 1 }, win(1), at('09:11')))).toBe('accepted');
  });

  it('refuses a window the hall does not have', () => {
    const view = emptyView(catalogue(), DAY);
    expect(refusal(run(view, { type: 'openWindow', window: 99 }, admin, at('08:00')))).toBe('not-found');
  });
});

describe('issuing tickets', () => {
  it.each([
    ['08:29', 'GA-SFZ-HL', 'outside-issuing-hours'],
    ['08:30', 'GA-SFZ-HL', 'accepted'],
    ['11:29', 'GA-SFZ-HL', 'accepted'],
    ['11:30', 'GA-SFZ-HL', 'outside-issuing-hours'],
    ['12:15', 'GA-SFZ-HL', 'outside-issuing-hours'],
    ['13:30', 'GA-SFZ-HL', 'accepted'],
    ['16:59', 'GA-SFZ-HL', 'accepted'],
    ['17:00', 'GA-SFZ-HL', 'outside-issuing-hours'],
    ['12:15', 'ZX-ZH-ZX', 'accepted'],
    ['07:00', 'ZX-ZH-ZX', 'outside-issuing-hours'],
  ])('at %s (Beijing time) a ticket for %s is %s', (time, code, outcome) => {
    const view = emptyView(catalogue(), DAY);
    expect(refusal(run(view, { type: 'issueTicket', serviceCode: code, lane: 'ordinary' }, kiosk, at(time)))).toBe(outcome);
  });

  it('refuses an item the hall does not have', () => {
    const view = emptyView(catalogue(), DAY);
    expect(refusal(run(view, { type: 'issueTicket', serviceCode: 'NO-SUCH', lane: 'ordinary' }, kiosk, at('09:00')))).toBe('not-found');
  });

  it('gives items sharing a prefix one sequence, and each prefix its own', () => {
    const view = emptyView(catalogue(), DAY);
    const numbers = ['GA-SFZ-HL', 'GA-HK-QR', 'CRJ-HZ-SL', 'GA-CS-DJ', 'CRJ-GA-QZ'].map((code, i) => issue(view, code, at('09:00') + i).number);
    expect(numbers).toEqual(['A001', 'A002', 'B001', 'A003', 'B002']);
    expect([...view.tickets.values()].map((t) => t.place)).toEqual([1, 2, 3, 4, 5]);
  });

  it('marks a priority ticket with its reason, 绿色通道', () => {
    const view = emptyView(catalogue(), DAY);
    const t = step(view, { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'priority', priorityReason: 'elderly' }, kiosk, at('09:00'))!;
    expect(t).toMatchObject({ lane: 'priority', priorityReason: 'elderly' });
    expect(issue(view, 'GA-SFZ-HL', at('09:01'), 'priority').priorityReason).toBe('other');
    expect(issue(view, 'GA-SFZ-HL', at('09:02')).priorityReason).toBeUndefined();
  });

  describe('against the daily quota', () => {
    const quotaOfTwo = () => emptyView(catalogue((c) => void (c.items.find((i) => i.code === 'GA-HK-QR')!.dailyQuota = 2)), DAY);

    it('refuses the ticket after the quota with daily-quota-reached, for that item only', () => {
      const view = quotaOfTwo();
      issue(view, 'GA-HK-QR', at('09:00'));
      issue(view, 'GA-HK-QR', at('09:01'));
      expect(refusal(run(view, { type: 'issueTicket', serviceCode: 'GA-HK-QR', lane: 'priority' }, kiosk, at('09:02')))).toBe('daily-quota-reached');
      expect(issue(view, 'GA-SFZ-HL', at('09:03')).number).toBe('A003');
    });

    it('gives back the place of a ticket voided because its print failed', () => {
      const view = quotaOfTwo();
      const first = issue(view, 'GA-HK-QR', at('09:00'));
      issue(view, 'GA-HK-QR', at('09:01'));
      step(view, { type: 'voidTicket', ticketId: first.id, reason: '打印失败' }, kiosk, at('09:01'));
      expect(view.tickets.get(first.id)?.state).toBe('voided');
      expect(issue(view, 'GA-HK-QR', at('09:02')).number).toBe('A003');
    });

    it('does not give back the place of a ticket transferred to another window or item', () => {
      const view = quotaOfTwo();
      open(view, 1, '1001');
      issue(view, 'GA-HK-QR', at('09:00'));
      issue(view, 'GA-HK-QR', at('09:01'));
      step(view, { type: 'callNext', window: 1 }, win(1), at('09:02'));
      step(view, { type: 'transferTicket', window: 1, toWindow: 2, reason: '2号窗口办理' }, win(1), at('09:03'));
      expect(refusal(run(view, { type: 'issueTicket', serviceCode: 'GA-HK-QR', lane: 'ordinary' }, kiosk, at('09:04')))).toBe('daily-quota-reached');
      step(view, { type: 'callNext', window: 1 }, win(1), at('09:05'));
      step(view, { type: 'transferTicket', window: 1, toService: 'GA-CS-DJ', reason: '实为出生登记' }, win(1), at('09:06'));
      expect(refusal(run(view, { type: 'issueTicket', serviceCode: 'GA-HK-QR', lane: 'ordinary' }, kiosk, at('09:07')))).toBe('daily-quota-reached');
    });
  });

  it('voids only a ticket nobody holds yet', () => {
    const view = emptyView(catalogue(), DAY);
    open(view, 1, '1001');
    const t = issue(view, 'GA-SFZ-HL', at('09:00'));
    serve(view, 1, at('09:01'), 5);
    expect(refusal(run(view, { type: 'voidTicket', ticketId: t.id, reason: '打印失败' }, kiosk, at('09:10')))).toBe('illegal-transition');
    expect(refusal(run(view, { type: 'voidTicket', ticketId: 'no-such', reason: '打印失败' }, kiosk, at('09:10')))).toBe('not-found');
  });

  it('lets a kiosk void only a ticket it issued itself, within minutes of issuing it', () => {
    const view = emptyView(catalogue(), DAY);
    const other = { role: 'kiosk', terminal: 'kiosk-2' } as const;
    const mine = issue(view, 'GA-SFZ-HL', at('09:00'));
    expect(mine.issuedBy).toBe(kiosk.terminal);
    const theirs = step(view, { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, other, at('09:00'))!;
    const late = issue(view, 'GA-SFZ-HL', at('09:00'));
    // Another kiosk's ticket: refused, and nothing changes.
    const seq = view.seq;
    expect(refusal(run(view, { type: 'voidTicket', ticketId: theirs.id, reason: '打印失败' }, kiosk, at('09:01')))).toBe('forbidden');
    expect(view.seq).toBe(seq);
    step(view, { type: 'voidTicket', ticketId: mine.id, reason: '打印失败' }, kiosk, at('09:01'));
    expect(view.tickets.get(mine.id)?.state).toBe('voided');
    // Past the minutes of the print, even its own is for a supervisor.
    expect(refusal(run(view, { type: 'voidTicket', ticketId: late.id, reason: '打印失败' }, kiosk, at('09:00') + KIOSK_VOID_MINUTES * 60_000 + 1))).toBe('forbidden');
    step(view, { type: 'voidTicket', ticketId: late.id, reason: '群众离开' }, { role: 'admin', terminal: 'supervisor' }, at('10:00'));
    expect(view.tickets.get(late.id)?.state).toBe('voided');
  });
});

describe('the order of calls at a window', () => {
  it('calls a waiting priority ticket first at a fresh window, then three ordinary ones before the next priority one', () => {
    const view = emptyView(catalogue(), DAY);
    open(view, 1, '1001');
    const lanes = ['ordinary', 'ordinary', 'ordinary', 'ordinary', 'priority', 'priority', 'ordinary'] as const;
    lanes.forEach((lane, i) => issue(view, 'GA-SFZ-HL', at('09:00') + i * 1000, lane));
    const shown = windowQueue(view, 1, at('09:10')).map((t) => t.number);
    expect(shown).toEqual(['A005', 'A001', 'A002', 'A003', 'A006', 'A004', 'A007']);
    const called = shown.map((_, i) => serve(view, 1, at('09:10') + i * 5 * 60_000, 2).number);
    expect(called).toEqual(shown);
  });

  it('serves a checked-in appointment first once its slot opens, 15 minutes early (N-06)', () => {
    const view = emptyView(catalogue(), DAY);
    open(view, 1, '1001');
    step(view, { type: 'bookAppointment', code: 'YY0001', serviceCode: 'GA-SFZ-HL', slotStart: at('10:00'), slotEnd: at('10:30') }, admin, at('08:00'));
    expect(view.appointments.get('YY0001')).toMatchObject({ day: DAY, serviceCode: 'GA-SFZ-HL' });
    issue(view, 'GA-SFZ-HL', at('09:00'));
    issue(view, 'GA-SFZ-HL', at('09:01'));

    const booked = step(view, { type: 'checkInAppointment', code: 'YY0001' }, kiosk, at('09:30'))!;
    expect(booked).toMatchObject({ number: 'A003', lane: 'appointment', place: 3, appointment: { code: 'YY0001', slotStart: at('10:00'), slotEnd: at('10:30') } });
    expect(view.appointments.get('YY0001')?.ticketId).toBe(booked.id);
    expect(refusal(run(view, { type: 'checkInAppointment', code: 'YY0001' }, kiosk, at('09:31')))).toBe('appointment-used');

    expect(serve(view, 1, at('09:40'), 4).number).toBe('A001');
    expect(serve(view, 1, at('09:46'), 4).number).toBe('A003');
    expect(serve(view, 1, at('09:52'), 4).number).toBe('A002');
  });

  it('refuses an unknown appointment, one for another day, a taken code and a slot that ends before it starts', () => {
    const view = emptyView(catalogue(), DAY);
    const tomorrow = '2026-11-28';
    step(view, { type: 'bookAppointment', code: 'YY0002', serviceCode: 'GA-SFZ-HL', slotStart: at('10:00', tomorrow), slotEnd: at('10:30', tomorrow) }, admin, at('08:00'));
    expect(refusal(run(view, { type: 'checkInAppointment', code: 'YY9999' }, kiosk, at('09:00')))).toBe('appointment-unknown');
    expect(refusal(run(view, { type: 'checkInAppointment', code: 'YY0002' }, kiosk, at('09:00')))).toBe('appointment-wrong-day');
    expect(
      refusal(run(view, { type: 'bookAppointment', code: 'YY0002', serviceCode: 'GA-SFZ-HL', slotStart: at('11:00'), slotEnd: at('11:30') }, admin, at('08:00'))),
    ).toBe('conflict');
    expect(
      refusal(run(view, { type: 'bookAppointment', code: 'YY0003', serviceCode: 'GA-SFZ-HL', slotStart: at('11:00'), slotEnd: at('11:00') }, admin, at('08:00'))),
    ).toBe('bad-request');
  });

  it('calls a ticket out of turn only with a reason, and only at a window that serves it', () => {
    const view = emptyView(catalogue(), DAY);
    open(view, 1, '1001');
    open(view, 3, '1004');
    issue(view, 'GA-SFZ-HL', at('09:00'));
    const second = issue(view, 'GA-SFZ-HL', at('09:01'));
    expect(refusal(run(view, { type: 'callTicket', window: 1, ticketId: second.id }, win(1), at('09:02')))).toBe('bad-request');
    expect(refusal(run(view, { type: 'callTicket', window: 3, ticketId: second.id, reason: '急事' }, win(3), at('09:02')))).toBe('not-served-here');
    const r = run(view, { type: 'callTicket', window: 1, ticketId: second.id, reason: '行动不便' }, win(1), at('09:02'));
    // The clerk is the window's: the event need not name it.
    expect(r.ok && r.value.events).toEqual([{ type: 'ticket.called', id: second.id, window: 1, outOfOrderReason: '行动不便' }]);
    expect(view.tickets.get(second.id)).toMatchObject({ state: 'called', clerk: '1001', firstClerk: '1001' });
  });
});

describe('holding and calling back (挂起, 回呼)', () => {
  it('sets a ticket aside, serves the next one, then calls the held one back at the same window only', () => {
    const view = emptyView(catalogue(), DAY);
    open(view, 1, '1001');
    open(view, 2, '1002');
    const first = issue(view, 'GA-SFZ-HL', at('09:00'));
    issue(view, 'GA-SFZ-HL', at('09:01'));
    step(view, { type: 'callNext', window: 1 }, win(1), at('09:02'));
    step(view, { type: 'startService', window: 1 }, win(1), at('09:03'));
    step(view, { type: 'holdTicket', window: 1 }, win(1), at('09:04'));
    expect(currentTicket(view, 1)).toBeUndefined();
    expect(heldTickets(view, 1).map((t) => t.id)).toEqual([first.id]);
    expect(waitingTickets(view).map((t) => t.number)).toEqual(['A002']);

    expect(serve(view, 1, at('09:05'), 5).number).toBe('A002');
    expect(refusal(run(view, { type: 'callTicket', window: 2, ticketId: first.id }, win(2), at('09:20')))).toBe('not-served-here');
    const back = step(view, { type: 'callTicket', window: 1, ticketId: first.id }, win(1), at('09:20'))!;
    expect(back).toMatchObject({ state: 'called', window: 1, firstClerk: '1001', calledAt: at('09:02'), lastCalledAt: at('09:20') });
    expect(heldTickets(view, 1)).toEqual([]);
  });
});

describe('transferring a citizen (首问负责, H-02)', () => {
  function hall() {
    const view = emptyView(catalogue(), DAY);
    open(view, 13, '1006');
    open(view, 6, '1008');
    open(view, 5, '1007');
    const c001 = issue(view, 'RS-SBK-SL', at('09:00'));
    const d001 = issue(view, 'YB-GX-ZY', at('09:01'));
    step(view, { type: 'callNext', window: 13 }, win(13), at('09:05'));
    step(view, { type: 'startService', window: 13 }, win(13), at('09:06'));
    return { view, c001, d001 };
  }

  it('sends the ticket to a window serving another item, keeping its place and its first-responsible clerk', () => {
    const { view, c001, d001 } = hall();
    const moved = step(view, { type: 'transferTicket', window: 13, toService: 'YB-GX-ZY', toWindow: 6, reason: '需办理医保关系转移' }, win(13), at('09:10'))!;
    expect(moved).toMatchObject({ id: c001.id, state: 'issued', serviceCode: 'YB-GX-ZY', targetWindow: 6, place: 1, firstClerk: '1006' });
    expect(view.tickets.get(c001.id)?.transfers).toEqual([
      { at: at('09:10'), fromService: 'RS-SBK-SL', toService: 'YB-GX-ZY', fromWindow: 13, toWindow: 6, reason: '需办理医保关系转移', by: 'win-13' },
    ]);
    expect(currentTicket(view, 13)).toBeUndefined();

    // Window 13 serves 医保 too, but the transfer named window 6.
    expect(step(view, { type: 'callNext', window: 13 }, win(13), at('09:11'))?.id).toBe(d001.id);
    const there = step(view, { type: 'callNext', window: 6 }, win(6), at('09:12'))!;
    expect(there.id).toBe(c001.id);
    expect(view.tickets.get(c001.id)).toMatchObject({ state: 'called', window: 6, clerk: '1008', firstClerk: '1006' });
    expect(view.tickets.get(c001.id)?.targetWindow).toBeUndefined();
  });

  it('still calls a ticket sent to a window after that window stops serving its item today', () => {
    const { view, c001 } = hall();
    step(view, { type: 'transferTicket', window: 13, toService: 'YB-GX-ZY', toWindow: 6, reason: '需办理医保关系转移' }, win(13), at('09:10'));
    const supervisor: Actor = { role: 'admin', terminal: 'console', staff: { id: 's1', name: '张主任', role: 'supervisor' } };
    const others = view.catalogue.windows.find((w) => w.number === 6)!.serves.filter((code) => code !== 'YB-GX-ZY');
    step(view, { type: 'assignWindowItems', window: 6, serves: others.length > 0 ? others : ['RS-SBK-SL'] }, supervisor, at('09:11'));
    // The transfer named window 6: its queue and its next call still hold the ticket (the index of tickets sent to a window).
    expect(windowQueue(view, 6, at('09:12')).map((t) => t.id)).toEqual([c001.id]);
    expect(step(view, { type: 'callNext', window: 6 }, win(6), at('09:12'))?.id).toBe(c001.id);
    expect(view.waitingAt.size).toBe(0);
  });

  it('puts a ticket transferred to an item only, ahead of later arrivals, at any window serving it', () => {
    const { view, c001 } = hall();
    step(view, { type: 'holdTicket', window: 13 }, win(13), at('09:07'));
    step(view, { type: 'transferTicket', window: 13, ticketId: c001.id, toService: 'YB-GX-ZY', reason: '转医保' }, win(13), at('09:08'));
    expect(windowQueue(view, 6, at('09:09')).map((t) => t.number)).toEqual(['C001', 'D001']);
  });

  it.each<[string, Partial<Extract<CommandBody, { type: 'transferTicket' }>>, string]>([
    ['a window that does not serve the item', { toService: 'YB-GX-ZY', toWindow: 5 }, 'not-served-here'],
    ['neither an item nor a window', {}, 'bad-request'],
    ['an item the hall does not have', { toService: 'NO-SUCH' }, 'not-found'],
    ['a window the hall does not have', { toWindow: 99 }, 'not-found'],
  ])('refuses a transfer to %s', (_what, to, code) => {
    const { view } = hall();
    expect(refusal(run(view, { type: 'transferTicket', window: 13, reason: '转办', ...to }, win(13), at('09:10')))).toBe(code);
  });

  it('takes a transfer to a window nobody is signed in at yet (the terminal warns the clerk): its ticket waits there until that window calls it', () => {
    const { view } = hall();
    // Window 6 serves the item and its clerk has signed out meanwhile (back after lunch, or at 08:30 before the hall opens).
    step(view, { type: 'closeWindow', window: 6 }, win(6), at('09:09'));
    expect(refusal(run(view, { type: 'transferTicket', window: 13, toService: 'YB-GX-ZY', toWindow: 6, reason: '转医保' }, win(13), at('09:10')))).toBe('accepted');
  });

  it('refuses to transfer a ticket that is at another window', () => {
    const { view, d001 } = hall();
    expect(refusal(run(view, { type: 'transferTicket', window: 5, ticketId: d001.id, toService: 'RS-SBK-SL', reason: '转办' }, win(5), at('09:10')))).toBe(
      'not-served-here',
    );
  });
});

describe('a new hall day', () => {
  it('clears the tickets, restarts numbering and forgets past appointments, keeping future ones', () => {
    const view = emptyView(catalogue(), DAY);
    open(view, 1, '1001');
    issue(view, 'GA-SFZ-HL', at('09:00'));
    issue(view, 'GA-SFZ-HL', at('09:01'), 'priority');
    serve(view, 1, at('09:02'), 3);
    step(view, { type: 'bookAppointment', code: 'OLD', serviceCode: 'GA-SFZ-HL', slotStart: at('15:00'), slotEnd: at('15:30') }, admin, at('09:00'));
    step(view, { type: 'bookAppointment', code: 'NEXT', serviceCode: 'GA-SFZ-HL', slotStart: at('15:00', '2026-11-30'), slotEnd: at('15:30', '2026-11-30') }, admin, at('09:00'));

    expect(dayChange(view, at('23:59'))).toEqual([]);
    const monday = at('08:40', '2026-11-30');
    const events = dayChange(view, monday);
    // The ticket still waiting and the window still open end with their day, at its closing time, before the new one opens.
    const closing = at('17:00');
    expect(events).toEqual([
      { type: 'ticket.dayEnded', id: expect.any(String), happenedAt: closing },
      { type: 'window.closed', window: 1, dayEnded: true, happenedAt: closing },
      { type: 'day.opened', day: '2026-11-30' },
    ]);
    for (const e of events) applyEvent(view, { ...e, seq: view.seq + 1, at: monday });

    expect(view.day).toBe('2026-11-30');
    expect(view.tickets.size).toBe(0);
    expect([...view.appointments.keys()]).toEqual(['NEXT']);
    expect(view.windows.get(1)).toMatchObject({ open: false, clerk: undefined, memory: { ordinarySincePriority: 3 } });
    expect(issue(view, 'GA-SFZ-HL', at('09:00', '2026-11-30'))).toMatchObject({ number: 'A001', place: 1, day: '2026-11-30' });
    expect(step(view, { type: 'checkInAppointment', code: 'NEXT' }, kiosk, at('09:00', '2026-11-30'))?.number).toBe('A002');
  });
});

describe('the windows at the end of a hall day', () => {
  it('closes a pause left open at the closing time, or where it began when that was later', () => {
    const view = emptyView(catalogue(), DAY);
    open(view, 1, '1001');
    open(view, 13, '1006');
    open(view, 6, '1008');
    step(view, { type: 'pauseWindow', window: 1, reason: '业务咨询' }, win(1), at('16:30'));
    step(view, { type: 'pauseWindow', window: 13, reason: '业务咨询' }, win(13), at('17:40'));
    step(view, { type: 'closeWindow', window: 6 }, win(6), at('16:00'));
    expect(dayChange(view, at('08:00', '2026-11-28')).filter((e) => e.type === 'window.closed')).toEqual([
      { type: 'window.closed', window: 1, dayEnded: true, happenedAt: at('17:00') },
      { type: 'window.closed', window: 13, dayEnded: true, happenedAt: at('17:40') },
    ]);
  });

  it('closes a window open before the hall’s first day without a closing time, and does not throw', () => {
    const view = emptyView(catalogue(), '');
    applyEvent(view, { type: 'window.opened', window: 1, clerk: '1001', seq: 1, at: at('08:00') });
    expect(dayChange(view, at('08:01'))).toEqual([{ type: 'window.closed', window: 1, dayEnded: true }, { type: 'day.opened', day: DAY }]);
  });
});

describe('the event log', () => {
  function busyView(): HallView {
    const view = emptyView(catalogue(), DAY);
    open(view, 1, '1001');
    open(view, 13, '1006');
    open(view, 6, '1008');
    step(view, { type: 'bookAppointment', code: 'YY0001', serviceCode: 'GA-SFZ-HL', slotStart: at('10:00'), slotEnd: at('10:30') }, admin, at('08:00'));
    for (let i = 0; i < 4; i++) issue(view, 'GA-SFZ-HL', at('09:00') + i * 1000, i === 2 ? 'priority' : 'ordinary');
    issue(view, 'RS-SBK-SL', at('09:05'));
    step(view, { type: 'checkInAppointment', code: 'YY0001' }, kiosk, at('09:30'));
    serve(view, 1, at('09:31'), 7);
    // A second service at window 1 with its outcome: a case, and the window's latest finished service.
    step(view, { type: 'callNext', window: 1 }, win(1), at('09:39'));
    step(view, { type: 'startService', window: 1 }, win(1), at('09:39:30'));
    step(view, { type: 'recordOutcome', window: 1, serviceCode: 'GA-SFZ-HL', outcome: 'consultation' }, win(1), at('09:39:40'));
    step(view, { type: 'finishService', window: 1 }, win(1), at('09:39:50'));
    step(view, { type: 'callNext', window: 13 }, win(13), at('09:40'));
    step(view, { type: 'transferTicket', window: 13, toService: 'YB-GX-ZY', toWindow: 6, reason: '转医保' }, win(13), at('09:41'));
    step(view, { type: 'pauseWindow', window: 13, reason: '接听电话' }, win(13), at('09:42'));
    step(view, { type: 'callNext', window: 1 }, win(1), at('09:50'));
    return view;
  }

  it.each([
    ['repeats the last sequence number', 0],
    ['skips a sequence number', 2],
  ])('throws OutOfStep when an event %s, and leaves the view alone', (_what, ahead) => {
    const view = busyView();
    const before = toSnapshot(structuredClone(view));
    const event: HallEvent = { type: 'window.closed', window: 6, seq: view.seq + ahead, at: at('10:00') };
    expect(() => applyEvent(view, event)).toThrow(OutOfStep);
    expect(toSnapshot(view)).toEqual(before);
  });

  it('throws OutOfStep for an event that does not fit the view', () => {
    const view = busyView();
    expect(() => applyEvent(view, { type: 'ticket.started', id: 'no-such', window: 1, seq: view.seq + 1, at: at('10:00') })).toThrow(OutOfStep);
    const waiting = waitingTickets(view)[0]!;
    expect(() => applyEvent(view, { type: 'ticket.finished', id: waiting.id, window: 1, seq: view.seq + 1, at: at('10:00') })).toThrow(OutOfStep);
    const issued = { ...waiting };
    expect(() => applyEvent(view, { type: 'ticket.issued', ticket: issued, seq: view.seq + 1, at: at('10:00') })).toThrow(OutOfStep);
  });

  it('gives back an equal view from a snapshot sent over the wire', () => {
    const view = busyView();
    // Every index has something in it to rebuild: a ticket sent to a window, a finished service, a case.
    expect([view.waitingAt.size, view.lastFinished.size, view.casesOfTicket.size, view.held.size]).toEqual([1, 1, 1, 0]);
    const wire = JSON.parse(JSON.stringify(toSnapshot(view)));
    const copy = fromSnapshot(wire);
    expect(copy).toEqual(view);
    const next: HallEvent = { type: 'ticket.started', id: currentTicket(view, 1)!.id, window: 1, seq: view.seq + 1, at: at('09:51') };
    applyEvent(view, next);
    applyEvent(copy, next);
    expect(copy).toEqual(view);
  });

  it('keeps a snapshot as it was taken while the view moves on, and keeps two views from one snapshot apart', () => {
    const view = busyView();
    const snapshot = toSnapshot(view);
    const taken = structuredClone(snapshot);
    serve(view, 6, at('10:00'), 5);
    step(view, { type: 'closeWindow', window: 6 }, win(6), at('10:10'));
    expect(snapshot).toEqual(taken);

    const a = fromSnapshot(snapshot);
    const b = fromSnapshot(snapshot);
    serve(a, 6, at('10:00'), 5);
    expect(snapshot).toEqual(taken);
    expect(b).toEqual(fromSnapshot(taken));
  });
});
