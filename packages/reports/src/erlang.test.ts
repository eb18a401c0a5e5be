import { describe, expect, it } from 'vitest';
import { erlangC, meanWait, serviceLevel, windowsNeeded } from './erlang';

describe('Erlang C', () => {
  // Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example": 100 calls in
  // 30 minutes, 180 s average handling time (A = 10 Erlangs), target 80 % answered in 20 s.
  // Published: with 11 agents Pw = 68.21 % and 39 % answered in 20 s; 14 agents are needed (88.8 %).
  it("matches Call Centre Helper's worked example", () => {
    expect(erlangC(11, 10)).toBeCloseTo(0.6821, 4);
    expect(serviceLevel(11, 10, 180, 20)).toBeCloseTo(0.39, 2);
    expect(serviceLevel(13, 10, 180, 20)).toBeLessThan(0.8);
    expect(serviceLevel(14, 10, 180, 20)).toBeCloseTo(0.888, 3);
    expect(windowsNeeded(200, 180, { share: 0.8, minutes: 20 / 60 })).toBe(14);
  });

  // Westbay Engineers, "The Erlang-C formula" (erlang.com): 360 calls per half hour, 4 minutes
  // each (A = 48 Erlangs), 55 agents, 15 s target. Published: Pw 23.87 %, ASA 8.2 s, service level 84.6 %.
  it("matches Westbay's Erlang-C example", () => {
    expect(erlangC(55, 48)).toBeCloseTo(0.2387, 4);
    expect(meanWait(55, 48, 240)).toBeCloseTo(8.2, 1);
    expect(serviceLevel(55, 48, 240, 15)).toBeCloseTo(0.846, 3);
  });

  // Kleinrock, Queueing Systems vol. 1, §3.5: M/M/1 waits with probability ρ; M/M/2 with 2ρ²/(1+ρ).
  it('reduces to the textbook M/M/1 and M/M/2 forms', () => {
    for (const rho of [0.1, 0.5, 0.9]) {
      expect(erlangC(1, rho)).toBeCloseTo(rho, 10);
      expect(erlangC(2, 2 * rho)).toBeCloseTo((2 * rho * rho) / (1 + rho), 10);
    }
  });

  it('asks for no window without citizens, and one more than the traffic at least', () => {
    expect(windowsNeeded(0, 600, { share: 0.8, minutes: 20 })).toBe(0);
    // 30 citizens an hour at 10 minutes each is 5 Erlangs: five windows would never catch up.
    expect(windowsNeeded(30, 600, { share: 0.8, minutes: 20 })).toBeGreaterThanOrEqual(6);
    expect(serviceLevel(5, 5, 600, 1200)).toBe(0);
  });
});
