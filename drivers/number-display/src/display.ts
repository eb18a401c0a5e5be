import { commandsFor, type Call, type DisplayCommands } from './commands';
import { crc16Modbus } from './crc16';
import type { DisplayProfile } from './profiles';

export interface ByteLink {
  write(bytes: Uint8Array): Promise<void>;
  onData(listener: (chunk: Buffer) => void): () => void;
  close(): Promise<void>;
}

export type DisplayResult =
  | { ok: true }
  | { ok: false; code: 'not-shown' | 'timeout' | 'modbus-exception' | 'bad-reply' | 'write-failed'; message: string };

/**
 * A window's number display. DM-D and CD5220 displays are write-only; a Modbus display answers
 * every write, and the driver waits for the echo.
 */
export class NumberDisplay {
  private commands: DisplayCommands;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private link: ByteLink,
    readonly profile: DisplayProfile,
    private timeoutMs = 500,
  ) {
    this.commands = commandsFor(profile);
  }

  show(call: Call): Promise<DisplayResult> {
    const bytes = this.commands.show(call);
    if (!bytes) return Promise.resolve({ ok: false, code: 'not-shown', message: `${call.number} cannot be shown on a numeric display` });
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
      if (!Array.isArray(bytes)) {
        try {
          await this.link.write(bytes);
          return { ok: true };
        } catch (err) {
          return { ok: false, code: 'write-failed', message: String(err) };
        }
      }
      for (const frame of bytes) {
        const result = await this.request(frame);
        if (!result.ok) return result;
      }
      return { ok: true };
    });
    this.queue = run;
    return run;
  }

  /** One Modbus request; the reply to function 06 echoes the request, an exception sets bit 7 of the function. */
  private request(frame: Buffer): Promise<DisplayResult> {
    return new Promise((resolve) => {
      let got = Buffer.alloc(0);
      const done = (r: DisplayResult) => {
        clearTimeout(timer);
        unsubscribe();
        resolve(r);
      };
      const timer = setTimeout(() => done({ ok: false, code: 'timeout', message: `no reply within ${this.timeoutMs} ms` }), this.timeoutMs);
      const unsubscribe = this.link.onData((chunk) => {
        got = Buffer.concat([got, chunk]);
        if (got.length >= 5 && got[0] === frame[0] && got[1] === (frame[1]! | 0x80)) {
          const ok = crc16Modbus(got, 0, 3) === got[3]! + (got[4]! << 8);
          return done(ok ? { ok: false, code: 'modbus-exception', message: `exception code ${got[2]}` } : { ok: false, code: 'bad-reply', message: 'exception reply with a bad CRC' });
        }
        if (got.length >= frame.length) {
          done(got.subarray(0, frame.length).equals(frame) ? { ok: true } : { ok: false, code: 'bad-reply', message: `expected echo ${frame.toString('hex')}, got ${got.toString('hex')}` });
        }
      });
      this.link.write(frame).catch((err) => done({ ok: false, code: 'write-failed', message: String(err) }));
    });
  }
}
