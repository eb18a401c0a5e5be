import { describe, expect, it } from 'vitest';
import demo from '../../../../fixtures/catalogue/demo-hall.json' with { type: 'json' };
import { checkCatalogue, type Catalogue, type CatalogueInput } from '../catalogue';
import type { Actor, CommandBody } from '../commands';
import type { NumberLease } from '../events';
import { leaseBlock, nextFreeSequence } from '../numbering';
import type { Result } from '../result';
import type { Ticket } from '../ticket';
import { applyEvent, dayChange, decide, emptyView, fromSnapshot, toSnapshot, windowQueue, type Decision, type HallView } from '.';

const DAY = '2026-11-27';
const at = (time: string, day = DAY) => Date.parse(`${day}T${time.length === 5 ? `${time}:00` : time}+08:00`);
const kiosk1: Actor = { role: 'kiosk', terminal: 'kiosk-1' };
const kiosk2: Actor = { role: 'kiosk', terminal: 'kiosk-2' };
const win = (window: number): Actor => ({ role: 'window', terminal: `win-${window}`, window });

function catalogue(): Catalogue {
  const r = checkCatalogue(JSON.parse(JSON.stringify(demo)) as CatalogueInput);
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r.catalogue;
}

function run(view: HallView, command: CommandBody, actor: Actor, now: number, ctx: Partial<Parameters<typeof decide>[2]> = {}): Result<Decision> {
  for (const e of dayChange(view, now)) applyEvent(view, { ...e, seq: view.seq + 1, at: now });
  const r = decide(view, command, { now, actor, ...ctx });
  if (r.ok) for (const e of r.value.events) applyEvent(view, { ...e, seq: view.seq + 1, at: now });
  return r;
}

function step(view: HallView, command: CommandBody, actor: Actor, now: number): Decision {
  const r = run(view, command, actor, now);
  if (!r.ok) throw new Error(`${command.type} refused: ${r.code}: ${r.message}`);
  return r.value;
}

const lease = (view: HallView, actor: Actor, now: number, size = 20): NumberLease => {
  const d = step(view, { type: 'takeLease', prefix: 'A', size }, actor, now);
  const e = d.events[0]!;
  if (e.type !== 'lease.granted') throw new Error('no lease');
  return e.lease;
};
const issue = (view: HallView, now: number): Ticket => step(view, { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk1, now).ticket!;
const emergencyTicket = (number: string, issuedAt: number, order: number): CommandBody => ({
  type: 'recordEmergencyTicket',
  number,
  serviceCode: 'GA-SFZ-HL',
  lane: 'ordinary',
  issuedAt,
  terminalAt: issuedAt + 1500,
  order,
});

describe('number leases (应急取号)', () => {
  it('grants each kiosk its own block from the top of the range, and the hub’s own numbers never enter one', () => {
    const view = emptyView(catalogue(), DAY);
    expect(lease(view, kiosk1, at('08:30'))).toMatchObject({ terminal: 'kiosk-1', prefix: 'A', first: 980, last: 999 });
    expect(lease(view, kiosk2, at('08:30'))).toMatchObject({ terminal: 'kiosk-2', prefix: 'A', first: 960, last: 979 });
    expect(issue(view, at('09:00')).number).toBe('A001');
    // A lease in the middle of the range (as the rule allows) is skipped by the hub's numbering.
    const config = { digits: 3, first: 1, last: 999 };
    const leases = [{ day: DAY, prefix: 'A', first: 5, last: 9 }, { day: DAY, prefix: 'A', first: 10, last: 12 }];
    expect(nextFreeSequence(4, config, leases, DAY, 'A')).toEqual({ ok: true, value: 13 });
    expect(nextFreeSequence(4, config, leases, DAY, 'B')).toEqual({ ok: true, value: 5 });
    expect(nextFreeSequence(4, config, leases, '2026-11-28', 'A')).toEqual({ ok: true, value: 5 });
  });

  it('leases what is left when little is, and refuses when nothing above the given numbers is free', () => {
    const config = { digits: 3, first: 1, last: 30 };
    expect(leaseBlock(20, config, [{ day: DAY, prefix: 'A', first: 26, last: 30 }], DAY, 'A', 20)).toEqual({ ok: true, value: { first: 21, last: 25 } });
    expect(leaseBlock(25, config, [{ day: DAY, prefix: 'A', first: 26, last: 30 }], DAY, 'A', 20)).toMatchObject({ ok: false, code: 'numbers-exhausted' });
    expect(nextFreeSequence(25, config, [{ day: DAY, prefix: 'A', first: 26, last: 30 }], DAY, 'A')).toMatchObject({ ok: false, code: 'numbers-exhausted' });
  });

  it('ends with the day: the next day’s numbering and leases start afresh', () => {
    const view = emptyView(catalogue(), DAY);
    lease(view, kiosk1, at('08:30'));
    expect(lease(view, kiosk1, at('08:30', '2026-11-28'))).toMatchObject({ day: '2026-11-28', first: 980 });
    expect(view.leases).toHaveLength(1);
  });
});

describe('reconciling what terminals did while no hub answered', () => {
  it('takes an emergency ticket in with its true issue time, in the queue by that time, the hub’s numbering untouched', () => {
    const view = emptyView(catalogue(), DAY);
    step(view, { type: 'openWindow', window: 1, clerk: '1001' }, win(1), at('08:20'));
    lease(view, kiosk1, at('08:30'));
    const a1 = issue(view, at('09:00'));
    const a2 = issue(view, at('09:20'));
    // A980 was given by kiosk-1 at 09:10 while the hub was away; its record comes at 09:30.
    const d = step(view, emergencyTicket('A980', at('09:10'), 1), kiosk1, at('09:30'));
    expect(d.ticket).toMatchObject({ number: 'A980', issuedAt: at('09:10'), state: 'issued', issuedBy: 'kiosk-1', emergency: { order: 1 } });
    expect(windowQueue(view, 1, at('09:30')).map((t) => t.number)).toEqual([a1.number, 'A980', a2.number]);
    expect(issue(view, at('09:31')).number).toBe('A003');
    // The same record again (its outbox rebuilt, another id): nothing new.
    expect(step(view, emergencyTicket('A980', at('09:10'), 1), kiosk1, at('09:32')).events).toEqual([]);
  });

  it('refuses a number outside the kiosk’s own lease, and a time ahead of the hub’s clock; a little ahead is taken as now', () => {
    const view = emptyView(catalogue(), DAY);
    lease(view, kiosk1, at('08:30'));
    lease(view, kiosk2, at('08:30'));
    expect(run(view, emergencyTicket('A960', at('09:10'), 1), kiosk1, at('09:30'))).toMatchObject({ ok: false, code: 'forbidden' });
    expect(run(view, emergencyTicket('A001', at('09:10'), 1), kiosk1, at('09:30'))).toMatchObject({ ok: false, code: 'forbidden' });
    expect(run(view, emergencyTicket('A981', at('09:40'), 2), kiosk1, at('09:30'))).toMatchObject({ ok: false, code: 'bad-request' });
    expect(step(view, emergencyTicket('A981', at('09:30:40'), 2), kiosk1, at('09:30')).ticket).toMatchObject({ issuedAt: at('09:30') });
    // Never before its lease was granted (a kiosk's clock behind).
    expect(step(view, emergencyTicket('A982', at('08:29'), 3), kiosk1, at('09:31')).ticket).toMatchObject({ issuedAt: at('08:30') });
  });

  it('records a number called by typing before its ticket is known: issued, called, served, finished, each at its true time', () => {
    const view = emptyView(catalogue(), DAY);
    step(view, { type: 'openWindow', window: 1, clerk: '1001' }, win(1), at('08:20'));
    lease(view, kiosk1, at('08:30'));
    const call = { type: 'recordEmergencyCall', number: 'a 980', window: 1, clerk: '1001', calledAt: at('09:12'), startedAt: at('09:13'), endedAt: at('09:20'), end: 'finished', terminalAt: at('09:12'), order: 1 } as const;
    expect(step(view, call, win(1), at('09:40')).events).toMatchObject([{ type: 'emergency.callRecorded', call: { number: 'A980' } }]);
    const d = step(view, emergencyTicket('A980', at('09:10'), 1), kiosk1, at('09:41'));
    expect(d.events.map((e) => e.type)).toEqual(['ticket.issued', 'ticket.called', 'ticket.started', 'ticket.finished']);
    expect(view.tickets.get(`${DAY}-A980`)).toMatchObject({ state: 'done', issuedAt: at('09:10'), calledAt: at('09:12'), servingAt: at('09:13'), finishedAt: at('09:20'), window: 1, clerk: '1001' });
    expect(view.emergencyCalls.size).toBe(0);
    expect(view.ratingRequests.get(`${DAY}-A980`)).toMatchObject({ finishedAt: at('09:20'), window: 1 });
  });

  it('lets the first of two windows that typed the same number have it, and sets the other call aside for a supervisor', () => {
    const view = emptyView(catalogue(), DAY);
    lease(view, kiosk1, at('08:30'));
    const call = (window: number, calledAt: number, end: 'finished' | 'noShow') =>
      ({ type: 'recordEmergencyCall', number: 'A981', window, calledAt, endedAt: calledAt + 60_000, end, terminalAt: calledAt, order: 1 }) as const;
    step(view, call(3, at('09:15'), 'noShow'), win(3), at('09:40'));
    step(view, call(1, at('09:14'), 'finished'), win(1), at('09:40'));
    const d = step(view, emergencyTicket('A981', at('09:10'), 2), kiosk1, at('09:41'));
    expect(d.events.map((e) => e.type)).toEqual(['ticket.issued', 'ticket.called', 'ticket.started', 'ticket.finished', 'emergency.callSetAside']);
    expect(view.tickets.get(`${DAY}-A981`)).toMatchObject({ state: 'done', window: 1 });
    // Once known, a later call of a served number is set aside too.
    expect(step(view, call(5, at('09:30'), 'finished'), win(5), at('09:42')).events).toMatchObject([{ type: 'emergency.callSetAside', call: { window: 5 } }]);
  });

  it('puts a typed call of a ticket the hub knows straight into the log, never before the ticket was issued', () => {
    const view = emptyView(catalogue(), DAY);
    const t = issue(view, at('09:00'));
    const d = step(view, { type: 'recordEmergencyCall', number: t.number, window: 2, calledAt: at('08:59'), terminalAt: at('08:59'), order: 1 }, win(2), at('09:30'));
    expect(d.events).toEqual([{ type: 'ticket.called', id: t.id, window: 2, happenedAt: at('09:00') }]);
    expect(view.tickets.get(t.id)).toMatchObject({ state: 'called', window: 2, calledAt: at('09:00') });
  });

  it('finishes by a typed number the citizen a window was serving when the hub went: only what was left happens', () => {
    const view = emptyView(catalogue(), DAY);
    step(view, { type: 'openWindow', window: 1, clerk: '1001' }, win(1), at('08:20'));
    const t = issue(view, at('09:00'));
    step(view, { type: 'callNext', window: 1 }, win(1), at('09:01'));
    step(view, { type: 'startService', window: 1 }, win(1), at('09:02'));
    const d = step(view, { type: 'recordEmergencyCall', number: t.number, window: 1, calledAt: at('09:05'), endedAt: at('09:08'), end: 'finished', terminalAt: at('09:05'), order: 1 }, win(1), at('09:30'));
    expect(d.events).toEqual([{ type: 'ticket.finished', id: t.id, happenedAt: at('09:08') }]);
    expect(view.tickets.get(t.id)).toMatchObject({ state: 'done', calledAt: at('09:01'), servingAt: at('09:02'), finishedAt: at('09:08') });
  });

  it('keeps yesterday’s emergency tickets in the records when the hub returns after midnight, not in today’s queue', () => {
    const view = emptyView(catalogue(), DAY);
    const granted = lease(view, kiosk1, at('08:30'));
    const leaseOf = (day: string, prefix: string, seq: number) => (day === granted.day && prefix === granted.prefix && seq >= granted.first && seq <= granted.last ? granted : undefined);
    const r = run(view, emergencyTicket('A980', at('16:50'), 1), kiosk1, at('08:40', '2026-11-28'), { leaseOf });
    expect(r).toMatchObject({ ok: true, value: { events: [{ type: 'ticket.lateRecorded', ticket: { id: `${DAY}-A980`, day: DAY, issuedAt: at('16:50') } }] } });
    expect(view.tickets.size).toBe(0);
    const call = { type: 'recordEmergencyCall', number: 'A980', window: 1, calledAt: at('16:55'), terminalAt: at('16:55'), order: 1 } as const;
    expect(step(view, call, win(1), at('08:41', '2026-11-28')).events).toMatchObject([{ type: 'emergency.callSetAside', reason: 'its hall day is over' }]);
  });

  it('carries leases and waiting typed calls through a snapshot', () => {
    const view = emptyView(catalogue(), DAY);
    lease(view, kiosk1, at('08:30'));
    step(view, { type: 'recordEmergencyCall', number: 'A985', window: 1, calledAt: at('09:12'), terminalAt: at('09:12'), order: 1 }, win(1), at('09:40'));
    expect(toSnapshot(fromSnapshot(toSnapshot(view)))).toEqual(toSnapshot(view));
    expect(fromSnapshot(toSnapshot(view)).emergencyCalls.get('A985')).toHaveLength(1);
  });
});
