import { describe, expect, it } from 'vitest';
import { expectedWait, RECENT_SERVICES, type WaitInput } from './wait';

const MIN = 60_000;
const base: WaitInput = { waiting: 0, recentServiceMs: [], typicalServiceMinutes: 8, openWindows: 1 };

describe('the expected wait told to a citizen (H-09)', () => {
  it.each<[string, Partial<WaitInput>, { minutes: number; basis: 'recent' | 'typical'; noWindowOpen: boolean }]>([
    ['nobody ahead: no wait', { waiting: 0, recentServiceMs: [20 * MIN, 20 * MIN, 20 * MIN] }, { minutes: 0, basis: 'recent', noWindowOpen: false }],
    ['no recent figures: the typical time', { waiting: 3 }, { minutes: 24, basis: 'typical', noWindowOpen: false }],
    ['two recent figures are too few: still the typical time', { waiting: 3, recentServiceMs: [1 * MIN, 1 * MIN] }, { minutes: 24, basis: 'typical', noWindowOpen: false }],
    ['three recent figures: their mean', { waiting: 3, recentServiceMs: [5 * MIN, 10 * MIN, 15 * MIN] }, { minutes: 30, basis: 'recent', noWindowOpen: false }],
    ['shared among open windows', { waiting: 6, openWindows: 2 }, { minutes: 24, basis: 'typical', noWindowOpen: false }],
    ['recent mean shared among three windows', { waiting: 3, recentServiceMs: [5 * MIN, 10 * MIN, 15 * MIN], openWindows: 3 }, { minutes: 10, basis: 'recent', noWindowOpen: false }],
    ['rounded to whole minutes', { waiting: 1, typicalServiceMinutes: 7, openWindows: 2 }, { minutes: 4, basis: 'typical', noWindowOpen: false }],
    ['never under one minute while someone waits', { waiting: 1, typicalServiceMinutes: 1, openWindows: 5 }, { minutes: 1, basis: 'typical', noWindowOpen: false }],
    ['no window open: assumes one opens, and says so', { waiting: 2, openWindows: 0 }, { minutes: 16, basis: 'typical', noWindowOpen: true }],
    ['no window open and nobody waiting', { waiting: 0, openWindows: 0 }, { minutes: 0, basis: 'typical', noWindowOpen: true }],
  ])('%s', (_what, input, expected) => {
    const w = expectedWait({ ...base, ...input });
    expect(w).toEqual({ waiting: input.waiting ?? 0, ...expected });
  });

  it(`counts only the newest ${RECENT_SERVICES} services`, () => {
    const old = Array.from({ length: 10 }, () => 60 * MIN);
    const recent = Array.from({ length: RECENT_SERVICES }, () => 4 * MIN);
    expect(expectedWait({ ...base, waiting: 2, recentServiceMs: [...old, ...recent] })).toMatchObject({ minutes: 8, basis: 'recent' });
  });
});
