import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { changed, extended } from './copy';
import { callTicket, type Ticket } from './ticket';

const fields = fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'state', 'toString', 'constructor')), fc.oneof(fc.integer(), fc.string(), fc.constant(undefined), fc.array(fc.integer())), {
  maxKeys: 8,
});

/** The same fields, values and order, and the same prototype: what the spread would have made. */
function sameAsSpread(made: object, spread: object) {
  expect(Object.getPrototypeOf(made)).toBe(Object.getPrototypeOf(spread));
  expect(Reflect.ownKeys(made)).toEqual(Reflect.ownKeys(spread));
  for (const key of Reflect.ownKeys(spread)) expect(Object.getOwnPropertyDescriptor(made, key)).toEqual(Object.getOwnPropertyDescriptor(spread, key));
}

describe('copies with fields changed or added', () => {
  it('make what { ...base, ...changes } makes, in its key order, for any fields (a "__proto__" field stays a field)', () => {
    fc.assert(
      fc.property(fields, fields, (baseFields, moreFields) => {
        // JSON.parse makes "__proto__" an own field, as a hostile body would.
        const base = JSON.parse(JSON.stringify(baseFields)) as Record<string, unknown>;
        const more = JSON.parse(JSON.stringify(moreFields)) as Record<string, unknown>;
        sameAsSpread(changed(base, more), { ...base, ...more });
        sameAsSpread(extended(base, more), { ...base, ...more });
      }),
    );
  });

  it('leave the object they start from as it was, and give a new one', () => {
    const base = { state: 'issued', recalls: 0, transfers: [] as number[] };
    const copy = changed(base, { state: 'called' });
    expect(copy).not.toBe(base);
    expect(base).toEqual({ state: 'issued', recalls: 0, transfers: [] });
    expect(copy).toEqual({ state: 'called', recalls: 0, transfers: [] });
    expect(copy.transfers).toBe(base.transfers);
  });

  it('set a field to undefined as the spread does: present, and undefined', () => {
    const copy = changed({ window: 3 as number | undefined, clerk: 'A' }, { window: undefined });
    expect(Object.keys(copy)).toEqual(['window', 'clerk']);
    expect(copy.window).toBeUndefined();
  });

  it('call a ticket with its fields in the order the ticket had them', () => {
    const t: Ticket = { id: '2026-12-05-A001', number: 'A001', day: '2026-12-05', serviceCode: 'A', lane: 'ordinary', state: 'issued', issuedAt: 1, place: 1, recalls: 0, transfers: [] };
    const called = callTicket(t, 3, '3001', 5);
    if (!called.ok) throw new Error(called.message);
    expect(Object.keys(called.value).slice(0, 10)).toEqual(Object.keys(t));
    expect(called.value).toMatchObject({ state: 'called', window: 3, clerk: '3001', firstClerk: '3001', calledAt: 5, lastCalledAt: 5 });
  });
});
