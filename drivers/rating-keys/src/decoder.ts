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
  /** Frames with a good check but an unknown type, key or address, or a hello whose key or sequence is not 0x00. */
  invalid: number;
  repeated: number;
  /** Frames with a good check dropped for the whole frame that starts inside them (the first one cut off, its check passed by chance). */
  cut: number;
}

/** What the bytes from a start byte can still be: a frame (`frame`), not one (`no`), or too few yet to say (`maybe`). */
type Candidate = 'frame' | 'no' | 'maybe';

export interface DecodeResult {
  presses: KeyPress[];
  /** Acknowledgements to send back, in order, one for every frame with a good check (of the pad it is set to, if any). */
  acks: Buffer[];
}

/** The terminal's side of PROTOCOL.md: any bytes in, key presses and acknowledgements out. Never throws. */
export class RatingKeyDecoder {
  readonly stats: DecoderStats = { frames: 0, hellos: 0, garbage: 0, badChecksum: 0, invalid: 0, repeated: 0, cut: 0 };
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
    for (let i = 0; i < chunk.length; i++) this.pending.push(chunk[i]! & 0xff);
    return this.read(false);
  }

  /**
   * Whether a whole frame waits for the bytes that say whether another starts inside it (its
   * sequence or check is the start byte): `flush` reads it once the line has been quiet a while.
   */
  get waiting(): boolean {
    return this.pending.length >= FRAME_LENGTH;
  }

  /** The line has gone quiet: no frame starts inside a frame that waits (see `waiting`), which is read now. */
  flush(): DecodeResult {
    return this.read(true);
  }

  private read(quiet: boolean): DecodeResult {
    const result: DecodeResult = { presses: [], acks: [] };
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
      // Drop only the start byte of what is not a frame: a real frame may begin inside it.
      if (crc8(buf, i + 1, i + 5) !== buf[i + 5]) {
        this.stats.badChecksum++;
        this.noiseBytes++;
        i++;
        continue;
      }
      if (candidate(buf, i) === 'no') {
        this.stats.invalid++;
        this.noiseBytes++;
        i++;
        continue;
      }
      // A frame cut off (a pad's reset, bytes lost on the line) followed by a whole one passes the
      // check by chance once in 256: the whole frame starting inside it wins. Until the bytes say
      // whether one does, or the line is quiet, the frame waits.
      const inner = innerFrame(buf, i);
      if (inner === 'maybe' && !quiet) break;
      if (inner === 'frame') {
        this.stats.cut++;
        this.noiseBytes++;
        i++;
        continue;
      }
      const address = buf[i + 1]!;
      const type = buf[i + 2]!;
      const key = buf[i + 3]!;
      const sequence = buf[i + 4]!;
      i += FRAME_LENGTH;
      if (type === TYPE_HELLO) {
        this.noiseBytes = 0;
        this.stats.hellos++;
        this.lastSequence.delete(address);
        if (this.acknowledges(address)) result.acks.push(ackFrame(address, sequence));
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

/**
 * What the bytes from the start byte at `at` can be, by what PROTOCOL.md allows of each: an address
 * not reserved, a type 'R' with one of the five keys or a hello with key and sequence 0x00, and its check.
 */
function candidate(buf: readonly number[], at: number): Candidate {
  const has = (offset: number) => at + offset < buf.length;
  if (has(1) && (buf[at + 1] === 0 || buf[at + 1] === 0xff)) return 'no';
  if (has(2) && buf[at + 2] !== TYPE_KEY && buf[at + 2] !== TYPE_HELLO) return 'no';
  const hello = buf[at + 2] === TYPE_HELLO;
  if (has(3) && (hello ? buf[at + 3] !== 0 : !(buf[at + 3]! in LEVELS))) return 'no';
  if (has(4) && hello && buf[at + 4] !== 0) return 'no';
  if (!has(5)) return 'maybe';
  return crc8(buf, at + 1, at + 5) === buf[at + 5] ? 'frame' : 'no';
}

/** Whether a frame starts inside the frame at `at`: the first start byte after it that can begin one. */
function innerFrame(buf: readonly number[], at: number): Candidate {
  let found: Candidate = 'no';
  for (let k = 1; k < FRAME_LENGTH && found === 'no'; k++) if (buf[at + k] === FRAME_START) found = candidate(buf, at + k);
  return found;
}
