import { ackFrame, crc8, FRAME_LENGTH, FRAME_START, LEVELS, TYPE_HELLO, TYPE_KEY, type KeyCode, type RatingLevel } from './frame';

export interface KeyPress {
  address: number;
  sequence: number;
  key: KeyCode;
  level: RatingLevel;
}

export interface DecoderStats {
  frames: number;
  hellos: number;
  /** Bytes skipped while looking for a start byte. */
  garbage: number;
  badChecksum: number;
  /** Frames with a good check but an unknown type, key or address. */
  invalid: number;
  repeated: number;
}

export interface DecodeResult {
  presses: KeyPress[];
  /** Acknowledgements to send back, in order, one for every frame with a good check (of the pad it is set to, if any). */
  acks: Buffer[];
}

/** The terminal's side of PROTOCOL.md: any bytes in, key presses and acknowledgements out. Never throws. */
export class RatingKeyDecoder {
  readonly stats: DecoderStats = { frames: 0, hellos: 0, garbage: 0, badChecksum: 0, invalid: 0, repeated: 0 };
  /**
   * Bytes that made no frame (garbage, the start byte of a bad check, a frame of unknown type, key or
   * address) since the last frame read whole: a line at the wrong speed or on a bad cable gives
   * nothing else. Any good frame (a press, a repeat, a hello, another pad's) sets it to 0.
   */
  get noise(): number {
    return this.noiseBytes;
  }
  private noiseBytes = 0;
  private pending: number[] = [];
  private lastSequence = new Map<number, number>();

  /**
   * With `address`, only that pad's frames are acknowledged: another pad on the line (a neighbour's,
   * one set wrong) keeps resending and lights its error lamp, instead of being told that a press
   * nobody counts was taken. Its presses are still reported (the terminal may log them).
   */
  constructor(private readonly options: { address?: number } = {}) {}

  private acknowledges(address: number): boolean {
    return this.options.address === undefined || this.options.address === address;
  }

  push(chunk: ArrayLike<number>): DecodeResult {
    const result: DecodeResult = { presses: [], acks: [] };
    for (let i = 0; i < chunk.length; i++) this.pending.push(chunk[i]! & 0xff);
    let i = 0;
    const buf = this.pending;
    while (i < buf.length) {
      if (buf[i] !== FRAME_START) {
        this.stats.garbage++;
        this.noiseBytes++;
        i++;
        continue;
      }
      if (buf.length - i < FRAME_LENGTH) break;
      if (crc8(buf, i + 1, i + 5) !== buf[i + 5]) {
        this.stats.badChecksum++;
        this.noiseBytes++;
        // Drop only the start byte: a real frame may begin inside this one.
        i++;
        continue;
      }
      const address = buf[i + 1]!;
      const type = buf[i + 2]!;
      const key = buf[i + 3]!;
      const sequence = buf[i + 4]!;
      i += FRAME_LENGTH;
      if (address === 0 || address === 0xff || (type !== TYPE_KEY && type !== TYPE_HELLO)) {
        this.stats.invalid++;
        this.noiseBytes += FRAME_LENGTH;
        continue;
      }
      if (type === TYPE_HELLO) {
        this.noiseBytes = 0;
        this.stats.hellos++;
        this.lastSequence.delete(address);
        if (this.acknowledges(address)) result.acks.push(ackFrame(address, sequence));
        continue;
      }
      if (!(key in LEVELS)) {
        this.stats.invalid++;
        this.noiseBytes += FRAME_LENGTH;
        continue;
      }
      this.noiseBytes = 0;
      if (this.acknowledges(address)) result.acks.push(ackFrame(address, sequence));
      if (this.lastSequence.get(address) === sequence) {
        this.stats.repeated++;
        continue;
      }
      this.lastSequence.set(address, sequence);
      this.stats.frames++;
      const code = key as KeyCode;
      result.presses.push({ address, sequence, key: code, level: LEVELS[code] });
    }
    this.pending = buf.slice(i);
    return result;
  }
}
