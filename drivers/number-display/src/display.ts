import type { ByteLink } from '@servicehall/serial';
import { commandsFor, type Call, type DisplayCommands } from './commands';
import { crc16Modbus, writeReply } from './crc16';
import type { DisplayProfile } from './profiles';

export type { ByteLink };

/** The slowest line a window display is set to (8N1): a write's bound grows with its bytes at this speed. */
const SLOWEST_BAUD = 1200;

/** Every code a display's write can fail with (a terminal adds `offline` for a line it cannot open): the screens give each its own words. */
export const DISPLAY_CODES = ['not-shown', 'timeout', 'modbus-exception', 'bad-reply', 'write-failed', 'offline'] as const;

export type DisplayResult = { ok: true } | { ok: false; code: Exclude<(typeof DISPLAY_CODES)[number], 'offline'>; message: string };

/**
 * A window's number display. DM-D and CD5220 displays are write-only; a Modbus display answers
 * every write, and the driver waits for the reply, asking again when it is lost.
 */
export class NumberDisplay {
  private commands: DisplayCommands;
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * Whether the line gives back what is sent (a two-wire RS-485 adapter that hears itself), once a
   * request has shown it: a function-16 request comes back whole before its reply, or does not.
   */
  private echoes: boolean | undefined;

  constructor(
    private link: ByteLink,
    readonly profile: DisplayProfile,
    private timeoutMs = 500,
    /** More tries of a Modbus write whose reply was lost. */
    private retries = 2,
  ) {
    this.commands = commandsFor(profile);
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
   * One Modbus write, answered by the display: the echo (function 06) or the first six bytes
   * (function 16). Writes are idempotent, so a lost or garbled reply is asked again, up to `retries`
   * more times; an exception is the display's answer and is not.
   */
  private async request(frame: Buffer): Promise<DisplayResult> {
    let result: DisplayResult = { ok: false, code: 'timeout', message: 'not sent' };
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      result = await this.once(frame);
      if (result.ok || result.code === 'modbus-exception' || result.code === 'write-failed') return result;
    }
    return result;
  }

  private once(frame: Buffer): Promise<DisplayResult> {
    const expected = writeReply(frame);
    // Function 06 is answered with the request's own bytes: one copy back may be the echo or the reply.
    const answeredInKind = expected.equals(frame);
    // Only the tail that may still begin a reply is kept: a display flooding garbage holds no more memory, nor time, than a quiet one.
    const keep = Math.max(expected.length, 5) - 1;
    return new Promise((resolve) => {
      let got = Buffer.alloc(0);
      let received = 0;
      let sent = false;
      /** Bytes at the start that are the request again, so far: its echo while they match. */
      let echoed = 0;
      let echoOver = this.echoes === false && answeredInKind;
      let echoSkipped = false;
      const done = (r: DisplayResult) => {
        clearTimeout(timer);
        unsubscribe();
        resolve(r);
      };
      const timer = setTimeout(
        () =>
          done(
            // Not even sent: the line is stuck, and asking again would only pile more bytes behind it.
            !sent
              ? { ok: false, code: 'write-failed', message: `the line took no request within ${this.timeoutMs} ms` }
              : // One copy of a function-06 request back, on a line not yet known to echo, and nothing after it: it was the reply.
              echoSkipped && answeredInKind && this.echoes === undefined && received === 0
              ? { ok: true }
              : received > 0 || (echoed > 0 && !echoSkipped)
              ? { ok: false, code: 'bad-reply', message: `expected ${expected.toString('hex')}, got ${received + echoed} bytes ending ${got.toString('hex')}` }
              : { ok: false, code: 'timeout', message: `no reply within ${this.timeoutMs} ms${echoSkipped ? ' (only the echo of the request came back)' : ''}` },
          ),
        this.timeoutMs,
      );
      const unsubscribe = this.link.onData((data) => {
        let chunk = data;
        if (!echoOver) {
          let i = 0;
          while (i < chunk.length && echoed < frame.length && chunk[i] === frame[echoed]) i++, echoed++;
          if (echoed === frame.length) {
            echoOver = echoSkipped = true;
            if (!answeredInKind) this.echoes = true;
            chunk = chunk.subarray(i);
          } else if (i < chunk.length) {
            // Not the echo after all: what matched so far is part of what came.
            echoOver = true;
            chunk = Buffer.concat([frame.subarray(0, echoed), chunk.subarray(i)]);
            echoed = 0;
          } else return;
          if (chunk.length === 0) return;
        }
        received += chunk.length;
        got = Buffer.concat([got, chunk]);
        // A late reply to an earlier try may come first: look for this one anywhere in what came.
        if (got.includes(expected)) {
          // A reply after a copy of a function-06 request: that copy was the echo. A function-16 reply with none before it: the line does not echo.
          if (echoSkipped) this.echoes = true;
          else if (!answeredInKind) this.echoes = false;
          return done({ ok: true });
        }
        for (let i = 0; i + 5 <= got.length; i++) {
          if (got[i] === frame[0] && got[i + 1] === (frame[1]! | 0x80) && crc16Modbus(got, i, i + 3) === got[i + 3]! + (got[i + 4]! << 8)) {
            if (!echoSkipped) this.echoes = false;
            return done({ ok: false, code: 'modbus-exception', message: `exception code ${got[i + 2]}` });
          }
        }
        if (got.length > keep) got = got.subarray(got.length - keep);
      });
      this.link.write(frame).then(
        () => (sent = true),
        (err) => done({ ok: false, code: 'write-failed', message: String(err) }),
      );
    });
  }
}
