import { describe, expect, it } from 'vitest';
import type { Result } from './result';
import {
  callTicket,
  finishService,
  holdTicket,
  isOpen,
  isWaiting,
  markNoShow,
  recallTicket,
  startService,
  transferTicket,
  voidTicket,
  type Ticket,
  type TicketState,
} from './ticket';

const T0 = Date.parse('2026-11-27T09:00:00+08:00');
const LATER = T0 + 60 * 60_000;
const policy = { recallLimit: 5, recallCooldownSeconds: 20 };

function ticket(over: Partial<Ticket> = {}): Ticket {
  return {
    id: '2026-11-27-A001',
    number: 'A001',
    day: '2026-11-27',
    serviceCode: 'GA-SFZ-HL',
    lane: 'ordinary',
    state: 'issued',
    issuedAt: T0,
    place: 7,
    recalls: 0,
    transfers: [],
    ...over,
  };
}

/** A ticket in each state, as the hall would have left it (at window 1, clerk 1001, called long ago). */
function inState(state: TicketState): Ticket {
  if (state === 'issued') return ticket();
  return ticket({ state, window: 1, clerk: '1001', firstClerk: '1001', calledAt: T0, lastCalledAt: T0 });
}

type Action = 'call' | 'recall' | 'start' | 'finish' | 'noShow' | 'hold' | 'transfer' | 'void';

const act: Record<Action, (t: Ticket) => Result<Ticket>> = {
  call: (t) => callTicket(t, 2, '1002', LATER),
  recall: (t) => recallTicket(t, LATER, policy),
  start: (t) => startService(t, LATER),
  finish: (t) => finishService(t, LATER),
  noShow: (t) => markNoShow(t, LATER),
  hold: (t) => holdTicket(t, LATER),
  transfer: (t) => transferTicket(t, { toService: 'GA-HK-QR', reason: '办理户口迁入', at: LATER }),
  void: (t) => voidTicket(t, '打印失败'),
};

const STATES: TicketState[] = ['issued', 'called', 'serving', 'done', 'no-show', 'held', 'voided'];
const ACTIONS = Object.keys(act) as Action[];

/** The life cycle of a ticket: what each action leads to from each state; missing pairs are illegal. */
const LEGAL: Partial<Record<TicketState, Partial<Record<Action, TicketState>>>> = {
  issued: { call: 'called', void: 'voided' },
  called: { recall: 'called', start: 'serving', noShow: 'no-show', hold: 'held', transfer: 'issued', void: 'voided' },
  serving: { finish: 'done', hold: 'held', transfer: 'issued' },
  held: { call: 'called', transfer: 'issued' },
};

const table = STATES.flatMap((state) => ACTIONS.map((action) => ({ state, action, next: LEGAL[state]?.[action] })));

describe('the ticket life cycle', () => {
  it.each(table.filter((row) => row.next !== undefined))('$action on a $state ticket makes it $next', ({ state, action, next }) => {
    const t = inState(state);
    const before = structuredClone(t);
    const r = act[action](t);
    expect(r.ok && r.value.state).toBe(next);
    expect(t).toEqual(before);
  });

  it.each(table.filter((row) => row.next === undefined))('refuses $action on a $state ticket and leaves it as it was', ({ state, action }) => {
    const t = inState(state);
    const before = structuredClone(t);
    const r = act[action](t);
    expect(r).toMatchObject({ ok: false, code: 'illegal-transition' });
    expect(t).toEqual(before);
  });

  it.each<[TicketState, boolean, boolean]>([
    ['issued', true, true],
    ['called', false, true],
    ['serving', false, true],
    ['held', false, true],
    ['done', false, false],
    ['no-show', false, false],
    ['voided', false, false],
  ])('counts a %s ticket as waiting=%s, open=%s', (state, waiting, open) => {
    expect(isWaiting(inState(state))).toBe(waiting);
    expect(isOpen(inState(state))).toBe(open);
  });
});

describe('calling a ticket', () => {
  it('records the window, the clerk and the first-responsible clerk on the first call', () => {
    const r = callTicket(ticket(), 3, '1004', T0);
    expect(r.ok && r.value).toMatchObject({ state: 'called', window: 3, clerk: '1004', firstClerk: '1004', calledAt: T0, lastCalledAt: T0 });
  });

  it('calls a held ticket back, keeping the first call time and the first-responsible clerk', () => {
    const held = ticket({ state: 'held', window: 1, clerk: '1001', firstClerk: '1001', calledAt: T0, lastCalledAt: T0, heldAt: T0 + 60_000 });
    const r = callTicket(held, 1, '1003', LATER);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ state: 'called', window: 1, clerk: '1003', firstClerk: '1001', calledAt: T0, lastCalledAt: LATER });
    expect(r.value.heldAt).toBeUndefined();
  });
});

describe('recalling a ticket', () => {
  it('allows the default five recalls and refuses the sixth with recall-limit', () => {
    let t = inState('called');
    for (let i = 1; i <= 5; i++) {
      const r = recallTicket(t, T0 + i * 20_000, policy);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      t = r.value;
      expect(t.recalls).toBe(i);
      expect(t.lastCalledAt).toBe(T0 + i * 20_000);
    }
    const sixth = recallTicket(t, T0 + 10 * 60_000, policy);
    expect(sixth).toMatchObject({ ok: false, code: 'recall-limit' });
  });

  it('follows the hall policy for the cap', () => {
    const t = inState('called');
    expect(recallTicket({ ...t, recalls: 1 }, LATER, { recallLimit: 1, recallCooldownSeconds: 0 })).toMatchObject({ ok: false, code: 'recall-limit' });
    expect(recallTicket({ ...t, recalls: 1 }, LATER, { recallLimit: 2, recallCooldownSeconds: 0 }).ok).toBe(true);
  });

  it.each([
    [0, false],
    [19_999, false],
    [20_000, true],
    [90_000, true],
  ])('%i ms after the last call, a recall is allowed: %s', (after, allowed) => {
    const r = recallTicket(inState('called'), T0 + after, policy);
    if (allowed) expect(r.ok).toBe(true);
    else expect(r).toMatchObject({ ok: false, code: 'recall-cooldown' });
  });
});

describe('transferring a ticket (H-02)', () => {
  it('puts it back in line at its old place, for the new item and window, keeping the first-responsible clerk', () => {
    const serving = { ...inState('serving'), recalls: 2, servingAt: T0 + 60_000 };
    const r = transferTicket(serving, { toService: 'GA-HK-QR', toWindow: 2, reason: '需办理户口迁入', by: 'win-1', at: LATER });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ state: 'issued', serviceCode: 'GA-HK-QR', targetWindow: 2, place: 7, firstClerk: '1001', recalls: 0 });
    expect(r.value.window).toBeUndefined();
    expect(r.value.clerk).toBeUndefined();
    expect(r.value.servingAt).toBeUndefined();
    expect(r.value.transfers).toEqual([
      { at: LATER, fromService: 'GA-SFZ-HL', toService: 'GA-HK-QR', fromWindow: 1, toWindow: 2, reason: '需办理户口迁入', by: 'win-1' },
    ]);
  });

  it('keeps the whole case history over two transfers', () => {
    const first = transferTicket(inState('called'), { toService: 'GA-HK-QR', reason: '转户籍', at: T0 + 1 });
    if (!first.ok) throw new Error(first.message);
    const recalled = callTicket(first.value, 2, '1002', T0 + 2);
    if (!recalled.ok) throw new Error(recalled.message);
    expect(recalled.value.firstClerk).toBe('1001');
    const second = transferTicket(recalled.value, { toService: 'GA-CS-DJ', toWindow: 1, reason: '转出生登记', at: T0 + 3 });
    expect(second.ok && second.value.transfers.map((x) => [x.fromService, x.toService, x.fromWindow])).toEqual([
      ['GA-SFZ-HL', 'GA-HK-QR', 1],
      ['GA-HK-QR', 'GA-CS-DJ', 2],
    ]);
    expect(second.ok && second.value.firstClerk).toBe('1001');
  });
});

describe('ending a ticket', () => {
  it('stamps the finish time on done and on no-show, and the reason on void', () => {
    const served = { ...inState('serving'), servingAt: T0 };
    expect(finishService(served, LATER)).toMatchObject({ ok: true, value: { state: 'done', finishedAt: LATER } });
    expect(markNoShow(inState('called'), LATER)).toMatchObject({ ok: true, value: { state: 'no-show', finishedAt: LATER } });
    expect(voidTicket(ticket(), '打印失败')).toMatchObject({ ok: true, value: { state: 'voided', voidReason: '打印失败' } });
    expect(holdTicket(inState('called'), LATER)).toMatchObject({ ok: true, value: { state: 'held', heldAt: LATER, window: 1 } });
  });
});
