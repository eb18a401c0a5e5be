import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import demo from '../../../../fixtures/catalogue/demo-hall.json' with { type: 'json' };
import { CatalogueSchema, findItem, type Catalogue } from '../catalogue';
import type { Actor, CommandBody } from '../commands';
import type { EventBody } from '../events';
import { servesTicket } from '../queue';
import type { Ticket } from '../ticket';
import { serviceMinutes } from '../wait';
import { applyEvent, currentTicket, decide, emptyView, fromSnapshot, isWindowReady, itemWait, oldestWaiting, ticketWait, ticketWaits, toSnapshot, waitingTickets, WaitBoard, type HallView } from '.';

const DAY = '2026-11-27';
const at = (time: string) => Date.parse(`${DAY}T${time}:00+08:00`);
const MINUTE = 60_000;
const kiosk: Actor = { role: 'kiosk', terminal: 'kiosk-1' };
const admin: Actor = { role: 'admin', terminal: 'admin-1' };
const win = (window: number): Actor => ({ role: 'window', terminal: `window-${window}`, window });

function catalogue(ordinaryPerPriority = 3): Catalogue {
  const c = CatalogueSchema.parse(structuredClone(demo));
  for (const item of c.items) item.issuingHours = [{ from: '00:00', to: '24:00' }];
  c.queue = { ...c.queue, ordinaryPerPriority };
  return c;
}

function run(view: HallView, command: CommandBody, actor: Actor, now: number) {
  const r = decide(view, command, { now, actor });
  if (r.ok) for (const e of r.value.events) applyEvent(view, { ...e, seq: view.seq + 1, at: now });
  return r;
}

function step(view: HallView, command: CommandBody, actor: Actor, now: number): Ticket | undefined {
  const r = run(view, command, actor, now);
  if (!r.ok) throw new Error(`${command.type} refused: ${r.code}: ${r.message}`);
  return r.value.ticket;
}

const issue = (view: HallView, serviceCode: string, now: number, lane: 'ordinary' | 'priority' = 'ordinary') => step(view, { type: 'issueTicket', serviceCode, lane }, kiosk, now)!;
const open = (view: HallView, window: number, clerk: string) => step(view, { type: 'openWindow', window, clerk }, admin, at('08:20'));

describe('the wait told to a citizen comes from the queue policy itself (H-09)', () => {
  it('counts the people the window will call first, whatever their item: never "0 ahead, 0 minutes" behind two others', () => {
    const view = emptyView(catalogue(), DAY);
    open(view, 1, '1001');
    issue(view, 'GA-HK-QR', at('09:00'));
    issue(view, 'GA-CS-DJ', at('09:01'));
    const mine = issue(view, 'GA-SFZ-HL', at('09:02'));
    // 户口迁入 (15 min) and 出生登记 (12 min) go first at window 1, the only one open.
    expect(ticketWait(view, mine, at('09:03'))).toMatchObject({ ahead: 2, minutes: 27, window: 1, waiting: 1, basis: 'typical', noWindowOpen: false });
    expect(ticketWait(view, mine, at('09:03')).range).toEqual({ low: 16, high: 41 });
  });

  it('puts a priority ticket first at a window that has not called one yet, and after three ordinary ones at a window that just did', () => {
    const view = emptyView(catalogue(3), DAY);
    open(view, 1, '1001');
    for (let i = 0; i < 5; i++) issue(view, 'GA-SFZ-HL', at('09:00') + i * 1000);
    const green = issue(view, 'GA-SFZ-HL', at('09:01'), 'priority');
    expect(ticketWait(view, green, at('09:02'))).toMatchObject({ ahead: 0, minutes: 0 });
    step(view, { type: 'callNext', window: 1 }, win(1), at('09:02'));
    const again = issue(view, 'GA-SFZ-HL', at('09:03'), 'priority');
    // Window 1 is busy with the first priority ticket: three ordinary ones come before the next.
    expect(ticketWait(view, again, at('09:03'))).toMatchObject({ ahead: 3, window: 1, minutes: 32 });
  });

  it('puts an appointment in its slot first, and says that one outside it may still go ahead', () => {
    const view = emptyView(catalogue(), DAY);
    open(view, 1, '1001');
    step(view, { type: 'bookAppointment', code: 'YY1', serviceCode: 'GA-SFZ-HL', slotStart: at('09:00'), slotEnd: at('09:30') }, admin, at('08:00'));
    step(view, { type: 'bookAppointment', code: 'YY2', serviceCode: 'GA-SFZ-HL', slotStart: at('11:00'), slotEnd: at('11:30') }, admin, at('08:00'));
    const ordinary = issue(view, 'GA-SFZ-HL', at('09:01'));
    step(view, { type: 'checkInAppointment', code: 'YY1' }, kiosk, at('09:02'));
    expect(ticketWait(view, ordinary, at('09:03'))).toMatchObject({ ahead: 1, caveats: ['appointments'] });
  });

  it('knows a ticket sent to one window waits for that window only, and shares the others among two windows', () => {
    const view = emptyView(catalogue(), DAY);
    open(view, 1, '1001');
    open(view, 2, '1002');
    const tickets = [0, 1, 2, 3].map((i) => issue(view, 'GA-SFZ-HL', at('09:00') + i * 1000));
    // Two windows share the line: the fourth citizen has three before them, two windows' turns away.
    expect(ticketWait(view, tickets[3]!, at('09:01'))).toMatchObject({ ahead: 3, minutes: 8 });
    step(view, { type: 'callNext', window: 2 }, win(2), at('09:01'));
    step(view, { type: 'transferTicket', window: 2, toWindow: 1, reason: '需户籍窗口核验' }, win(2), at('09:02'));
    const sent = view.tickets.get(tickets[0]!.id)!;
    expect(sent).toMatchObject({ state: 'issued', targetWindow: 1 });
    expect(ticketWait(view, sent, at('09:02'))).toMatchObject({ ahead: 0, window: 1, minutes: 0 });
    // Both windows are free: window 1 takes the one sent to it, window 2 the next in line at the same moment.
    expect(ticketWait(view, view.tickets.get(tickets[1]!.id)!, at('09:02'))).toMatchObject({ ahead: 1, window: 2, minutes: 1 });
    expect(ticketWait(view, view.tickets.get(tickets[3]!.id)!, at('09:02'))).toMatchObject({ ahead: 3, window: 2, minutes: 8 });
  });

  it('never says 0 minutes to someone who is not next, nor to the next one while the window is busy', () => {
    const view = emptyView(catalogue(), DAY);
    open(view, 1, '1001');
    view.serviceTimes.set('GA-SFZ-HL', [20_000, 20_000, 20_000]);
    const [a, b] = [issue(view, 'GA-SFZ-HL', at('09:00')), issue(view, 'GA-SFZ-HL', at('09:00'))];
    expect(ticketWait(view, a, at('09:01'))).toMatchObject({ ahead: 0, minutes: 0, range: { low: 0, high: 0 } });
    expect(ticketWait(view, b, at('09:01'))).toMatchObject({ ahead: 1, minutes: 1, range: { low: 1, high: 1 }, basis: 'recent' });
    step(view, { type: 'callNext', window: 1 }, win(1), at('09:01'));
    expect(ticketWait(view, b, at('09:01'))).toMatchObject({ ahead: 0, minutes: 1 });
  });

  it('assumes a window opens when none is, and says so; and that a paused one may resume', () => {
    const view = emptyView(catalogue(), DAY);
    const t = issue(view, 'GA-SFZ-HL', at('09:00'));
    expect(itemWait(view, 'GA-SFZ-HL', at('09:00'))).toMatchObject({ waiting: 1, ahead: 1, noWindowOpen: true });
    open(view, 2, '1002');
    step(view, { type: 'pauseWindow', window: 2, reason: '会议' }, win(2), at('09:01'));
    expect(ticketWait(view, t, at('09:02'))).toMatchObject({ noWindowOpen: true, caveats: ['paused-window'] });
  });

  it('tells a ticket taken now at the kiosk exactly what that ticket is told once it is issued', () => {
    const view = emptyView(catalogue(), DAY);
    open(view, 1, '1001');
    issue(view, 'GA-HK-QR', at('09:00'));
    issue(view, 'GA-SFZ-HL', at('09:00'), 'priority');
    const before = itemWait(view, 'GA-CS-DJ', at('09:05'));
    const taken = issue(view, 'GA-CS-DJ', at('09:05'));
    expect(ticketWait(view, taken, at('09:05'))).toEqual({ ...before, waiting: 1 });
    expect(before).toMatchObject({ waiting: 0, ahead: 2 });
  });
});

// The property: random halls (windows open, paused or closed over overlapping items, the interleave
// N), random histories (tickets in every lane, appointments in and out of their slot, calls,
// services, transfers, holds, no-shows); for every waiting ticket, the place and window shown are
// those at which the hall's own commands call it when the open windows call in turn and nobody
// else arrives.

const WINDOWS = [5, 6, 7, 8, 11, 13, 14];
const CLERKS: Record<number, string> = { 5: '1006', 6: '1008', 7: '1009', 8: '1010', 11: '1013', 13: '1007', 14: '1014' };

type Action =
  | { kind: 'issue'; item: number; lane: 'ordinary' | 'priority' }
  | { kind: 'appointment'; item: number; startIn: number }
  | { kind: 'window'; window: number; what: 'callNext' | 'startService' | 'finishService' | 'markNoShow' | 'holdTicket' | 'pauseWindow' | 'resumeWindow' | 'closeWindow' }
  | { kind: 'transfer'; window: number; to: number; toWindow: boolean };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('issue' as const), item: fc.nat(99), lane: fc.constantFrom('ordinary' as const, 'ordinary' as const, 'priority' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('appointment' as const), item: fc.nat(99), startIn: fc.integer({ min: -40, max: 60 }) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('window' as const),
      window: fc.constantFrom(...WINDOWS),
      what: fc.constantFrom('callNext' as const, 'callNext' as const, 'startService' as const, 'finishService' as const, 'markNoShow' as const, 'holdTicket' as const, 'pauseWindow' as const, 'resumeWindow' as const, 'closeWindow' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('transfer' as const), window: fc.constantFrom(...WINDOWS), to: fc.nat(99), toWindow: fc.boolean() }) },
);

interface RandomHall {
  n: number;
  open: number[];
  recent: number[];
  actions: Action[];
  gaps: number[];
}

const hallArb: fc.Arbitrary<RandomHall> = fc.record({
  n: fc.integer({ min: 1, max: 4 }),
  open: fc.subarray(WINDOWS, { minLength: 1 }),
  recent: fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 4 }),
  actions: fc.array(action, { maxLength: 45 }),
  gaps: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 45, maxLength: 45 }),
});

/** A random hall's history; or, given a view and its moment, more of it (the windows stay as they are). */
function history(h: RandomHall, going?: HallView, from?: number): { view: HallView; now: number } {
  const view = going ?? emptyView(catalogue(h.n), DAY);
  if (!going) {
    // One item has figures of its own; the others wait on their typical time.
    view.serviceTimes.set('SJ-QY-SL', h.recent.map((m) => m * MINUTE));
    for (const w of h.open) step(view, { type: 'openWindow', window: w, clerk: CLERKS[w] }, admin, at('08:30'));
  }
  const items = [...new Set(WINDOWS.flatMap((w) => view.catalogue.windows.find((x) => x.number === w)!.serves))];
  let now = from ?? at('09:00');
  let booked = going ? view.appointments.size : 0;
  h.actions.forEach((a, i) => {
    now += h.gaps[i]! * MINUTE;
    const item = 'item' in a ? items[a.item % items.length]! : '';
    switch (a.kind) {
      case 'issue':
        run(view, { type: 'issueTicket', serviceCode: item, lane: a.lane }, kiosk, now);
        break;
      case 'appointment': {
        const code = `YY${++booked}`;
        run(view, { type: 'bookAppointment', code, serviceCode: item, slotStart: now + a.startIn * MINUTE, slotEnd: now + (a.startIn + 30) * MINUTE }, admin, now);
        run(view, { type: 'checkInAppointment', code }, kiosk, now);
        break;
      }
      case 'window':
        run(view, { type: a.what, window: a.window, ...(a.what === 'pauseWindow' ? { reason: '会议' } : {}) } as CommandBody, win(a.window), now);
        break;
      case 'transfer': {
        const target = a.toWindow ? { toWindow: WINDOWS[a.to % WINDOWS.length]! } : { toService: items[a.to % items.length]! };
        run(view, { type: 'transferTicket', window: a.window, ...target, reason: '转办' }, win(a.window), now);
        break;
      }
    }
  });
  return { view, now };
}

/**
 * The hall's own commands, played forward: each open window calls when it is free (the earliest
 * first, then the lower number), its citizen taking the item's expected time; nobody arrives.
 * Returns the people called before `target` by windows that may call it, and where and when it is called.
 */
function reference(start: HallView, now: number, target: Ticket): { ahead: number; window: number; inMs: number } {
  const view = fromSnapshot(toSnapshot(start));
  const per = (code: string) => serviceMinutes(start.serviceTimes.get(code) ?? [], findItem(start.catalogue, code)!.typicalServiceMinutes).minutes * MINUTE;
  const apply = (e: EventBody) => applyEvent(view, { ...e, seq: view.seq + 1, at: now });
  // With no open window that may call it, the windows that serve it are taken as open.
  const mayCall = view.catalogue.windows.filter((w) => servesTicket(w, target));
  if (!mayCall.some((w) => isWindowReady(view.windows.get(w.number))))
    for (const w of mayCall) apply(view.windows.get(w.number)?.open ? { type: 'window.resumed', window: w.number } : { type: 'window.opened', window: w.number });
  const freeAt = new Map<number, number>();
  for (const w of view.catalogue.windows) {
    if (!isWindowReady(view.windows.get(w.number))) continue;
    const c = currentTicket(view, w.number);
    freeAt.set(w.number, !c ? 0 : c.state === 'serving' ? Math.max(0, per(c.serviceCode) - (now - (c.servingAt ?? now))) : per(c.serviceCode));
  }
  let ahead = 0;
  for (;;) {
    const [window, free] = [...freeAt].sort((a, b) => a[1] - b[1] || a[0] - b[0])[0]!;
    const c = currentTicket(view, window);
    if (c?.state === 'called') step(view, { type: 'startService', window }, win(window), now);
    if (c) step(view, { type: 'finishService', window }, win(window), now);
    const called = run(view, { type: 'callNext', window }, win(window), now);
    if (!called.ok) {
      expect(called.code).toBe('queue-empty');
      freeAt.delete(window);
      continue;
    }
    const t = called.value.ticket!;
    if (t.id === target.id) return { ahead, window, inMs: free };
    if (mayCall.some((w) => w.number === window)) ahead += 1;
    freeAt.set(window, free + per(t.serviceCode));
  }
}

describe('the place shown, as a property', () => {
  it('is the place at which the policy calls the ticket if nobody else arrives, over random halls and histories', () => {
    fc.assert(
      fc.property(hallArb, (h) => {
        const { view, now } = history(h);
        for (const t of waitingTickets(view)) {
          const shown = ticketWait(view, t, now);
          const ref = reference(view, now, t);
          expect({ ahead: shown.ahead, window: shown.window }).toEqual({ ahead: ref.ahead, window: ref.window });
          const next = ref.ahead === 0 && ref.inMs === 0;
          expect(shown.minutes).toBe(next ? 0 : Math.max(1, Math.round(ref.inMs / MINUTE)));
          if (!next) expect(shown.range.low).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('the ticket of an item waiting longest (oldestWaiting)', () => {
  it('is the first of the line while tickets came in the order they were issued, and the earliest still when one comes back behind later ones', () => {
    const view = emptyView(catalogue(), DAY);
    open(view, 1, '1001');
    open(view, 2, '1002');
    const tickets = [0, 1, 2, 3].map((i) => issue(view, 'GA-SFZ-HL', at('09:00') + i * 1000));
    expect(oldestWaiting(view, 'GA-SFZ-HL')?.id).toBe(tickets[0]!.id);
    step(view, { type: 'callNext', window: 2 }, win(2), at('09:01'));
    expect(oldestWaiting(view, 'GA-SFZ-HL')?.id).toBe(tickets[1]!.id);
    // Sent to window 1: back in the lines, last of its list, issued before the others.
    step(view, { type: 'transferTicket', window: 2, toWindow: 1, reason: '需户籍窗口核验' }, win(2), at('09:02'));
    expect([...view.waitingFor.get('GA-SFZ-HL')!.keys()].at(-1)).toBe(tickets[0]!.id);
    expect(oldestWaiting(view, 'GA-SFZ-HL')?.id).toBe(tickets[0]!.id);
    expect(oldestWaiting(view, 'GA-HK-QR')).toBeUndefined();
  });

  it('is the earliest issued of those waiting, over random halls and histories, and in a copy from a snapshot', () => {
    fc.assert(
      fc.property(hallArb, (h) => {
        const { view } = history(h);
        for (const v of [view, fromSnapshot(toSnapshot(view))])
          for (const [code, waiting] of v.waitingFor) expect(oldestWaiting(v, code)?.issuedAt, code).toBe(Math.min(...[...waiting.values()].map((t) => t.issuedAt)));
        for (const item of view.catalogue.items) if (!view.waitingFor.has(item.code)) expect(oldestWaiting(view, item.code)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});

describe('every waiting ticket at once (ticketWaits)', () => {
  it('tells each ticket what ticketWait tells it alone, over random halls and histories; of some items, those only', () => {
    fc.assert(
      fc.property(hallArb, fc.nat(99), (h, pick) => {
        const { view, now } = history(h);
        const waiting = waitingTickets(view);
        const all = ticketWaits(view, now);
        expect([...all.keys()].sort()).toEqual(waiting.map((t) => t.id).sort());
        for (const t of waiting) expect(all.get(t.id)).toEqual(ticketWait(view, t, now));
        const item = waiting[pick % Math.max(1, waiting.length)]?.serviceCode ?? 'SJ-QY-SL';
        const some = ticketWaits(view, now, new Set([item]));
        expect([...some.keys()].sort()).toEqual(waiting.filter((t) => t.serviceCode === item).map((t) => t.id).sort());
      }),
      { numRuns: 150 },
    );
  });
});

describe('a board that follows the tickets issued after it was made (WaitBoard.follow)', () => {
  it('tells every ticket what a board made afresh tells it, over random halls, histories and tickets joining', () => {
    fc.assert(
      fc.property(hallArb, fc.array(fc.record({ item: fc.nat(99), lane: fc.constantFrom('ordinary' as const, 'ordinary' as const, 'priority' as const) }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 4 }), (h, joining, rounds) => {
        const { view, now } = history(h);
        const items = [...new Set(view.catalogue.windows.flatMap((w) => w.serves))];
        const board = new WaitBoard(view, now);
        // Every play the board keeps is made before the tickets join: the open windows', and those of items no open window serves.
        for (const t of waitingTickets(view)) board.of(t);
        const per = Math.ceil(joining.length / rounds);
        for (let r = 0; r * per < joining.length; r++) {
          const joined = joining.slice(r * per, (r + 1) * per).map((j) => issue(view, items[j.item % items.length]!, now, j.lane));
          expect(board.follow(joined, view.seq)).toBe(true);
          expect(board.seq).toBe(view.seq);
          const fresh = new WaitBoard(view, now);
          for (const t of waitingTickets(view)) expect(board.of(t)).toEqual(fresh.of(t));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('does not follow an appointment checked in, nor a ticket that arrived before the last of its lane', () => {
    const view = emptyView(catalogue(), DAY);
    open(view, 1, '1001');
    issue(view, 'GA-SFZ-HL', at('09:00'));
    const board = new WaitBoard(view, at('09:05'));
    step(view, { type: 'bookAppointment', code: 'YY1', serviceCode: 'GA-SFZ-HL', slotStart: at('09:00'), slotEnd: at('09:30') }, admin, at('09:05'));
    const booked = step(view, { type: 'checkInAppointment', code: 'YY1' }, kiosk, at('09:05'))!;
    expect(board.follow([booked], view.seq)).toBe(false);
    const again = new WaitBoard(view, at('09:05'));
    // A kiosk's ticket taken offline earlier and sent now: it goes before the one issued at 09:00.
    const early = issue(view, 'GA-SFZ-HL', at('08:59'));
    expect(again.follow([early], view.seq)).toBe(false);
    expect(again.seq).toBeLessThan(view.seq);
  });
});

describe('a board asked after the hall moved on (WaitBoard.held)', () => {
  it('tells each ticket it held what it told when it was made, and declines those that came to the lines after', () => {
    fc.assert(
      fc.property(hallArb, fc.array(action, { minLength: 1, maxLength: 15 }), (h, more) => {
        const { view, now } = history(h);
        const board = new WaitBoard(view, now);
        const then = new Map(waitingTickets(view).map((t) => [t.id, board.of(t)]));
        // The hall moves on: more tickets, calls, services, transfers; the board is not told.
        history({ ...h, actions: more, gaps: h.gaps }, view, now);
        for (const t of waitingTickets(view)) {
          const held = board.held(t);
          if (held === undefined) continue;
          const { waiting: _then, ...told } = then.get(t.id)!;
          const { waiting: _now, ...holds } = held;
          expect(holds).toEqual(told);
        }
        // What it cannot tell it declines: a ticket that was not waiting when it was made.
        for (const t of waitingTickets(view)) if (!then.has(t.id)) expect(board.held(t)).toBeUndefined();
        // And a ticket no longer waiting is not its to tell.
        for (const t of view.tickets.values()) if (t.state !== 'issued') expect(board.held(t)).toBeUndefined();
      }),
      { numRuns: 150 },
    );
  });
});
