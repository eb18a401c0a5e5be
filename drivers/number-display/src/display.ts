import type { ByteLink } from '@servicehall/serial';
import { commandsFor, type Call, type DisplayCommands } from './commands';
import { crc16Modbus, writeReply } from './crc16';
import type { DisplayProfile } from './profiles';

export type { ByteLink };

/** The slowest line a window display is set to (8N1): a write's bound grows with its bytes at this speed. */
const SLOWEST_BAUD = 1200;

/**
 * The silence before each Modbus request, at the least: an RTU frame ends after 3.5 character
 * times of it (under 32 ms at 1200 baud), and a USB adapter passes bytes on in bursts up to 16 ms
 * apart (an FTDI's latency timer), so a line quiet for less may still be bringing a frame.
 */
const QUIET_MS = 40;

/**
 * A reply later than this many bounds after its try was sent is taken as never coming: each try owed is
 * forgotten at that age, on its own, however busy the line (a display silent for a moment costs the calls
 * after it one request more only while its missed tries are younger than this).
 */
const LATEST_REPLY_BOUNDS = 3;

/** Every code a display's write can fail with (a terminal adds `offline` for a line it cannot open): the screens give each its own words. */
export const DISPLAY_CODES = ['not-shown', 'timeout', 'modbus-exception', 'bad-reply', 'write-failed', 'offline'] as const;

export type DisplayResult = { ok: true } | { ok: false; code: Exclude<(typeof DISPLAY_CODES)[number], 'offline'>; message: string };

/** A whole reply to a write other than the one read for (other registers): an earlier try's, never this request's answer. */
type Earlier = { earlier: Buffer };
type Heard = DisplayResult | Earlier;
const isEarlier = (heard: Heard): heard is Earlier => 'earlier' in heard;

/** A try sent whose answer has not come: when it was sent (performance.now()), and the reply of a display that took it. */
type Owed = { at: number; reply: Buffer };

/**
 * A window's number display. DM-D and CD5220 displays are write-only; a Modbus display answers
 * every write, and the driver waits for the reply, asking again when it is lost.
 */
export class NumberDisplay {
  private commands: DisplayCommands;
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * Tries sent whose reply has not come. A function-16 reply holds only the start and the count, so a late
   * one reads as the reply to any later request to the same registers: a request is confirmed only by more
   * replies than were owed before it, so that at least one is its own (after an unanswered try the next
   * request is sent once more; a live display answers each, a late reply confirms nothing after it).
   */
  private unanswered: Owed[] = [];
  /** When the last byte came (performance.now()). */
  private heardAt = -Infinity;
  /** Reads what comes while no try waits (the quiet before one, the time between calls) for replies to the last request sent. */
  private between: ReplyReader | undefined;
  /** The waiting try's reading of what comes: one listener reads each chunk once, by the try or else between tries. */
  private trying: ((data: Buffer) => void) | undefined;
  /** The running request's count of an answer heard while none of its tries waited, or of a reply to another write heard at any time. */
  private heardBetween: ((heard: Heard, settled: boolean) => void) | undefined;
  constructor(
    private link: ByteLink,
    readonly profile: DisplayProfile,
    private timeoutMs = 500,
    /** More tries of a Modbus write whose reply was lost. */
    private retries = 2,
  ) {
    this.commands = commandsFor(profile);
    link.onData((data) => {
      this.heardAt = performance.now();
      if (this.trying) this.trying(data);
      else this.hearBetween(data);
    });
  }

  /** A reply or an exception that no try hears is still the answer to a try owed: counted, never dropped. */
  private hearBetween(data?: Buffer): void {
    const reader = this.between;
    for (let heard = reader?.read(data); heard; heard = reader?.read()) this.heardOwed(heard, reader!.expected);
  }

  /** An answer heard but by the try that waits for it: settles a try owed it may answer, and is counted by the running request. */
  private heardOwed(heard: Heard, expected: Buffer): void {
    const settled = this.settle(heard, expected);
    this.heardBetween?.(heard, settled);
  }

  /** The tries owed whose reply may still come: each is forgotten once older than LATEST_REPLY_BOUNDS bounds. */
  private owedNow(): Owed[] {
    const now = performance.now();
    return (this.unanswered = this.unanswered.filter((o) => now - o.at <= LATEST_REPLY_BOUNDS * this.timeoutMs));
  }

  /**
   * The try an answer is for, no longer owed: the oldest one owed that a display answers so (a reply names
   * the registers written, an exception only the function). Whether there was one: an answer to a try already
   * forgotten (or to none) settles none, so that the tries owed are never fewer than those really unanswered.
   */
  private settle(heard: Heard, expected: Buffer): boolean {
    const reply = isEarlier(heard) ? heard.earlier : heard.ok ? expected : undefined;
    const i = this.owedNow().findIndex((o) => (reply ? o.reply.equals(reply) : o.reply[1] === expected[1]));
    if (i >= 0) this.unanswered.splice(i, 1);
    return i >= 0;
  }

  show(call: Call): Promise<DisplayResult> {
    const bytes = this.commands.show(call);
    if (!bytes) return Promise.resolve({ ok: false, code: 'not-shown', message: `${call.number} at window ${call.window} does not fit display ${this.profile.id}` });
    return this.send(bytes);
  }

  /** Up to two rows of free text, cut to the display's width (Chinese only where the profile has the fonts). */
  showRows(rows: readonly string[]): Promise<DisplayResult> {
    const bytes = this.commands.rows?.(rows);
    if (!bytes) return Promise.resolve({ ok: false, code: 'not-shown', message: 'this display shows digits only' });
    return this.send(bytes);
  }

  clear(): Promise<DisplayResult> {
    return this.send(this.commands.clear());
  }

  setBrightness(level: 1 | 2 | 3 | 4): Promise<DisplayResult> {
    return this.send(this.commands.brightness(level));
  }

  private send(bytes: Buffer | Buffer[]): Promise<DisplayResult> {
    const run = this.queue.then(async (): Promise<DisplayResult> => {
      if (!Array.isArray(bytes)) return this.write(bytes);
      for (const frame of bytes) {
        const result = await this.request(frame);
        if (!result.ok) return result;
      }
      return { ok: true };
    });
    this.queue = run;
    return run;
  }

  /**
   * A write to a display that does not answer, bounded: a line that stops taking bytes (a display
   * hung, a flow-controlled port held) would otherwise hold every later call behind it, for ever.
   */
  private write(bytes: Buffer): Promise<DisplayResult> {
    const ms = this.timeoutMs + Math.ceil((bytes.length * 10 * 1000) / SLOWEST_BAUD);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ ok: false, code: 'write-failed', message: `the display took no ${bytes.length} bytes within ${ms} ms` }), ms);
      this.link.write(bytes).then(
        () => (clearTimeout(timer), resolve({ ok: true })),
        (err) => (clearTimeout(timer), resolve({ ok: false, code: 'write-failed', message: String(err) })),
      );
    });
  }

  /**
   * One Modbus write (function 16: its reply is its first six bytes and a CRC, never the request
   * itself). Writes are idempotent, so it is sent until it has more replies than may be late answers
   * to earlier tries, or `retries` + 1 of its tries went unanswered. An exception carries no register,
   * so it too may be such a late answer: it is the display's answer once more exceptions came than
   * that, and the write is asked again until then. An answer heard while no try waits is counted the
   * same way: before the first try it can only be an earlier try's, and lowers what is owed; after it,
   * it counts as if its try had heard it.
   */
  private async request(frame: Buffer): Promise<DisplayResult> {
    const expected = writeReply(frame);
    /** Answers that may still come for earlier tries: no more replies, and no more exceptions, than this can be theirs. */
    let owed = this.owedNow().length;
    let replies = 0;
    let refusals = 0;
    let refusal: DisplayResult | undefined;
    let silent = 0;
    let tried = false;
    const answered = (answer: DisplayResult) => {
      if (answer.ok) replies++;
      else {
        refusals++;
        refusal = answer;
      }
    };
    // Before the first try, or a reply to another write: an earlier try's answer, if it settled one.
    this.heardBetween = (heard, settled) => (tried && !isEarlier(heard) ? answered(heard) : settled && (owed = Math.max(0, owed - 1)));
    try {
      for (;;) {
        await this.quiet(QUIET_MS);
        if (replies > owed) return { ok: true };
        if (refusals > owed) return refusal!;
        tried = true;
        this.unanswered.push({ at: performance.now(), reply: expected });
        const result = await this.once(frame);
        if (result.ok || result.code === 'modbus-exception') {
          this.settle(result, expected);
          answered(result);
          if (replies > owed) return { ok: true };
          if (refusals > owed) return result;
          continue;
        }
        if (result.code === 'write-failed') return result;
        if (++silent > this.retries)
          return replies === 0 ? result : { ...result, message: `${result.message}; ${replies} of the ${owed + 1} replies needed came, and the first ${owed} may be late replies to earlier tries` };
      }
    } finally {
      this.heardBetween = undefined;
    }
  }

  /**
   * Waits until nothing has come for `ms`, as an RS-485 master does before it speaks: what comes
   * meanwhile is heard by no try (a late reply is counted, another slave's frame or noise dropped). A
   * line already quiet is spoken on at once; one that never falls quiet, after four such spells.
   */
  private async quiet(ms: number): Promise<void> {
    const atMost = performance.now() + 4 * ms;
    for (;;) {
      const due = Math.min(this.heardAt + ms, atMost) - performance.now();
      if (due <= 0) return;
      await new Promise((r) => setTimeout(r, due));
    }
  }

  /**
   * One try, read by a ReplyReader of its own: nothing is learnt of the line from one try for the
   * next, so an adapter swapped for one that echoes, or does not, is read right at its first request.
   * A reply to another write is counted against the tries owed as it comes; what comes after the
   * try's answer (a reply glued behind it) is read on between tries by the same reader, not lost.
   */
  private once(frame: Buffer): Promise<DisplayResult> {
    this.between = undefined;
    const reader = new ReplyReader(frame);
    return new Promise((resolve) => {
      let sent = false;
      let over = false;
      const done = (r: DisplayResult) => {
        if (over) return;
        over = true;
        clearTimeout(timer);
        this.trying = undefined;
        this.between = reader;
        this.hearBetween();
        resolve(r);
      };
      const timer = setTimeout(
        () =>
          done(
            // Not even sent: the line is stuck, and asking again would only pile more bytes behind it.
            !sent
              ? { ok: false, code: 'write-failed', message: `the line took no request within ${this.timeoutMs} ms` }
              : // The reply, whose first bytes are the request's, and nothing after it: not an echo cut short.
              reader.got.equals(reader.expected)
              ? { ok: true }
              : reader.received > (reader.echoed ? frame.length : 0)
              ? { ok: false, code: 'bad-reply', message: `expected ${reader.expected.toString('hex')}, got ${reader.received} bytes ending ${reader.got.toString('hex')}` }
              : { ok: false, code: 'timeout', message: `no reply within ${this.timeoutMs} ms${reader.echoed ? ' (only the echo of the request came back)' : ''}` },
          ),
        this.timeoutMs,
      );
      this.trying = (data) => {
        for (let heard = reader.read(data); heard; heard = reader.read()) {
          if (!isEarlier(heard)) return done(heard);
          this.heardOwed(heard, reader.expected);
        }
      };
      this.link.write(frame).then(
        () => (sent = true),
        (err) => done({ ok: false, code: 'write-failed', message: String(err) }),
      );
    });
  }
}

/**
 * What comes after a request, read from the front: the request's own bytes (an RS-485 adapter that
 * hears itself) are its echo, whole; then the reply or an exception; a whole reply from this slave to
 * a write of other registers is told as such (Earlier, with its bytes); any other byte (another slave's frame, a bad
 * CRC, noise) is dropped. Bytes may come one at a time.
 */
class ReplyReader {
  /** What came and is not read yet: at most what may still begin the echo, the reply, an exception or another write's reply. */
  got: Buffer = Buffer.alloc(0);
  /** Bytes that came, but for replies to other writes. */
  received = 0;
  echoed = false;
  readonly expected: Buffer;
  constructor(private frame: Buffer) {
    this.expected = writeReply(frame);
  }

  /** The reply, exception or other write's reply that what came so far completes, taken off the front (call again for another); else undefined. */
  read(data: Buffer = Buffer.alloc(0)): Heard | undefined {
    const { frame, expected } = this;
    const slave = frame[0]!;
    this.received += data.length;
    this.got = this.got.length === 0 ? data : Buffer.concat([this.got, data]);
    while (this.got.length > 0) {
      const got = this.got;
      if (got[0] !== slave) {
        const next = got.indexOf(slave);
        this.got = next < 0 ? Buffer.alloc(0) : got.subarray(next);
        continue;
      }
      if (startsWith(got, frame)) {
        this.echoed = true;
        this.got = got.subarray(frame.length);
        continue;
      }
      if (startsWith(got, expected) && !startsWith(frame, got)) {
        this.got = got.subarray(expected.length);
        return { ok: true };
      }
      if (got.length >= 5 && got[1] === (frame[1]! | 0x80) && crc16Modbus(got, 0, 3) === got[3]! + (got[4]! << 8)) {
        this.got = got.subarray(5);
        return { ok: false, code: 'modbus-exception', message: `exception code ${got[2]}` };
      }
      const write = got[1] === 0x06 || got[1] === 0x10;
      if (write && got.length >= 8 && !startsWith(frame, got) && crc16Modbus(got, 0, 6) === got[6]! + (got[7]! << 8)) {
        this.got = got.subarray(8);
        this.received -= 8;
        return { earlier: got.subarray(0, 8) };
      }
      // A frame still coming: the echo, the reply, an exception (function with its high bit set), or another write's reply.
      if (startsWith(frame, got) || startsWith(expected, got) || (got.length < 5 && (got.length < 2 || got[1] === (frame[1]! | 0x80))) || (write && got.length < 8)) break;
      this.got = got.subarray(1);
    }
    return undefined;
  }
}

/** Whether `bytes` begins with all of `head`. */
function startsWith(bytes: Buffer, head: Buffer): boolean {
  return bytes.length >= head.length && bytes.subarray(0, head.length).equals(head);
}
