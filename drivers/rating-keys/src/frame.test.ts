import { describe, expect, it } from 'vitest';
import { ackFrame, crc8, helloFrame, keyCodeOf, keyFrame, LEVEL_NAMES_ZH, LEVELS } from './frame';

describe('the rating pad frame of PROTOCOL.md', () => {
  it('uses CRC-8/SMBUS, whose check value for "123456789" is 0xF4', () => {
    expect(crc8(Buffer.from('123456789'))).toBe(0xf4);
  });

  it('encodes the documented example frame and its acknowledgement byte for byte', () => {
    expect([...keyFrame(3, 'very-satisfied', 7)]).toEqual([0xa5, 0x03, 0x52, 0x05, 0x07, 0x9c]);
    expect([...ackFrame(3, 7)]).toEqual([0x5a, 0x03, 0x06, 0x07, 0xd6]);
    expect([...helloFrame(3).subarray(0, 5)]).toEqual([0xa5, 0x03, 0x48, 0x00, 0x00]);
  });

  it('has one key for each of the five national levels, the bottom two bad', () => {
    expect(Object.keys(LEVELS)).toHaveLength(5);
    expect(Object.values(LEVELS).map((l) => LEVEL_NAMES_ZH[l])).toEqual(['非常不满意', '不满意', '基本满意', '满意', '非常满意']);
    for (const level of Object.values(LEVELS)) expect(LEVELS[keyCodeOf(level)]).toBe(level);
  });
});
