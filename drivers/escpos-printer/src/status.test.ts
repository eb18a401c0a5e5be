import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { askLength } from './printer';
import { decodeStatus, encodeStatus, faultOf, isStatusByte } from './status';

const good = { offline: false, coverOpen: false, paperEnd: false, paperNearEnd: false, cutterError: false, unrecoverableError: false, autoRecoverableError: false };

describe('DLE EOT status', () => {
  it('reads a ready printer from the four base replies 0x12', () => {
    const s = decodeStatus(0x12, 0x12, 0x12, 0x12);
    expect(faultOf(s)).toBeUndefined();
    expect(s.paperNearEnd).toBe(false);
  });

  it.each([
    ['cover open', { ...good, offline: true, coverOpen: true }, 'cover-open'],
    ['paper end', { ...good, offline: true, paperEnd: true, paperNearEnd: true }, 'paper-end'],
    ['cutter error', { ...good, offline: true, cutterError: true }, 'cutter-error'],
    ['unrecoverable error', { ...good, offline: true, unrecoverableError: true }, 'unrecoverable-error'],
    ['plain offline', { ...good, offline: true }, 'offline'],
    ['near-end only', { ...good, paperNearEnd: true }, undefined],
  ] as const)('names %s as %s', (_name, state, fault) => {
    const [a, b, c, d] = encodeStatus(state);
    for (const byte of [a, b, c, d]) expect(isStatusByte(byte)).toBe(true);
    const s = decodeStatus(a, b, c, d);
    expect(faultOf(s)).toBe(fault);
    expect(s.paperNearEnd).toBe(state.paperNearEnd);
  });

  it('reads paper end from the roll sensor (DLE EOT 4 bits 5 and 6) alone', () => {
    expect(decodeStatus(0x12, 0x12, 0x12, 0x72).paperEnd).toBe(true);
    expect(decodeStatus(0x12, 0x12, 0x12, 0x1e).paperNearEnd).toBe(true);
  });

  it('does not take ordinary data bytes for status replies', () => {
    expect(isStatusByte(0x41)).toBe(false);
    expect(isStatusByte(0x00)).toBe(false);
    expect(isStatusByte(0x92)).toBe(false);
  });
});

describe('the length of an ask while older answers are owed', () => {
  it('makes its whole answer a count of bytes at which no run of owed answers can end, whichever of them the printer lost', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 8 }), (owed) => {
        const { length, whole } = askLength(owed);
        expect(length).toBeGreaterThanOrEqual(4);
        // The printer lost the owed asks before some one (none, some, all) and answers the rest, late, in order.
        const runs = new Set<number>();
        for (let i = 0; i < owed.length; i++) for (let j = i + 1; j <= owed.length; j++) runs.add(owed.slice(i, j).reduce((a, b) => a + b, 0));
        for (let lost = 0; lost <= owed.length; lost++) expect(whole).toContain(owed.slice(lost).reduce((a, b) => a + b, 0) + length);
        for (const w of whole) expect(runs.has(w)).toBe(false);
      }),
    );
  });
});
