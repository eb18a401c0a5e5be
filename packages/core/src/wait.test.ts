import { describe, expect, it } from 'vitest';
import { RECENT_SERVICES, serviceMinutes, waitPhrase, waitRange } from './wait';

const MIN = 60_000;

describe('the service time a wait rests on (H-09)', () => {
  it.each<[string, number[], { minutes: number; basis: 'recent' | 'typical' }]>([
    ['no recent figures: the typical time', [], { minutes: 8, basis: 'typical' }],
    ['two recent figures are too few: still the typical time', [1 * MIN, 1 * MIN], { minutes: 8, basis: 'typical' }],
    ['three recent figures: their mean', [5 * MIN, 10 * MIN, 15 * MIN], { minutes: 10, basis: 'recent' }],
  ])('%s', (_what, recent, expected) => expect(serviceMinutes(recent, 8)).toEqual(expected));

  it(`counts only the newest ${RECENT_SERVICES} services`, () => {
    const old = Array.from({ length: 10 }, () => 60 * MIN);
    const recent = Array.from({ length: RECENT_SERVICES }, () => 4 * MIN);
    expect(serviceMinutes([...old, ...recent], 8)).toEqual({ minutes: 4, basis: 'recent' });
  });
});

describe('how a wait is said', () => {
  it.each<[string, number, 'recent' | 'typical', boolean, { low: number; high: number }]>([
    ['next at a free window: nothing to wait', 0, 'recent', true, { low: 0, high: 0 }],
    ['on the hall’s own figures: a narrow range', 20, 'recent', false, { low: 16, high: 25 }],
    ['on the typical time: a wider one', 20, 'typical', false, { low: 12, high: 30 }],
    ['never 0 at the low end for someone who is not next', 0.4, 'recent', false, { low: 1, high: 1 }],
  ])('%s', (_what, minutes, basis, next, range) => expect(waitRange(minutes, basis, next)).toEqual(range));

  it.each([
    [{ minutes: 0, range: { low: 0, high: 0 }, noWindowOpen: false }, { kind: 'next' }],
    [{ minutes: 5, range: { low: 4, high: 6 }, noWindowOpen: false }, { kind: 'about', minutes: 5 }],
    [{ minutes: 20, range: { low: 16, high: 25 }, noWindowOpen: false }, { kind: 'between', low: 16, high: 25 }],
    [{ minutes: 20, range: { low: 16, high: 25 }, noWindowOpen: true }, { kind: 'no-window' }],
  ])('says %j as %j', (w, phrase) => expect(waitPhrase(w)).toEqual(phrase));
});
