import { TerminalConfigSchema, type AgentContext } from '@servicehall/agent';
import type { HallClient } from '@servicehall/client';
import { emptyView, putTicket, type CommandBody, type HallView } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import { KeyPadSimulator, startPtyPair } from '@servicehall/fixtures/devices';
import type { Answer, Question } from '@servicehall/protocol';
import { ackFrame, keyFrame, openSerialLink, type ByteLink } from '@servicehall/rating-keys';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PadScreen, RatingPadShape } from '../shared/api';
import { createRatingPadAgent, garbledDetail, photoDataUrl, unansweredDetail, type RatingPadOptions } from './agent';

/** The hub link as the agent sees it: a view, a state, and `send` answered as the test says. */
class FakeClient {
  view: HallView;
  state = { status: 'online' as const, since: 0, waiting: 0 };
  sent: CommandBody[] = [];
  asked: Question[] = [];
  /** As the hub answers: a link it signed, for this pad's window's services only. */
  ask(q: Question) {
    this.asked.push(q);
    if (q.kind !== 'ratingLink') return Promise.resolve({ ok: false, code: 'forbidden', message: 'no' });
    const r = this.view.ratingRequests.get(q.ticketId);
    return Promise.resolve(r?.window === 5 ? { ok: true, value: { link: `/rate/${q.ticketId}?e=abc12&s=${'h'.repeat(24)}` } } : { ok: false, code: 'forbidden', message: 'another window' });
  }
  answer: (body: CommandBody) => Promise<Answer> = async () => ({ ok: true, seq: 1 }) as Answer;
  /** The hall's clock as the link has it: the hub's, whether or not the hub is there now. */
  hubNow = () => Date.now();
  private listeners = new Set<(c: unknown) => void>();
  constructor() {
    this.view = emptyView(demoCatalogue(), '2025-03-03');
    this.view.windows.set(5, { ...this.view.windows.get(5)!, open: true, clerk: '1005' });
  }
  subscribe(l: (c: unknown) => void) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  send(body: CommandBody) {
    this.sent.push(body);
    return this.answer(body);
  }
  private finishes = 0;
  /** The window finishes a service: its ticket is done, and the hub asks for its rating. Each finish is later than the last. */
  finish(ticketId: string, at = Date.now() + this.finishes++) {
    // As the fold puts it: the view's indexes (the window's latest finished service) kept true.
    putTicket(this.view, {
      id: ticketId,
      number: ticketId.toUpperCase(),
      day: this.view.day,
      serviceCode: 'RS-SBK-SL',
      lane: 'ordinary',
      state: 'done',
      issuedAt: at - 600_000,
      place: this.view.tickets.size + 1,
      window: 5,
      clerk: '1005',
      recalls: 0,
      transfers: [],
      servingAt: at - 300_000,
      finishedAt: at,
    });
    this.view.ratingRequests.set(ticketId, { ticketId, ticketNumber: ticketId.toUpperCase(), window: 5, clerk: '1005', serviceCode: 'RS-SBK-SL', finishedAt: at, caseNumbers: [] });
    this.changed();
  }
  rated(ticketId: string) {
    this.view.ratingRequests.delete(ticketId);
    this.changed();
  }
  changed() {
    for (const l of this.listeners) l({ kind: 'view', view: this.view, events: [], snapshot: false });
  }
}

/** A key pad line: the test plays the pad's bytes, the agent's acknowledgements are kept. */
function fakeLine() {
  const written: Buffer[] = [];
  let listener: ((chunk: Buffer) => void) | undefined;
  let closed: (() => void) | undefined;
  const link: ByteLink = {
    write: async (bytes) => void written.push(Buffer.from(bytes)),
    onData: (l) => ((listener = l), () => (listener = undefined)),
    close: async () => {},
    onClose: (l) => ((closed = l), () => (closed = undefined)),
  };
  return { link, written, play: (bytes: Buffer) => listener?.(bytes), unplug: () => closed?.() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const s of stops) await s();
  stops = [];
});

function start(options: Partial<RatingPadOptions> = {}, config: Record<string, unknown> = {}) {
  const client = new FakeClient();
  const screens: PadScreen[] = [];
  const logs: string[] = [];
  const ctx: AgentContext<RatingPadShape> = {
    config: TerminalConfigSchema.parse({ role: 'rating-pad', terminal: 'pad-5', window: 5, hubUrl: 'ws://127.0.0.1:8600/ws', token: 'hall-token-1', ...config }),
    client: client as unknown as HallClient,
    push: (topic, payload) => void (topic === 'pad' && screens.push(payload as PadScreen)),
    log: (m) => logs.push(m),
  };
  const agent = createRatingPadAgent(ctx, { thanksMs: 40, answerWaitMs: 30, noticeMs: 40, ...options });
  stops.push(() => agent.stop?.());
  return { client, agent, screens, logs, last: () => screens.at(-1)! };
}

describe('the rating pad agent', () => {
  it('asks when its window finishes, shows the phone QR link, thanks after the rating, then goes idle', async () => {
    const { client, agent, last } = start();
    expect(last().phase).toBe('idle');
    client.finish('c1');
    expect(last().phase).toBe('asking');
    // The hub signs the link; the pad only puts the hub's address before it.
    await expect.poll(() => last().request?.link).toBe(`http://127.0.0.1:8600/rate/c1?e=abc12&s=${'h'.repeat(24)}`);
    expect(client.asked).toContainEqual({ kind: 'ratingLink', ticketId: 'c1' });
    expect(last().request?.qr).toMatch(/^data:image\/svg\+xml;base64,/);
    client.answer = async (body) => (client.rated((body as { ticketId: string }).ticketId), { ok: true, seq: 2 } as Answer);
    expect(await agent.handlers.rate({ ticketId: 'c1', level: 'satisfied', aspects: { skill: 'satisfied' } })).toEqual({ status: 'recorded' });
    expect(client.sent).toEqual([{ type: 'rate', ticketId: 'c1', level: 'satisfied', aspects: { skill: 'satisfied' }, reasons: [], channel: 'window-pad' }]);
    expect(last()).toMatchObject({ phase: 'thanks', thanks: { ticketId: 'c1', ticketNumber: 'C1', status: 'recorded' } });
    await expect.poll(() => last().phase).toBe('idle');
  });

  it('records a bad level at the press, then takes its reasons as an addition to that rating', async () => {
    const { client, agent, last } = start();
    client.finish('c1');
    client.answer = async (body) => (body.type === 'rate' && client.rated(body.ticketId!), { ok: true, seq: 2 } as Answer);
    expect(await agent.handlers.rate({ ticketId: 'c1', level: 'dissatisfied', aspects: { attitude: 'dissatisfied' } })).toEqual({ status: 'recorded' });
    expect(client.sent).toEqual([{ type: 'rate', ticketId: 'c1', level: 'dissatisfied', aspects: { attitude: 'dissatisfied' }, reasons: [], channel: 'window-pad' }]);
    expect(last()).toMatchObject({ phase: 'details', details: { ticketId: 'c1', level: 'dissatisfied', status: 'recorded' } });
    expect(await agent.handlers.amend({ ticketId: 'c1', reasons: ['wait', 'notice'], text: '跑了两趟' })).toEqual({ status: 'recorded' });
    expect(client.sent.at(-1)).toEqual({ type: 'amendRating', ticketId: 'c1', aspects: {}, reasons: ['等候时间长', '一次性告知不到位'], text: '跑了两趟' });
    expect(last()).toMatchObject({ phase: 'thanks', thanks: { ticketId: 'c1', level: 'dissatisfied', status: 'recorded', part: 'details' } });
    await expect.poll(() => last().phase).toBe('idle');
  });

  it('keeps the bad level pressed when the citizen walks away from the reasons screen', async () => {
    const { client, agent, last, logs, screens } = start({ detailsMs: 30 });
    client.finish('c1');
    client.answer = async (body) => (body.type === 'rate' && client.rated(body.ticketId!), { ok: true, seq: 2 } as Answer);
    await agent.handlers.rate({ ticketId: 'c1', level: 'very-dissatisfied' });
    expect(last().phase).toBe('details');
    const from = screens.length - 1;
    await expect.poll(() => last().phase).toBe('idle');
    // The thanks screen is brief (40 ms here): read it from the screens pushed, not by polling for it.
    const phases = screens.slice(from).map((s) => s.phase).filter((p, i, all) => p !== all[i - 1]);
    expect(phases).toEqual(['details', 'thanks', 'idle']);
    expect(client.sent).toEqual([{ type: 'rate', ticketId: 'c1', level: 'very-dissatisfied', aspects: {}, reasons: [], channel: 'window-pad' }]);
    expect(logs.join('\n')).toContain('the level pressed stands');
  });

  it('closes the reasons screen with nothing added when the citizen skips it', async () => {
    const { client, agent, last } = start();
    client.finish('c1');
    await agent.handlers.rate({ ticketId: 'c1', level: 'dissatisfied' });
    expect(await agent.handlers.amend({ ticketId: 'c1' })).toEqual({ status: 'recorded' });
    expect(client.sent.map((c) => c.type)).toEqual(['rate']);
    expect(last()).toMatchObject({ phase: 'thanks', thanks: { status: 'recorded', part: 'rating' } });
    expect(await agent.handlers.amend({ ticketId: 'c1', reasons: ['wait'] })).toEqual({ status: 'refused', code: 'not-found' });
  });

  it('sends one command for a double tap', async () => {
    const { client, agent } = start();
    client.finish('c1');
    const [a, b] = await Promise.all([agent.handlers.rate({ ticketId: 'c1', level: 'satisfied' }), agent.handlers.rate({ ticketId: 'c1', level: 'satisfied' })]);
    expect([a, b]).toEqual([{ status: 'recorded' }, { status: 'recorded' }]);
    expect(client.sent).toHaveLength(1);
  });

  it("says the rating is kept when the hub does not answer, and does not ask again for the service meanwhile", async () => {
    const { client, agent, last } = start();
    client.finish('c1');
    client.answer = () => new Promise(() => {});
    expect(await agent.handlers.rate({ ticketId: 'c1', level: 'very-satisfied' })).toEqual({ status: 'queued' });
    expect(last()).toMatchObject({ phase: 'thanks', thanks: { status: 'queued' } });
    await expect.poll(() => last().phase).toBe('idle');
  });

  it("passes on the hub's refusal as a polite screen", async () => {
    const { client, agent, last } = start();
    // Rated on the citizen's phone a moment before: the pad's view does not have it yet.
    client.finish('c9');
    client.answer = async () => ({ ok: false, code: 'already-rated', message: 'rated' }) as Answer;
    expect(await agent.handlers.rate({ ticketId: 'c9', level: 'satisfied' })).toEqual({ status: 'refused', code: 'already-rated' });
    expect(last().thanks).toMatchObject({ status: 'refused', code: 'already-rated' });
    expect(await agent.handlers.rate({ ticketId: 'c9', level: 'nonsense' } as never)).toEqual({ status: 'refused', code: 'bad-request' });
  });

  it('turns a key press into the same rate command for the current service, and acknowledges it', async () => {
    const line = fakeLine();
    const { client, last } = start({ openKeyLink: async () => line.link }, { devices: { keypad: { transport: 'serial', path: '/dev/ttyS9', address: 3 } } });
    await expect.poll(() => last().keypad).toBe('ok');
    expect(client.sent[0]).toEqual({ type: 'reportDevices', devices: [{ kind: 'keypad', name: '评价按键', status: 'ok' }] });
    client.finish('c1');
    line.play(keyFrame(3, 'very-dissatisfied', 7));
    await expect.poll(() => client.sent.at(-1)).toEqual({ type: 'rate', ticketId: 'c1', level: 'very-dissatisfied', aspects: {}, reasons: [], channel: 'key-pad' });
    expect(Buffer.concat(line.written)).toEqual(ackFrame(3, 7));
  });

  it("never gives a press after one citizen's rating to an earlier service still unrated at the window", async () => {
    const line = fakeLine();
    const { client, last, logs } = start({ openKeyLink: async () => line.link, thanksMs: 1500 }, { devices: { keypad: { transport: 'serial', path: '/dev/ttyS9', address: 3 } } });
    await expect.poll(() => last().keypad).toBe('ok');
    client.answer = async (body) => (body.type === 'rate' && client.rated(body.ticketId!), { ok: true, seq: 2 } as Answer);
    // c1's citizen left without rating; c2's citizen rates by key.
    client.finish('c1');
    client.finish('c2');
    line.play(keyFrame(3, 'satisfied', 1));
    await expect.poll(() => client.sent.filter((c) => c.type === 'rate')).toEqual([{ type: 'rate', ticketId: 'c2', level: 'satisfied', aspects: {}, reasons: [], channel: 'key-pad' }]);
    await expect.poll(() => last().thanks?.status).toBe('recorded');
    // Pressed again during the thanks: the same citizen; said on the pad, logged, dropped.
    line.play(keyFrame(3, 'very-dissatisfied', 2));
    expect(last()).toMatchObject({ phase: 'thanks', notice: 'already-rated' });
    await expect.poll(() => last().phase, { timeout: 5000 }).toBe('idle');
    // Pressed once the pad is idle: c1 is not asked about any more.
    line.play(keyFrame(3, 'very-dissatisfied', 3));
    expect(last()).toMatchObject({ phase: 'idle', notice: 'nothing-to-rate' });
    await sleep(20);
    expect(client.sent.filter((c) => c.type === 'rate')).toHaveLength(1);
    expect(Buffer.concat(line.written)).toEqual(Buffer.concat([ackFrame(3, 1), ackFrame(3, 2), ackFrame(3, 3)]));
    expect(logs.join('\n')).toMatch(/just after the rating of C2 is dropped[\s\S]*no service asked about is dropped/);
  });

  it('offers the reasons screen after a bad level pressed on the key pad', async () => {
    const line = fakeLine();
    const { client, last } = start({ openKeyLink: async () => line.link }, { devices: { keypad: { transport: 'serial', path: '/dev/ttyS9', address: 3 } } });
    await expect.poll(() => last().keypad).toBe('ok');
    client.finish('c1');
    line.play(keyFrame(3, 'dissatisfied', 1));
    await expect.poll(() => last()).toMatchObject({ phase: 'details', details: { ticketId: 'c1', level: 'dissatisfied' } });
    line.play(keyFrame(3, 'satisfied', 2));
    expect(last()).toMatchObject({ phase: 'details', notice: 'already-rated' });
    expect(client.sent.filter((c) => c.type === 'rate')).toHaveLength(1);
  });

  it("ignores another pad's address, and tells the citizen when there is nothing to rate", async () => {
    const line = fakeLine();
    const { client, last, logs } = start({ openKeyLink: async () => line.link }, { devices: { keypad: { transport: 'serial', path: '/dev/ttyS9', address: 3 } } });
    await expect.poll(() => last().keypad).toBe('ok');
    line.play(keyFrame(3, 'satisfied', 1));
    expect(last().notice).toBe('nothing-to-rate');
    client.finish('c1');
    line.play(keyFrame(4, 'satisfied', 2));
    await sleep(10);
    expect(client.sent.filter((c) => c.type === 'rate')).toHaveLength(0);
    expect(logs.join('\n')).toContain('pad 4 is ignored');
    await expect.poll(() => padNoticeGone(last())).toBe(true);
  });

  it('says and logs once, not once a frame, when a key is held or the pad floods with nothing to rate', async () => {
    const line = fakeLine();
    const { client, screens, logs } = start({ openKeyLink: async () => line.link, noticeMs: 5000 }, { devices: { keypad: { transport: 'serial', path: '/dev/ttyS9', address: 3 } } });
    await expect.poll(() => screens.at(-1)?.keypad).toBe('ok');
    const before = screens.length;
    for (let i = 0; i < 2000; i++) line.play(keyFrame(3, 'very-dissatisfied', i));
    for (let i = 0; i < 2000; i++) line.play(keyFrame(4, 'satisfied', i));
    expect(screens.at(-1)?.notice).toBe('nothing-to-rate');
    expect(screens.length - before).toBe(1);
    expect(logs.filter((l) => l.includes('no service asked about'))).toHaveLength(1);
    expect(logs.filter((l) => l.includes('pad 4 is ignored'))).toHaveLength(1);
    expect(client.sent.filter((c) => c.type === 'rate')).toHaveLength(0);
  });

  it('notices a key pad unplugged after it was working, says so, and takes it back when it returns', async () => {
    const lines = [fakeLine(), fakeLine()];
    let opened = 0;
    const { client, last } = start({ openKeyLink: async () => lines[Math.min(opened++, 1)]!.link, keypadRetryMs: 20 }, { devices: { keypad: { transport: 'serial', path: '/dev/ttyS9', address: 3 } } });
    await expect.poll(() => last().keypad).toBe('ok');
    lines[0]!.unplug();
    expect(last().keypad).toBe('fault');
    expect(client.sent).toContainEqual({ type: 'reportDevices', devices: [{ kind: 'keypad', name: '评价按键', status: 'fault', code: 'offline', detail: '/dev/ttyS9' }] });
    await expect.poll(() => last().keypad).toBe('ok');
    expect(opened).toBe(2);
    client.finish('c1');
    lines[1]!.play(keyFrame(3, 'satisfied', 1));
    await expect.poll(() => client.sent.at(-1)).toMatchObject({ type: 'rate', channel: 'key-pad', level: 'satisfied' });
  });

  it('hears a key pad on a real line unplugged, and takes it back plugged in again: a press then counts once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-pad-'));
    // The pad's port as the terminal names it; the USB adapter behind it is pulled out and plugged in again.
    const port = path.join(dir, 'ttyUSB0');
    let pair = await startPtyPair();
    let pad = await KeyPadSimulator.open(pair.device, 3, 100);
    fs.symlinkSync(pair.host, port);
    stops.push(async () => (await pad.close(), await pair.close(), fs.rmSync(dir, { recursive: true, force: true })));
    const { client, last } = start({ keypadRetryMs: 50 }, { devices: { keypad: { transport: 'serial', path: port, address: 3 } } });
    await expect.poll(() => last().keypad).toBe('ok');
    await pad.close();
    await pair.close();
    await expect.poll(() => last().keypad).toBe('fault');
    expect(client.sent).toContainEqual({ type: 'reportDevices', devices: [{ kind: 'keypad', name: '评价按键', status: 'fault', code: 'offline', detail: port }] });
    pair = await startPtyPair();
    pad = await KeyPadSimulator.open(pair.device, 3, 100);
    fs.rmSync(port);
    fs.symlinkSync(pair.host, port);
    await expect.poll(() => last().keypad, { timeout: 5000 }).toBe('ok');
    client.finish('c1');
    expect(await pad.press('satisfied')).toMatchObject({ acked: true });
    // The same key again at once (a bounce, a second press): the service is rated already.
    expect(await pad.press('satisfied')).toMatchObject({ acked: true });
    expect(client.sent.filter((c) => c.type === 'rate')).toEqual([{ type: 'rate', ticketId: 'c1', level: 'satisfied', aspects: {}, reasons: [], channel: 'key-pad' }]);
  });

  it('reports a key pad whose bytes make no frame (a speed not its own) as garbled, on the pad and the device board, until a good frame comes', async () => {
    const pair = await startPtyPair();
    const pad = await KeyPadSimulator.open(pair.device, 3, 100);
    stops.push(async () => (await pad.close(), await pair.close()));
    const { client, last, logs } = start({}, { devices: { keypad: { transport: 'serial', path: pair.host, address: 3 } } });
    await expect.poll(() => last().keypad).toBe('ok');
    client.finish('c1');
    // The pad talks at 9600 and the terminal reads at 19200: each of its bits is read twice.
    pad.terminalBaud = 19200;
    expect(await pad.press('very-satisfied')).toEqual({ acked: false, attempts: 3, sequence: 0 });
    await expect.poll(() => last().keypad).toBe('fault');
    const garbled = { type: 'reportDevices', devices: [{ kind: 'keypad', name: '评价按键', status: 'fault', code: 'garbled', detail: garbledDetail(pair.host, 9600) }] };
    expect(client.sent.at(-1)).toEqual(garbled);
    expect(garbledDetail(pair.host, 9600)).toMatch(/^\/.*host：.*9600 8N1.*连接线 \/ .*cable$/);
    expect(client.sent.filter((c) => c.type === 'rate')).toHaveLength(0);
    expect(await pad.press('very-satisfied')).toMatchObject({ acked: false });
    // Said once, however many bytes come.
    expect(logs.filter((l) => l.includes('make no frame'))).toEqual([expect.stringContaining('9600 baud 8N1, and its cable')]);
    expect(client.sent.filter((c) => c.type === 'reportDevices')).toHaveLength(2);
    // The speed set right: the next press is read, counted, and the key pad is ok again.
    pad.terminalBaud = undefined;
    expect(await pad.press('satisfied')).toMatchObject({ acked: true, attempts: 1 });
    await expect.poll(() => last().keypad).toBe('ok');
    expect(client.sent.filter((c) => c.type === 'reportDevices').at(-1)).toEqual({ type: 'reportDevices', devices: [{ kind: 'keypad', name: '评价按键', status: 'ok' }] });
    expect(client.sent.filter((c) => c.type === 'rate')).toEqual([{ type: 'rate', ticketId: 'c1', level: 'satisfied', aspects: {}, reasons: [], channel: 'key-pad' }]);
    expect(logs.filter((l) => l.includes('is read again'))).toHaveLength(1);
  });

  it('reports a key pad whose acknowledgements its line does not take (flow control held), on the pad and the device board, counting its presses, until one is taken', async () => {
    const pair = await startPtyPair();
    const pad = await KeyPadSimulator.open(pair.device, 3, 100);
    stops.push(async () => (await pad.close(), await pair.close()));
    const { client, last, logs } = start(
      { openKeyLink: (port, baudRate) => openSerialLink(port, baudRate, { writeWithinMs: 300 }) },
      { devices: { keypad: { transport: 'serial', path: pair.host, address: 3 } } },
    );
    await expect.poll(() => last().keypad).toBe('ok');
    client.finish('c1');
    await pair.holdFlow();
    // The press is read and rated; its acknowledgement never leaves the terminal, so the pad resends it and lights its lamp.
    expect(await pad.press('satisfied')).toEqual({ acked: false, attempts: 3, sequence: 0 });
    await expect.poll(() => last().keypad).toBe('unanswered');
    expect(client.sent.filter((c) => c.type === 'rate')).toEqual([{ type: 'rate', ticketId: 'c1', level: 'satisfied', aspects: {}, reasons: [], channel: 'key-pad' }]);
    expect(client.sent.filter((c) => c.type === 'reportDevices').at(-1)).toEqual({
      type: 'reportDevices',
      devices: [{ kind: 'keypad', name: '评价按键', status: 'fault', code: 'write-failed', detail: unansweredDetail(pair.host) }],
    });
    expect(unansweredDetail(pair.host)).toMatch(/^\/.*host：无法回复按键器.*流控.* \/ .*flow control/);
    // A report's detail holds 200 characters: a long port is shown by its end.
    expect(unansweredDetail(`/dev/serial/by-path/${'x'.repeat(300)}`).length).toBeLessThanOrEqual(200);
    expect(logs.filter((l) => l.includes('cannot be answered'))).toEqual([expect.stringContaining('its presses still count')]);
    // The line takes bytes again: the next press is acknowledged, and the key pad is ok.
    await pair.releaseFlow();
    expect(await pad.press('satisfied')).toMatchObject({ acked: true });
    await expect.poll(() => last().keypad).toBe('ok');
    expect(client.sent.filter((c) => c.type === 'reportDevices').at(-1)).toEqual({ type: 'reportDevices', devices: [{ kind: 'keypad', name: '评价按键', status: 'ok' }] });
    expect(logs.filter((l) => l.includes('is answered again'))).toHaveLength(1);
  });

  it('does not tell a pad of another address on its line that its press was taken: that pad resends and lights its lamp', async () => {
    const pair = await startPtyPair();
    // Pad 4 (a neighbour's, or one set wrong) on the line of the pad that listens to pad 3.
    const pad = await KeyPadSimulator.open(pair.device, 4, 100);
    stops.push(async () => (await pad.close(), await pair.close()));
    const { client, last, logs } = start({}, { devices: { keypad: { transport: 'serial', path: pair.host, address: 3 } } });
    await expect.poll(() => last().keypad).toBe('ok');
    client.finish('c1');
    expect(await pad.press('very-satisfied')).toEqual({ acked: false, attempts: 3, sequence: 0 });
    expect(client.sent.filter((c) => c.type === 'rate')).toHaveLength(0);
    expect(logs.join('\n')).toContain('pad 4 is ignored');
  });

  it('says on the device board why the key pad cannot be opened, its port held by another program, and takes it once that program lets go', async () => {
    const pair = await startPtyPair();
    const pad = await KeyPadSimulator.open(pair.device, 3, 100);
    // Another program (a second terminal set to the same port, a serial console left open) holds the pad's port.
    let holder: ByteLink | undefined = await openSerialLink(pair.host);
    stops.push(async () => (await holder?.close(), await pad.close(), await pair.close()));
    const { client, last, logs } = start({ keypadRetryMs: 50 }, { devices: { keypad: { transport: 'serial', path: pair.host, address: 3 } } });
    await expect.poll(() => client.sent.length).toBeGreaterThan(0);
    expect(last().keypad).toBe('fault');
    expect(client.sent[0]).toEqual({
      type: 'reportDevices',
      devices: [{ kind: 'keypad', name: '评价按键', status: 'fault', code: 'offline', detail: `串口 ${pair.host} 已被其他程序占用：请关闭占用它的程序（fuser ${pair.host} 可查看），或检查是否有两台设备配置了同一串口` }],
    });
    expect(logs.filter((l) => l.includes('cannot be opened'))).toEqual([expect.stringContaining('in use by another program')]);
    await holder.close();
    holder = undefined;
    await expect.poll(() => last().keypad, { timeout: 5000 }).toBe('ok');
    expect(client.sent.at(-1)).toEqual({ type: 'reportDevices', devices: [{ kind: 'keypad', name: '评价按键', status: 'ok' }] });
  });

  it('keeps rating by touch when the key pad cannot be opened, and says so', async () => {
    let tries = 0;
    const { client, last, logs } = start(
      { openKeyLink: async () => (tries++, Promise.reject(new Error('no such port'))), keypadRetryMs: 20 },
      { devices: { keypad: { transport: 'serial', path: '/dev/ttyS9' } } },
    );
    await expect.poll(() => tries).toBeGreaterThanOrEqual(5);
    expect(last().keypad).toBe('fault');
    // Said once, not at every try.
    expect(logs.filter((l) => l.includes('cannot be opened'))).toHaveLength(1);
    expect(client.sent).toEqual([{ type: 'reportDevices', devices: [{ kind: 'keypad', name: '评价按键', status: 'fault', code: 'offline', detail: '/dev/ttyS9' }] }]);
  });
});

describe('what a press may rate: the service asked now, within its time to rate (N-04)', () => {
  it("stops asking once the hall's time to rate a service has passed, though no default came from the hub, and a press then rates nothing", async () => {
    const line = fakeLine();
    const { client, last } = start({ openKeyLink: async () => line.link }, { devices: { keypad: { transport: 'serial', path: '/dev/ttyS9', address: 3 } } });
    await expect.poll(() => last().keypad).toBe('ok');
    const minutes = client.view.catalogue.rating.defaultAfterMinutes;
    // Finished within the time: asked. The hub is away, so its default level cannot come.
    client.finish('c1', Date.now() - (minutes * 60_000 - 80));
    expect(last().phase).toBe('asking');
    // The time runs out while nothing changes in the view: the pad goes idle by itself.
    await expect.poll(() => last().phase, { timeout: 2000 }).toBe('idle');
    line.play(keyFrame(3, 'very-dissatisfied', 1));
    expect(last().notice).toBe('nothing-to-rate');
    expect(client.sent.filter((c) => c.type === 'rate')).toHaveLength(0);
  });

  it('sends no rating for a touch on a service whose time to rate has passed (a screen a moment behind)', async () => {
    const { client, agent, last } = start();
    client.finish('c1', Date.now() - client.view.catalogue.rating.defaultAfterMinutes * 60_000 - 1000);
    expect(last().phase).toBe('idle');
    expect(await agent.handlers.rate({ ticketId: 'c1', level: 'satisfied' })).toEqual({ status: 'refused', code: 'not-found' });
    expect(client.sent.filter((c) => c.type === 'rate')).toHaveLength(0);
    // Said politely (the thanks screen's "could not be submitted: scan the QR code or ask at the desk"), then idle.
    expect(last()).toMatchObject({ phase: 'thanks', thanks: { ticketId: 'c1', status: 'refused', code: 'not-found' } });
    await expect.poll(() => last().phase).toBe('idle');
  });

  it('takes a touch that comes just after the key pad rated the service as the same rating: no second command, the thanks stay', async () => {
    const line = fakeLine();
    const { client, agent, last } = start({ openKeyLink: async () => line.link, thanksMs: 2000 }, { devices: { keypad: { transport: 'serial', path: '/dev/ttyS9', address: 3 } } });
    await expect.poll(() => last().keypad).toBe('ok');
    client.answer = async (body) => (body.type === 'rate' && client.rated(body.ticketId!), { ok: true, seq: 2 } as Answer);
    client.finish('c1');
    line.play(keyFrame(3, 'satisfied', 1));
    await expect.poll(() => last().thanks?.status).toBe('recorded');
    // The citizen touched 非常不满意 on the screen as the key went down: the screen had not yet turned.
    const touch = await agent.handlers.rate({ ticketId: 'c1', level: 'very-dissatisfied' });
    expect(touch).toEqual({ status: 'refused', code: 'already-rated' });
    expect(client.sent.filter((c) => c.type === 'rate')).toHaveLength(1);
    expect(last()).toMatchObject({ phase: 'thanks', thanks: { ticketId: 'c1', level: 'satisfied', status: 'recorded' } });
  });
});

describe('a key held down', () => {
  it('never rates the next service with a key held down (repeating) since before that service ended; a press after the key is let go counts', async () => {
    const line = fakeLine();
    const { client, last, logs } = start({ openKeyLink: async () => line.link, heldKeyMs: 250 }, { devices: { keypad: { transport: 'serial', path: '/dev/ttyS9', address: 3 } } });
    await expect.poll(() => last().keypad).toBe('ok');
    let seq = 0;
    const hold = async (ms: number) => {
      for (const end = Date.now() + ms; Date.now() < end; ) {
        line.play(keyFrame(3, 'very-satisfied', seq++ & 0xff));
        await sleep(50);
      }
    };
    await hold(300);
    client.finish('c1');
    await hold(600);
    expect(client.sent.filter((c) => c.type === 'rate')).toHaveLength(0);
    expect(last().phase).toBe('asking');
    expect(logs.filter((l) => l.includes('held'))).toHaveLength(1);
    // Let go; the citizen presses.
    await sleep(1100);
    line.play(keyFrame(3, 'dissatisfied', seq++ & 0xff));
    await expect.poll(() => client.sent.filter((c) => c.type === 'rate')).toEqual([{ type: 'rate', ticketId: 'c1', level: 'dissatisfied', aspects: {}, reasons: [], channel: 'key-pad' }]);
  });

  it('counts a press just after the service ended though the citizen pressed the same key a moment before it ended', async () => {
    const line = fakeLine();
    const { client, last } = start({ openKeyLink: async () => line.link, heldKeyMs: 250, thanksMs: 2000 }, { devices: { keypad: { transport: 'serial', path: '/dev/ttyS9', address: 3 } } });
    await expect.poll(() => last().keypad).toBe('ok');
    line.play(keyFrame(3, 'satisfied', 1));
    expect(last().notice).toBe('nothing-to-rate');
    await sleep(100);
    client.finish('c1');
    line.play(keyFrame(3, 'satisfied', 2));
    await expect.poll(() => client.sent.filter((c) => c.type === 'rate')).toEqual([{ type: 'rate', ticketId: 'c1', level: 'satisfied', aspects: {}, reasons: [], channel: 'key-pad' }]);
  });

  it('counts a citizen pressing the same key again and again after the service ended once, as one rating', async () => {
    const line = fakeLine();
    const { client, last } = start({ openKeyLink: async () => line.link, thanksMs: 2000, noticeMs: 2000 }, { devices: { keypad: { transport: 'serial', path: '/dev/ttyS9', address: 3 } } });
    await expect.poll(() => last().keypad).toBe('ok');
    client.answer = async (body) => (body.type === 'rate' && client.rated(body.ticketId!), { ok: true, seq: 2 } as Answer);
    client.finish('c1');
    await sleep(5);
    for (let i = 1; i <= 10; i++) line.play(keyFrame(3, 'satisfied', i));
    await expect.poll(() => last().thanks?.status).toBe('recorded');
    expect(client.sent.filter((c) => c.type === 'rate')).toEqual([{ type: 'rate', ticketId: 'c1', level: 'satisfied', aspects: {}, reasons: [], channel: 'key-pad' }]);
    expect(last().notice).toBe('already-rated');
  });
});

const padNoticeGone = (s: PadScreen) => s.notice === undefined;

describe('the clerk photo', () => {
  it('is a data: URL as given, or read from the data folder, never from outside it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pad-photo-'));
    fs.writeFileSync(path.join(dir, 'liu.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    expect(photoDataUrl('data:image/png;base64,AAAA', dir)).toBe('data:image/png;base64,AAAA');
    expect(photoDataUrl('liu.png', dir)).toBe('data:image/png;base64,iVBORw==');
    expect(photoDataUrl('../../etc/liu.png', dir)).toBe('data:image/png;base64,iVBORw==');
    expect(photoDataUrl('missing.png', dir)).toBeUndefined();
    expect(photoDataUrl('notes.txt', dir)).toBeUndefined();
    fs.rmSync(dir, { recursive: true });
  });
});
