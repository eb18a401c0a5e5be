import { SerialTransport, type ByteLink, type SerialOptions } from '@servicehall/serial';
import { RatingKeyDecoder, type DecodeResult, type DecoderStats, type KeyPress } from './decoder';

export type { ByteLink };
/** What openSerialLink rejects with when the port cannot be opened, saying why in the hall's words. */
export { openFailureDetail, SerialOpenError, shownPort } from '@servicehall/serial';

/**
 * Opens a serial port at 9600 8N1 as a ByteLink; it closes by itself when the pad goes away under
 * it, and a write the line does not take fails after a bound (SERIAL_WRITE_WITHIN_MS).
 */
export function openSerialLink(path: string, baudRate = 9600, options: SerialOptions = {}): Promise<ByteLink> {
  return SerialTransport.open(path, baudRate, options);
}

/**
 * A frame whose sequence or check is the start byte waits for the next bytes (another frame may
 * start inside it, RatingKeyDecoder): read once the line is this long quiet, well before the pad
 * resends (200 ms), and long after the rest of a frame that follows it at once (6 ms at 9600 baud,
 * and a USB adapter's 16 ms latency).
 */
export const QUIET_MS = 40;

/** Acknowledgements kept while the line is busy: more than one pad's frames in flight, far fewer than a flood. */
const MAX_WAITING_ACKS = 16;

/**
 * Bytes with no good frame among them after which the line is garbled (a speed that is not the
 * pad's, a bad cable): two frames' worth. Fewer come from a line that is sound: a stray byte or two
 * when a cable is plugged in, a frame cut off by a pad's reset (5 bytes), both together. A pad at
 * another speed gives more within a press or two: one at half the terminal's speed about 12 bytes
 * a frame, one at twice its speed about 3 a try, three tries a press.
 */
export const GARBLED_AFTER_BYTES = 12;

/** Every code a terminal reports its key pad's fault with: the screens give each its own words. */
export const KEYPAD_CODES = ['offline', 'garbled', 'write-failed'] as const;

/** A rating key pad on a link: reports each new press once and acknowledges every good frame. */
export class RatingKeyPad {
  private readonly decoder: RatingKeyDecoder;
  private unsubscribe: () => void;
  private unwatch: () => void;
  /** Acknowledgements waiting while the line takes the one before them. */
  private acks: Buffer[] = [];
  private writing = false;
  private isGarbled = false;
  private isUnanswered = false;
  private quiet: NodeJS.Timeout | undefined;

  /**
   * `onLost` hears the line go away: the key pad is dead until it is opened again. With `address`,
   * only that pad's frames are acknowledged (see RatingKeyDecoder). `onGarbled` hears the line
   * become garbled (GARBLED_AFTER_BYTES with no good frame: no press can be read) and, at the
   * first good frame after, read again; once each way. `onUnanswered` hears an acknowledgement
   * fail to be written (the line holds its flow control, a USB adapter hung: the write never
   * drains): presses are still counted, but the pad, unacknowledged, resends each and lights its
   * error lamp; and, at the first acknowledgement written after, answered again; once each way.
   */
  constructor(
    private link: ByteLink,
    onPress: (press: KeyPress) => void,
    private onError: (err: unknown) => void = () => {},
    onLost: () => void = () => {},
    private options: { address?: number; onGarbled?: (garbled: boolean, noise: number) => void; onUnanswered?: (unanswered: boolean, error?: unknown) => void } = {},
  ) {
    this.decoder = new RatingKeyDecoder(options);
    const take = ({ presses, acks }: DecodeResult) => {
      if (acks.length > 0) this.acknowledge(acks);
      const garbled = this.decoder.noise >= GARBLED_AFTER_BYTES;
      if (garbled !== this.isGarbled) {
        this.isGarbled = garbled;
        options.onGarbled?.(garbled, this.decoder.noise);
      }
      for (const p of presses) onPress(p);
      if (this.decoder.waiting) this.quiet ??= setTimeout(() => ((this.quiet = undefined), take(this.decoder.flush())), QUIET_MS);
    };
    this.unsubscribe = link.onData((chunk) => {
      clearTimeout(this.quiet);
      this.quiet = undefined;
      take(this.decoder.push(chunk));
    });
    this.unwatch = link.onClose?.(onLost) ?? (() => {});
  }

  /**
   * One write on the line at a time; the acknowledgements that come meanwhile go together in the
   * next. A pad that floods frames and takes no bytes back would otherwise pile up writes without
   * end: only the latest few wait, and the pad resends the frames whose acknowledgement was dropped.
   */
  private acknowledge(acks: Buffer[]): void {
    this.acks.push(...acks);
    if (this.acks.length > MAX_WAITING_ACKS) this.acks.splice(0, this.acks.length - MAX_WAITING_ACKS);
    if (!this.writing) void this.flush();
  }

  private async flush(): Promise<void> {
    this.writing = true;
    while (this.acks.length > 0) {
      const bytes = Buffer.concat(this.acks.splice(0));
      let error: unknown;
      const written = await this.link.write(bytes).then(
        () => true,
        (e: unknown) => ((error = e), this.onError(e), false),
      );
      if (written === this.isUnanswered) {
        this.isUnanswered = !written;
        this.options.onUnanswered?.(!written, error);
      }
    }
    this.writing = false;
  }

  get stats(): DecoderStats {
    return this.decoder.stats;
  }

  /** Whether the last acknowledgement could not be written: the pad is left to resend and light its lamp. */
  get unanswered(): boolean {
    return this.isUnanswered;
  }

  /** Whether bytes keep coming that make no frame (see GARBLED_AFTER_BYTES). */
  get garbled(): boolean {
    return this.isGarbled;
  }

  async close(): Promise<void> {
    clearTimeout(this.quiet);
    this.unsubscribe();
    this.unwatch();
    await this.link.close();
  }
}
