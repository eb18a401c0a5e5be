import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HallWindow } from './catalogue';
import { nextTicket, nextTicketIn, queueOrder, rememberCall, servesTicket, type LaneMemory, type QueueContext } from './queue';
import type { Lane, Ticket, TicketState } from './ticket';

const NOW = Date.parse('2026-11-27T10:00:00+08:00');
const MIN = 60_000;

const window1: HallWindow = { number: 1, name: '1号窗口', serves: ['SFZ', 'HK'] };
const window2: HallWindow = { number: 2, name: '2号窗口', serves: ['SFZ', 'HK'] };
const window3: HallWindow = { number: 3, name: '3号窗口', serves: ['CRJ'] };

let nextPlace = 1;
function ticket(lane: Lane, over: Partial<Ticket> = {}): Ticket {
  const place = over.place ?? nextPlace++;
  return {
    id: `t${place}`,
    number: `A${String(place).padStart(3, '0')}`,
    day: '2026-11-27',
    serviceCode: 'SFZ',
    lane,
    state: 'issued',
    issuedAt: NOW - 60 * MIN + place,
    place,
    recalls: 0,
    transfers: [],
    ...over,
  };
}

/** An appointment ticket whose slot starts `startsIn` minutes from now and lasts 30 minutes. */
function booked(startsIn: number, over: Partial<Ticket> = {}): Ticket {
  const slotStart = NOW + startsIn * MIN;
  return ticket('appointment', { appointment: { code: `YY${startsIn}`, slotStart, slotEnd: slotStart + 30 * MIN }, ...over });
}

function ctx(ordinaryPerPriority = 3, ordinarySincePriority = ordinaryPerPriority, appointmentEarlyMinutes = 15): QueueContext {
  return { now: NOW, policy: { ordinaryPerPriority, appointmentEarlyMinutes }, memory: { ordinarySincePriority } };
}

/** The lanes of a queue as letters: P priority, O ordinary, S appointment. */
const lanes = (q: Ticket[]) => q.map((t) => ({ priority: 'P', ordinary: 'O', appointment: 'S' })[t.lane]).join('');
const ids = (q: Ticket[]) => q.map((t) => t.id);

describe('the priority lane (绿色通道), N ordinary to 1 priority', () => {
  const line = () => {
    nextPlace = 1;
    // Ten ordinary citizens arrived first, then three priority ones.
    return [...Array.from({ length: 10 }, () => ticket('ordinary')), ...Array.from({ length: 3 }, () => ticket('priority'))];
  };

  it.each([
    // N, ordinary calls since the last priority one, expected order
    [1, 1, 'POPOPOOOOOOOO'],
    [2, 2, 'POOPOOPOOOOOO'],
    [3, 3, 'POOOPOOOPOOOO'],
    [5, 5, 'POOOOOPOOOOOP'],
    [3, 0, 'OOOPOOOPOOOPO'],
    [3, 2, 'OPOOOPOOOPOOO'],
    [4, 1, 'OOOPOOOOPOOOP'],
  ])('with N=%i and %i ordinary calls since the last priority one, calls %s', (n, since, expected) => {
    const q = queueOrder(line(), window1, ctx(n, since));
    expect(lanes(q)).toBe(expected);
    expect(ids(q.filter((t) => t.lane === 'ordinary'))).toEqual(Array.from({ length: 10 }, (_, i) => `t${i + 1}`));
    expect(ids(q.filter((t) => t.lane === 'priority'))).toEqual(['t11', 't12', 't13']);
  });

  it('gives a priority ticket the next call after three ordinary ones', () => {
    let memory: LaneMemory = { ordinarySincePriority: 0 };
    let waiting = line();
    const called: string[] = [];
    for (let i = 0; i < 4; i++) {
      const t = nextTicket(waiting, window1, { ...ctx(3), memory })!;
      called.push(t.lane);
      memory = rememberCall(memory, t);
      waiting = waiting.filter((w) => w.id !== t.id);
    }
    expect(called).toEqual(['ordinary', 'ordinary', 'ordinary', 'priority']);
  });

  it('calls priority tickets one after another when nobody ordinary waits, and ordinary ones when no priority waits', () => {
    nextPlace = 1;
    const onlyPriority = [ticket('priority'), ticket('priority')];
    expect(lanes(queueOrder(onlyPriority, window1, ctx(3, 0)))).toBe('PP');
    const onlyOrdinary = [ticket('ordinary'), ticket('ordinary')];
    expect(lanes(queueOrder(onlyOrdinary, window1, ctx(3, 3)))).toBe('OO');
  });

  it('remembers calls: a priority call resets the count, an ordinary one adds one, an appointment leaves it', () => {
    expect(rememberCall({ ordinarySincePriority: 2 }, ticket('priority'))).toEqual({ ordinarySincePriority: 0 });
    expect(rememberCall({ ordinarySincePriority: 2 }, ticket('ordinary'))).toEqual({ ordinarySincePriority: 3 });
    expect(rememberCall({ ordinarySincePriority: 2 }, booked(0))).toEqual({ ordinarySincePriority: 2 });
  });
});

describe('appointments', () => {
  it.each([
    // whether it is served first, minutes from now to the slot start
    ['whose slot started 10 minutes ago', true, -10],
    ['whose slot opens now, 15 minutes early', true, 15],
    ['whose slot starts in 16 minutes', false, 16],
    ['whose slot ended a minute ago', false, -31],
    ['whose slot ends right now', true, -30],
  ])('serves an appointment %s first: %s', (_what, first, startsIn) => {
    nextPlace = 1;
    const waiting = [ticket('ordinary'), ticket('priority'), booked(startsIn)];
    const q = queueOrder(waiting, window1, ctx(3, 3));
    expect(q).toHaveLength(3);
    // Outside its slot it waits like an ordinary ticket: behind the priority ticket a fresh window calls first, and by arrival among ordinary ones.
    expect(lanes(q)).toBe(first ? 'SPO' : 'POS');
  });

  it('lets an appointment out of its slot wait among ordinary tickets without using up an ordinary turn', () => {
    nextPlace = 1;
    const waiting = [booked(60), ticket('ordinary'), ticket('priority')];
    const q = queueOrder(waiting, window1, ctx(3, 2));
    expect(lanes(q)).toBe('SOP');
    expect(rememberCall({ ordinarySincePriority: 2 }, q[0]!)).toEqual({ ordinarySincePriority: 2 });
  });

  it('honours the early minutes of the hall policy', () => {
    nextPlace = 1;
    const waiting = [ticket('ordinary'), booked(5)];
    expect(nextTicket(waiting, window1, ctx(3, 0, 0))!.lane).toBe('ordinary');
    expect(nextTicket(waiting, window1, ctx(3, 0, 5))!.lane).toBe('appointment');
  });

  it('orders appointments in their slot by slot start, then by arrival', () => {
    nextPlace = 1;
    const late = booked(10);
    const early = booked(-5);
    const sameSlotLater = booked(-5, { id: 'later', appointment: { ...early.appointment!, code: 'YY-later' } });
    expect(ids(queueOrder([sameSlotLater, late, early], window1, ctx()))).toEqual([early.id, 'later', late.id]);
  });
});

describe('which window may call a ticket', () => {
  it.each([
    ['a ticket of an item it serves', true, window1, {}],
    ['a ticket of an item it does not serve', false, window3, {}],
    ['a ticket transferred to it, whatever it serves', true, window3, { targetWindow: 3 }],
    ['a ticket transferred to another window serving the same item', false, window2, { targetWindow: 1 }],
    ['a ticket transferred to this very window', true, window1, { targetWindow: 1 }],
  ])('may call %s: %s', (_what, serves, w, over: Partial<Ticket>) => {
    nextPlace = 1;
    const t = ticket('ordinary', over);
    expect(servesTicket(w, t)).toBe(serves);
    expect(queueOrder([t], w, ctx()).length).toBe(serves ? 1 : 0);
  });

  it('calls only from the items the window serves, and nothing when nothing is left', () => {
    nextPlace = 1;
    const waiting = [ticket('ordinary', { serviceCode: 'CRJ' }), ticket('ordinary', { serviceCode: 'HK' }), ticket('ordinary', { serviceCode: 'CRJ' })];
    expect(ids(queueOrder(waiting, window3, ctx()))).toEqual(['t1', 't3']);
    expect(nextTicket(waiting, window1, ctx())!.id).toBe('t2');
    expect(nextTicket([], window1, ctx())).toBeUndefined();
  });

  it('leaves out tickets that are no longer waiting', () => {
    nextPlace = 1;
    const states: TicketState[] = ['called', 'serving', 'held', 'done', 'no-show', 'voided'];
    const gone = states.map((state) => ticket('ordinary', { state }));
    expect(queueOrder(gone, window1, ctx())).toEqual([]);
  });
});

describe('queueOrder as a whole', () => {
  const arbTicket = fc.record({
    lane: fc.constantFrom<Lane>('ordinary', 'priority', 'appointment'),
    state: fc.constantFrom<TicketState>('issued', 'issued', 'issued', 'called', 'held', 'done'),
    serviceCode: fc.constantFrom('SFZ', 'HK', 'CRJ'),
    targetWindow: fc.option(fc.constantFrom(1, 2, 3), { nil: undefined }),
    slotFrom: fc.integer({ min: -60, max: 60 }),
  });
  const arbLine = fc.array(arbTicket, { maxLength: 30 }).chain((specs) =>
    fc.shuffledSubarray(
      specs.map((s, i) =>
        ticket(s.lane, {
          id: `t${i}`,
          place: i + 1,
          state: s.state,
          serviceCode: s.serviceCode,
          targetWindow: s.targetWindow,
          appointment: s.lane === 'appointment' ? { code: `YY${i}`, slotStart: NOW + s.slotFrom * MIN, slotEnd: NOW + (s.slotFrom + 30) * MIN } : undefined,
        }),
      ),
      { minLength: specs.length },
    ),
  );
  const arbCtx = fc.record({ n: fc.integer({ min: 1, max: 6 }), since: fc.integer({ min: 0, max: 6 }), early: fc.integer({ min: 0, max: 30 }) });

  it('returns exactly the waiting tickets the window may call, each lane by arrival', () => {
    fc.assert(
      fc.property(arbLine, fc.constantFrom(window1, window2, window3), arbCtx, (waiting, w, c) => {
        const context = ctx(c.n, c.since, c.early);
        const q = queueOrder(waiting, w, context);
        const eligible = waiting.filter((t) => t.state === 'issued' && servesTicket(w, t));
        expect([...ids(q)].sort()).toEqual([...ids(eligible)].sort());
        const inSlot = (t: Ticket) =>
          t.lane === 'appointment' && NOW >= t.appointment!.slotStart - c.early * MIN && NOW <= t.appointment!.slotEnd;
        const slot = q.filter(inSlot);
        // Appointments in their slot come first, by slot start then arrival.
        expect(q.slice(0, slot.length)).toEqual(slot);
        for (let i = 1; i < slot.length; i++) {
          const [a, b] = [slot[i - 1]!, slot[i]!];
          expect(a.appointment!.slotStart < b.appointment!.slotStart || (a.appointment!.slotStart === b.appointment!.slotStart && a.place < b.place)).toBe(true);
        }
        const places = (lane: (t: Ticket) => boolean) => q.filter((t) => !inSlot(t) && lane(t)).map((t) => t.place);
        const ascending = (xs: number[]) => xs.every((x, i) => i === 0 || xs[i - 1]! < x);
        expect(ascending(places((t) => t.lane === 'priority'))).toBe(true);
        expect(ascending(places((t) => t.lane !== 'priority'))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('calls in the order it shows: calling one by one follows queueOrder', () => {
    fc.assert(
      fc.property(arbLine, arbCtx, (line, c) => {
        const shown = queueOrder(line, window1, ctx(c.n, c.since, c.early));
        let memory: LaneMemory = { ordinarySincePriority: c.since };
        let waiting = line;
        const called: Ticket[] = [];
        for (;;) {
          const t = nextTicket(waiting, window1, { ...ctx(c.n, c.since, c.early), memory });
          if (!t) break;
          called.push(t);
          memory = rememberCall(memory, t);
          waiting = waiting.filter((x) => x.id !== t.id);
        }
        expect(ids(called)).toEqual(ids(shown));
      }),
      { numRuns: 200 },
    );
  });

  it('reads the lists tickets wait in as they are: split in any way, some tickets in two lists, the same first', () => {
    fc.assert(
      fc.property(arbLine, arbCtx, fc.array(fc.nat(2)), fc.array(fc.boolean()), (line, c, where, twice) => {
        // Each ticket in one of three lists, some also in the last (as a ticket sent to a window is also in its item's).
        const lists: Ticket[][] = [[], [], []];
        line.forEach((t, i) => {
          lists[where[i] ?? 0]!.push(t);
          if (twice[i] && (where[i] ?? 0) !== 2) lists[2]!.push(t);
        });
        const context = ctx(c.n, c.since, c.early);
        expect(nextTicketIn(lists, window1, context)?.id).toBe(nextTicket(line, window1, context)?.id);
      }),
      { numRuns: 300 },
    );
  });
});
