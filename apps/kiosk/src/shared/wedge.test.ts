import { describe, expect, it } from 'vitest';
import { WedgeReader } from './wedge';

/** Keys as a scanner or a hand sends them: each after `gap` ms. */
function send(reader: WedgeReader, keys: string[], gap: number, start = 1000): (string | undefined)[] {
  return keys.map((k, i) => reader.key(k, start + i * gap));
}
const keys = (text: string) => [...text, 'Enter'];

describe("the kiosk's scanner, a keyboard wedge", () => {
  it('reads a booking code typed in a burst and ended by Enter', () => {
    expect(send(new WedgeReader(), keys('7YHJW3BY'), 8).at(-1)).toBe('7YHJW3BY');
  });

  it('ignores a person typing, a short burst and Enter alone', () => {
    expect(send(new WedgeReader(), keys('7YHJW3BY'), 250).at(-1)).toBeUndefined();
    expect(send(new WedgeReader(), keys('AB1'), 8).at(-1)).toBeUndefined();
    expect(new WedgeReader().key('Enter', 5)).toBeUndefined();
  });

  it('starts again after a pause, so that a stray key before the scan is not part of it', () => {
    const reader = new WedgeReader();
    reader.key('x', 0);
    expect(send(reader, keys('K7M2Q9PA'), 10, 2000).at(-1)).toBe('K7M2Q9PA');
  });

  it('skips keys that are no characters (Shift) and reads two scans in a row', () => {
    const reader = new WedgeReader();
    expect(send(reader, ['Shift', 'A', 'Shift', 'B', 'C', 'D', 'Enter'], 5).at(-1)).toBe('ABCD');
    expect(send(reader, keys('EFGH'), 5, 5000).at(-1)).toBe('EFGH');
  });
});
