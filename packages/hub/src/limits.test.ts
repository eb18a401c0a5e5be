import { describe, expect, it } from 'vitest';
import { Buckets, ConnectionCount, DEFAULT_LIMITS, limitsFrom } from './limits';

describe('SERVICEHALL_LIMITS', () => {
  it('changes the limits it names and keeps the others', () => {
    const limits = limitsFrom('{"connectionsPerAddress":128,"phone":{"pollMs":1000},"commands":{"kiosk":{"perMinute":30,"burst":5}}}');
    expect(limits).toMatchObject({ connectionsPerAddress: 128, connections: DEFAULT_LIMITS.connections, phone: { pollMs: 1000, streams: DEFAULT_LIMITS.phone.streams } });
    expect(limits.commands).toMatchObject({ kiosk: { perMinute: 30, burst: 5 }, window: { perMinute: 120 } });
  });

  it("gives a kiosk, by default, a burst of 20 commands and then one a second (a test's hub may take more, as the client's pace test does)", () => {
    expect(DEFAULT_LIMITS.commands).toMatchObject({ kiosk: { perMinute: 60, burst: 20 } });
  });

  it.each([
    ['{"conections":10}', 'SERVICEHALL_LIMITS has no limit "conections"'],
    ['{"phone":{"pollMS":1000}}', 'SERVICEHALL_LIMITS.phone has no limit "pollMS"'],
    ['{"commands":{"kiosks":{"perMinute":30,"burst":5}}}', 'SERVICEHALL_LIMITS.commands has no limit "kiosks"'],
    ['{"connections":-1}', 'SERVICEHALL_LIMITS.connections must be a whole number, 1 or more'],
    ['[1]', 'SERVICEHALL_LIMITS must be a JSON object'],
  ])('refuses %s, naming what is wrong', (json, message) => {
    expect(() => limitsFrom(json)).toThrow(message);
  });
});

describe('the rate buckets', () => {
  it('keep their cost per take when tens of thousands of addresses spend at once (a flood of addresses, not of requests)', () => {
    const buckets = new Buckets({ perMinute: 30, burst: 20 });
    const now = Date.parse('2026-11-27T09:00:00+08:00');
    const started = performance.now();
    // None of them full again within the minute: a look for full buckets finds none to forget.
    let refused = 0;
    for (let i = 0; i < 40_000; i++) if (buckets.take(`2001:db8::${i.toString(16)}`, now) > 0) refused += 1;
    // Looking through them all at every take past 10,000 took seconds (quadratic); once each time they double, milliseconds.
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(refused).toBe(0);
  });
});

describe('the connections counted', () => {
  it('cap every address but a trusted proxy’s, whose connections are its clients’ (capped in all only)', () => {
    const count = new ConnectionCount({ connections: 100, connectionsPerAddress: 2 }, (address) => address !== '10.0.0.5');
    expect([1, 2, 3, 4, 5].map(() => count.open('10.0.0.5').verdict)).toEqual(['open', 'open', 'open', 'open', 'open']);
    expect([1, 2, 3].map(() => count.open('10.0.0.9').verdict)).toEqual(['open', 'open', 'over']);
    expect(count.size).toBe(7);
  });

  it('hold an IPv6 network (its /64) to a quarter of all, though each connection comes from a new address in it; its addresses keep their own cap, and another network is let in', () => {
    const count = new ConnectionCount({ connections: 100, connectionsPerAddress: 2 });
    const verdicts = Array.from({ length: 60 }, (_, i) => count.open(`2001:db8:1:2::${(i + 1).toString(16)}`).verdict);
    expect(verdicts.filter((v) => v === 'open')).toHaveLength(25);
    expect(verdicts.slice(25, 50).every((v) => v === 'over')).toBe(true);
    // Beyond twice its share, a flood: closed at once, holding no descriptor.
    expect(verdicts.slice(50).every((v) => v === 'drop')).toBe(true);
    expect(count.size).toBe(25);
    expect(count.open('2001:db8:1:3::1').verdict).toBe('open');
    expect(['10.0.0.1', '10.0.0.1', '10.0.0.1'].map((a) => count.open(a).verdict)).toEqual(['open', 'open', 'over']);
    // Closing gives the network's places back.
    const one = count.open('2001:db8:9:9::1');
    count.close('2001:db8:9:9::1', one);
    const again = Array.from({ length: 30 }, (_, i) => count.open(`2001:db8:9:9::${(i + 1).toString(16)}`).verdict);
    expect(again.filter((v) => v === 'open')).toHaveLength(25);
  });
});
