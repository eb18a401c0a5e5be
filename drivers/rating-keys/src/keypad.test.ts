import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyPadSimulator, readAtSpeed, startPtyPair, type PtyPair } from '@servicehall/fixtures/devices';
import { RatingKeyDecoder, type KeyPress } from './decoder';
import { ackFrame, helloFrame, keyFrame } from './frame';
import { GARBLED_AFTER_BYTES, openSerialLink, RatingKeyPad, type ByteLink } from './keypad';

let pair: PtyPair;
let sim: KeyPadSimulator;
let pad: RatingKeyPad | undefined;
const presses: KeyPress[] = [];

beforeEach(async () => {
  presses.length = 0;
  pair = await startPtyPair();
  sim = await KeyPadSimulator.open(pair.device, 3, 100);
});

afterEach(async () => {
  await pad?.close();
  pad = undefined;
  await sim.close();
  await pair.close();
});

describe('a rating key pad on a serial line', () => {
  it('delivers each press once and the pad sees its acknowledgement on the first try', async () => {
    pad = new RatingKeyPad(await openSerialLink(pair.host), (p) => presses.push(p));
    expect(await sim.press('very-satisfied')).toEqual({ acked: true, attempts: 1, sequence: 0 });
    expect(await sim.press('dissatisfied')).toEqual({ acked: true, attempts: 1, sequence: 1 });
    expect(presses.map((p) => [p.address, p.level])).toEqual([
      [3, 'very-satisfied'],
      [3, 'dissatisfied'],
    ]);
    expect(sim.badAcks).toBe(0);
  });

  it('leaves the pad unacknowledged after three tries when nobody listens', async () => {
    const outcome = await sim.press('satisfied');
    expect(outcome).toEqual({ acked: false, attempts: 3, sequence: 0 });
  });

  it('counts a press once when its acknowledgement is lost and the pad resends it', async () => {
    pad = new RatingKeyPad(await openSerialLink(pair.host), (p) => presses.push(p));
    sim.missAcks = 1;
    const outcome = await sim.press('basically-satisfied');
    // The first acknowledgement lost: at least one resend (on a busy machine the pad's 100 ms may pass again
    // before the second is heard, a third try), and however many, one press and every resend counted as such.
    expect(outcome).toMatchObject({ acked: true, sequence: 0 });
    expect(outcome.attempts).toBeGreaterThanOrEqual(2);
    expect(presses).toHaveLength(1);
    expect(pad.stats.repeated).toBe(outcome.attempts - 1);
  });

  it('acknowledges only the pad it is set to: a pad of another address on the line is left to resend and light its lamp', async () => {
    pad = new RatingKeyPad(await openSerialLink(pair.host), (p) => presses.push(p), undefined, undefined, { address: 4 });
    // The pad on the line is pad 3: its press is heard (the terminal may log it) but not taken for pad 4's.
    expect(await sim.press('satisfied')).toEqual({ acked: false, attempts: 3, sequence: 0 });
    expect(presses.map((p) => p.address)).toEqual([3]);
  });

  it('survives garbage on the line between presses', async () => {
    pad = new RatingKeyPad(await openSerialLink(pair.host), (p) => presses.push(p));
    await sim.write(Buffer.from([0x00, 0xa5, 0xff, 0x13, 0xa5, 0xa5, 0x52]));
    expect((await sim.press('very-dissatisfied')).acked).toBe(true);
    expect(presses.map((p) => p.level)).toEqual(['very-dissatisfied']);
    expect(pad.stats.badChecksum + pad.stats.garbage).toBeGreaterThan(0);
  });

  it("records no 不满意 the citizen never gave from a frame cut off before the pad's next press", async () => {
    await sim.close();
    sim = await KeyPadSimulator.open(pair.device, 0x1f, 1000);
    pad = new RatingKeyPad(await openSerialLink(pair.host), (p) => presses.push(p), undefined, undefined, { address: 0x1f });
    // Pad 31's 不满意 cut off after four bytes (A5 1F 52 02), then its press of 满意 (A5 1F 52 04 00 ..): read from the
    // first start byte, A5 1F 52 02 A5 1F passes the check, a 不满意 of sequence 0xA5.
    await sim.write(keyFrame(0x1f, 'dissatisfied', 7).subarray(0, 4));
    expect(await sim.press('satisfied')).toEqual({ acked: true, attempts: 1, sequence: 0 });
    await new Promise((r) => setTimeout(r, 100));
    expect(presses.map((p) => [p.address, p.level, p.sequence])).toEqual([[0x1f, 'satisfied', 0]]);
    expect(sim.badAcks).toBe(0);
    expect(pad.stats.cut).toBe(1);
  });

  it('acknowledges at its first try a press whose check is the start byte, once the line is quiet', async () => {
    await sim.close();
    // Pad 1's 非常满意 of sequence 0 ends in A5: another frame might start there, so it waits for the line to be quiet.
    sim = await KeyPadSimulator.open(pair.device, 1, 1000);
    expect(keyFrame(1, 'very-satisfied', 0)[5]).toBe(0xa5);
    pad = new RatingKeyPad(await openSerialLink(pair.host), (p) => presses.push(p));
    expect(await sim.press('very-satisfied')).toEqual({ acked: true, attempts: 1, sequence: 0 });
    expect(presses.map((p) => [p.address, p.level, p.sequence])).toEqual([[1, 'very-satisfied', 0]]);
  });

  it('counts each press once when its bytes come one at a time, with garbage and half frames between and a held key resending its frame', async () => {
    const said: boolean[] = [];
    pad = new RatingKeyPad(await openSerialLink(pair.host), (p) => presses.push(p), undefined, undefined, { address: 3, onGarbled: (g) => said.push(g) });
    const slowly = async (bytes: Buffer) => {
      for (const byte of bytes) {
        await sim.write(Buffer.from([byte]));
        await new Promise((r) => setTimeout(r, 3));
      }
    };
    await slowly(Buffer.concat([Buffer.from([0x00, 0xa5]), keyFrame(3, 'satisfied', 1).subarray(0, 4), keyFrame(3, 'very-satisfied', 2)]));
    // Held down: the pad sends the same frame again and again.
    for (let i = 0; i < 5; i++) await slowly(keyFrame(3, 'very-satisfied', 2));
    await slowly(Buffer.concat([keyFrame(3, 'dissatisfied', 3).subarray(0, 3), Buffer.from([0xff, 0x5a]), keyFrame(3, 'dissatisfied', 3)]));
    await expect.poll(() => presses.length).toBe(2);
    await new Promise((r) => setTimeout(r, 50));
    expect(presses.map((p) => [p.sequence, p.level])).toEqual([
      [2, 'very-satisfied'],
      [3, 'dissatisfied'],
    ]);
    expect(pad.stats.repeated).toBe(5);
    expect(said).toEqual([]);
  });

  it('hears the pad go away when its line hangs up, instead of reading nothing for ever', async () => {
    // Whether the kernel says so with an error or with reads of no bytes depends on timing: five times over.
    for (let round = 0; round < 5; round++) {
      const line = await startPtyPair();
      const link = await openSerialLink(line.host);
      const lost = new Promise<void>((resolve) => (pad = new RatingKeyPad(link, (p) => presses.push(p), () => undefined, resolve)));
      // The far end of the line is gone, as a USB adapter pulled out: the pty pair ends.
      await line.close();
      await lost;
      expect(await link.write(Buffer.from([0x5a])).catch((e: unknown) => e)).toBeInstanceOf(Error);
      await pad!.close();
    }
  }, 5000);
});

describe('a rating key pad on a line that takes no bytes back', () => {
  it('says the pad is left unanswered when its acknowledgements are not taken, still counts the presses, and answered again once the line takes bytes', async () => {
    const said: boolean[] = [];
    pad = new RatingKeyPad(await openSerialLink(pair.host, 9600, { writeWithinMs: 300 }), (p) => presses.push(p), undefined, undefined, { onUnanswered: (u) => said.push(u) });
    // The line holds its flow control (or its USB adapter hung): the acknowledgement never leaves.
    await pair.holdFlow();
    expect(await sim.press('satisfied')).toEqual({ acked: false, attempts: 3, sequence: 0 });
    await expect.poll(() => said).toEqual([true]);
    expect(pad.unanswered).toBe(true);
    expect(presses.map((p) => p.level)).toEqual(['satisfied']);
    await pair.releaseFlow();
    expect(await sim.press('very-satisfied')).toMatchObject({ acked: true });
    await expect.poll(() => said).toEqual([true, false]);
    expect(pad.unanswered).toBe(false);
    expect(presses.map((p) => p.level)).toEqual(['satisfied', 'very-satisfied']);
  });
});

describe('a rating key pad that floods frames and takes no bytes back', () => {
  it('keeps one write on the line and only the latest acknowledgements waiting, and counts every new press', async () => {
    const writes: Buffer[] = [];
    let release = () => {};
    let listener: (chunk: Buffer) => void = () => {};
    // The first acknowledgement is never taken until the test lets it go.
    const link: ByteLink = {
      write: (bytes) => (writes.push(Buffer.from(bytes)), writes.length === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve()),
      onData: (l) => ((listener = l), () => undefined),
      close: async () => undefined,
    };
    const got: KeyPress[] = [];
    const flooding = new RatingKeyPad(link, (p) => got.push(p));
    for (let chunk = 0; chunk < 200; chunk++) listener(Buffer.concat(Array.from({ length: 50 }, (_, i) => keyFrame(3, 'satisfied', chunk * 50 + i))));
    expect(got).toHaveLength(10_000);
    expect(writes).toHaveLength(1);
    release();
    await expect.poll(() => writes.length).toBe(2);
    expect(writes[1]!.length).toBeLessThanOrEqual(16 * 5);
    expect(writes[1]!.subarray(-5)).toEqual(ackFrame(3, 9_999 & 0xff));
    await flooding.close();
  });
});

/** A key pad on a line the test plays the pad's bytes into; what it says of the line is kept. */
function padOnTestLine() {
  let listener: (chunk: Buffer) => void = () => {};
  const link: ByteLink = { write: async () => undefined, onData: (l) => ((listener = l), () => undefined), close: async () => undefined };
  const presses: KeyPress[] = [];
  const said: boolean[] = [];
  const pad = new RatingKeyPad(link, (p) => presses.push(p), undefined, undefined, { address: 3, onGarbled: (garbled) => said.push(garbled) });
  return { pad, presses, said, play: (bytes: Uint8Array) => listener(Buffer.from(bytes)) };
}

/** A press as the pad sends it unanswered: the same frame three times. */
const threeTries = (frame: Buffer) => [frame, frame, frame];

describe('a rating key pad on a line at the wrong speed or on a bad cable', () => {
  it('says the line is garbled when a pad at half its speed sends a press (each bit read twice), and read again at the first good frame', () => {
    const { pad, presses, said, play } = padOnTestLine();
    // The pad talks at 9600 while the terminal reads at 19200.
    for (const frame of threeTries(keyFrame(3, 'satisfied', 0))) play(readAtSpeed(frame, 9600, 19200));
    expect(presses).toEqual([]);
    expect(said).toEqual([true]);
    expect(pad.garbled).toBe(true);
    // Set right: its next frame is read, and the line is sound again.
    play(keyFrame(3, 'very-satisfied', 1));
    expect(presses.map((p) => p.level)).toEqual(['very-satisfied']);
    expect(said).toEqual([true, false]);
    expect(pad.garbled).toBe(false);
  });

  it('says it by the second press of a pad at twice its speed, once however long it goes on', () => {
    const { presses, said, play } = padOnTestLine();
    // The pad talks at 19200 while the terminal reads at 9600: two or three bytes a try.
    for (let sequence = 0; sequence < 20; sequence++) for (const frame of threeTries(keyFrame(3, 'dissatisfied', sequence))) play(readAtSpeed(frame, 19200, 9600));
    expect(presses).toEqual([]);
    expect(said).toEqual([true]);
  });

  it('says it of random bytes that make no good frame, once there are enough of them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: GARBLED_AFTER_BYTES + 5, maxLength: 200 }), (bytes) => {
        const probe = new RatingKeyDecoder();
        probe.push(bytes);
        fc.pre(probe.stats.frames + probe.stats.hellos + probe.stats.repeated === 0);
        const { said, play } = padOnTestLine();
        play(bytes);
        expect(said).toEqual([true]);
      }),
      { numRuns: 300 },
    );
  });

  it('does not say it for a stray byte or two of a cable plugged in, nor for a frame cut off by a pad restarting', () => {
    const { presses, said, play } = padOnTestLine();
    play(Buffer.from([0x00]));
    play(Buffer.from([0xff, 0xfe]));
    play(keyFrame(3, 'satisfied', 4).subarray(0, 5));
    play(Buffer.from([0x00]));
    play(helloFrame(3));
    play(Buffer.from([0xf0, 0x00]));
    play(keyFrame(3, 'basically-satisfied', 0));
    expect(presses.map((p) => p.level)).toEqual(['basically-satisfied']);
    expect(said).toEqual([]);
  });
});
