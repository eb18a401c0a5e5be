import { describe, expect, it } from 'vitest';
import { idlePhase } from './idle';

const settings = { idleSeconds: 60, warnSeconds: 20 };
const s = 1000;

describe('the kiosk waiting for a citizen who stopped touching it', () => {
  it.each([
    ['touched a moment ago', 5 * s, false, { kind: 'active' }],
    ['a minute without a touch: asks, 20 seconds left', 60 * s, false, { kind: 'warning', secondsLeft: 20 }],
    ['counting down', 70.5 * s, false, { kind: 'warning', secondsLeft: 10 }],
    ['the last second', 79.9 * s, false, { kind: 'warning', secondsLeft: 1 }],
    ['nobody answered: home', 80 * s, false, { kind: 'reset' }],
    ['at rest on the home screen: nothing to ask', 70 * s, true, { kind: 'active' }],
    ['at rest, the time is up: what was typed goes', 80 * s, true, { kind: 'reset' }],
  ] as const)('%s', (_what, elapsed, atRest, phase) => expect(idlePhase(1_000_000 + elapsed, 1_000_000, settings, atRest)).toEqual(phase));
});
