import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, limitsFrom } from './limits';

describe('SERVICEHALL_LIMITS', () => {
  it('changes the limits it names and keeps the others', () => {
    const limits = limitsFrom('{"connectionsPerAddress":128,"phone":{"pollMs":1000},"commands":{"kiosk":{"perMinute":30,"burst":5}}}');
    expect(limits).toMatchObject({ connectionsPerAddress: 128, connections: DEFAULT_LIMITS.connections, phone: { pollMs: 1000, streams: DEFAULT_LIMITS.phone.streams } });
    expect(limits.commands).toMatchObject({ kiosk: { perMinute: 30, burst: 5 }, window: { perMinute: 120 } });
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
