import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RatingKeyDecoder, type KeyPress } from './decoder';
import { ackFrame, crc8, FRAME_START, helloFrame, keyFrame, LEVELS, type RatingLevel } from './frame';

const levelArb = fc.constantFrom(...(Object.values(LEVELS) as RatingLevel[]));
const garbageArb = fc.uint8Array({ maxLength: 20 }).map((b) => b.filter((x) => x !== FRAME_START));

function feedSplit(decoder: RatingKeyDecoder, bytes: Uint8Array, cuts: number[]) {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const presses: KeyPress[] = [];
  const acks: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    const r = decoder.push(bytes.subarray(prev, p));
    presses.push(...r.presses);
    acks.push(...r.acks);
    prev = p;
  }
  return { presses, acks };
}

describe('the rating key decoder', () => {
  it('reads a press and asks to acknowledge it', () => {
    const d = new RatingKeyDecoder();
    const r = d.push(keyFrame(3, 'dissatisfied', 9));
    expect(r.presses).toEqual([{ address: 3, sequence: 9, key: 2, level: 'dissatisfied' }]);
    expect(r.acks).toEqual([ackFrame(3, 9)]);
  });

  it('counts a repeated sequence once but acknowledges it again, and a hello resets the count', () => {
    const d = new RatingKeyDecoder();
    const frame = keyFrame(1, 'satisfied', 0);
    expect(d.push(frame).presses).toHaveLength(1);
    const again = d.push(frame);
    expect(again.presses).toHaveLength(0);
    expect(again.acks).toEqual([ackFrame(1, 0)]);
    expect(d.stats.repeated).toBe(1);
    d.push(helloFrame(1));
    expect(d.push(frame).presses).toHaveLength(1);
    expect(d.stats.hellos).toBe(1);
  });

  it('drops a frame with a bad check and finds the good frame right behind it', () => {
    const d = new RatingKeyDecoder();
    const bad = Buffer.from(keyFrame(2, 'satisfied', 1));
    bad[3] = 0x01;
    const r = d.push(Buffer.concat([bad, keyFrame(2, 'very-satisfied', 2)]));
    expect(r.presses.map((p) => p.level)).toEqual(['very-satisfied']);
    expect(d.stats.badChecksum).toBe(1);
  });

  it('finds a frame that starts inside a frame cut off by a pad reset', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), levelArb, (cut, level) => {
        const d = new RatingKeyDecoder();
        const stub = keyFrame(4, 'satisfied', 1).subarray(0, cut);
        const r = d.push(Buffer.concat([stub, keyFrame(4, level, 2)]));
        expect(r.presses.map((p) => [p.level, p.sequence])).toEqual([[level, 2]]);
      }),
    );
  });

  it('drops a well-checked frame with an unknown key, type or reserved address', () => {
    const d = new RatingKeyDecoder();
    const mk = (body: number[]) => Buffer.from([FRAME_START, ...body, crc8(body)]);
    const r = d.push(Buffer.concat([mk([1, 0x52, 9, 0]), mk([1, 0x77, 5, 0]), mk([0, 0x52, 5, 0]), mk([0xff, 0x52, 5, 0])]));
    expect(r.presses).toEqual([]);
    expect(r.acks).toEqual([]);
    expect(d.stats.invalid).toBe(4);
  });

  it('never throws on random bytes, and every press it reports is a whole good frame in the input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => {
        const d = new RatingKeyDecoder();
        const { presses, acks } = feedSplit(d, bytes, cuts);
        const input = Buffer.from(bytes);
        for (const p of presses) expect(input.includes(keyFrame(p.address, p.level, p.sequence))).toBe(true);
        expect(acks.length).toBeGreaterThanOrEqual(presses.length);
        const s = d.stats;
        expect(s.garbage + 6 * (s.frames + s.hellos + s.invalid + s.repeated) + s.badChecksum).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: 500 },
    );
  });

  it('recovers every press from frames mixed with garbage, split anywhere', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ address: fc.integer({ min: 1, max: 254 }), level: levelArb, garbage: garbageArb }), { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (presses, cuts) => {
          const seq = new Map<number, number>();
          const sent = presses.map((p) => {
            const s = ((seq.get(p.address) ?? -1) + 1) & 0xff;
            seq.set(p.address, s);
            return { ...p, sequence: s };
          });
          const stream = Buffer.concat(sent.flatMap((p) => [Buffer.from(p.garbage), keyFrame(p.address, p.level, p.sequence)]));
          const d = new RatingKeyDecoder();
          const got = feedSplit(d, stream, cuts);
          expect(got.presses.map((p) => [p.address, p.level, p.sequence])).toEqual(sent.map((p) => [p.address, p.level, p.sequence]));
          expect(got.acks).toEqual(sent.map((p) => ackFrame(p.address, p.sequence)));
          expect(d.stats.garbage).toBe(sent.reduce((n, p) => n + p.garbage.length, 0));
        },
      ),
    );
  });

  it('counts the bytes that made no frame since the last good one, and a good frame sets the count to 0', () => {
    const d = new RatingKeyDecoder();
    const bad = Buffer.from(keyFrame(2, 'satisfied', 1));
    bad[5]! ^= 0xff;
    const unknownKey = Buffer.from([FRAME_START, 2, 0x52, 9, 1, crc8([2, 0x52, 9, 1])]);
    d.push(Buffer.concat([Buffer.from([0x00, 0xff]), bad, unknownKey]));
    // Two stray bytes, the bad frame's six (its start byte dropped, then the rest as garbage), the unknown key's frame.
    expect(d.noise).toBe(2 + 6 + 6);
    d.push(keyFrame(2, 'satisfied', 2));
    expect(d.noise).toBe(0);
    d.push(Buffer.from([0x13]));
    d.push(helloFrame(7));
    expect(d.noise).toBe(0);
  });

  it('counts every byte of a stream that makes no good frame as noise, but the last five, which may still begin one', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => {
        const d = new RatingKeyDecoder();
        feedSplit(d, bytes, cuts);
        fc.pre(d.stats.frames + d.stats.hellos + d.stats.repeated === 0);
        expect(d.noise).toBeGreaterThanOrEqual(bytes.length - 5);
        expect(d.noise).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: 500 },
    );
  });

  it('drops every frame with one flipped bit and counts it (CRC-8 catches all single-bit errors)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 254 }), levelArb, fc.integer({ min: 0, max: 255 }), fc.integer({ min: 8, max: 47 }), (address, level, sequence, bit) => {
        const frame = Buffer.from(keyFrame(address, level, sequence));
        frame[bit >> 3]! ^= 1 << (bit & 7);
        const d = new RatingKeyDecoder();
        expect(d.push(frame).presses).toEqual([]);
        expect(d.stats.frames).toBe(0);
      }),
    );
  });
});
