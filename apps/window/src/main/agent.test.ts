import { describe, expect, it } from 'vitest';
import { deviceReport, triesLeftIn } from './agent';

describe('the window agent', () => {
  it('reads the tries left from the hub’s refusal of a wrong PIN', () => {
    expect(triesLeftIn('wrong PIN for clerk 1005 (3 tries left)')).toBe(3);
    expect(triesLeftIn('clerk 1005 has no PIN yet')).toBeUndefined();
  });

  it('reports its devices to the hub’s device board (H-04)', () => {
    expect(deviceReport('printer', 'notice-printer', { kind: 'fault', code: 'paper-end' })).toEqual({ kind: 'printer', name: 'notice-printer', status: 'fault', code: 'paper-end' });
    expect(deviceReport('display', 'window-display', { kind: 'absent' })).toEqual({ kind: 'display', name: 'window-display', status: 'absent' });
  });
});
