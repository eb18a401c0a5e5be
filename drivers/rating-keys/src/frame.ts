export const FRAME_START = 0xa5;
export const ACK_START = 0x5a;
export const FRAME_LENGTH = 6;
export const ACK_LENGTH = 5;
export const TYPE_KEY = 0x52;
export const TYPE_HELLO = 0x48;
export const TYPE_ACK = 0x06;

/** The five national rating levels (N-01), by key code. */
export const LEVELS = {
  5: 'very-satisfied', // 非常满意
  4: 'satisfied', // 满意
  3: 'basically-satisfied', // 基本满意
  2: 'dissatisfied', // 不满意
  1: 'very-dissatisfied', // 非常不满意
} as const;
export type KeyCode = keyof typeof LEVELS;
export type RatingLevel = (typeof LEVELS)[KeyCode];

export const LEVEL_NAMES_ZH: Record<RatingLevel, string> = {
  'very-satisfied': '非常满意',
  satisfied: '满意',
  'basically-satisfied': '基本满意',
  dissatisfied: '不满意',
  'very-dissatisfied': '非常不满意',
};

export function keyCodeOf(level: RatingLevel): KeyCode {
  const entry = Object.entries(LEVELS).find(([, l]) => l === level);
  return Number(entry?.[0]) as KeyCode;
}

/** CRC-8/SMBUS: polynomial 0x07, init 0, no reflection, no final XOR. */
export function crc8(bytes: ArrayLike<number>, from = 0, to = bytes.length): number {
  let crc = 0;
  for (let i = from; i < to; i++) {
    crc ^= bytes[i]! & 0xff;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

export function keyFrame(address: number, level: RatingLevel, sequence: number): Buffer {
  const body = [address & 0xff, TYPE_KEY, keyCodeOf(level), sequence & 0xff];
  return Buffer.from([FRAME_START, ...body, crc8(body)]);
}

export function helloFrame(address: number): Buffer {
  const body = [address & 0xff, TYPE_HELLO, 0, 0];
  return Buffer.from([FRAME_START, ...body, crc8(body)]);
}

export function ackFrame(address: number, sequence: number): Buffer {
  const body = [address & 0xff, TYPE_ACK, sequence & 0xff];
  return Buffer.from([ACK_START, ...body, crc8(body)]);
}
