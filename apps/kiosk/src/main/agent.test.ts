import { loadConfig, startAgent, type RunningAgent } from '@servicehall/agent';
import { demoCatalogue } from '@servicehall/fixtures';
import { PrinterSimulator, startPtyPair, type PtyPair } from '@servicehall/fixtures/devices';
import { startHub, type RunningHub } from '@servicehall/hub';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KioskShape, KioskStatus, QueryResult, TakeResult } from '../shared/api';
import { createKioskAgent } from './agent';
import { KioskSettingsSchema } from './settings';

const TOKEN = 'kiosk-test-token';
let dir: string;
let hub: RunningHub;
const running: RunningAgent[] = [];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-kiosk-'));
  hub = await startHub({ dataDir: path.join(dir, 'hub'), token: TOKEN, seed: demoCatalogue({ allDay: true }) });
});

afterEach(async () => {
  for (const a of running.splice(0)) await a.stop();
  await hub.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A kiosk agent on this hub; its printer (if any) on `printerPath`. The status poll is slow so that the check before issuing is what counts. `clock`: its PC's clock. */
async function kiosk(terminal: string, printerPath?: string, settings: Record<string, unknown> = {}, clock?: () => number) {
  const config = loadConfig(undefined, {
    SERVICEHALL_HUB_URL: hub.wsUrl,
    SERVICEHALL_TOKEN: TOKEN,
    SERVICEHALL_TERMINAL: terminal,
    SERVICEHALL_TERMINAL_DATA: path.join(dir, terminal),
    ...(printerPath ? { SERVICEHALL_PRINTER: printerPath } : {}),
  }, { role: 'kiosk' });
  const agent = await startAgent<KioskShape>(
    config,
    (ctx) => createKioskAgent(ctx, KioskSettingsSchema.parse({ printerPollMs: 60_000, ...settings }), clock ? { now: clock } : {}),
    () => undefined,
    undefined,
    clock ? { clock } : {},
  );
  running.push(agent);
  await agent.client.whenInStep();
  const call = agent.handlers as unknown as {
    takeNumber(a: unknown): Promise<TakeResult>;
    checkIn(a: unknown): Promise<TakeResult>;
    query(a: unknown): Promise<QueryResult>;
    guide(a: unknown): Promise<unknown>;
    printGuide(a: unknown): Promise<unknown>;
  };
  return { agent, call, status: () => agent.pushes.get('status') as KioskStatus };
}

const tickets = () => [...hub.store.view.tickets.values()];
const PUBLIC = 'https://zwfw.binjiang.example.gov.cn';

/** The hall's setup names its public address (catalogue hall.publicUrl). */
function setPublicUrl(url: string) {
  const catalogue = demoCatalogue({ allDay: true });
  catalogue.hall.publicUrl = url;
  hub.store.execute({ id: `public-url-${url}`, type: 'replaceCatalogue', catalogue }, { role: 'admin', terminal: 'test' });
}

describe('the kiosk agent and its printer', () => {
  let pair: PtyPair;
  let printer: PrinterSimulator;
  beforeEach(async () => {
    pair = await startPtyPair();
    printer = await PrinterSimulator.open(pair.device);
  });
  afterEach(async () => {
    for (const a of running.splice(0)) await a.stop();
    await printer.close();
    await pair.close();
  });

  it('reports a printer whose cover switch flaps as in fault twice, not at every poll, and as ready once it has stayed so', async () => {
    await kiosk('kiosk-1', pair.host, { printerPollMs: 100, printerRecoveryMs: 1500 });
    const reported = () => hub.store.eventsSince(0).flatMap((e) => (e.type === 'devices.reported' && e.terminal === 'kiosk-1' ? [e.devices[0]!.status] : []));
    await expect.poll(reported).toEqual(['ok']);
    // A loose cover switch: open, closed, open, ... for two seconds, the kiosk asking every 100 ms.
    let open = false;
    const flap = setInterval(() => printer.device.set({ coverOpen: (open = !open) }), 150);
    await new Promise((r) => setTimeout(r, 2000));
    clearInterval(flap);
    printer.device.set({ coverOpen: false });
    expect(printer.device.statusRequests).toBeGreaterThan(40);
    // Its first mending told at once (a printer refilled is ready on the board without waiting); once it flaps, held.
    expect(reported()).toEqual(['ok', 'fault', 'ok', 'fault']);
    // Closed for good: ready again on the board once it has held.
    await expect.poll(reported, { timeout: 5000 }).toEqual(['ok', 'fault', 'ok', 'fault', 'ok']);
  });

  it('voids the ticket when the paper runs out while it prints, and names the number on the partial slip', async () => {
    const { call, status } = await kiosk('kiosk-1', pair.host);
    printer.device.set({ paperEndAfterLines: 4 });
    const answer = await call.takeNumber({ serviceCode: 'GA-SFZ-HL', lane: 'ordinary', lang: 'zh-CN' });
    expect(answer).toMatchObject({ ok: false, code: 'print-cut-off', number: 'A001', itemName: '居民身份证换领' });
    // The partial slip shows the number; it was never sent again.
    expect(printer.device.current.text).toContain('A001');
    expect(printer.device.stats.bytes).toBeLessThan(2 * 406);
    expect(tickets()).toHaveLength(1);
    await expect.poll(() => tickets()[0]!.state).toBe('voided');
    expect(status()).toMatchObject({ outOfService: true, reason: 'printer', printerCode: 'paper-end' });
  });

  it('voids the ticket when the cover is opened while it prints', async () => {
    const { call } = await kiosk('kiosk-1', pair.host);
    printer.device.set({ coverOpenAfterLines: 5 });
    expect(await call.takeNumber({ serviceCode: 'GA-SFZ-HL', lane: 'ordinary', lang: 'zh-CN' })).toMatchObject({ ok: false, code: 'print-cut-off', number: 'A001' });
    await expect.poll(() => tickets()[0]!.state).toBe('voided');
    await expect.poll(() => hub.store.view.devices.get('kiosk-1')?.devices[0]).toMatchObject({ status: 'fault', code: 'cover-open' });
  });

  it('prints one slip when the printer answers slowly after the cut, and the ticket stands', async () => {
    const { call } = await kiosk('kiosk-1', pair.host);
    // Longer than a status reply may take before a job (2 s), shorter than after one.
    printer.device.set({ busyAfterCutMs: 2500 });
    const answer = await call.takeNumber({ serviceCode: 'GA-SFZ-HL', lane: 'ordinary', lang: 'zh-CN' });
    expect(answer).toMatchObject({ ok: true, ticket: { number: 'A001', printed: true } });
    expect(answer.ok && answer.ticket.printUnconfirmed).toBeFalsy();
    expect(printer.device.receipts).toHaveLength(1);
    expect(tickets()[0]!.state).toBe('issued');
  }, 15_000);

  it('keeps a ticket sent whole when the printer says nothing after it: shown on screen too, the printer reported, never printed again', async () => {
    setPublicUrl(PUBLIC);
    const { call, status } = await kiosk('kiosk-1', pair.host);
    printer.device.set({ silentAfterCut: true });
    const answer = await call.takeNumber({ serviceCode: 'GA-SFZ-HL', lane: 'ordinary', lang: 'zh-CN' });
    expect(answer).toMatchObject({ ok: true, ticket: { number: 'A001', printed: true, printUnconfirmed: true } });
    expect(answer.ok && answer.ticket.qr).toMatch(/^data:image\/svg\+xml/);
    expect(printer.device.receipts).toHaveLength(1);
    expect(tickets()[0]!.state).toBe('issued');
    expect(status()).toMatchObject({ outOfService: false, printer: 'warning', printerCode: 'status-unknown' });
    await expect.poll(() => hub.store.view.devices.get('kiosk-1')?.devices[0]).toMatchObject({ status: 'warning', code: 'status-unknown' });
  }, 15_000);

  it('keeps a ticket sent whole when the printer is unplugged while it cuts, and is out of service at once, not ready with a warning', async () => {
    const { call, status } = await kiosk('kiosk-1', pair.host);
    printer.device.set({ holdAfterCut: true });
    const taking = call.takeNumber({ serviceCode: 'GA-SFZ-HL', lane: 'ordinary', lang: 'zh-CN' });
    await expect.poll(() => printer.device.receipts.length).toBe(1);
    await printer.close();
    await pair.close();
    expect(await taking).toMatchObject({ ok: true, ticket: { number: 'A001', printed: true, printUnconfirmed: true } });
    expect(tickets()[0]!.state).toBe('issued');
    // The next citizen is not sent to a kiosk whose printer is gone.
    expect(status()).toMatchObject({ outOfService: true, reason: 'printer', printerCode: 'offline' });
    await expect.poll(() => hub.store.view.devices.get('kiosk-1')?.devices[0]).toMatchObject({ status: 'fault', code: 'offline' });
  }, 15_000);

  it('gives no number to void when the printer’s status cannot be read (a noisy line, a wrong speed): out of service at the press', async () => {
    const { call } = await kiosk('kiosk-1', pair.host);
    // Every answer comes with bytes no status byte can be: the driver sends no job on such a line.
    printer.device.set({ lineNoise: [0xff, 0x32] });
    for (let i = 0; i < 2; i++) expect(await call.takeNumber({ serviceCode: 'GA-SFZ-HL', lane: 'ordinary', lang: 'zh-CN' })).toMatchObject({ ok: false, code: 'out-of-service' });
    expect(await call.printGuide({ code: 'GA-SFZ-HL', lang: 'zh-CN' })).toEqual({ ok: false, code: 'out-of-service' });
    expect(tickets()).toHaveLength(0);
    expect(printer.device.receipts).toHaveLength(0);
  }, 30_000);

  it('asks the printer first: with the cover open no ticket is issued at all', async () => {
    const { call, status } = await kiosk('kiosk-1', pair.host);
    printer.device.set({ coverOpen: true });
    expect(await call.takeNumber({ serviceCode: 'GA-SFZ-HL', lane: 'ordinary', lang: 'zh-CN' })).toMatchObject({ ok: false, code: 'out-of-service' });
    expect(tickets()).toHaveLength(0);
    expect(status().printerCode).toBe('cover-open');
    await expect.poll(() => hub.store.view.devices.get('kiosk-1')?.devices).toEqual([{ kind: 'printer', name: 'ticket-printer', status: 'fault', code: 'cover-open' }]);
  });

  it('gives one number per press even when pressed twice at once', async () => {
    const { call } = await kiosk('kiosk-1', pair.host);
    const [a, b] = await Promise.all([
      call.takeNumber({ serviceCode: 'CRJ-HZ-SL', lane: 'ordinary', lang: 'zh-CN' }),
      call.takeNumber({ serviceCode: 'CRJ-HZ-SL', lane: 'ordinary', lang: 'zh-CN' }),
    ]);
    expect(a.ok && b.ok).toBe(true);
    expect(printer.device.receipts).toHaveLength(2);
    expect(printer.device.receipts.map((r) => r.text.join('\n'))).toEqual([expect.stringContaining('B001'), expect.stringContaining('B002')]);
    // The second citizen has the first ahead of them.
    expect(b.ok && b.ticket.ahead).toBe(1);
  });

  it('prints the progress QR code with the hall’s public address', async () => {
    setPublicUrl(PUBLIC);
    const { call } = await kiosk('kiosk-1', pair.host);
    const answer = await call.takeNumber({ serviceCode: 'GA-SFZ-HL', lane: 'ordinary', lang: 'zh-CN' });
    if (!answer.ok) throw new Error(answer.code);
    // The link is the hub's, made for this ticket (its live page); the kiosk put the hall's public address before it.
    expect(printer.device.receipts[0]!.qrCodes).toEqual([`${PUBLIC}${hub.store.links.livePath(answer.ticket.id)}`]);
    expect(printer.device.receipts[0]!.text.join('')).toContain('扫码查看排队进度');
  });

  it('prints no QR code, but the number to type at a kiosk, when the hall has no public address', async () => {
    const { call } = await kiosk('kiosk-1', pair.host);
    expect(await call.takeNumber({ serviceCode: 'GA-SFZ-HL', lane: 'ordinary', lang: 'zh-CN' })).toMatchObject({ ok: true, ticket: { number: 'A001' } });
    const [receipt] = printer.device.receipts;
    expect(receipt!.qrCodes).toEqual([]);
    expect(receipt!.text.join('')).not.toContain('扫码');
    expect(receipt!.text.join('')).toContain('输入 A001 可查排队进度');
  });

  it('prints the one-time notice of an item on request', async () => {
    const { call } = await kiosk('kiosk-1', pair.host);
    expect(await call.printGuide({ code: 'CRJ-HZ-SL', lang: 'zh-CN' })).toEqual({ ok: true });
    const text = printer.device.receipts[0]!.text.join('\n');
    expect(text).toContain('一次性告知单');
    expect(text).toContain('普通护照申领');
  });

  it('dates the one-time notice by the hub’s clock on a PC whose clock is a day ahead', async () => {
    const DAY = 24 * 3_600_000;
    // This PC's clock is a day ahead of the hall's: the hub's clock says yesterday.
    await hub.close();
    hub = await startHub({ dataDir: path.join(dir, 'hub-a-day-behind'), token: TOKEN, seed: demoCatalogue({ allDay: true }), clock: () => Date.now() - DAY });
    const { call, agent } = await kiosk('kiosk-1', pair.host);
    expect(await call.printGuide({ code: 'CRJ-HZ-SL', lang: 'zh-CN' })).toEqual({ ok: true });
    const text = printer.device.receipts[0]!.text.join('\n');
    const { hallDay } = await import('@servicehall/core');
    // The run may cross midnight: the hub's day as the notice was printed, or a minute before.
    const hubDays = [hallDay(Date.now() - DAY - 60_000, 'Asia/Shanghai'), hallDay(Date.now() - DAY, 'Asia/Shanghai')];
    expect(hubDays.some((d) => text.includes(d))).toBe(true);
    expect(text).not.toContain(hallDay(Date.now(), 'Asia/Shanghai'));
    expect((agent.pushes.get('home') as { timeZone: string }).timeZone).toBe('Asia/Shanghai');
  });
});

describe('the kiosk agent without a printer', () => {
  it('shows the number on screen with a QR code to photograph, and reports no printer', async () => {
    setPublicUrl(PUBLIC);
    const { call } = await kiosk('kiosk-2');
    const answer = await call.takeNumber({ serviceCode: 'GA-SFZ-HL', lane: 'priority', priorityReason: 'elderly', lang: 'zh-CN' });
    if (!answer.ok) throw new Error(`refused: ${answer.code}`);
    expect(answer.ticket).toMatchObject({ number: 'A001', printed: false, lane: 'priority', priorityReason: 'elderly', ahead: 0 });
    // The link was made by the hub and handed over with the ticket: the phone's live page of it, which the hub answers.
    expect(answer.ticket.progressUrl).toBe(`${PUBLIC}${hub.store.links.livePath(answer.ticket.id)}`);
    expect((await fetch(answer.ticket.progressUrl!.replace(PUBLIC, hub.url))).status).toBe(200);
    const ref = answer.ticket.progressUrl!.split('/').at(-1)!;
    expect(await (await fetch(`${hub.url}/api/phone/tickets/${ref}`)).json()).toMatchObject({ number: 'A001' });
    expect(answer.ticket.qr).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(answer.ticket.qr!.split(',')[1]!, 'base64').toString()).toContain('<svg');
    expect(tickets()[0]).toMatchObject({ state: 'issued', lane: 'priority', priorityReason: 'elderly' });
    await expect.poll(() => hub.store.view.devices.get('kiosk-2')?.devices[0]?.status).toBe('absent');
  });

  it('never shows a link to the hub’s own loopback address: without a public address, the number alone', async () => {
    const { call } = await kiosk('kiosk-2');
    const answer = await call.takeNumber({ serviceCode: 'GA-SFZ-HL', lane: 'ordinary', lang: 'zh-CN' });
    if (!answer.ok) throw new Error(answer.code);
    expect(hub.url).toMatch(/^http:\/\/127\./);
    expect(answer.ticket.progressUrl).toBeUndefined();
    expect(answer.ticket.qr).toBeUndefined();
    expect(KioskSettingsSchema.safeParse({ publicUrl: hub.url }).success).toBe(false);
  });

  it('voids the ticket of a press left in its outbox when it restarted before the hub answered: nobody holds that number', async () => {
    // The citizen was told the hub did not answer; the kiosk's PC restarted with the press still in its outbox file.
    const left = { id: '0190f3a2-7c1e-7000-8000-00000000a001', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary', madeAt: Date.now() - 60_000 };
    fs.mkdirSync(path.join(dir, 'kiosk-8'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'kiosk-8', 'outbox.json'), JSON.stringify([{ command: left, queuedAt: Date.now() - 60_000 }]));
    const { agent } = await kiosk('kiosk-8');
    await expect.poll(() => tickets().map((t) => [t.number, t.state]), { timeout: 5000 }).toEqual([['A001', 'voided']]);
    await expect.poll(() => agent.client.waiting).toBe(0);
  });

  it('names the alternatives when the day’s quota is reached', async () => {
    const catalogue = demoCatalogue({ allDay: true });
    catalogue.items.find((i) => i.code === 'GA-CS-DJ')!.dailyQuota = 1;
    hub.store.execute({ id: 'replace-catalogue-1', type: 'replaceCatalogue', catalogue }, { role: 'admin', terminal: 'test' });
    const { call } = await kiosk('kiosk-2');
    expect((await call.takeNumber({ serviceCode: 'GA-CS-DJ', lane: 'ordinary', lang: 'zh-CN' })).ok).toBe(true);
    const refused = await call.takeNumber({ serviceCode: 'GA-CS-DJ', lane: 'ordinary', lang: 'zh-CN' });
    expect(refused).toMatchObject({ ok: false, code: 'daily-quota-reached', itemName: '出生登记', onlineUrl: 'https://www.zjzwfw.gov.cn' });
    expect(!refused.ok && refused.onlineQr).toMatch(/^data:image\/svg\+xml/);
  });

  it('checks in a booked appointment, and refuses an unknown code politely', async () => {
    const { call } = await kiosk('kiosk-2');
    const now = Date.now();
    hub.store.execute({ id: 'book-appointment-1', type: 'bookAppointment', code: 'YY42', serviceCode: 'RS-SBK-SL', slotStart: now, slotEnd: now + 1_800_000 }, { role: 'admin', terminal: 'test' });
    const answer = await call.checkIn({ code: 'YY42', lang: 'zh-CN' });
    expect(answer).toMatchObject({ ok: true, ticket: { lane: 'appointment', itemName: '社会保障卡申领' } });
    expect(await call.checkIn({ code: 'NOPE', lang: 'zh-CN' })).toEqual({ ok: false, code: 'appointment-unknown' });
  });

  it('names the service of a booking the hall cancelled when it stopped offering it, at check-in', async () => {
    const { call } = await kiosk('kiosk-2');
    const now = Date.now();
    hub.store.execute({ id: 'book-appointment-2', type: 'bookAppointment', code: 'YY43', serviceCode: 'RS-SBK-SL', slotStart: now, slotEnd: now + 1_800_000 }, { role: 'admin', terminal: 'test' });
    const catalogue = demoCatalogue({ allDay: true });
    catalogue.items = catalogue.items.filter((i) => i.code !== 'RS-SBK-SL');
    for (const w of catalogue.windows) w.serves = w.serves.filter((c) => c !== 'RS-SBK-SL');
    expect(hub.store.execute({ id: 'replace-catalogue-2', type: 'replaceCatalogue', catalogue }, { role: 'admin', terminal: 'test' }).answer).toMatchObject({ ok: true });
    // The hub refuses it at once; the kiosk names the service once the withdrawal has reached its view.
    await expect
      .poll(() => call.checkIn({ code: 'yy-43', lang: 'zh-CN' }))
      .toEqual({ ok: false, code: 'appointment-withdrawn', itemName: '社会保障卡申领', itemNameEn: 'Social Security Card Application' });
  });

  it('answers a progress query for a ticket (typed, or its QR code scanned), and "not found" when the hub knows no such ticket or case', async () => {
    setPublicUrl(PUBLIC);
    const { call } = await kiosk('kiosk-2');
    const taken = await call.takeNumber({ serviceCode: 'CRJ-HZ-SL', lane: 'ordinary', lang: 'zh-CN' });
    // The ticket's QR code (its live page) read by the scanner: the hub says whose reference it is.
    expect(taken.ok && taken.ticket.progressUrl).toMatch(new RegExp(`^${PUBLIC}/m/t/[\\w-]{22}$`));
    expect(await call.query({ text: taken.ok ? taken.ticket.progressUrl : '' })).toMatchObject({ kind: 'ticket', number: 'B001', state: 'issued' });
    expect(await call.query({ text: `${PUBLIC}/m/t/${'A'.repeat(22)}` })).toEqual({ kind: 'not-found', text: '' });
    expect(await call.query({ text: 'b1' })).toMatchObject({ kind: 'ticket', number: 'B001' });
    expect(await call.query({ text: 'BJ2026112700012' })).toEqual({ kind: 'not-found', text: 'BJ2026112700012' });
  });

  it('starts emergency mode the set time after the hub went, not at once when the PC’s clock is put an hour forward', async () => {
    let setBy = 0;
    const { status, agent } = await kiosk('kiosk-1', undefined, { emergencyAfterSeconds: 5 }, () => Date.now() + setBy);
    await expect.poll(() => agent.client.view!.leases.length, { timeout: 10_000 }).toBeGreaterThan(0);
    await hub.close();
    await expect.poll(() => agent.client.state.status, { timeout: 10_000 }).not.toBe('online');
    setBy = 3_600_000;
    // Before the fix the hour counted as an hour without the hub: emergency numbers within the second.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(status().emergency).toBeUndefined();
    await expect.poll(() => status().emergency, { timeout: 10_000 }).toBe(true);
  });

  it('takes bad input from its screen without falling over', async () => {
    const { call } = await kiosk('kiosk-2');
    expect(await call.takeNumber(null)).toEqual({ ok: false, code: 'bad-request' });
    expect(await call.takeNumber({ serviceCode: 'NO-SUCH', lane: 'ordinary', lang: 'xx' })).toMatchObject({ ok: false, code: 'not-found' });
    expect(await call.checkIn({ code: '' })).toMatchObject({ ok: false });
    expect(await call.query({ text: 42 })).toMatchObject({ kind: 'not-found' });
    expect(await call.guide({})).toBeNull();
    expect(await call.printGuide({ code: 'GA-SFZ-HL', lang: 'zh-CN' })).toEqual({ ok: false, code: 'no-printer' });
  });
});
