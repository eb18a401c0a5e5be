import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PrinterSimulator, startPtyPair, type PtyPair } from '@servicehall/fixtures/devices';
import { ticket } from './documents';
import { PrintError, TicketPrinter, type StatusResult } from './printer';
import { PROFILES } from './profiles';
import { faultOf } from './status';
import { SerialTransport } from '@servicehall/serial';

const TICKET = ticket({
  hallName: '滨江区政务服务中心',
  number: 'A012',
  itemName: '不动产登记',
  waitingAhead: 5,
  expectedWaitMinutes: 15,
  issuedAt: '2024-05-06 09:12',
  qrUrl: 'https://hall.example.gov.cn/q/A012',
});

let pair: PtyPair;
let sim: PrinterSimulator;
let transport: SerialTransport;
let printer: TicketPrinter;

beforeEach(async () => {
  pair = await startPtyPair();
  sim = await PrinterSimulator.open(pair.device);
  transport = await SerialTransport.open(pair.host, 115200);
  printer = new TicketPrinter(transport, PROFILES['generic-80'], { timeoutMs: 500, afterJobTimeoutMs: 1000 });
});

afterEach(async () => {
  await transport.close();
  await sim.close();
  await pair.close();
});

async function rejection(promise: Promise<unknown>): Promise<PrintError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PrintError);
  return err as PrintError;
}

describe('a ticket printer on a serial line', () => {
  it('prints a ticket that the printer receives whole, asking the status before and after', async () => {
    const printed = await printer.print(TICKET);
    expect(printed.warnings).toEqual([]);
    expect(sim.device.statusRequests).toBe(8);
    const [receipt] = sim.device.receipts;
    expect(receipt?.text).toContain('A012');
    expect(receipt?.qrCodes).toEqual(['https://hall.example.gov.cn/q/A012']);
    expect(sim.device.stats.bytes).toBe(printed.bytes + 24);
  });

  it('says the job was sent and then the paper ran out, when the roll runs out in the middle of it', async () => {
    sim.device.set({ paperEndAfterLines: 4 });
    const err = await rejection(printer.print(TICKET));
    expect(err).toMatchObject({ code: 'fault-after-write', fault: 'paper-end', written: 'complete' });
    expect(sim.device.receipts).toHaveLength(0);
    expect(sim.device.current.lines).toHaveLength(4);
    expect(sim.device.current.lines).toContain('A012');
    expect(sim.device.lost).toBeGreaterThan(0);
  });

  it('says the job was sent and then the cover opened, when it is opened in the middle of a job', async () => {
    sim.device.set({ coverOpenAfterLines: 6 });
    const err = await rejection(printer.print(TICKET));
    expect(err).toMatchObject({ code: 'fault-after-write', fault: 'cover-open', written: 'complete' });
    expect(sim.device.current.lines).toHaveLength(6);
  });

  it('rejects with cover open before sending the job', async () => {
    sim.device.set({ coverOpen: true });
    const err = await rejection(printer.print(TICKET));
    expect(err.code).toBe('cover-open');
    expect(sim.device.stats.bytes).toBe(12);
  });

  it('rejects with paper end, cutter error and offline as they are', async () => {
    sim.device.set({ paperEnd: true });
    expect((await rejection(printer.print(TICKET))).code).toBe('paper-end');
    sim.device.set({ paperEnd: false, cutterError: true });
    expect((await rejection(printer.print(TICKET))).code).toBe('cutter-error');
  });

  it('rejects a silent printer with a timeout within the set bound, nothing written', async () => {
    sim.device.set({ silent: true });
    const started = performance.now();
    const err = await rejection(printer.print(TICKET));
    const elapsed = performance.now() - started;
    expect(err).toMatchObject({ code: 'timeout', written: 'none' });
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(sim.device.receipts).toHaveLength(0);
    expect(sim.device.stats.bytes).toBe(12);
  });

  it('waits for a printer that answers late after the cut, and prints one slip', async () => {
    // Busy cutting for longer than a status reply may take before a job, shorter than after one.
    sim.device.set({ busyAfterCutMs: 800 });
    const slow = new TicketPrinter(transport, PROFILES['generic-80'], { timeoutMs: 300, afterJobTimeoutMs: 5000 });
    const printed = await slow.print(TICKET);
    expect(printed.warnings).toEqual([]);
    expect(sim.device.receipts).toHaveLength(1);
  });

  it('tells "sent, status not known" apart from "not sent" when the printer goes silent after the cut', async () => {
    sim.device.set({ silentAfterCut: true });
    const err = await rejection(printer.print(TICKET));
    expect(err).toMatchObject({ code: 'unknown-after-write', written: 'complete' });
    expect(sim.device.receipts).toHaveLength(1);
    expect(sim.device.receipts[0]!.text).toContain('A012');
    // The next job finds the printer silent before anything is sent.
    const next = await rejection(printer.print(TICKET));
    expect(next).toMatchObject({ code: 'timeout', written: 'none' });
    expect(sim.device.receipts).toHaveLength(1);
  });

  it('hears a printer unplugged while it is asked for its status, instead of waiting out the bound', async () => {
    // Bounds far beyond the test's own: an unplugged printer must be heard go, not waited for.
    const patient = new TicketPrinter(transport, PROFILES['generic-80'], { timeoutMs: 60_000 });
    sim.device.set({ silent: true });
    const asked = patient.status();
    await waitFor(() => sim.device.statusRequests > 0);
    await sim.close();
    await pair.close();
    expect(await asked).toMatchObject({ ok: false, code: 'offline' });
  }, 20_000);

  it('says a job sent whole is not known, and the printer offline, when it is unplugged while it cuts', async () => {
    const patient = new TicketPrinter(transport, PROFILES['generic-80'], { timeoutMs: 2000, afterJobTimeoutMs: 60_000 });
    sim.device.set({ holdAfterCut: true });
    const printing = patient.tryPrint(TICKET);
    await waitFor(() => sim.device.receipts.length === 1);
    await sim.close();
    await pair.close();
    // All of it reached the printer: never printed again, never voided for a fault it did not report.
    expect(await printing).toMatchObject({ ok: false, code: 'unknown-after-write', written: 'complete', fault: 'offline' });
  }, 20_000);

  it('does not take a late answer to an earlier ask for the answer to the next one', async () => {
    // The cutter holds every answer until the test lets it go: the wait after the job ends first, however slow the machine.
    sim.device.set({ holdAfterCut: true });
    const hasty = new TicketPrinter(transport, PROFILES['generic-80'], { timeoutMs: 10_000, afterJobTimeoutMs: 300 });
    expect(await rejection(hasty.print(TICKET))).toMatchObject({ code: 'unknown-after-write', written: 'complete' });
    // The ask after the job has reached the printer (its answer, held, says "all well"); then the cover opens.
    await waitFor(() => sim.device.statusRequests === 8, 10_000);
    sim.device.set({ coverOpen: true });
    const received: number[] = [];
    const stopCounting = transport.onData((chunk) => received.push(...chunk));
    const status = hasty.status();
    // With four answers owed, the ask is one DLE EOT 1 longer: its answer is five bytes, the old one four.
    await waitFor(() => sim.device.statusRequests === 13, 10_000);
    // The old answer arrives alone first, while the new ask waits; then the new one.
    sim.release(4);
    await waitFor(() => received.length >= 4, 10_000);
    sim.release();
    expect(await status).toMatchObject({ ok: true, status: { coverOpen: true } });
    stopCounting();
    expect(received).toHaveLength(9);
  });

  it('does not take the old answer of a printer busy past two asks for the answer to the third: the next ticket is not sent to an open cover', async () => {
    // The cutter holds every answer until the test lets it go; the answer to the ask after the job, held, says "all well".
    sim.device.set({ holdAfterCut: true });
    const hasty = new TicketPrinter(transport, PROFILES['generic-80'], { timeoutMs: 10_000, afterJobTimeoutMs: 300 });
    expect(await hasty.tryPrint(TICKET)).toMatchObject({ ok: false, code: 'unknown-after-write', written: 'complete' });
    await waitFor(() => sim.device.statusRequests >= 8, 10_000);
    // Then the cover opens, and a status poll lets its whole bound pass unanswered too (on a clock the test moves).
    sim.device.set({ coverOpen: true });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const asked = sim.device.statusRequests;
      let polled: StatusResult | undefined;
      void hasty.status().then((r) => (polled = r));
      await until(() => sim.device.statusRequests > asked);
      while (!polled) await vi.advanceTimersByTimeAsync(10_000).then(() => new Promise((r) => setImmediate(r)));
      expect(polled).toMatchObject({ ok: false, code: 'timeout' });
    } finally {
      vi.useRealTimers();
    }
    const received: number[] = [];
    const stopCounting = transport.onData((chunk) => received.push(...chunk));
    const asked = sim.device.statusRequests;
    const next = hasty.tryPrint(TICKET);
    await waitFor(() => sim.device.statusRequests > asked, 10_000);
    // The answer to the ask after the first job ("all well") arrives alone while the next job's ask waits, a while before the rest.
    sim.release(4);
    await waitFor(() => received.length >= 4, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    sim.release();
    expect(await next).toMatchObject({ ok: false, code: 'cover-open', written: 'none' });
    stopCounting();
    expect(sim.device.receipts).toHaveLength(1);
    expect(sim.device.current.items).toHaveLength(0);
    expect(sim.device.lost).toBe(0);
  });

  it('reads a printer that answers again after letting asks pass in silence at its first answer, not at the end of the bound', async () => {
    // A bound far beyond the test's own: the ask after the printer is back must end on the printer's answer.
    const patient = new TicketPrinter(transport, PROFILES['generic-80'], { timeoutMs: 60_000 });
    sim.device.set({ silent: true });
    // Switched off: three asks go unanswered, their bounds run out on a clock the test moves (the line itself is real).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let timedOut = 0;
      for (let tries = 0; timedOut < 3 && tries < 10; tries++) {
        const asked = sim.device.statusRequests;
        let result: StatusResult | undefined;
        void patient.status().then((r) => (result = r));
        await until(() => sim.device.statusRequests >= asked + 4);
        while (!result) await vi.advanceTimersByTimeAsync(60_000).then(() => new Promise((r) => setImmediate(r)));
        if (!result.ok && result.code === 'timeout') timedOut++;
      }
      expect(timedOut).toBe(3);
    } finally {
      vi.useRealTimers();
    }
    // Switched on again, its cover open: the next ask is answered, and the answer is the printer's as it is now.
    sim.device.set({ silent: false, coverOpen: true });
    let back: StatusResult | undefined;
    void patient.status().then((r) => (back = r));
    await waitFor(() => back !== undefined, 10_000);
    expect(back).toMatchObject({ ok: true, status: { coverOpen: true } });
  }, 20_000);

  it('takes the answer that came in time while the machine was held up past the bound: the printer answered, it is not offline', async () => {
    sim.device.set({ holdAfterCut: true });
    const printing = printer.tryPrint(TICKET);
    await waitFor(() => sim.device.statusRequests === 8);
    // The printer answers the ask after the job at once; then this process is held up (a loaded machine) past the bound.
    sim.release();
    const holdUntil = Date.now() + 2000;
    while (Date.now() < holdUntil);
    expect(await printing).toMatchObject({ ok: true, warnings: [] });
    expect(sim.device.receipts).toHaveLength(1);
  });

  // 0xff breaks the fixed bits of a status byte (bits 1 and 4 on, 0 and 7 off); 0x32 keeps them, and reads as paper end (or an unrecoverable error).
  const NOISE = [0xff, 0x32];

  it('takes status bytes that come with noise for no answer: never a fault the printer did not report', async () => {
    sim.device.set({ lineNoise: NOISE });
    const result = await printer.status();
    expect(result).toMatchObject({ ok: false, code: 'status-unknown' });
    // Asked again, twice, before giving up.
    expect(sim.device.statusRequests).toBe(12);
    const err = await rejection(printer.print(TICKET));
    expect(err).toMatchObject({ code: 'status-unknown', written: 'none' });
    expect(sim.device.receipts).toHaveLength(0);
  });

  it('asks again through a burst of noise and reads the printer as it is', async () => {
    sim.device.set({ lineNoise: NOISE, noisyAnswers: 1 });
    const result = await printer.status();
    expect(result.ok && faultOf(result.status)).toBeUndefined();
    expect(sim.device.statusRequests).toBe(8);
  });

  it('does not void a ticket sent whole because noise after the cut looked like a fault: its end is not known', async () => {
    // The answer before the job is clean; the one after it is noise, and so are the two asked again.
    sim.device.set({ lineNoise: NOISE, cleanAnswers: 1 });
    expect(await rejection(printer.print(TICKET))).toMatchObject({ code: 'unknown-after-write', written: 'complete' });
    expect(sim.device.statusRequests).toBe(16);
    expect(sim.device.receipts).toHaveLength(1);
  });

  it('reads the status of a printer on software flow control: XOFF and XON among its answers are neither status nor noise', async () => {
    sim.device.set({ lineNoise: [0x13, 0x11] });
    const result = await printer.status();
    expect(result.ok && faultOf(result.status)).toBeUndefined();
    expect(sim.device.statusRequests).toBe(4);
    await printer.print(TICKET);
    expect(sim.device.receipts).toHaveLength(1);
  });

  it('prints on near-end paper but says so', async () => {
    sim.device.set({ paperNearEnd: true });
    const printed = await printer.print(TICKET);
    expect(printed.warnings).toEqual(['paper-near-end']);
    expect(sim.device.receipts).toHaveLength(1);
  });

  it('reports near-end through polling', async () => {
    const seen: StatusResult[] = [];
    const stop = printer.poll(20, (r) => seen.push(r));
    await waitFor(() => seen.length >= 1);
    sim.device.set({ paperNearEnd: true });
    await waitFor(() => seen.some((r) => r.ok && r.status.paperNearEnd));
    stop();
    const first = seen[0];
    expect(first?.ok && first.status.paperNearEnd).toBe(false);
  });

  it('keeps polls and a job from interleaving on the line', async () => {
    const stop = printer.poll(1, () => {});
    await Promise.all([printer.print(TICKET), printer.print(TICKET)]);
    stop();
    expect(sim.device.receipts).toHaveLength(2);
    expect(sim.device.stats.unknown).toBe(0);
    expect(sim.device.receipts[1]?.text).toEqual(sim.device.receipts[0]?.text);
  });

  it('gives the same failure as a value through tryPrint', async () => {
    sim.device.set({ coverOpen: true });
    const result = await printer.tryPrint(TICKET);
    expect(result).toMatchObject({ ok: false, code: 'cover-open' });
  });
});

/** waitFor without timers, for while they are fake. */
async function until(condition: () => boolean, ms = 3000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}

async function waitFor(condition: () => boolean, ms = 3000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
