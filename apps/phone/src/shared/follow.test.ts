import type { PhoneTicket } from '@servicehall/protocol/phone';
import { describe, expect, it } from 'vitest';
import { alertsFor, myTickets, recall, rememberTicket, type Store } from './follow';
import { parseRoute, routePath, type Route } from './route';

const REF = 'AbCdEfGhIjKlMnOpQrStUv';

function memory(): Store & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

const state = (s: Partial<PhoneTicket>): PhoneTicket => ({
  ref: REF,
  number: 'A012',
  day: '2026-11-27',
  serviceCode: 'GA-SFZ-HL',
  itemName: '居民身份证换领',
  lane: 'ordinary',
  remote: true,
  state: 'issued',
  ahead: 8,
  minutes: 20,
  noWindowOpen: false,
  issuedAt: 0,
  nearAhead: 3,
  sms: false,
  cases: [],
  version: 1,
  ...s,
});

describe('the alerts a page gives, once each, across reloads', () => {
  it('rings when near, then when called, and never again', () => {
    const store = memory();
    expect(alertsFor(store, state({ ahead: 8 }))).toEqual([]);
    expect(alertsFor(store, state({ ahead: 4 }))).toEqual([]);
    expect(alertsFor(store, state({ ahead: 3 }))).toEqual(['near']);
    expect(alertsFor(store, state({ ahead: 1 }))).toEqual([]);
    // The page is reloaded: what it gave is remembered.
    expect(alertsFor(store, state({ ahead: 0 }))).toEqual([]);
    expect(alertsFor(store, state({ state: 'called', ahead: 0, window: 3 }))).toEqual(['called']);
    expect(alertsFor(store, state({ state: 'called', ahead: 0, window: 3, calledAt: 5 }))).toEqual([]);
    expect(recall(store, REF)).toEqual({ first: { state: 'issued', ahead: 8 }, sent: ['near', 'called'] });
  });

  it('does not ring 即将轮到您 while no window serves the item, and rings once one opens', () => {
    const store = memory();
    expect(alertsFor(store, state({ ahead: 8, noWindowOpen: true }))).toEqual([]);
    expect(alertsFor(store, state({ ahead: 2, noWindowOpen: true }))).toEqual([]);
    expect(alertsFor(store, state({ ahead: 2 }))).toEqual(['near']);
  });

  it('does not ring for a number first seen already near, but rings for the call', () => {
    const store = memory();
    expect(alertsFor(store, state({ ahead: 2 }))).toEqual([]);
    expect(alertsFor(store, state({ ahead: 1 }))).toEqual([]);
    expect(alertsFor(store, state({ state: 'called' }))).toEqual(['called']);
  });

  it('rings for a call it sees first, and keeps working where storage is refused', () => {
    const refusing: Store = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(alertsFor(refusing, state({ state: 'called' }))).toEqual(['called']);
    const spoiled = memory();
    spoiled.data.set(`sh.follow.${REF}`, '{not json');
    expect(alertsFor(spoiled, state({ ahead: 9 }))).toEqual([]);
  });

  it("keeps today's numbers for the home page, newest first, forgetting yesterday's", () => {
    const store = memory();
    rememberTicket(store, '2026-11-27', { ref: 'a'.repeat(22), number: 'A001' });
    rememberTicket(store, '2026-11-27', { ref: 'b'.repeat(22), number: 'B002' });
    rememberTicket(store, '2026-11-27', { ref: 'a'.repeat(22), number: 'A001' });
    expect(myTickets(store, '2026-11-27').map((t) => t.number)).toEqual(['A001', 'B002']);
    expect(myTickets(store, '2026-11-28')).toEqual([]);
  });
});

describe("the phone's addresses", () => {
  it.each([
    ['/m/', '', { name: 'home' }],
    ['/m', '', { name: 'home' }],
    [`/m/t/${REF}`, '', { name: 'ticket', ref: REF }],
    [`/m/a/${REF}`, '', { name: 'appointment', ref: REF }],
    ['/m/item/GA-SFZ-HL', '', { name: 'item', code: 'GA-SFZ-HL' }],
    ['/m/book/GA-SFZ-HL', '', { name: 'book', code: 'GA-SFZ-HL' }],
    ['/m/case', '?n=SL202611270001', { name: 'case', number: 'SL202611270001' }],
    ['/m/mine', '', { name: 'mine' }],
    ['/m/t/2026-11-27-A001', '', { name: 'home' }],
    ['/m/item/%E0%A4%A', '', { name: 'home' }],
    ['/m/nowhere', '', { name: 'home' }],
  ] as [string, string, Route][])('reads %s%s', (path, search, route) => {
    expect(parseRoute(path, search)).toEqual(route);
    if (route.name !== 'home' || path === '/m/') expect(parseRoute(routePath(route).split('?')[0]!, search)).toEqual(route);
  });
});
