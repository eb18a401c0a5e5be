import type { AgentContext } from '@servicehall/agent';
import type { HallClient } from '@servicehall/client';
import { applyEvent, CatalogueSchema, decide, emptyView, toSnapshot, fromSnapshot, type Actor, type CommandBody, type HallEvent, type HallView } from '@servicehall/core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import demo from '../../../../fixtures/catalogue/demo-hall.json' with { type: 'json' };
import type { Speaker } from '../shared/announcer';
import type { Board, HallDisplayShape, VoicePlan } from '../shared/api';
import { STRINGS } from '../shared/strings';
import { boardOf, callsFromView, callsIn, complaintChannels, createHallDisplayAgent, parseAnnounced, recordCalls } from './agent';
import { DisplayOptionsSchema } from './options';
import { ScreenVoice } from '../renderer/voice';

const DAY = '2026-11-27';
const at = (time: string) => Date.parse(`${DAY}T${time}+08:00`);
/** Now on the hub's clock, just after the hall's calls. */
const HALL_NOW = at('09:01:00');
const admin: Actor = { role: 'admin', terminal: 'admin-1' };

/** A hall on the demo catalogue whose commands are decided by core and folded in, as the hub would; `windows` more windows of 公安户籍 up to that number. */
function hall(windows = 0) {
  const catalogue = structuredClone(demo);
  for (let n = catalogue.windows.length + 1; n <= windows; n++) {
    catalogue.windows.push({ number: n, name: `${n}号窗口 公安户籍`, department: '公安户籍', serves: ['GA-SFZ-HL'] });
    catalogue.clerks.push({ number: String(2000 + n), name: `工作人员${n}`, department: '公安户籍', title: '科员' });
  }
  const view = emptyView(CatalogueSchema.parse(catalogue), DAY);
  let now = at('09:00:00');
  const events: HallEvent[] = [];
  const run = (command: CommandBody) => {
    now += 10;
    // A number by phone comes with its verified phone's history, which the hub keeps apart from events.
    const r = decide(view, command, { now, actor: admin, holder: { tickets: [], appointments: [] } });
    if (!r.ok) throw new Error(`${command.type}: ${r.code} ${r.message}`);
    const made = r.value.events.map((e) => ({ ...e, seq: view.seq + 1, at: now }) as HallEvent);
    for (const e of made) {
      applyEvent(view, e);
      events.push(e);
    }
    return { ticket: r.value.ticket, events: made };
  };
  return { view, run, events };
}

describe('the board', () => {
  it('neither shows nor announces a call typed at a window while no hub answered, reconciled later', () => {
    const { view, run } = hall();
    run({ type: 'openWindow', window: 1, clerk: '1001' });
    const a1 = run({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }).ticket!;
    const typed = run({ type: 'recordEmergencyCall', number: a1.number, window: 1, calledAt: at('09:00:00') + 50, terminalAt: at('09:00:00'), order: 1 });
    expect(typed.events.map((e) => e.type)).toEqual(['ticket.called']);
    expect(callsIn(typed.events, view)).toEqual([]);
    const a2 = run({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }).ticket!;
    run({ type: 'markNoShow', window: 1 });
    expect(callsIn(run({ type: 'callNext', window: 1 }).events, view).map((c) => c.ticket)).toEqual([a2.number]);
  });

  it('shows calls newest first, numbers and windows only, and brings a recall to the top', () => {
    const { view, run } = hall();
    run({ type: 'openWindow', window: 3, clerk: '1005' });
    run({ type: 'openWindow', window: 1, clerk: '1001' });
    const b1 = run({ type: 'issueTicket', serviceCode: 'CRJ-HZ-SL', lane: 'ordinary' }).ticket!;
    const a1 = run({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }).ticket!;
    let calls = recordCalls([], callsIn(run({ type: 'callNext', window: 3 }).events, view));
    calls = recordCalls(calls, callsIn(run({ type: 'callNext', window: 1 }).events, view));
    expect(calls.map((c) => [c.ticket, c.window, c.recall])).toEqual([
      [a1.number, 1, false],
      [b1.number, 3, false],
    ]);
    view.catalogue.queue.recallCooldownSeconds = 0;
    calls = recordCalls(calls, callsIn(run({ type: 'recall', window: 3 }).events, view));
    expect(calls.map((c) => [c.ticket, c.window, c.recall])).toEqual([
      [b1.number, 3, true],
      [a1.number, 1, false],
    ]);
    const board = boardOf(view, calls, {}, 'zh-CN', HALL_NOW);
    expect(board.calledNow).toEqual([
      { ticket: a1.number, window: 1 },
      { ticket: b1.number, window: 3 },
    ]);
    // H-19: neither clerk's name is anywhere on the board.
    const text = JSON.stringify(board);
    for (const clerk of view.catalogue.clerks.filter((c) => ['1001', '1005'].includes(c.number))) expect(text).not.toContain(clerk.name);
  });

  it('counts the people waiting and the expected wait per service item, and only items with people waiting', () => {
    const { view, run } = hall();
    for (let i = 0; i < 3; i++) run({ type: 'issueTicket', serviceCode: 'CRJ-HZ-SL', lane: 'ordinary' });
    run({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' });
    const board = boardOf(view, [], {}, 'zh-CN', HALL_NOW);
    expect(board.waiting.map((w) => [w.code, w.waiting])).toEqual([
      ['GA-SFZ-HL', 1],
      ['CRJ-HZ-SL', 3],
    ].sort((a, b) => view.catalogue.items.findIndex((i) => i.code === a[0]) - view.catalogue.items.findIndex((i) => i.code === b[0])));
    expect(board.waiting.every((w) => w.minutes >= 0)).toBe(true);
  });

  it('drops a called ticket from calledNow once it is no-show, served or transferred', () => {
    const { view, run } = hall();
    run({ type: 'openWindow', window: 3, clerk: '1005' });
    run({ type: 'issueTicket', serviceCode: 'CRJ-HZ-SL', lane: 'ordinary' });
    run({ type: 'callNext', window: 3 });
    expect(boardOf(view, [], {}, 'zh-CN', HALL_NOW).calledNow).toHaveLength(1);
    run({ type: 'markNoShow', window: 3 });
    expect(boardOf(view, [], {}, 'zh-CN', HALL_NOW).calledNow).toEqual([]);
  });

  it('shows the complaint phone and the window that takes complaints (H-15)', () => {
    const { view } = hall();
    expect(complaintChannels(view.catalogue)).toEqual({ phone: '12345', window: { number: 15, name: '综合咨询台' } });
    expect(complaintChannels(view.catalogue, 'NO-SUCH').window).toBeUndefined();
  });

  it('shows the configured notices, else the civil default set', () => {
    const { view } = hall();
    expect(boardOf(view, [], {}, 'zh-CN', HALL_NOW).notices).toEqual(STRINGS['zh-CN'].defaultNotices);
    expect(boardOf(view, [], { notices: ['今天下午三点起系统维护，请提前取号。'] }, 'zh-CN', HALL_NOW).notices).toEqual(['今天下午三点起系统维护，请提前取号。']);
  });

  it('marks a number taken by phone, in the call and after a snapshot', () => {
    const { view, run } = hall();
    run({ type: 'openWindow', window: 1, clerk: '1001' });
    const paper = run({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }).ticket!;
    const remote = run({ type: 'takeRemoteTicket', serviceCode: 'GA-SFZ-HL' }).ticket!;
    const first = callsIn(run({ type: 'callNext', window: 1 }).events, view);
    run({ type: 'startService', window: 1 });
    run({ type: 'finishService', window: 1 });
    const second = callsIn(run({ type: 'callNext', window: 1 }).events, view);
    expect([...first, ...second].map((c) => [c.ticket, c.remote ?? false])).toEqual([
      [paper.number, false],
      [remote.number, true],
    ]);
    expect(callsFromView(fromSnapshot(JSON.parse(JSON.stringify(toSnapshot(view)))))[0]).toMatchObject({ ticket: remote.number, remote: true });
  });

  it('rebuilds the calls from a snapshot, newest first, without announcing them (seq 0)', () => {
    const { view, run } = hall();
    run({ type: 'openWindow', window: 3, clerk: '1005' });
    run({ type: 'openWindow', window: 4, clerk: '1006' });
    run({ type: 'issueTicket', serviceCode: 'CRJ-HZ-SL', lane: 'ordinary' });
    run({ type: 'issueTicket', serviceCode: 'CRJ-HZ-SL', lane: 'ordinary' });
    const first = run({ type: 'callNext', window: 3 }).ticket!;
    const second = run({ type: 'callNext', window: 4 }).ticket!;
    const again = fromSnapshot(JSON.parse(JSON.stringify(toSnapshot(view))));
    expect(callsFromView(again).map((c) => [c.ticket, c.window, c.seq])).toEqual([
      [second.number, 4, 0],
      [first.number, 3, 0],
    ]);
  });
});

describe('the announcement log', () => {
  it('takes well-formed entries from the screen and drops anything else', () => {
    const good = { seq: 5, ticket: 'A012', window: 3, recall: false, text: '请A012号到3号窗口办理', time: 1, voice: 'chime-only', at: 1 };
    expect(parseAnnounced(good)).toEqual(good);
    for (const bad of [null, 'x', { ...good, ticket: '张三' }, { ...good, window: 0 }, { ...good, voice: 'shout' }, { ...good, text: 'x'.repeat(200) }])
      expect(parseAnnounced(bad)).toBeUndefined();
  });
});

/** A stand-in for the hub link: the view it holds, the changes it tells, the commands it was given. */
function fakeClient(view: HallView) {
  const listeners = new Set<(c: unknown) => void>();
  const sent: CommandBody[] = [];
  const client = {
    view,
    state: { status: 'online', since: 0, waiting: 0 },
    subscribe(l: (c: unknown) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    send(body: CommandBody) {
      sent.push(body);
      return Promise.resolve({ ok: true, seq: 1 });
    },
    // The hall's own time, so that its calls are fresh.
    hubNow: () => at('09:00:05'),
  };
  return { client: client as unknown as HallClient, sent, tell: (events: HallEvent[]) => listeners.forEach((l) => l({ kind: 'view', view, events, snapshot: false })) };
}

function agentFor(h: ReturnType<typeof hall>, options: Record<string, unknown>, espeak: boolean) {
  const { client, sent, tell } = fakeClient(h.view);
  const pushes: { topic: string; payload: unknown }[] = [];
  const ctx = {
    config: { terminal: 'hall-display', language: 'zh-CN', dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'hall-display-')) },
    client,
    push: (topic: string, payload: unknown) => pushes.push({ topic, payload }),
    log: () => undefined,
  } as unknown as AgentContext<HallDisplayShape>;
  const said: string[] = [];
  const speaker: Speaker = { chime: async () => void said.push('chime'), say: async (text) => void said.push(text) };
  const parts = createHallDisplayAgent(ctx, DisplayOptionsSchema.parse({ gapMs: 0, ...options }), {
    checkEspeak: async () => (espeak ? { usable: true } : { usable: false, reason: 'no-espeak-ng' }),
    speaker: () => speaker,
    // Sleeps pass at once.
    sleep: () => new Promise((r) => setTimeout(r, 0)),
    screenWaitMs: 60_000,
  });
  const latest = <T,>(topic: string) => pushes.filter((p) => p.topic === topic).at(-1)?.payload as T;
  return { parts, sent, tell, said, pushes, latest };
}

describe('the hall screen agent', () => {
  it('puts the voice on the screen when the screen has a zh-CN voice, and reports it to the hub', async () => {
    const a = agentFor(hall(), {}, true);
    const plan = await a.parts.handlers.screenVoice({ zhVoice: 'Tingting' });
    expect(plan).toMatchObject({ mode: 'speech-synthesis', runsIn: 'renderer', repeat: 2 });
    expect(a.latest<VoicePlan>('voice').mode).toBe('speech-synthesis');
    expect(a.sent).toEqual([{ type: 'reportDevices', devices: [{ kind: 'voice', name: '语音叫号', status: 'ok', code: 'speech-synthesis' }] }]);
    await a.parts.handlers.screenVoice({ zhVoice: 'Tingting' });
    expect(a.sent).toHaveLength(1);
    a.parts.stop?.();
  });

  it("reports the voice as a fault when the screen could not say a call (the supervisors' board, H-04), and as working again once it says one", async () => {
    const a = agentFor(hall(), {}, true);
    await a.parts.handlers.screenVoice({ zhVoice: 'Tingting' });
    const entry = { seq: 7, ticket: 'A012', window: 3, recall: false, text: '', time: 0, voice: 'speech-synthesis' as const, at: 1 };
    a.parts.handlers.announced({ ...entry, failed: "the screen's voice Tingting could not say A012 (error audio-busy)" });
    expect(a.sent.at(-1)).toEqual({
      type: 'reportDevices',
      devices: [{ kind: 'voice', name: '语音叫号', status: 'fault', code: 'no-voice', detail: "叫号语音未能播报，号码仍在屏上显示：请检查本屏的音箱和声卡（the screen's voice Tingting could not say A012 (error audio-busy)）" }],
    });
    // The next failure changes nothing on the board; a call said mends it.
    a.parts.handlers.announced({ ...entry, seq: 8, failed: "the screen's voice Tingting could not say A012 (error audio-busy)" });
    expect(a.sent).toHaveLength(2);
    a.parts.handlers.announced({ ...entry, seq: 9, text: '请A013号到3号窗口办理', ticket: 'A013', time: 1 });
    expect(a.sent.at(-1)).toEqual({ type: 'reportDevices', devices: [{ kind: 'voice', name: '语音叫号', status: 'ok', code: 'speech-synthesis' }] });
    expect(a.parts.announcements.list().map((e) => [e.seq, e.failed !== undefined])).toEqual([
      [7, true],
      [8, true],
      [9, false],
    ]);
    // A renderer's word is checked: a failure of several lines is dropped.
    a.parts.handlers.announced({ ...entry, seq: 10, failed: 'a\nb' });
    expect(a.parts.announcements.list()).toHaveLength(3);
    a.parts.stop?.();
  });

  it('falls back to the chime alone, reported as a warning, when neither voice exists', async () => {
    const a = agentFor(hall(), {}, false);
    expect((await a.parts.handlers.screenVoice({})).mode).toBe('chime-only');
    expect(a.sent[0]).toMatchObject({ type: 'reportDevices', devices: [{ kind: 'voice', status: 'warning', code: 'chime-only' }] });
    a.parts.stop?.();
  });

  it("tells the screen its language and the hall screen's page time", () => {
    const a = agentFor(hall(), { pageMs: 12_000 }, false);
    expect(a.parts.handlers.hello()).toEqual({ terminal: 'hall-display', language: 'zh-CN', pageMs: 12_000 });
    a.parts.stop?.();
  });

  it('announces a call the hub made just now on a PC whose own clock is days on: a call’s age is the hub’s clock’s', async () => {
    const h = hall();
    // The hub's clock says 09:00:05 of the hall's day; this PC's (Date.now) is another day.
    const a = agentFor(h, { repeat: 1, maxAgeMs: 60_000 }, true);
    await a.parts.handlers.screenVoice({});
    h.run({ type: 'openWindow', window: 1, clerk: '1001' });
    h.run({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' });
    const call = h.run({ type: 'callNext', window: 1 });
    a.tell(call.events);
    await expect.poll(() => a.parts.announcements.list().length).toBe(1);
    expect(a.parts.announcements.list()[0]).toMatchObject({ ticket: call.ticket!.number, time: 1, at: at('09:00:05') });
    expect(a.said).toEqual(['chime', `请${call.ticket!.number}号到1号窗口办理`]);
    a.parts.stop?.();
  });

  it("gives the screen's voice every call when 60 windows call in the same second (one batch of events from the hub)", async () => {
    const h = hall(60);
    const a = agentFor(h, {}, false);
    expect(await a.parts.handlers.screenVoice({ zhVoice: 'Tingting' })).toMatchObject({ runsIn: 'renderer' });
    // The demo's own clerks at windows 1-15, the added ones at 16-60.
    for (let w = 1; w <= 60; w++) h.run({ type: 'openWindow', window: w, clerk: w <= 15 ? h.view.catalogue.clerks[w - 1]!.number : String(2000 + w) });
    for (let w = 1; w <= 60; w++) h.run({ type: 'issueTicket', serviceCode: h.view.catalogue.windows.find((x) => x.number === w)!.serves[0]!, lane: 'ordinary' });
    // The screen is on before the burst: what it holds then is shown, not said.
    const said: string[] = [];
    const screen = new ScreenVoice({ call: async () => undefined } as never, undefined, () => at('09:00:05'), () => undefined, () => ({ chime: async () => undefined, say: async (text) => void said.push(text) }));
    screen.setPlan({ ...a.latest<VoicePlan>('voice'), repeat: 1, gapMs: 0 });
    screen.setBoard(a.latest<Board>('board') ?? boardOf(h.view, [], {}, 'zh-CN', HALL_NOW));
    const burst = Array.from({ length: 60 }, (_, i) => h.run({ type: 'callNext', window: i + 1 }));
    a.tell(burst.flatMap((c) => c.events));
    screen.setBoard(a.latest<Board>('board'));
    const expected = burst.map((c) => `请${c.ticket!.number}号到${c.ticket!.window}号窗口办理`);
    await expect.poll(() => said.length).toBe(60);
    expect(said).toEqual(expected);
    a.parts.stop?.();
  });

  it('announces through espeak-ng in the agent, in call order, when the screen has no voice', async () => {
    const h = hall();
    const a = agentFor(h, { repeat: 1 }, true);
    expect(await a.parts.handlers.screenVoice({})).toMatchObject({ mode: 'espeak-ng', runsIn: 'agent' });
    for (const w of [1, 3, 5]) h.run({ type: 'openWindow', window: w, clerk: `100${w}` });
    for (const code of ['GA-SFZ-HL', 'CRJ-HZ-SL', 'RS-SBK-SL']) h.run({ type: 'issueTicket', serviceCode: code, lane: 'ordinary' });
    const calls = [5, 1, 3].map((w) => h.run({ type: 'callNext', window: w }));
    a.tell(calls.flatMap((c) => c.events));
    const expected = calls.map((c) => `请${c.ticket!.number}号到${c.ticket!.window}号窗口办理`);
    await expect.poll(() => a.said.filter((s) => s !== 'chime').length).toBe(expected.length);
    expect(a.said.filter((s) => s !== 'chime')).toEqual(expected);
    expect(a.parts.announcements.list().map((e) => [e.ticket, e.voice])).toEqual(calls.map((c) => [c.ticket!.number, 'espeak-ng']));
    expect(a.latest<Board>('board').calls[0]!.window).toBe(3);
    a.parts.stop?.();
  });
});
