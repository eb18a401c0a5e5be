import { demoCatalogue } from '@servicehall/fixtures';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startHub, type RunningHub } from './server';
import { TestTerminal } from './testing/terminal';

const TOKEN = 'hall-token-for-tests';
let hub: RunningHub;
let dir: string;
const open: TestTerminal[] = [];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-hub-'));
  hub = await startHub({ dataDir: dir, token: TOKEN, seed: demoCatalogue({ allDay: true }) });
});
afterEach(async () => {
  for (const t of open.splice(0)) t.close();
  await hub.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function terminal(hello: Parameters<typeof TestTerminal.connect>[1]): Promise<TestTerminal> {
  const t = await TestTerminal.connect(hub.wsUrl, hello);
  open.push(t);
  return t;
}

function http(route: string, init: RequestInit & { token?: string | null } = {}) {
  const headers = new Headers(init.headers);
  if (init.token !== null) headers.set('authorization', `Bearer ${init.token ?? TOKEN}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  return fetch(hub.url + route, { ...init, headers });
}

/** What a hall's state is, for comparing before and after. */
function stateOf(h: RunningHub) {
  return JSON.stringify({ seq: h.store.seq, tickets: [...h.store.view.tickets.values()], windows: [...h.store.view.windows.values()] });
}

describe('a command id', () => {
  it('sent three times over WebSocket gives one ticket and the same answer each time', async () => {
    const kiosk = await terminal({ role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
    const id = 'press-0001-kiosk-1';
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, id));
    expect(answers[0]!.ok).toBe(true);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect([...hub.store.view.tickets.values()]).toHaveLength(1);
  });

  it('sent three times as an Idempotency-Key over HTTP gives one ticket', async () => {
    const bodies = [];
    for (let i = 0; i < 3; i++) {
      const res = await http('/api/tickets', { method: 'POST', body: JSON.stringify({ serviceCode: 'CRJ-HZ-SL' }), headers: { 'idempotency-key': 'integration-42-retry' } });
      expect(res.status).toBe(201);
      bodies.push(await res.json());
    }
    expect(bodies[0].number).toMatch(/^B\d{3}$/);
    expect(bodies[1].ticket).toEqual(bodies[0].ticket);
    expect(bodies[2].ticket).toEqual(bodies[0].ticket);
    expect([...hub.store.view.tickets.values()]).toHaveLength(1);
  });

  it('that was refused stays refused on retry, and changes nothing', async () => {
    const w = await terminal({ role: 'window', terminal: 'window-1', window: 1, token: TOKEN });
    const first = await w.command({ type: 'callNext', window: 1 }, 'call-next-window-1-a');
    expect(first).toMatchObject({ ok: false, code: 'window-closed' });
    expect(await w.command({ type: 'callNext', window: 1 }, 'call-next-window-1-a')).toEqual(first);
  });
});

describe('the HTTP API', () => {
  it('serves OpenAPI 3 with the operations integrations use', async () => {
    const res = await http('/api/openapi.json', { token: null });
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toMatch(/^3\./);
    const ids = Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap((p) => Object.values(p).map((o) => o.operationId));
    for (const id of ['health', 'getCatalogue', 'putCatalogue', 'issueTicket', 'listQueue', 'callNext', 'recall', 'markNoShow', 'startService', 'finishService', 'transferTicket', 'eventsSince'])
      expect(ids).toContain(id);
  });

  it('answers a ticket with the wait from the queue policy: the people the window calls first, and never 0 minutes behind them (H-09)', async () => {
    expect((await http('/api/windows/1/open', { method: 'POST', body: JSON.stringify({ clerk: '1001' }) })).status).toBe(200);
    const first = await (await http('/api/tickets', { method: 'POST', body: JSON.stringify({ serviceCode: 'GA-HK-QR' }) })).json();
    expect(first).toMatchObject({ ahead: 0, expectedWaitMinutes: 0, expectedWaitRange: { low: 0, high: 0 }, noWindowOpen: false });
    // Another item, the same window: 户口迁入 (15 minutes) goes first.
    const second = await (await http('/api/tickets', { method: 'POST', body: JSON.stringify({ serviceCode: 'GA-SFZ-HL' }) })).json();
    expect(second).toMatchObject({ ahead: 1, expectedWaitMinutes: 15, expectedWaitRange: { low: 9, high: 23 }, noWindowOpen: false, waitCaveats: [] });
  });

  it('runs a visit: issue, open, call next, recall refused in cooldown, start, finish, transfer', async () => {
    const issued = await (await http('/api/tickets', { method: 'POST', body: JSON.stringify({ serviceCode: 'GA-SFZ-HL', lane: 'priority', priorityReason: 'elderly' }) })).json();
    expect(issued).toMatchObject({ ok: true, number: 'A001', ahead: 0, expectedWaitMinutes: 0 });
    expect((await http('/api/windows/1/open', { method: 'POST', body: JSON.stringify({ clerk: '1001' }) })).status).toBe(200);
    const called = await (await http('/api/windows/1/call-next', { method: 'POST' })).json();
    expect(called.ticket).toMatchObject({ number: 'A001', state: 'called', window: 1, firstClerk: '1001' });
    const recall = await http('/api/windows/1/recall', { method: 'POST' });
    expect(recall.status).toBe(409);
    expect(await recall.json()).toMatchObject({ code: 'recall-cooldown', text: expect.stringContaining('请稍候') });
    expect((await http('/api/windows/1/start', { method: 'POST' })).status).toBe(200);
    const moved = await (await http('/api/windows/1/transfer', { method: 'POST', body: JSON.stringify({ toService: 'GA-HK-QR', toWindow: 2, reason: '同时办理户口迁入' }) })).json();
    expect(moved.ticket).toMatchObject({ state: 'issued', serviceCode: 'GA-HK-QR', targetWindow: 2, firstClerk: '1001', place: 1 });
    const queue = await (await http('/api/queue?window=2')).json();
    expect(queue.tickets.map((t: { number: string }) => t.number)).toEqual(['A001']);
    // A new hall's log begins with its catalogue and its first day.
    const events = await (await http('/api/events?since=2')).json();
    expect(events.events.map((e: { type: string }) => e.type)).toEqual(['ticket.issued', 'window.opened', 'ticket.called', 'ticket.started', 'ticket.transferred']);
  });
});

describe('bad input', () => {
  it('100 malformed or unauthorised messages get answers, and the hub, the connection and the state stay as they were', async () => {
    // Bad input, not a flood: the kiosk sends more commands than its pace allows, so the pace is off here.
    await hub.close();
    hub = await startHub({ dataDir: dir, token: TOKEN, limits: { commands: 'off' } });
    const kiosk = await terminal({ role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
    const pad = await terminal({ role: 'rating-pad', terminal: 'pad-3', window: 3, token: TOKEN });
    const window3 = await terminal({ role: 'window', terminal: 'window-3', window: 3, token: TOKEN });
    const stranger = await TestTerminal.open(hub.wsUrl);
    open.push(stranger);
    await kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' });
    const before = stateOf(hub);

    const wsBad: [TestTerminal, unknown][] = [
      [stranger, 'not json at all {'],
      [stranger, '{"type":"hello"}'],
      [stranger, { type: 'hello', protocol: 1, role: 'kiosk', terminal: 'k', token: 'wrong-token' }],
      [stranger, { type: 'hello', protocol: 99, role: 'kiosk', terminal: 'k', token: TOKEN }],
      [stranger, { type: 'hello', protocol: 1, role: 'window', terminal: 'w', token: TOKEN }],
      [stranger, { type: 'command', command: { id: 'abcdefgh-1', type: 'issueTicket', serviceCode: 'GA-SFZ-HL' } }],
      [stranger, { type: 'subscribe', since: 0 }],
      [stranger, 'null'],
      [stranger, '[]'],
      [stranger, JSON.stringify({ type: 'x'.repeat(600_000) })],
      [kiosk, { type: 'command', command: { id: 'abcdefgh-2', type: 'callNext', window: 1 } }],
      [kiosk, { type: 'command', command: { id: 'abcdefgh-3', type: 'issueTicket', serviceCode: 42 } }],
      [kiosk, { type: 'command', command: { id: 'short', type: 'issueTicket', serviceCode: 'GA-SFZ-HL' } }],
      [kiosk, { type: 'command', command: { id: 'abcdefgh-4', type: 'dropTables' } }],
      [kiosk, { type: 'command', command: { id: 'abcdefgh-5', type: 'replaceCatalogue', catalogue: {} } }],
      [kiosk, { type: 'command', command: { id: 'abcdefgh-6', type: 'voidTicket', ticketId: 'nope', reason: '' } }],
      [pad, { type: 'command', command: { id: 'abcdefgh-7', type: 'issueTicket', serviceCode: 'GA-SFZ-HL' } }],
      [window3, { type: 'command', command: { id: 'abcdefgh-8', type: 'openWindow', window: 4 } }],
      [window3, { type: 'command', command: { id: 'abcdefgh-9', type: 'callNext', window: 1 } }],
      [window3, { type: 'command', command: { id: 'abcdefgh-10', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'vip' } }],
    ];
    let answered = 0;
    for (let round = 0; answered < 60; round++) {
      for (const [t, message] of wsBad) {
        if (answered >= 60) break;
        const reply = t.next((m) => m.type === 'error' || m.type === 'answer');
        t.send(message);
        const m = await reply;
        if (m.type === 'answer') expect(m.answer.ok).toBe(false);
        else expect(m.type === 'error' && ['bad-request', 'unauthorised', 'too-large'].includes(m.code)).toBe(true);
        answered += 1;
      }
    }

    const httpBad: [string, RequestInit & { token?: string | null }, number][] = [
      ['/api/catalogue', { token: null }, 401],
      ['/api/catalogue', { token: 'wrong' }, 401],
      ['/api/tickets', { method: 'POST', body: '{not json' }, 400],
      ['/api/tickets', { method: 'POST', body: JSON.stringify({ serviceCode: 7 }) }, 400],
      ['/api/tickets', { method: 'POST', body: JSON.stringify({ serviceCode: 'GA-SFZ-HL', lane: 'vip' }) }, 400],
      ['/api/tickets', { method: 'POST', body: JSON.stringify({ serviceCode: 'GA-SFZ-HL' }), token: null }, 401],
      ['/api/tickets', { method: 'POST', body: 'x'.repeat(1_100_000) }, 413],
      ['/api/catalogue', { method: 'PUT', body: JSON.stringify({ hall: {} }) }, 400],
      ['/api/windows/abc/call-next', { method: 'POST' }, 400],
      ['/api/windows/0/call-next', { method: 'POST' }, 400],
      ['/api/windows/77/call-next', { method: 'POST' }, 404],
      ['/api/windows/1/call-next', { method: 'POST' }, 409],
      ['/api/nowhere', {}, 404],
      ['/api/tickets', { method: 'PUT', body: '{}' }, 405],
      ['/api/windows/0x3/call-next', { method: 'POST' }, 400],
      ['/api/windows/%203/call-next', { method: 'POST' }, 400],
      ['/api/windows/+3/call-next', { method: 'POST' }, 400],
      ['/api/windows/03/call-next', { method: 'POST' }, 400],
      ['/api/queue?window=0x3', {}, 400],
      ['/api/events?since=1e2', {}, 400],
      ['/api/openapi.json', { method: 'POST', body: '{}' }, 405],
      ['/api/events?since=-3', {}, 400],
      ['/api/events?limit=999999', {}, 400],
      ['/api/tickets', { method: 'POST', body: JSON.stringify({ serviceCode: 'GA-SFZ-HL' }), headers: { 'idempotency-key': 'short' } }, 400],
      ['/api/windows/1/transfer', { method: 'POST', body: JSON.stringify({ reason: '' }) }, 400],
      ['/api/tickets/%E0%A4%A/void', { method: 'POST', body: JSON.stringify({ reason: 'x' }) }, 404],
      ['/api/queue?window=99', {}, 404],
    ];
    for (let i = 0; answered < 100; i++) {
      const [route, init, status] = httpBad[i % httpBad.length]!;
      const res = await http(route, init);
      expect(res.status, `${init.method ?? 'GET'} ${route}`).toBe(status);
      const body = await res.json();
      expect(body).toMatchObject({ ok: false, code: expect.any(String), message: expect.any(String), text: expect.any(String) });
      answered += 1;
    }

    expect(answered).toBe(100);
    expect(stateOf(hub)).toBe(before);
    expect((await http('/api/health', { token: null })).status).toBe(200);
    // The same connections still work.
    expect(await kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' })).toMatchObject({ ok: true, ticket: { number: 'A002' } });
    expect(await window3.command({ type: 'closeWindow', window: 3 })).toMatchObject({ ok: true });
  });
});

describe('subscribing', () => {
  it('gives a new terminal a snapshot, a returning one only what it missed, and everyone each new event', async () => {
    const display = await terminal({ role: 'display', terminal: 'hall-screen', token: TOKEN });
    expect(display.snapshot?.seq).toBe(hub.store.seq);
    const kiosk = await terminal({ role: 'kiosk', terminal: 'kiosk-1', token: TOKEN, since: hub.store.seq });
    expect(kiosk.snapshot).toBeUndefined();
    const seen = display.next((m) => m.type === 'events');
    await kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' });
    const m = await seen;
    expect(m.type === 'events' && m.events[0]).toMatchObject({ type: 'ticket.issued', ticket: { number: 'A001' } });
    const late = await terminal({ role: 'display', terminal: 'late', token: TOKEN, since: 2 });
    await new Promise((r) => setTimeout(r, 50));
    expect(late.snapshot).toBeUndefined();
    expect(late.events.map((e) => e.seq)).toEqual([3]);
  });

  it('writes a snapshot once for the terminals that ask within a second, each given the events since it', async () => {
    const kiosk = await terminal({ role: 'kiosk', terminal: 'kiosk-1', token: TOKEN, since: hub.store.seq });
    for (let i = 0; i < 3; i++) await kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' });
    const first = await terminal({ role: 'display', terminal: 'hall-screen', token: TOKEN });
    const written = first.snapshot!.seq;
    expect(written).toBe(hub.store.seq);
    for (let i = 0; i < 3; i++) await kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' });
    // Another screen a moment later: the same snapshot, then what happened since, so that it holds the hall as it is.
    const second = await terminal({ role: 'display', terminal: 'screen-2', token: TOKEN });
    for (let i = 0; i < 100 && second.events.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(second.snapshot!.seq).toBe(written);
    expect(second.events.map((e) => e.seq)).toEqual([written + 1, written + 2, written + 3]);
    const held = new Set([...second.snapshot!.tickets.map((t) => t.number), ...second.events.flatMap((e) => (e.type === 'ticket.issued' ? [e.ticket.number] : []))]);
    expect([...held].sort()).toEqual([...hub.store.view.tickets.values()].map((t) => t.number).sort());
    // A window terminal is not given the screens' snapshot (theirs is without personal data): its own, of now.
    const window3 = await terminal({ role: 'window', terminal: 'window-3', window: 3, token: TOKEN });
    expect(window3.snapshot!.seq).toBe(hub.store.seq);
    // A second later the snapshot is written again.
    await new Promise((r) => setTimeout(r, 1100));
    const third = await terminal({ role: 'display', terminal: 'screen-3', token: TOKEN });
    expect(third.snapshot!.seq).toBe(hub.store.seq);
  });
});

describe('what is not on the disk yet', () => {
  it('is given to no terminal and no client of the API: a batch still being flushed reaches them with everyone once it is there', async () => {
    const kiosk = await terminal({ role: 'kiosk', terminal: 'kiosk-1', token: TOKEN, since: hub.store.seq });
    expect(await kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' })).toMatchObject({ ok: true });
    const before = hub.store.seq;
    // A slow disk: the next flush is held until the test lets it go.
    const flush = fs.fdatasync;
    let release: (() => void) | undefined;
    const held = vi.spyOn(fs, 'fdatasync').mockImplementation(((fd: number, done: (error: NodeJS.ErrnoException | null) => void) => {
      release = () => flush(fd, done);
    }) as typeof fs.fdatasync);
    const answered = kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' });
    await vi.waitFor(() => expect(release).toBeDefined());
    held.mockRestore();
    // The second ticket is committed in memory and in the database's log, and is on its way to the disk.
    const committed = hub.store.seq;
    expect(committed).toBeGreaterThan(before);
    expect(hub.store.durableSeq).toBe(before);
    // A new screen, a screen coming back, and a client of the API, meanwhile: none is given the batch.
    const fresh = await terminal({ role: 'display', terminal: 'screen-new', token: TOKEN });
    const back = await terminal({ role: 'display', terminal: 'screen-back', token: TOKEN, since: before - 1 });
    const api = (await (await http(`/api/events?since=${before - 1}`)).json()) as { seq: number; events: { seq: number }[] };
    await new Promise((r) => setTimeout(r, 100));
    expect(fresh.snapshot).toBeUndefined();
    expect(back.events.filter((e) => e.seq > before)).toEqual([]);
    expect(api).toMatchObject({ seq: before });
    expect(api.events.map((e) => e.seq)).toEqual([before]);
    // The disk has it: the kiosk is answered, and every screen holds the hall with the second ticket, each event once.
    release!();
    expect(await answered).toMatchObject({ ok: true, ticket: { number: 'A002' } });
    await vi.waitFor(() => expect(fresh.snapshot?.seq).toBe(committed));
    expect(fresh.snapshot!.tickets.map((t) => t.number).sort()).toEqual(['A001', 'A002']);
    await vi.waitFor(() => expect(back.events.at(-1)?.seq).toBe(committed));
    expect(back.events.map((e) => e.seq)).toEqual(Array.from({ length: committed - before + 1 }, (_, i) => before + i));
  });
});

describe('device reports', () => {
  it('record what each terminal says of its devices, once per change', async () => {
    const kiosk = await terminal({ role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
    const report = { type: 'reportDevices' as const, devices: [{ kind: 'printer' as const, name: '取号打印机', status: 'warning' as const, code: 'paper-near-end' }] };
    expect(await kiosk.command(report)).toMatchObject({ ok: true });
    const seq = hub.store.seq;
    expect(await kiosk.command(report)).toMatchObject({ ok: true, seq });
    expect(hub.store.view.devices.get('kiosk-1')?.devices[0]).toMatchObject({ status: 'warning', code: 'paper-near-end' });
  });
});

describe('terminal tokens', () => {
  async function hello(token: string, who: { role: 'kiosk' | 'window' | 'admin'; terminal: string; window?: number }) {
    const t = await TestTerminal.open(hub.wsUrl);
    open.push(t);
    const reply = t.next((m) => m.type === 'welcome' || m.type === 'error');
    t.send({ type: 'hello', protocol: 1, token, ...who });
    return reply;
  }

  it('bind a terminal to the identity they were made for', async () => {
    const made = await http('/api/terminal-tokens', { method: 'POST', body: JSON.stringify({ role: 'window', terminal: 'window-3', window: 3 }) });
    expect(made.status).toBe(201);
    const { token } = await made.json();
    expect(token).toMatch(/^tc1\./);
    expect(await hello(token, { role: 'window', terminal: 'window-3', window: 3 })).toMatchObject({ type: 'welcome', role: 'window' });
    expect(await hello(token, { role: 'window', terminal: 'window-3', window: 4 })).toMatchObject({ type: 'error', code: 'unauthorised' });
    expect(await hello(token, { role: 'kiosk', terminal: 'window-3' })).toMatchObject({ type: 'error', code: 'unauthorised' });
    expect(await hello(token, { role: 'admin', terminal: 'window-3' })).toMatchObject({ type: 'error', code: 'unauthorised' });
    // The hall token still opens any role, for the hall's own administrators.
    expect(await hello(TOKEN, { role: 'admin', terminal: 'supervisor' })).toMatchObject({ type: 'welcome' });
  });

  it('are made only with the hall token, and only for a full identity', async () => {
    expect((await http('/api/terminal-tokens', { method: 'POST', body: JSON.stringify({ role: 'kiosk', terminal: 'kiosk-1' }), token: null })).status).toBe(401);
    expect((await http('/api/terminal-tokens', { method: 'POST', body: JSON.stringify({ role: 'rating-pad', terminal: 'pad-1' }) })).status).toBe(400);
  });

  it.each<[string, object, string, string]>([
    ['a role the hall has not', { role: 'printer', terminal: 'kiosk-1' }, '终端类型（role）“printer” 不正确：应为 kiosk（取号机）、window（窗口终端）、rating-pad（评价器）、display（大厅显示屏）之一。', 'The role “printer” is not one the hall has: role is one of kiosk, window, rating-pad, display.'],
    ['a terminal id with a space', { role: 'kiosk', terminal: 'kiosk 1' }, '终端编号（terminal）“kiosk 1” 不可用：应为 1 到 40 个字母、数字、“.”、“_”或“-”，如 kiosk-1。', 'The terminal id “kiosk 1” cannot be used: 1 to 40 letters, digits, ".", "_" or "-", e.g. kiosk-1.'],
    ['a rating pad without its window', { role: 'rating-pad', terminal: 'pad-1' }, '评价器须填写所在窗口号（window）：应为 1 到 999 的整数。', 'A rating pad needs its window number: window is a whole number from 1 to 999.'],
    ['a window written as text', { role: 'window', terminal: 'window-3', window: '3' }, '窗口号（window）“3” 不正确：应为 1 到 999 的整数。', 'The window “3” is not a window number: window is a whole number from 1 to 999.'],
    ['a validity of ten years', { role: 'kiosk', terminal: 'kiosk-1', expiresInDays: 3650 }, '有效期 3650 天超出了允许的范围：请填写 1 到 1825 之间的整数（最长五年）。', 'A validity of 3650 days is outside what is allowed: enter a whole number of days from 1 to 1825 (five years).'],
  ])('are refused for %s in words about it, in Chinese and in English, and none is made', async (_what, body, zh, en) => {
    const before = (await (await http('/api/terminals')).json()).terminals?.length;
    const said = async (language: string) => {
      const res = await http('/api/terminal-tokens', { method: 'POST', body: JSON.stringify(body), headers: { 'accept-language': language } });
      expect(res.status).toBe(400);
      return ((await res.json()) as { text: string }).text;
    };
    expect(await said('zh-CN')).toBe(`${zh}未生成任何终端凭据。`);
    expect(await said('en')).toBe(`${en} No credential was made.`);
    expect((await (await http('/api/terminals')).json()).terminals?.length).toBe(before);
  });
});

describe('the network', () => {
  it('cannot stop the hub with an upgrade to an unknown path that is then reset', async () => {
    const net = await import('node:net');
    const port = Number(new URL(hub.url).port);
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.write('GET /nowhere HTTP/1.1\r\nHost: hub\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
          setTimeout(() => {
            socket.resetAndDestroy();
            resolve();
          }, 5);
        });
        socket.on('error', () => resolve());
      });
    }
    await new Promise((r) => setTimeout(r, 50));
    expect((await http('/api/health', { token: null })).status).toBe(200);
  });
});

describe('a terminal asking the HTTP API with its own token', () => {
  it('reads a case’s progress, and nothing more', async () => {
    const own = (await (await http('/api/terminal-tokens', { method: 'POST', body: JSON.stringify({ role: 'kiosk', terminal: 'kiosk-1' }) })).json()).token;
    const headers = { 'x-servicehall-terminal': 'kiosk/kiosk-1' };
    expect((await http('/api/cases/SL202611270001/progress', { token: own, headers })).status).toBe(404);
    expect((await http('/api/cases/SL202611270001/progress', { token: own, headers: { 'x-servicehall-terminal': 'kiosk/kiosk-2' } })).status).toBe(401);
    expect((await http('/api/cases/SL202611270001/progress', { token: own })).status).toBe(401);
    // The case itself (with its masked applicant) is for a window's clerk, not for a public terminal.
    expect(await (await http('/api/cases/SL202611270001', { token: own, headers })).json()).toMatchObject({ code: 'forbidden' });
    const credential = async (who: object) => (await (await http('/api/terminal-tokens', { method: 'POST', body: JSON.stringify(who) })).json()).token as string;
    const display = await credential({ role: 'display', terminal: 'hall-screen' });
    expect((await http('/api/cases/SL202611270001', { token: display, headers: { 'x-servicehall-terminal': 'display/hall-screen' } })).status).toBe(403);
    const window3 = await credential({ role: 'window', terminal: 'window-3', window: 3 });
    expect((await http('/api/cases/SL202611270001', { token: window3, headers: { 'x-servicehall-terminal': 'window/window-3/3' } })).status).toBe(404);
    expect((await http('/api/cases/SL202611270001/applicant?purpose=x', { token: own, headers })).status).toBe(401);
    expect((await http('/api/tickets', { method: 'POST', body: JSON.stringify({ serviceCode: 'GA-CS-DJ' }), token: own, headers })).status).toBe(401);
  });
});

describe('a batch of commands', () => {
  it('keeps the others when one of them fails inside the hub', async () => {
    const store = hub.store;
    const view = store.view;
    const original = store.view.catalogue.items.find((i) => i.code === 'GA-CS-DJ')!;
    // A fault planted in the rules' data for one item: deciding its ticket throws.
    Object.defineProperty(original, 'prefix', { get: () => { throw new Error('planted fault'); }, configurable: true });
    const results = store.executeBatch([
      { command: { id: 'batch-command-1', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, actor: { role: 'kiosk', terminal: 'k' } },
      { command: { id: 'batch-command-2', type: 'issueTicket', serviceCode: 'GA-CS-DJ', lane: 'ordinary' }, actor: { role: 'kiosk', terminal: 'k' } },
      { command: { id: 'batch-command-3', type: 'issueTicket', serviceCode: 'CRJ-HZ-SL', lane: 'ordinary' }, actor: { role: 'kiosk', terminal: 'k' } },
    ]);
    expect(results.map((r) => r.answer.ok)).toEqual([true, false, true]);
    expect(results[1]!.answer).toMatchObject({ code: 'internal' });
    expect([...store.view.tickets.values()].map((t) => t.number).sort()).toEqual(['A001', 'B001']);
    // It failed in deciding, which never changes the view: the view was not read again from the tables.
    expect(store.view).toBe(view);
  });

  it('reads the view again when a command fails after its events were folded in, so that it holds only what was written', async () => {
    const { openDatabase } = await import('./db');
    const other = openDatabase(dir);
    other.exec("CREATE TRIGGER planted_fault BEFORE INSERT ON tickets WHEN NEW.number = 'A002' BEGIN SELECT RAISE(ABORT, 'planted fault'); END;");
    const store = hub.store;
    const kiosk = { role: 'kiosk', terminal: 'k' } as const;
    const issue = (id: string) => ({ id, type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }) as const;
    expect(store.execute(issue('after-fold-1'), kiosk).answer).toMatchObject({ ok: true, ticket: { number: 'A001' } });
    const view = store.view;
    const seq = store.seq;
    expect(store.execute(issue('after-fold-2'), kiosk).answer).toMatchObject({ ok: false, code: 'internal' });
    expect(store.view).not.toBe(view);
    expect(store.seq).toBe(seq);
    expect([...store.view.tickets.values()].map((t) => t.number)).toEqual(['A001']);
    other.exec('DROP TRIGGER planted_fault');
    other.close();
    expect(store.execute(issue('after-fold-3'), kiosk).answer).toMatchObject({ ok: true, ticket: { number: 'A002' } });
  });
});
