import type { Case, Rating, Ticket } from '@servicehall/core';
import { describe, expect, it } from 'vitest';
import { caseBody, caseOfRow, ratingBody, ratingOfRow, ticketBody, ticketOfRow } from './rows';

const ticket = (over: Partial<Ticket>): Ticket => ({
  id: '2026-11-27-A012',
  number: 'A012',
  day: '2026-11-27',
  serviceCode: 'GA-SFZ-HL',
  lane: 'ordinary',
  state: 'done',
  issuedAt: 1795741200000,
  place: 12,
  recalls: 0,
  transfers: [],
  window: 1,
  clerk: '1001',
  firstClerk: '1001',
  calledAt: 1795741260000,
  lastCalledAt: 1795741260000,
  servingAt: 1795741300000,
  finishedAt: 1795741600000,
  ...over,
});

const rowOf = (t: Ticket) => ({ id: t.id, day: t.day, number: t.number, service_code: t.serviceCode, state: t.state, lane: t.lane, issued_at: t.issuedAt, body: ticketBody(t) });

describe('a read-table row', () => {
  it.each([
    ['an ordinary ticket', ticket({})],
    ['a ticket recalled twice', ticket({ recalls: 2, lastCalledAt: 1795741320000 })],
    [
      'a ticket transferred (no clerk, no last call, its first clerk kept)',
      ticket({
        state: 'issued',
        window: undefined,
        clerk: undefined,
        lastCalledAt: undefined,
        servingAt: undefined,
        finishedAt: undefined,
        transfers: [{ at: 1795741400000, fromService: 'GA-SFZ-HL', toService: 'GA-HK-QR', fromWindow: 1, reason: '同时办理', by: 'window-1' }],
        serviceCode: 'GA-HK-QR',
      }),
    ],
    ['a ticket just issued', ticket({ state: 'issued', window: undefined, clerk: undefined, firstClerk: undefined, calledAt: undefined, lastCalledAt: undefined, servingAt: undefined, finishedAt: undefined })],
    ['a priority ticket by appointment', ticket({ lane: 'appointment', priorityReason: 'elderly', appointment: { code: 'YY1', slotStart: 1, slotEnd: 2 } })],
  ])('gives back %s whole, and leaves out what follows from the rest', (_, t) => {
    expect(ticketOfRow(rowOf(t))).toEqual(JSON.parse(JSON.stringify(t)));
    expect(ticketBody(t)).not.toMatch(/"(id|number|day|serviceCode|state|issuedAt)"/);
  });

  it('keeps an ordinary finished ticket to its times and place', () => {
    expect(JSON.parse(ticketBody(ticket({})))).toEqual({ place: 12, window: 1, clerk: '1001', calledAt: 1795741260000, servingAt: 1795741300000, finishedAt: 1795741600000 });
  });

  const rating = (over: Partial<Rating>): Rating => ({
    id: '2026-11-27-A012#1',
    ticketId: '2026-11-27-A012',
    ticketNumber: 'A012',
    serviceCode: 'GA-SFZ-HL',
    caseNumber: 'SL202611270001',
    caseState: 'accepted',
    window: 1,
    clerk: '1001',
    channel: 'window-pad',
    raterType: 'citizen',
    anonymous: true,
    level: 'very-satisfied',
    aspects: {},
    reasons: [],
    at: 1795741700000,
    count: 1,
    isDefault: false,
    ...over,
  });
  it.each([
    ['a rating at the counter', rating({})],
    ['a default rating', rating({ isDefault: true, raterType: 'system', level: 'satisfied' })],
    ['a rating with reasons added after the press', rating({ level: 'dissatisfied', reasons: ['等候时间长'], text: '材料没有一次说清', amendedAt: 1795741760000 })],
    ['a second rating by QR, with words', rating({ id: '2026-11-27-A012#2', count: 2, channel: 'qr', text: '很满意', reasons: ['态度好'], aspects: { attitude: 'very-satisfied' }, clerk: undefined })],
  ])('gives back %s whole', (_, r) => {
    const row = { id: r.id, ticket_id: r.ticketId, level: r.level, window: r.window, clerk: r.clerk ?? null, body: ratingBody(r) };
    expect(ratingOfRow(row)).toEqual(JSON.parse(JSON.stringify(r)));
  });

  const kase = (over: Partial<Case>): Case => ({
    number: 'SL202611270001',
    serviceCode: 'SJ-QY-SL',
    state: 'accepted',
    ticketId: '2026-11-27-A012',
    window: 7,
    clerk: '1011',
    firstClerk: '1011',
    openedAt: 1795741300000,
    acceptedOn: '2026-11-27',
    promisedDue: '2026-12-01',
    legalDue: '2026-12-18',
    dueCertain: true,
    notices: [],
    outcome: 'accepted',
    amendments: [],
    ...over,
  });
  it.each([
    ['a case accepted', kase({}), '2026-11-27'],
    ['a case continued at another clerk, accepted on a later day', kase({ clerk: '1012', acceptedOn: '2026-11-30' }), '2026-11-30'],
    ['a case waiting for corrections', kase({ state: 'correction', outcome: 'correction', acceptedOn: undefined, promisedDue: undefined, legalDue: undefined, dueCertain: undefined, notices: [{ at: 1, materials: ['m2'], newMaterials: [], breach: false, deadline: '2026-12-11' }] }), '2026-11-27'],
    ['a case lapsed', kase({ state: 'lapsed', outcome: 'correction', acceptedOn: undefined, promisedDue: undefined, legalDue: undefined, dueCertain: undefined }), '2026-11-27'],
    // The outcome that the state does not tell is kept: a consultation on a case still waiting for corrections.
    ['a case back for a consultation, still waiting', kase({ state: 'correction', outcome: 'consultation', acceptedOn: undefined, promisedDue: undefined, legalDue: undefined, dueCertain: undefined }), '2026-11-30'],
    ['a case whose outcome was amended', kase({ amendments: [{ at: 2, clerk: '1011', from: 'correction', to: 'accepted', reason: '材料当场补齐' }] }), '2026-11-27'],
    ['a case recorded before outcomes were kept', kase({ outcome: undefined }), '2026-11-27'],
  ])('gives back %s whole', (_, c, day) => {
    const row = { number: c.number, service_code: c.serviceCode, state: c.state, day, body: caseBody(c, day) };
    expect(caseOfRow(row)).toEqual(JSON.parse(JSON.stringify(c)));
  });

  it('reads a row written before bodies were slimmed, which holds the whole record', () => {
    const t = ticket({});
    expect(ticketOfRow({ ...rowOf(t), body: JSON.stringify(t) })).toEqual(t);
  });
});
