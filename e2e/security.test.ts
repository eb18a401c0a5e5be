import { mayCommand, type Actor, type CommandBody } from '@servicehall/core';
import type { Answer } from '@servicehall/protocol';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { runKioskInBrowserMode } from '../apps/kiosk/src/main/browser';
import { DEFAULT_LIMITS, type Rate } from '../packages/hub/src/limits';
import { spawnHub, type HubProcess } from '../packages/hub/src/testing/hub-process';
import { TestTerminal } from '../packages/hub/src/testing/terminal';

/**
 * The security suite: the hub in its own process, as a hall runs it (default limits), probed as an
 * attacker on the hall's network and on a terminal's own machine would: every operation of the
 * OpenAPI document with every kind of credential, every command from every role and across windows,
 * the terminal bridge from foreign pages, floods, and sockets that never say who they are.
 * Each part counts what it tried and what got through, and the counts are printed at the end.
 */

const TOKEN = 'security-suite-hall-token';
const KIOSK_BURST = (DEFAULT_LIMITS.commands as Record<string, Rate>).kiosk!.burst;
let hub: HubProcess;
let dir: string;
const counts: string[] = [];
const open: { close(): void }[] = [];

async function api(route: string, init: RequestInit & { token?: string; terminal?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.token !== undefined) headers.set('authorization', `Bearer ${init.token}`);
  if (init.terminal) headers.set('x-servicehall-terminal', init.terminal);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  return fetch(hub.url + route, { ...init, headers });
}

async function tokenFor(who: { role: string; terminal: string; window?: number }): Promise<string> {
  const res = await api('/api/terminal-tokens', { method: 'POST', token: TOKEN, body: JSON.stringify(who) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

async function connect(hello: Parameters<typeof TestTerminal.connect>[1]): Promise<TestTerminal> {
  const t = await TestTerminal.connect(hub.wsUrl, hello);
  open.push(t);
  return t;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-security-suite-'));
  hub = await spawnHub(dir, { SERVICEHALL_TOKEN: TOKEN, SERVICEHALL_DEMO_PIN: '135790' });
});

afterAll(async () => {
  for (const o of open) o.close();
  await hub?.kill('SIGTERM');
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`\nServiceHall security suite, against the hub in its own process:\n${counts.map((c) => `  ${c}`).join('\n')}\n`);
});

describe('the security suite', () => {
  // Every operation with every credential: some 900 requests, which take more than the usual 20 s on a loaded machine.
  it('OpenAPI token matrix: no operation answers a credential it does not take', { timeout: 90_000 }, async () => {
    const doc = (await (await api('/api/openapi.json')).json()) as { paths: Record<string, Record<string, { operationId: string; security?: unknown[] }>> };
    const credentials: { name: string; token?: string; terminal?: string; role?: string }[] = [
      { name: 'none' },
      { name: 'wrong token', token: 'not-the-hall-token-at-all' },
      { name: 'hall token with a byte changed', token: TOKEN.slice(0, -1) + 'X' },
      { name: 'kiosk token', token: await tokenFor({ role: 'kiosk', terminal: 'kiosk-1' }), terminal: 'kiosk/kiosk-1', role: 'kiosk' },
      { name: 'display token', token: await tokenFor({ role: 'display', terminal: 'screen-1' }), terminal: 'display/screen-1', role: 'display' },
      { name: 'pad token', token: await tokenFor({ role: 'rating-pad', terminal: 'pad-3', window: 3 }), terminal: 'rating-pad/pad-3/3', role: 'rating-pad' },
      { name: 'window token', token: await tokenFor({ role: 'window', terminal: 'window-3', window: 3 }), terminal: 'window/window-3/3', role: 'window' },
      { name: 'kiosk token named as a window', token: await tokenFor({ role: 'kiosk', terminal: 'kiosk-2' }), terminal: 'window/kiosk-2/3', role: 'none' },
      { name: 'hall token', token: TOKEN, role: 'hall' },
    ];
    // Operations a terminal's own token may call (read-only, what it shows); everything else is the hall token's.
    const openTo: Record<string, string[]> = { getCaseProgress: ['kiosk', 'display', 'rating-pad', 'window'], getCase: ['window'] };
    const sample: Record<string, string> = { window: '3', id: '2026-01-01-A001', caseNumber: 'SL202601010001', clerk: '1001', code: 'APPT-1' };
    let requests = 0;
    const through: string[] = [];
    const operations = Object.entries(doc.paths).flatMap(([p, methods]) => Object.entries(methods).map(([method, op]) => ({ path: p, method: method.toUpperCase(), op })));
    for (const { path: p, method, op } of operations) {
      const route = p.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(sample[name] ?? 'x'));
      for (const c of credentials) {
        const res = await api(route, { method, token: c.token, terminal: c.terminal, body: method === 'GET' ? undefined : '{}' });
        requests += 1;
        const isPublic = Array.isArray(op.security) && op.security.length === 0;
        // A console session's own operations (sign-out, own password, its live feed) take no bearer token at all.
        const takesBearer = !Array.isArray(op.security) || op.security.some((r) => 'bearer' in (r as object));
        const allowed = isPublic || (c.role === 'hall' && takesBearer) || (!!c.role && takesBearer && (openTo[op.operationId] ?? []).includes(c.role));
        const refused = res.status === 401 || res.status === 403;
        if (!allowed && !refused) through.push(`${method} ${p} with ${c.name}: ${res.status}`);
        if (allowed && !isPublic && refused) through.push(`${method} ${p} refused ${c.name} (${res.status}) though it takes it`);
      }
    }
    counts.push(`OpenAPI token matrix: ${operations.length} operations × ${credentials.length} credentials = ${requests} requests; let through or wrongly refused: ${through.length}`);
    expect(through).toEqual([]);
    expect(operations.length).toBeGreaterThan(30);
  });

  it('role matrix: every command from every role, and across windows, terminals and tickets', async () => {
    const roles: Actor[] = [
      { role: 'kiosk', terminal: 'kiosk-1' },
      { role: 'window', terminal: 'window-3', window: 3 },
      { role: 'rating-pad', terminal: 'pad-3', window: 3 },
      { role: 'display', terminal: 'screen-1' },
    ];
    const bodies: CommandBody[] = [
      { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' },
      { type: 'checkInAppointment', code: 'APPT-NONE' },
      { type: 'bookAppointment', code: 'APPT-X', serviceCode: 'GA-SFZ-HL', slotStart: Date.now(), slotEnd: Date.now() + 1_800_000 },
      { type: 'voidTicket', ticketId: 'nope', reason: 'test' },
      ...(['callNext', 'recall', 'startService', 'finishService', 'markNoShow', 'holdTicket', 'closeWindow', 'resumeWindow'] as const).map((type) => ({ type, window: 3 }) as CommandBody),
      { type: 'callTicket', window: 3, ticketId: 'nope' },
      { type: 'transferTicket', window: 3, toWindow: 4, reason: 'test' },
      { type: 'openWindow', window: 3, clerk: '1003' },
      { type: 'signIn', window: 3, clerk: '1003', pin: '000000' },
      { type: 'pauseWindow', window: 3, reason: 'test' },
      { type: 'recordOutcome', window: 3, serviceCode: 'GA-SFZ-HL', outcome: 'consultation' },
      { type: 'rate', level: 'satisfied', aspects: {}, reasons: [], channel: 'window-pad' },
      { type: 'rate', ticketId: 'nope', level: 'satisfied', aspects: {}, reasons: [], channel: 'qr' },
      { type: 'defaultRating', ticketId: 'nope' },
      { type: 'advanceFollowUp', followUpId: 'FU-1', step: 'verify', note: 'test' },
      { type: 'appealFollowUp', followUpId: 'FU-1', reason: 'test' },
      { type: 'replaceCatalogue', catalogue: {} as never },
      { type: 'reportDevices', devices: [] },
    ];
    let tried = 0;
    let refusedAsForbidden = 0;
    const wrong: string[] = [];
    for (const actor of roles) {
      const t = await connect({ ...actor, token: await tokenFor(actor as never) });
      for (const body of bodies) {
        if (body.type === 'replaceCatalogue') continue;
        const answer = await t.command(body);
        tried += 1;
        const may = mayCommand(actor, body);
        if (!may && !(answer.ok === false && answer.code === 'forbidden')) wrong.push(`${actor.role} ${body.type}: ${JSON.stringify(answer)}`);
        if (!may) refusedAsForbidden += 1;
      }
      t.close();
    }
    // A role's pace is its own: the matrix above spent the kiosk's and the pad's, so the story below uses other terminals.
    const kioskA = await connect({ role: 'kiosk', terminal: 'kiosk-a', token: await tokenFor({ role: 'kiosk', terminal: 'kiosk-a' }) });
    const kioskB = await connect({ role: 'kiosk', terminal: 'kiosk-b', token: await tokenFor({ role: 'kiosk', terminal: 'kiosk-b' }) });
    const window4 = await connect({ role: 'window', terminal: 'window-4', window: 4, token: await tokenFor({ role: 'window', terminal: 'window-4', window: 4 }) });
    const window5 = await connect({ role: 'window', terminal: 'window-5', window: 5, token: await tokenFor({ role: 'window', terminal: 'window-5', window: 5 }) });
    const pad4 = await connect({ role: 'rating-pad', terminal: 'pad-4', window: 4, token: await tokenFor({ role: 'rating-pad', terminal: 'pad-4', window: 4 }) });
    const pad5 = await connect({ role: 'rating-pad', terminal: 'pad-5', window: 5, token: await tokenFor({ role: 'rating-pad', terminal: 'pad-5', window: 5 }) });
    const screen = await connect({ role: 'display', terminal: 'screen-2', token: await tokenFor({ role: 'display', terminal: 'screen-2' }) });
    const issued = (await kioskA.command({ type: 'issueTicket', serviceCode: 'CRJ-GA-QZ', lane: 'ordinary' })) as Extract<Answer, { ok: true }>;
    expect(issued.ok).toBe(true);
    expect((await window4.command({ type: 'signIn', window: 4, clerk: '1004', pin: '135790' })).ok).toBe(true);
    for (const type of ['callNext', 'startService', 'finishService'] as const) expect((await window4.command({ type, window: 4 })).ok).toBe(true);
    const within: [string, Promise<Answer | { ok: boolean; code?: string }>][] = [
      ["window 5 calls for window 4", window5.command({ type: 'callNext', window: 4 })],
      ["window 5 closes window 4", window5.command({ type: 'closeWindow', window: 4 })],
      ["window 5 signs in at window 4", window5.command({ type: 'signIn', window: 4, clerk: '1005', pin: '135790' })],
      ["kiosk B voids kiosk A's ticket", kioskB.command({ type: 'voidTicket', ticketId: issued.ticket!.id, reason: 'test' })],
      ["pad 5 rates window 4's service", pad5.command({ type: 'rate', ticketId: issued.ticket!.id, level: 'very-dissatisfied', aspects: {}, reasons: [], channel: 'window-pad' })],
      ["pad 5 rates by window 4", pad5.command({ type: 'rate', window: 4, level: 'very-dissatisfied', aspects: {}, reasons: [], channel: 'window-pad' })],
      ["a kiosk rates by QR as if a phone", kioskB.command({ type: 'rate', ticketId: issued.ticket!.id, level: 'very-dissatisfied', aspects: {}, reasons: [], channel: 'qr' })],
      ["pad 5 asks for window 4's rating link", askOf(pad5, { kind: 'ratingLink', ticketId: issued.ticket!.id })],
      ['the hall screen asks for a rating link', askOf(screen, { kind: 'ratingLink', ticketId: issued.ticket!.id })],
      ['a kiosk asks for a rating link', askOf(kioskB, { kind: 'ratingLink', ticketId: issued.ticket!.id })],
    ];
    const withinWrong: string[] = [];
    for (const [name, p] of within) {
      const a = await p;
      if (a.ok || (a as { code?: string }).code !== 'forbidden') withinWrong.push(`${name}: ${JSON.stringify(a)}`);
    }
    // The pad of the window that served it gets the link, signed by the hub.
    const link = await askOf(pad4, { kind: 'ratingLink', ticketId: issued.ticket!.id });
    expect(link).toMatchObject({ ok: true, value: { link: expect.stringMatching(/^\/rate\//) } });
    counts.push(`role matrix: ${bodies.length - 1} command types × ${roles.length} roles = ${tried} commands, ${refusedAsForbidden} refused as forbidden; wrongly taken: ${wrong.length}`);
    counts.push(`within roles: ${within.length} attempts across windows, terminals and tickets; taken: ${withinWrong.length}`);
    expect(wrong).toEqual([]);
    expect(withinWrong).toEqual([]);
  });

  it('bridge: a kiosk’s screen answers its own page only, never a foreign origin or a rebound host', async () => {
    const kioskToken = await tokenFor({ role: 'kiosk', terminal: 'kiosk-bridge' });
    const kiosk = await runKioskInBrowserMode(undefined, {
      SERVICEHALL_HUB_URL: hub.wsUrl,
      SERVICEHALL_TOKEN: kioskToken,
      SERVICEHALL_TERMINAL: 'kiosk-bridge',
      SERVICEHALL_TERMINAL_DATA: path.join(dir, 'kiosk-bridge'),
    });
    open.push({ close: () => void kiosk.stop() });
    await (await kiosk.ready).client.whenInStep();
    const port = kiosk.screen.port;
    const own = { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` };
    const foreign: [string, string, Record<string, string>][] = [
      ['a page on the Internet', `/bridge?s=${kiosk.screen.secret}`, { ...own, origin: 'https://evil.example' }],
      ['a page on the hall LAN', `/bridge?s=${kiosk.screen.secret}`, { ...own, origin: 'http://192.168.1.66' }],
      ['another local port', `/bridge?s=${kiosk.screen.secret}`, { ...own, origin: `http://127.0.0.1:${port + 1}` }],
      ['localhost on another port', `/bridge?s=${kiosk.screen.secret}`, { ...own, origin: `http://localhost:${port + 1}` }],
      ['a file: page', `/bridge?s=${kiosk.screen.secret}`, { ...own, origin: 'null' }],
      ['DNS rebinding', `/bridge?s=${kiosk.screen.secret}`, { host: `attacker.example:${port}`, origin: `http://attacker.example:${port}` }],
      ['its own origin without the secret', '/bridge', own],
      ['its own origin with an old secret', `/bridge?s=${'A'.repeat(kiosk.screen.secret.length)}`, own],
      ['a local program without origin or secret', '/bridge', { host: own.host }],
    ];
    const before = (await (await api('/api/queue', { token: TOKEN })).json()) as { tickets: unknown[] };
    let refused = 0;
    for (const [, where, headers] of foreign) {
      const status = await upgradeAndCall(port, where, headers);
      if (status === 403) refused += 1;
    }
    // A page of another site cannot read the screen's page (and its secret) through a rebound name either.
    const page = await new Promise<number>((resolve) =>
      http.get({ host: '127.0.0.1', port, path: '/', headers: { host: `attacker.example:${port}` } }, (res) => (res.resume(), resolve(res.statusCode ?? 0))),
    );
    expect(page).toBe(403);
    const after = (await (await api('/api/queue', { token: TOKEN })).json()) as { tickets: unknown[] };
    expect(after.tickets.length).toBe(before.tickets.length);
    // Its own screen, with the secret of the page it was served, takes a number.
    expect(await upgradeAndCall(port, `/bridge?s=${kiosk.screen.secret}`, own)).toBe(101);
    await expect.poll(async () => ((await (await api('/api/queue', { token: TOKEN })).json()) as { tickets: unknown[] }).tickets.length).toBe(before.tickets.length + 1);
    counts.push(`bridge: ${foreign.length} foreign upgrades refused ${refused}, a rebound page read refused, own screen accepted and issued 1 ticket`);
    expect(refused).toBe(foreign.length);
  });

  it('floods: a kiosk pressing, a window guessing PINs, a connection shouting, an address opening sockets', async () => {
    const db = () => new Database(path.join(dir, 'hall.db'), { readonly: true, fileMustExist: true });
    const rows = () => {
      const d = db();
      try {
        return (d.prepare('SELECT COUNT(*) AS n FROM commands').get() as { n: number }).n;
      } finally {
        d.close();
      }
    };
    // One kiosk token presses 150 times at once (within what one connection may send at once; beyond it the connection is closed, below).
    const kiosk = await connect({ role: 'kiosk', terminal: 'kiosk-flood', token: await tokenFor({ role: 'kiosk', terminal: 'kiosk-flood' }) });
    const stored = rows();
    const presses = await Promise.all(Array.from({ length: 150 }, () => kiosk.command({ type: 'issueTicket', serviceCode: 'GA-HK-QR', lane: 'ordinary' })));
    const issued = presses.filter((a) => a.ok).length;
    const limited = presses.filter((a) => !a.ok && a.code === 'rate-limited').length;
    const storedNow = rows() - stored;
    counts.push(`kiosk flood: 150 presses at once → ${issued} issued, ${limited} refused as rate-limited, ${storedNow} answers stored`);
    // A kiosk may press its burst at once, and earns a press back every second or so while the flood lasts.
    expect(issued).toBeGreaterThanOrEqual(KIOSK_BURST);
    expect(issued).toBeLessThanOrEqual(KIOSK_BURST + 3);
    expect(issued + limited).toBe(150);
    expect(storedNow).toBe(issued);

    // One window guesses PINs for every clerk, as fast as it is answered.
    const window6 = await connect({ role: 'window', terminal: 'window-6', window: 6, token: await tokenFor({ role: 'window', terminal: 'window-6', window: 6 }) });
    const clerks = Array.from({ length: 18 }, (_, i) => String(1001 + i));
    const guesses: Answer[] = [];
    for (let i = 0; i < 90; i++) guesses.push(await window6.command({ type: 'signIn', window: 6, clerk: clerks[i % 18]!, pin: String(200000 + i) }));
    const locks = (await (await api('/api/sign-in-locks', { token: TOKEN })).json()) as { clerks: { clerk: string; lockedUntil?: number }[] };
    const lockedClerks = locks.clerks.filter((c) => c.lockedUntil).length;
    const paused = guesses.filter((a) => !a.ok && a.code === 'sign-in-paused').length;
    const limitedGuesses = guesses.filter((a) => !a.ok && a.code === 'rate-limited').length;
    counts.push(`PIN guessing: 90 guesses from one window over 18 clerks → ${guesses.length - paused - limitedGuesses} checked, ${paused} made to wait, ${limitedGuesses} rate-limited; clerks locked: ${lockedClerks} of 18`);
    expect(lockedClerks).toBe(0);

    // One connection sends messages as fast as it can: it is closed, the hub goes on.
    const shouter = await TestTerminal.open(hub.wsUrl);
    open.push(shouter);
    const closed = new Promise<number>((resolve) => shouter.ws.once('close', (code) => resolve(code)));
    for (let i = 0; i < 2000 && shouter.ws.readyState === WebSocket.OPEN; i++) shouter.send({ type: 'ping', t: i });
    const code = await closed;
    counts.push(`message flood: one connection sending 2000 pings at once → closed (${code}) after ${shouter.messages.filter((m) => m.type === 'pong').length} answers`);
    expect(code).toBe(1008);

    // One address opens sockets until it is refused; the refusal is a polite 503, and the hub serves on.
    const sockets: WebSocket[] = [];
    let accepted = 0;
    let refused = 0;
    let politely = 0;
    for (let i = 0; i < 100; i++) {
      const r = await new Promise<'open' | { status: number; body: string } | 'error'>((resolve) => {
        const ws = new WebSocket(hub.wsUrl);
        sockets.push(ws);
        ws.on('open', () => resolve('open'));
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        ws.on('error', () => resolve('error'));
      });
      if (r === 'open') accepted += 1;
      else if (r !== 'error' && r.status === 503) {
        refused += 1;
        if ((JSON.parse(r.body) as { code: string; text: string }).text.length > 0) politely += 1;
      }
    }
    for (const s of sockets) s.terminate();
    counts.push(`connection flood: 100 sockets from one address → ${accepted} accepted, ${refused} refused with 503 (${politely} with the polite text)`);
    expect(refused).toBeGreaterThan(0);
    expect(politely).toBe(refused);
    await expect.poll(async () => (await api('/api/health')).status, { timeout: 10_000 }).toBe(200);
  }, 60_000);

  it('idle sockets: connections that never say hello are closed within a few seconds', async () => {
    const idle = await Promise.all(Array.from({ length: 20 }, () => TestTerminal.open(hub.wsUrl)));
    for (const t of idle) open.push(t);
    const started = Date.now();
    const closed = await Promise.all(idle.map((t) => new Promise<number>((resolve) => (t.ws.readyState === WebSocket.CLOSED ? resolve(0) : t.ws.once('close', (code) => resolve(code))))));
    const seconds = (Date.now() - started) / 1000;
    counts.push(`idle sockets: 20 opened without hello → ${closed.filter((c) => c === 4001).length} closed by the hub (the last after ${seconds.toFixed(1)} s)`);
    expect(closed.every((c) => c === 4001)).toBe(true);
  });
});

function askOf(t: TestTerminal, question: { kind: 'ratingLink'; ticketId: string } | { kind: 'caseProgress'; caseNumber: string }): Promise<{ ok: boolean; code?: string; value?: unknown }> {
  const id = `ask-${Math.random().toString(36).slice(2)}`;
  const reply = t.next((m) => m.type === 'reply' && m.id === id);
  t.send({ type: 'ask', id, question });
  return reply as never;
}

/** Upgrades to the bridge with these headers; when it opens, asks it for a number. Resolves with the upgrade's HTTP status. */
function upgradeAndCall(port: number, where: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${where}`, { headers });
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'call', id: 1, name: 'takeNumber', arg: { serviceCode: 'GA-SFZ-HL', lane: 'ordinary', lang: 'zh-CN' } }));
      ws.on('message', (d) => {
        if ((JSON.parse(d.toString()) as { type: string }).type === 'result') {
          ws.close();
          resolve(101);
        }
      });
    });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.on('error', () => resolve(0));
  });
}
