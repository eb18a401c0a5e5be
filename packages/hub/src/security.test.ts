import { demoCatalogue } from '@servicehall/fixtures';
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import nodeHttp from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import tlsModule from 'node:tls';
import WebSocket from 'ws';
import { HubRefusal, tokenProblem } from './files';
import { proxyTrustFrom, trustedProxy } from './proxy-trust';
import { DEFAULT_LIMITS, type HubLimits, type Rate } from './limits';
import { createLogger, useLogger } from './log';
import { startHub, type HubOptions, type RunningHub } from './server';
import { FREE_FAILURES } from './staff/lockout';
import { TestConsole } from './testing/console';
import { TestTerminal } from './testing/terminal';
import { frameHead } from './testing/frames';

const TOKEN = 'hall-token-for-security';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-security-'));
  cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

async function hub(options: Partial<HubOptions> & { limits?: Partial<HubLimits> } = {}): Promise<RunningHub & { dir: string }> {
  const dir = options.dataDir ?? tempDir();
  const h = await startHub({ dataDir: dir, token: TOKEN, seed: demoCatalogue({ allDay: true }), warn: () => undefined, ...options });
  cleanups.push(() => h.close());
  return Object.assign(h, { dir });
}

async function terminal(h: RunningHub, hello: Parameters<typeof TestTerminal.connect>[1]): Promise<TestTerminal> {
  const t = await TestTerminal.connect(h.wsUrl, hello);
  cleanups.push(() => t.close());
  return t;
}

function http(h: RunningHub, route: string, init: RequestInit & { token?: string | null } = {}) {
  const headers = new Headers(init.headers);
  if (init.token !== null) headers.set('authorization', `Bearer ${init.token ?? TOKEN}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  return fetch(h.url + route, { ...init, headers });
}

/** A kiosk's pace as the hall has it by default. */
const KIOSK = (DEFAULT_LIMITS.commands as Record<string, Rate>).kiosk!;

const commandRows = (h: { dir: string }) => {
  const db = new Database(path.join(h.dir, 'hall.db'), { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM commands').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('command ids', () => {
  it('belong to the terminal that sent them: another terminal reusing one gets its own answer, never the first’s', async () => {
    const h = await hub();
    const kiosk = await terminal(h, { role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
    const window3 = await terminal(h, { role: 'window', terminal: 'window-3', window: 3, token: TOKEN });
    const id = 'press-0001-shared';
    const issued = await kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, id);
    expect(issued).toMatchObject({ ok: true, ticket: { number: 'A001' } });
    const other = await window3.command({ type: 'callNext', window: 3 }, id);
    expect(other).toMatchObject({ ok: false, code: 'window-closed' });
    expect(JSON.stringify(other)).not.toContain('A001');
  });

  it('reused with a different body is refused (409) and changes nothing; the same body gets the first answer', async () => {
    const h = await hub();
    const kiosk = await terminal(h, { role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
    const first = await kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, 'press-0002-kiosk');
    const seq = h.store.seq;
    expect(await kiosk.command({ type: 'issueTicket', serviceCode: 'CRJ-HZ-SL', lane: 'ordinary' }, 'press-0002-kiosk')).toMatchObject({ ok: false, code: 'id-reused' });
    expect(await kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, 'press-0002-kiosk')).toEqual(first);
    expect(h.store.seq).toBe(seq);
    const post = (body: object) => http(h, '/api/tickets', { method: 'POST', body: JSON.stringify(body), headers: { 'idempotency-key': 'integration-key-1' } });
    expect((await post({ serviceCode: 'GA-SFZ-HL' })).status).toBe(201);
    const reused = await post({ serviceCode: 'CRJ-HZ-SL' });
    expect(reused.status).toBe(409);
    expect(await reused.json()).toMatchObject({ code: 'id-reused', text: expect.stringContaining('请求编号') });
  });

  it('of HTTP belong to their token: a kiosk’s id over WebSocket and the same Idempotency-Key over HTTP are two commands', async () => {
    const h = await hub();
    const kiosk = await terminal(h, { role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
    await kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, 'same-key-0001');
    const res = await http(h, '/api/tickets', { method: 'POST', body: JSON.stringify({ serviceCode: 'GA-SFZ-HL' }), headers: { 'idempotency-key': 'same-key-0001' } });
    expect(await res.json()).toMatchObject({ number: 'A002' });
  });

  it('of the hub’s own default rating cannot be taken first by a terminal', async () => {
    let now = Date.parse('2026-11-27T09:00:00+08:00');
    const h = await hub({ clock: () => now, ratingSweepMs: 20 });
    await h.store.pins.set('1001', '135790');
    const window1 = await terminal(h, { role: 'window', terminal: 'window-1', window: 1, token: TOKEN });
    const kiosk = await terminal(h, { role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
    const t = await kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' });
    if (!t.ok) throw new Error(t.message);
    await window1.command({ type: 'signIn', window: 1, clerk: '1001', pin: '135790' });
    for (const type of ['callNext', 'startService', 'finishService'] as const) expect(await window1.command({ type, window: 1 })).toMatchObject({ ok: true });
    // The id the hub once derived from the ticket, sent first by a kiosk (as a harmless issue).
    await kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, `default-rating:${t.ticket!.id}`);
    now += 11 * 60_000;
    await expect.poll(() => h.store.view.ratings.get(t.ticket!.id)?.[0]?.isDefault).toBe(true);
  });
});

describe('rates', () => {
  it('hold a kiosk to the pace people press, refuse beyond it without storing the refusals, and recover', async () => {
    let now = Date.parse('2026-11-27T09:00:00+08:00');
    const h = await hub({ clock: () => now });
    const kiosk = await terminal(h, { role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
    const before = commandRows(h);
    const answers = await Promise.all(Array.from({ length: 100 }, () => kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' })));
    const issued = answers.filter((a) => a.ok).length;
    const limited = answers.filter((a) => !a.ok && a.code === 'rate-limited').length;
    expect(issued).toBe(KIOSK.burst);
    expect(limited).toBe(100 - KIOSK.burst);
    expect(commandRows(h) - before).toBe(KIOSK.burst);
    now += 60_000;
    expect(await kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' })).toMatchObject({ ok: true });
  });

  it('count a terminal across its reconnections, and one kiosk’s flood leaves another kiosk its pace', async () => {
    const h = await hub();
    const a = await terminal(h, { role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
    await Promise.all(Array.from({ length: KIOSK.burst }, () => a.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' })));
    const again = await terminal(h, { role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
    expect(await again.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' })).toMatchObject({ ok: false, code: 'rate-limited' });
    const b = await terminal(h, { role: 'kiosk', terminal: 'kiosk-2', token: TOKEN });
    expect(await b.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' })).toMatchObject({ ok: true });
  });

  it('over HTTP answer 429 with Retry-After and the polite text', async () => {
    const h = await hub({ limits: { commands: { kiosk: { perMinute: 30, burst: 10 }, window: { perMinute: 120, burst: 30 }, 'rating-pad': { perMinute: 30, burst: 10 }, display: { perMinute: 12, burst: 6 }, admin: { perMinute: 60, burst: 5 } } } });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await http(h, '/api/tickets', { method: 'POST', body: JSON.stringify({ serviceCode: 'GA-SFZ-HL' }) })).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429]);
    const res = await http(h, '/api/tickets', { method: 'POST', body: JSON.stringify({ serviceCode: 'GA-SFZ-HL' }) });
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await res.json()).toMatchObject({ code: 'rate-limited', text: expect.stringContaining('稍候') });
  });
});

describe('connections', () => {
  it('that never say hello are closed after a few seconds; those that do stay', async () => {
    const h = await hub({ limits: { helloTimeoutMs: 300 } });
    const silent = await TestTerminal.open(h.wsUrl);
    cleanups.push(() => silent.close());
    const speaking = await terminal(h, { role: 'display', terminal: 'screen-1', token: TOKEN });
    const closed = new Promise<number>((resolve) => silent.ws.once('close', (code) => resolve(code)));
    expect(await closed).toBe(4001);
    expect(silent.messages).toContainEqual({ type: 'error', code: 'unauthorised', message: expect.stringContaining('no hello') });
    expect(speaking.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('waiting to be enrolled stay open while their pairing code is good, though they never say hello', async () => {
    const h = await hub({ limits: { helloTimeoutMs: 200 } });
    const waiting = await TestTerminal.open(h.wsUrl);
    cleanups.push(() => waiting.close());
    const code = waiting.next((m) => m.type === 'pairing');
    waiting.send({ type: 'pair', protocol: 1, role: 'kiosk', terminal: 'kiosk-new' });
    expect(await code).toMatchObject({ type: 'pairing', code: expect.stringMatching(/^\d{6}$/) });
    const silent = await TestTerminal.open(h.wsUrl);
    cleanups.push(() => silent.close());
    await new Promise<void>((resolve) => silent.ws.once('close', () => resolve()));
    expect(waiting.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('waiting to be enrolled keep their code when another link asks to pair as the same terminal: the administrator enrols the one on the screen', async () => {
    const h = await hub();
    const waiting = await TestTerminal.open(h.wsUrl);
    cleanups.push(() => waiting.close());
    const shown = waiting.next((m) => m.type === 'pairing');
    waiting.send({ type: 'pair', protocol: 1, role: 'kiosk', terminal: 'kiosk-new' });
    const code = ((await shown) as { code: string }).code;
    // Anyone on the hall's network may link and ask to pair under the same name, as often as it likes.
    const nuisance = await TestTerminal.open(h.wsUrl);
    cleanups.push(() => nuisance.close());
    for (let i = 0; i < 3; i++) {
      const other = nuisance.next((m) => m.type === 'pairing');
      nuisance.send({ type: 'pair', protocol: 1, role: 'kiosk', terminal: 'kiosk-new' });
      expect(await other).toMatchObject({ type: 'pairing', code: expect.not.stringMatching(code) });
    }
    const paired = waiting.next((m) => m.type === 'paired');
    const enrolled = await http(h, '/api/terminals/enrol', { method: 'POST', body: JSON.stringify({ code }) });
    expect(enrolled.status).toBe(201);
    expect(await paired).toMatchObject({ type: 'paired', terminal: 'kiosk-new', token: expect.stringMatching(/^tc1\./) });
    expect(nuisance.messages.some((m) => m.type === 'paired')).toBe(false);
  });

  it('waiting to be enrolled are listed once a name, as its newest request asks, with how many links ask; the code typed enrols its own link as it asked', async () => {
    const h = await hub();
    const link = async () => {
      const t = await TestTerminal.open(h.wsUrl);
      cleanups.push(() => t.close());
      return t;
    };
    const pair = async (t: TestTerminal, ask: { role: string; window?: number }) => {
      const shown = t.next((m) => m.type === 'pairing');
      t.send({ type: 'pair', protocol: 1, terminal: 'kiosk-new', ...ask });
      return ((await shown) as { code: string }).code;
    };
    const waiting = async () => ((await (await http(h, '/api/terminals')).json()) as { waiting: { terminal: string; role: string; window?: number; links: number }[] }).waiting;
    const kiosk = await link();
    const code = await pair(kiosk, { role: 'kiosk' });
    const nuisances = [await link(), await link()];
    await pair(nuisances[0]!, { role: 'kiosk' });
    // Each link asking again withdraws its own earlier request: three links ask, not five.
    for (let i = 0; i < 3; i++) await pair(nuisances[1]!, { role: 'kiosk' });
    expect(await waiting()).toEqual([expect.objectContaining({ terminal: 'kiosk-new', role: 'kiosk', links: 3 })]);

    // Now the newest asks to be window 3's terminal: the list shows that; the code on the kiosk's screen still enrols the kiosk,
    // as it asked (the code decides: a link that kept asking under its name must not hold the kiosk's enrolment off).
    await pair(nuisances[1]!, { role: 'window', window: 3 });
    expect(await waiting()).toEqual([expect.objectContaining({ terminal: 'kiosk-new', role: 'window', window: 3, links: 3 })]);
    const paired = kiosk.next((m) => m.type === 'paired');
    expect((await http(h, '/api/terminals/enrol', { method: 'POST', body: JSON.stringify({ code }) })).status).toBe(201);
    expect(await paired).toMatchObject({ type: 'paired', terminal: 'kiosk-new', role: 'kiosk' });
    expect(h.credentials.list(Date.now())).toEqual([expect.objectContaining({ terminal: 'kiosk-new', role: 'kiosk' })]);
    // The kiosk's request is gone from the list; the two other links still ask.
    expect(await waiting()).toEqual([expect.objectContaining({ terminal: 'kiosk-new', links: 2 })]);
    expect(nuisances.some((n) => n.messages.some((m) => m.type === 'paired'))).toBe(false);
  });

  it('beyond the cap of one address are answered 503 with the polite text, and the hub goes on serving', async () => {
    const h = await hub({ limits: { connectionsPerAddress: 5 } });
    const sockets = await Promise.all(Array.from({ length: 5 }, () => TestTerminal.open(h.wsUrl)));
    for (const s of sockets) cleanups.push(() => s.close());
    const status = await new Promise<{ status: number; body: string }>((resolve) => {
      const ws = new WebSocket(h.wsUrl);
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.on('error', () => undefined);
    });
    expect(status.status).toBe(503);
    expect(JSON.parse(status.body)).toMatchObject({ code: 'too-many-connections', text: expect.stringContaining('稍候') });
    expect(h.connectionCount()).toBeGreaterThanOrEqual(5);
    for (const s of sockets) s.close();
    await expect.poll(() => h.connectionCount()).toBe(0);
    expect((await http(h, '/api/health', { token: null })).status).toBe(200);
  });

  it('beyond the hub’s cap in all are refused too, whatever their address', async () => {
    const h = await hub({ limits: { connections: 3 } });
    const sockets = await Promise.all(Array.from({ length: 3 }, () => TestTerminal.open(h.wsUrl)));
    for (const s of sockets) cleanups.push(() => s.close());
    expect((await http(h, '/api/health', { token: null })).status).toBe(503);
    sockets[0]!.close();
    await expect.poll(async () => (await http(h, '/api/health', { token: null })).status).toBe(200);
  });

  it('from a page of another site in a browser are refused 403, and to another path 404, in the API’s shape; programs and the hub’s own pages link', async () => {
    const h = await hub();
    const upgrade = (origin?: string) =>
      new Promise<{ status: number; body: string } | 'open'>((resolve) => {
        const ws = new WebSocket(h.wsUrl, origin ? { headers: { origin } } : {});
        cleanups.push(() => ws.terminate());
        ws.on('open', () => resolve('open'));
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        ws.on('error', () => undefined);
      });
    const elsewhere = await new Promise<{ status: number; body: string }>((resolve) => {
      const ws = new WebSocket(h.wsUrl.replace(/\/ws$/, '/elsewhere'));
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.on('error', () => undefined);
    });
    expect(elsewhere.status).toBe(404);
    expect(JSON.parse(elsewhere.body)).toMatchObject({ ok: false, code: 'not-found' });
    const foreign = await upgrade('http://evil.example');
    expect(foreign).toMatchObject({ status: 403 });
    expect(JSON.parse((foreign as { body: string }).body)).toMatchObject({ ok: false, code: 'forbidden', text: expect.stringContaining('抱歉') });
    expect(await upgrade()).toBe('open');
    expect(await upgrade(h.url)).toBe('open');
  });

  it('of one address flooding the hub do not shut another address out, and beyond twice its cap are closed at once', async () => {
    const h = await hub({ limits: { connectionsPerAddress: 3, connections: 5 } });
    const port = Number(new URL(h.url).port);
    const flood = Array.from({ length: 8 }, () => net.connect(port, '127.0.0.1'));
    for (const s of flood) cleanups.push(() => s.destroy());
    // The hub takes connections in order: once it has closed the last two, it holds the six before them.
    await Promise.all(flood.slice(6).map((s) => new Promise<void>((resolve) => s.once('close', () => resolve()))));
    expect(flood.slice(0, 6).every((s) => !s.destroyed)).toBe(true);
    const status = await new Promise<number>((resolve, reject) =>
      nodeHttp.get({ host: '127.0.0.1', port, path: '/api/health', localAddress: '127.0.0.2', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject),
    );
    expect(status).toBe(200);
  });

  it('that send request after request without reading the answers are closed, not answered into the hub’s memory', async () => {
    const h = await hub();
    const socket = net.connect(Number(new URL(h.url).port), '127.0.0.1');
    cleanups.push(() => socket.destroy());
    socket.pause();
    socket.on('error', () => undefined);
    await expect.poll(() => h.connectionCount()).toBe(1);
    socket.write('GET /api/openapi.json HTTP/1.1\r\nHost: hub\r\n\r\n'.repeat(50));
    // A client that reads nothing does not see its connection closed: the hub counts it gone.
    await expect.poll(() => h.connectionCount()).toBe(0);
    expect((await http(h, '/api/health', { token: null })).status).toBe(200);
  });

  it('that send a body too large that never ends are answered 413 and closed, not read on for half a minute', async () => {
    const h = await hub();
    const socket = net.connect(Number(new URL(h.url).port), '127.0.0.1');
    cleanups.push(() => socket.destroy());
    let answer = '';
    socket.on('data', (d) => (answer += d));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(`POST /api/tickets HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer ${TOKEN}\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const chunk = `10000\r\n${'a'.repeat(0x10000)}\r\n`;
    const more = setInterval(() => socket.write(chunk), 5);
    cleanups.push(() => clearInterval(more));
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    expect(answer).toContain('"code":"too-large"');
  });

  it('that never finish their headers are dropped at the header timeout, not half a minute later', async () => {
    const h = await hub({ limits: { headersTimeoutMs: 500 } });
    const port = Number(new URL(h.url).port);
    const socket = net.connect(port, '127.0.0.1');
    cleanups.push(() => socket.destroy());
    let answer = '';
    socket.on('data', (d) => (answer += d));
    const started = Date.now();
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('GET /api/health HTTP/1.1\r\nHost: hub\r\n');
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toContain('"code":"bad-request"');
    // Node checks its connections every 30 s unless told otherwise; the hub checks every second.
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe("the console's files", () => {
  it('are served from its folder only, not from a folder beside it whose name begins the same', async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'console'));
    fs.writeFileSync(path.join(dir, 'console', 'index.html'), '<!doctype html><title>console</title>');
    fs.mkdirSync(path.join(dir, 'console-old'));
    fs.writeFileSync(path.join(dir, 'console-old', 'secret.txt'), 'not for the network');
    const h = await hub({ consoleDir: path.join(dir, 'console') });
    for (const route of ['/console/..%2fconsole-old/secret.txt', '/console/%2e%2e%2fconsole-old%2fsecret.txt']) {
      const res = await http(h, route, { token: null });
      expect(await res.text()).not.toContain('not for the network');
    }
    expect(await (await http(h, '/console/', { token: null })).text()).toContain('<title>console</title>');
  });

  it('refuse what they cannot serve in the API’s shape with the polite text, not with an empty page', async () => {
    const h = await hub();
    const outside = await http(h, '/console/..%2f..%2fpackage.json', { token: null });
    expect(outside.status).toBe(403);
    expect(await outside.json()).toMatchObject({ ok: false, code: 'forbidden', text: expect.stringContaining('抱歉') });
    const missing = await http(h, '/console/assets/none.js', { token: null });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ ok: false, code: 'not-found' });
    const posted = await http(h, '/console/', { method: 'POST', body: '{}', token: null });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET, HEAD');
    expect(await posted.json()).toMatchObject({ ok: false, code: 'method-not-allowed' });
  });
});

describe('a request that is not HTTP the hub can read', () => {
  it('is refused in the API’s shape with the polite text, not with a bare status line, and the hub goes on serving', async () => {
    const h = await hub();
    const port = Number(new URL(h.url).port);
    const answer = (request: string) =>
      new Promise<{ head: string; body: { code?: string; text?: string } }>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
        cleanups.push(() => socket.destroy());
        let text = '';
        socket.on('data', (d) => (text += d));
        socket.on('error', reject);
        socket.on('close', () => {
          const [head, body] = text.split('\r\n\r\n');
          resolve({ head: head!, body: JSON.parse(body || '{}') });
        });
      });
    const long = await answer(`GET /api/queue?service=${'A'.repeat(20_000)} HTTP/1.1\r\nHost: hub\r\n\r\n`);
    expect(long.head).toMatch(/^HTTP\/1\.1 431/);
    expect(long.body).toMatchObject({ ok: false, code: 'too-large', text: '抱歉，提交的内容过大。' });
    // Both lengths at once: the shape of request smuggling.
    const smuggled = await answer(`POST /api/tickets HTTP/1.1\r\nHost: hub\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`);
    expect(smuggled.head).toMatch(/^HTTP\/1\.1 400/);
    expect(smuggled.body).toMatchObject({ ok: false, code: 'bad-request', text: expect.stringContaining('抱歉') });
    expect((await http(h, '/api/health', { token: null })).status).toBe(200);
  });
});

describe("the citizens' listener", () => {
  it('outlives clients that ask it for a WebSocket and reset their connection at once', async () => {
    const h = await hub({ publicPort: 0 });
    for (let i = 0; i < 100; i++)
      await new Promise<void>((resolve) => {
        const socket = net.connect(h.publicPort!, '127.0.0.1', () => {
          socket.write('GET /m/ HTTP/1.1\r\nHost: hub\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
          setImmediate(() => socket.resetAndDestroy());
        });
        socket.on('error', () => undefined);
        socket.on('close', () => resolve());
      });
    expect((await fetch(`http://127.0.0.1:${h.publicPort}/api/health`)).status).toBe(200);
  });
});

describe('a terminal’s link', () => {
  it('says who it is once: another hello is refused and changes nothing, so that hellos cannot be sent for the hall to be checked and written again', async () => {
    const h = await hub();
    const kiosk = await terminal(h, { role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
    const refused = kiosk.next((m) => m.type === 'error' || m.type === 'welcome');
    kiosk.send({ type: 'hello', protocol: 1, role: 'window', terminal: 'window-3', window: 3, token: TOKEN });
    expect(await refused).toMatchObject({ type: 'error', code: 'bad-request' });
    expect(await kiosk.command({ type: 'callNext', window: 3 })).toMatchObject({ ok: false, code: 'forbidden' });
  });
});

describe('a link that has not said who it is', () => {

  it('is closed when it sends a message over 1 MB, and when it begins one: the hub does not hold it while the rest trickles in', async () => {
    const h = await hub({ limits: { helloTimeoutMs: 60_000 } });
    const whole = await TestTerminal.open(h.wsUrl);
    cleanups.push(() => whole.close());
    const wholeClosed = new Promise<number>((resolve) => whole.ws.once('close', (code) => resolve(code)));
    whole.ws.send(JSON.stringify({ type: 'hello', padding: 'x'.repeat(1024 * 1024) }));
    expect(await wholeClosed).toBe(1009);

    const begun = await TestTerminal.open(h.wsUrl);
    cleanups.push(() => begun.close());
    const socket = (begun.ws as unknown as { _socket: net.Socket })._socket;
    const begunClosed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
    const sent = Date.now();
    socket.write(Buffer.concat([frameHead(2 * 1024 * 1024), Buffer.alloc(64 * 1024)]));
    // Closed as the frame's head arrives, long before the hello timeout (60 s here) would close it.
    expect((await begunClosed) - sent).toBeLessThan(5_000);
    expect(h.terminalCount()).toBe(0);

    // A terminal that has said hello may still send a message of 2 MB: it is told it is too large, not cut off.
    const kiosk = await terminal(h, { role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
    const answer = kiosk.next((m) => m.type === 'error');
    kiosk.ws.send(JSON.stringify({ type: 'ask', id: 'x'.repeat(2 * 1024 * 1024), question: { kind: 'caseProgress', caseNumber: 'SL1' } }));
    expect(await answer).toMatchObject({ type: 'error', code: 'too-large' });
    expect(kiosk.ws.readyState).toBe(WebSocket.OPEN);
  });
});

describe('what a terminal sends that cannot be read', () => {
  it('is refused with the command id it named, so that the terminal can match the refusal', async () => {
    const h = await hub();
    const kiosk = await terminal(h, { role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
    const reply = kiosk.next((m) => m.type === 'error');
    kiosk.send({ type: 'command', command: { id: 'press-bad-0001', type: 'issueTicket', serviceCode: 42 } });
    expect(await reply).toMatchObject({ type: 'error', code: 'bad-request', commandId: 'press-bad-0001' });
  });

  it('over HTTP: a JSON file with a byte-order mark is read; one saved as GBK is refused, not stored as mojibake', async () => {
    const h = await hub();
    const catalogue = { ...demoCatalogue({ allDay: true }), hall: { ...demoCatalogue().hall, name: 'NAME' } };
    const [before, after] = JSON.stringify(catalogue).split('NAME') as [string, string];
    const put = (body: Buffer) => http(h, '/api/catalogue', { method: 'PUT', body: new Uint8Array(body) });
    expect((await put(Buffer.from('\uFEFF' + before + '东城政务中心' + after))).status).toBe(200);
    expect(h.store.view.catalogue.hall.name).toBe('东城政务中心');
    // 政务 in GBK, as Notepad on a Chinese Windows saves "ANSI".
    const refused = await put(Buffer.concat([Buffer.from(before), Buffer.from([0xd5, 0xfe, 0xce, 0xf1]), Buffer.from(after)]));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: 'bad-request', message: expect.stringContaining('not UTF-8') });
    expect(h.store.view.catalogue.hall.name).toBe('东城政务中心');
  });
});

describe('public terminals (H-19)', () => {
  it('get numbers and states: no applicant, however masked, in their events or snapshots; a window’s clerk sees the masked one', async () => {
    const h = await hub();
    await h.store.pins.set('1011', '246810');
    const display = await terminal(h, { role: 'display', terminal: 'screen-1', token: TOKEN });
    const kiosk = await terminal(h, { role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
    const window7 = await terminal(h, { role: 'window', terminal: 'window-7', window: 7, token: TOKEN });
    const t = await kiosk.command({ type: 'issueTicket', serviceCode: 'SJ-QY-SL', lane: 'ordinary' });
    expect(t.ok).toBe(true);
    await window7.command({ type: 'signIn', window: 7, clerk: '1011', pin: '246810' });
    for (const type of ['callNext', 'startService'] as const) await window7.command({ type, window: 7 });
    const recorded = display.next((m) => m.type === 'events' && m.events.some((e) => e.type === 'case.recorded'));
    const outcome = await window7.command({ type: 'recordOutcome', window: 7, serviceCode: 'SJ-QY-SL', outcome: 'accepted', applicant: { name: '王小明', idNumber: '330106198801011234' } });
    expect(outcome.ok).toBe(true);
    await recorded;
    await expect.poll(() => window7.events.some((e) => e.type === 'case.recorded')).toBe(true);
    const late = await terminal(h, { role: 'kiosk', terminal: 'kiosk-2', token: TOKEN });
    const pad = await terminal(h, { role: 'rating-pad', terminal: 'pad-7', window: 7, token: TOKEN });
    for (const seen of [display.events, kiosk.events, late.snapshot, pad.snapshot]) {
      const text = JSON.stringify(seen);
      expect(text).toContain('SL');
      expect(text).not.toContain('"applicant"');
      expect(text).not.toContain('王**');
      expect(text).not.toContain('3301**********1234');
    }
    expect(JSON.stringify(window7.events)).toContain('"applicant":{"name":"王**","idNumber":"3301**********1234"}');
  });

  it('get no clerk’s reason for amending an outcome and no words added to a rating; the window gets both', async () => {
    const h = await hub();
    await h.store.pins.set('1011', '246810');
    const display = await terminal(h, { role: 'display', terminal: 'screen-1', token: TOKEN });
    const kiosk = await terminal(h, { role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
    const window7 = await terminal(h, { role: 'window', terminal: 'window-7', window: 7, token: TOKEN });
    const pad = await terminal(h, { role: 'rating-pad', terminal: 'pad-7', window: 7, token: TOKEN });
    const issued = await kiosk.command({ type: 'issueTicket', serviceCode: 'SJ-QY-SL', lane: 'ordinary' });
    if (!issued.ok || !('ticket' in issued) || !issued.ticket) throw new Error('no ticket issued');
    await window7.command({ type: 'signIn', window: 7, clerk: '1011', pin: '246810' });
    for (const type of ['callNext', 'startService'] as const) await window7.command({ type, window: 7 });
    expect(await window7.command({ type: 'recordOutcome', window: 7, serviceCode: 'SJ-QY-SL', outcome: 'accepted', applicant: { name: '王小明', idNumber: '330106198801011234' } })).toMatchObject({ ok: true });
    const caseNumber = [...h.store.view.cases.values()][0]!.number;
    const amended = display.next((m) => m.type === 'events' && m.events.some((e) => e.type === 'case.amended'));
    expect(await window7.command({ type: 'amendOutcome', window: 7, caseNumber, outcome: 'consultation', amendReason: '误录为受理实为咨询' })).toMatchObject({ ok: true });
    await amended;
    await window7.command({ type: 'finishService', window: 7 });
    const added = display.next((m) => m.type === 'events' && m.events.some((e) => e.type === 'rating.amended'));
    const ticketId = issued.ticket.id;
    expect(await pad.command({ type: 'rate', ticketId, level: 'dissatisfied', aspects: {}, reasons: [], text: '态度冷淡', channel: 'window-pad' })).toMatchObject({ ok: true });
    expect(await pad.command({ type: 'amendRating', ticketId, aspects: {}, reasons: ['服务态度差'], text: '说话很不耐烦' })).toMatchObject({ ok: true });
    await added;
    await expect.poll(() => window7.events.some((e) => e.type === 'rating.amended')).toBe(true);
    // A screen linking now gets a snapshot written now (one written within the last second would come with the events since).
    await new Promise((r) => setTimeout(r, 1100));
    const late = await terminal(h, { role: 'display', terminal: 'screen-2', token: TOKEN });
    expect(late.snapshot!.seq).toBe(h.store.seq);
    for (const seen of [display.events, kiosk.events, pad.events, late.snapshot]) {
      const text = JSON.stringify(seen);
      expect(text).toContain(caseNumber);
      for (const words of ['误录为受理实为咨询', '态度冷淡', '不耐烦', '王**']) expect(text).not.toContain(words);
    }
    const clerk = JSON.stringify(window7.events);
    for (const words of ['误录为受理实为咨询', '态度冷淡', '说话很不耐烦']) expect(clerk).toContain(words);
  });
});

describe("the citizens' pages", () => {
  it.each(['/q/', '/rate/', '/q/a/b', '/rate/x/y', '/q', '/rating/x'])('answer %s (404), and never leave it hanging', async (route) => {
    const h = await hub();
    const res = await fetch(h.url + route, { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(404);
  });

  it('answer an oversized rating form with 413, a wrong method with 405', async () => {
    const h = await hub();
    const form = await fetch(`${h.url}/rate/2026-11-27-A001?e=zzzzzz&s=x`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `level=satisfied&text=${'长'.repeat(20_000)}` });
    // A forged link is refused before its form is read: 403, cleanly answered.
    expect([403, 413]).toContain(form.status);
    const ticket = await (await http(h, '/api/tickets', { method: 'POST', body: JSON.stringify({ serviceCode: 'GA-SFZ-HL' }) })).json();
    const progress = h.store.links.path('q', ticket.ticket.id, Date.now() + 60_000);
    const big = await fetch(h.url + progress.replace('/q/', '/rate/').replace(/s=[\w-]+/, 's=x'), { method: 'POST', body: 'x' });
    expect(big.status).toBe(403);
    const link = h.store.links.path('rate', ticket.ticket.id, Date.now() + 60_000);
    const oversized = await fetch(h.url + link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `level=satisfied&text=${'长'.repeat(20_000)}` });
    expect(oversized.status).toBe(413);
    expect(await oversized.text()).toContain('内容过长');
    const put = await fetch(h.url + link, { method: 'PUT', body: 'level=satisfied' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, POST');
    expect((await fetch(h.url + progress, { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('take a few complaints from one address, not a flood of supervisors’ cases at the pace pages are read (H-15)', async () => {
    const h = await hub();
    const complain = () =>
      fetch(`${h.url}/complain`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ once: randomUUID(), text: '等候时间太长' }) });
    for (let i = 0; i < DEFAULT_LIMITS.complaints.burst; i++) expect((await complain()).status).toBe(200);
    const refused = await complain();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(await refused.text()).toContain('12345');
    expect(h.store.casework.complaints(false).length).toBe(DEFAULT_LIMITS.complaints.burst);
  });

  it('believe X-Forwarded-For only from the proxies the hall names: another client cannot claim a new address at each request and pass the limits kept per address', async () => {
    const h = await hub({ trustProxy: proxyTrustFrom('127.0.0.2') });
    const { port } = new URL(h.url);
    const complain = (from: string, claimed: string) =>
      new Promise<number>((resolve, reject) => {
        const body = new URLSearchParams({ once: randomUUID(), text: '等候时间太长' }).toString();
        const req = nodeHttp.request(
          { host: '127.0.0.1', port: Number(port), localAddress: from, path: '/complain', method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': claimed, connection: 'close' } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode!));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const burst = DEFAULT_LIMITS.complaints.burst;
    // A client on the hall's network that names a new address each time is counted by its own.
    for (let i = 0; i < burst; i++) expect(await complain('127.0.0.1', `10.9.0.${i}`)).toBe(200);
    expect(await complain('127.0.0.1', '10.9.0.99')).toBe(429);
    // The proxy named: its clients, each by the address it adds, none refused for the others' complaints.
    for (let i = 0; i <= burst; i++) expect(await complain('127.0.0.2', `10.8.0.${i}`)).toBe(200);
    expect(h.store.casework.complaints(false).length).toBe(2 * burst + 1);
  });
});

describe('a trusted proxy that adds the port to the address it forwards (IIS ARR does, by default)', () => {
  it('counts its clients by their address, not by address and port: a client does not pass the limits by opening a new connection each time', async () => {
    const h = await hub({ trustProxy: proxyTrustFrom('127.0.0.1') });
    const complain = (claimed: string) =>
      fetch(`${h.url}/complain`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': claimed },
        body: new URLSearchParams({ once: randomUUID(), text: '等候时间太长' }),
      }).then(async (r) => (await r.text(), r.status));
    const burst = DEFAULT_LIMITS.complaints.burst;
    for (const [client, port] of [['10.9.0.7', (i: number) => `10.9.0.7:${40_000 + i}`], ['2001:db8:5:9::7', (i: number) => `[2001:db8:5:9::7]:${40_000 + i}`]] as const) {
      for (let i = 0; i < burst; i++) expect(await complain(port(i)), client).toBe(200);
      expect(await complain(port(burst)), client).toBe(429);
      expect(await complain(client), client).toBe(429);
    }
  });
});

describe('console sign-ins from one IPv6 network', () => {
  it('count against one lock, as the other limits count a phone by its /64: a client cannot take a new address in it at each guess and never be locked', { timeout: 60_000 }, async () => {
    const h = await hub({ trustProxy: proxyTrustFrom('127.0.0.1') });
    const signIn = (id: string, from: string) =>
      fetch(`${h.url}/api/console/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': from }, body: JSON.stringify({ id, password: 'not-the-password' }) }).then(async (r) => (await r.json()) as { code: string });
    // A guess for another account each time (no account locks), from another address of one /64 each time.
    for (let i = 1; i <= FREE_FAILURES.address - 1; i++) expect((await signIn(`guess-${i}`, `2001:db8:5:7::${i}`)).code).toBe('unauthorised');
    expect((await signIn('guess-last', '2001:db8:5:7:ab::1')).code).toBe('unauthorised');
    expect((await signIn('guess-next', '2001:db8:5:7:cd::2')).code).toBe('locked');
    // Another network (another household, another office) is not locked by it.
    expect((await signIn('guess-other', '2001:db8:5:8::1')).code).toBe('unauthorised');
  });
});

describe("phones' live streams from one IPv6 network", () => {
  it('count against one cap, as the rates count a phone by its /64, and are given back when the streams close', async () => {
    const h = await hub({ trustProxy: proxyTrustFrom('127.0.0.1'), limits: { phone: { ...DEFAULT_LIMITS.phone, streamsPerAddress: 2 } } });
    const ticket = await (await http(h, '/api/tickets', { method: 'POST', body: JSON.stringify({ serviceCode: 'GA-SFZ-HL' }) })).json();
    const watchPath = `/api/phone/tickets/${h.store.refs.ofTicket(ticket.ticket.id)}/watch`;
    const open: AbortController[] = [];
    cleanups.push(() => open.forEach((c) => c.abort()));
    const watch = async (from: string) => {
      const c = new AbortController();
      open.push(c);
      const res = await fetch(h.url + watchPath, { headers: { 'x-forwarded-for': from }, signal: c.signal });
      if (res.status !== 200) await res.text();
      return { status: res.status, close: () => c.abort() };
    };
    const first = await watch('2001:db8:9:9::1');
    expect(first.status).toBe(200);
    expect((await watch('2001:db8:9:9::2')).status).toBe(200);
    // A third address of the same /64 is the same phone (or household) taking a new address: refused.
    expect((await watch('2001:db8:9:9:1::3')).status).toBe(429);
    expect((await watch('2001:db8:9:a::1')).status).toBe(200);
    first.close();
    await expect.poll(async () => (await watch('2001:db8:9:9::4')).status, { timeout: 10_000 }).toBe(200);
  });
});

describe("phones' long polls from one address", () => {
  it('give their places back and end as soon as the phones go (their connections closed), not when the polls would have ended: new phones get in at once', { timeout: 60_000 }, async () => {
    // Polls that wait a minute for a change: a place kept until then would refuse the next phones for that long.
    const h = await hub({ limits: { phone: { ...DEFAULT_LIMITS.phone, streamsPerAddress: 2, pollMs: 60_000 } } });
    const ticket = await (await http(h, '/api/tickets', { method: 'POST', body: JSON.stringify({ serviceCode: 'GA-SFZ-HL' }) })).json();
    const ticketPath = `/api/phone/tickets/${h.store.refs.ofTicket(ticket.ticket.id)}`;
    const { version } = await (await fetch(h.url + ticketPath)).json();
    const open: AbortController[] = [];
    cleanups.push(() => open.forEach((c) => c.abort()));
    /** A long poll waiting for the next change; its status once it is refused (polls let in wait the minute). */
    const poll = () => {
      const c = new AbortController();
      open.push(c);
      const status = fetch(`${h.url}${ticketPath}?after=${version}`, { signal: c.signal }).then(
        async (res) => {
          await res.text();
          return res.status;
        },
        () => 0,
      );
      return { status, leave: () => c.abort() };
    };
    const settled = async (p: Promise<number>) => Promise.race([p, new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), 1500))]);
    const first = poll();
    const second = poll();
    expect(await settled(first.status)).toBe('waiting');
    expect(await settled(second.status)).toBe('waiting');
    // The address's two places are held: a third phone is turned away.
    expect(await poll().status).toBe(429);
    expect(h.phonesPolling()).toBe(2);
    // Both phones go (the page closed, the phone out of range): their polls are ended, nothing of them held for the minute,
    // and their places are free again.
    first.leave();
    second.leave();
    await expect.poll(() => h.phonesPolling()).toBe(0);
    await expect.poll(async () => settled(poll().status), { timeout: 15_000, interval: 200 }).toBe('waiting');
    expect(await settled(poll().status)).toBe('waiting');
    expect(await poll().status).toBe(429);
  });
});

describe("phones following their numbers from one address through the citizens' listener", () => {
  it('hold at most a quarter of its connections with streams and long polls together: the rest are refused 429 with Retry-After, and another address is served', { timeout: 60_000 }, async () => {
    const warned: string[] = [];
    const h = await hub({ publicPort: 0, limits: { connections: 40 }, warn: (line) => void warned.push(line) });
    // The default cap of an address (1,024) is above this hub's quarter: lowered to it, and said.
    expect(warned.some((l) => l.includes('phone.streamsPerAddress') && l.includes('1024') && l.includes('10'))).toBe(true);
    const ticket = await (await http(h, '/api/tickets', { method: 'POST', body: JSON.stringify({ serviceCode: 'GA-SFZ-HL' }) })).json();
    const ref = h.store.refs.ofTicket(ticket.ticket.id);
    const citizens = `http://127.0.0.1:${h.publicPort}/api/phone/tickets/${ref}`;
    const open: AbortController[] = [];
    cleanups.push(() => open.forEach((c) => c.abort()));
    const ask = (path: string, from: string) => {
      const c = new AbortController();
      open.push(c);
      return fetch(citizens + path, { headers: { 'x-forwarded-for': from, 'accept-language': 'zh-CN' }, signal: c.signal });
    };
    const { version } = await (await ask('', '203.0.113.7')).json();
    const answers: Response[] = [];
    const stream = await ask('/watch', '203.0.113.7');
    expect(stream.status).toBe(200);
    for (let i = 0; i < 40; i++) void ask(`?after=${version}`, '203.0.113.7').then((res) => answers.push(res), () => undefined);
    // One stream and nine long polls wait for a change; the other 31 polls are answered at once.
    await expect.poll(() => answers.length, { timeout: 20_000 }).toBe(31);
    const refused = answers[0]!;
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ code: 'rate-limited', text: expect.stringMatching(/[\u4e00-\u9fff]/) });
    expect((await ask('/watch', '203.0.113.7')).status).toBe(429);
    // Another phone, behind another address, still follows its number.
    expect((await ask('', '198.51.100.20')).status).toBe(200);
    const other = await ask('/watch', '198.51.100.20');
    expect(other.status).toBe(200);
    // The places are given back as the polls end: the stream closed, one more is taken.
    open[1]!.abort();
    await expect.poll(async () => (await ask('/watch', '203.0.113.7')).status, { timeout: 10_000 }).toBe(200);
  });
});

describe('SERVICEHALL_TRUST_PROXY', () => {
  it('names the proxies by their addresses; 1 believes any client (the hub warns of it); a name that is no address is refused', () => {
    expect(proxyTrustFrom(undefined)).toBe(false);
    expect(proxyTrustFrom('')).toBe(false);
    expect(proxyTrustFrom('1')).toBe(true);
    expect(proxyTrustFrom(' 192.168.1.2, ::ffff:10.0.0.5 ,::1')).toEqual(['192.168.1.2', '10.0.0.5', '::1']);
    expect(() => proxyTrustFrom('192.168.1.2,proxy.hall.local')).toThrow('not "proxy.hall.local"');
    expect(trustedProxy(['10.0.0.5'], '::ffff:10.0.0.5')).toBe(true);
    expect(trustedProxy(['10.0.0.5'], '10.0.0.6')).toBe(false);
    expect(trustedProxy(true, '10.0.0.6')).toBe(true);
    expect(trustedProxy(false, '10.0.0.5')).toBe(false);
  });
});

describe('files of the hall', () => {
  const mode = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

  it('are made readable by their owner only, and put right at start when they are not', async () => {
    const dir = tempDir();
    const h = await startHub({ dataDir: dir, seed: demoCatalogue({ allDay: true }), warn: () => undefined });
    await http(h, '/api/health', { token: null });
    expect(h.tokenCreated).toBe(true);
    for (const f of ['hall.db', 'hall.db-wal', 'admin-token', 'hall.key']) expect(mode(path.join(dir, f)), f).toBe('600');
    expect(mode(dir)).toBe('700');
    await h.close();
    for (const f of ['hall.db', 'admin-token', 'hall.key']) fs.chmodSync(path.join(dir, f), 0o644);
    const warnings: string[] = [];
    const again = await startHub({ dataDir: dir, warn: (m) => warnings.push(m) });
    cleanups.push(() => again.close());
    expect(again.tokenCreated).toBe(false);
    for (const f of ['hall.db', 'admin-token', 'hall.key']) expect(mode(path.join(dir, f)), f).toBe('600');
    expect(warnings.join('\n')).toMatch(/admin-token was readable by others \(mode 644\)/);
  });

  it.each([
    ['', '是空的', 'is empty'],
    ['short-token', '太短（11 个字符', 'is too short'],
    ['aaaaaaaaaaaaaaaaaaaaaaaa', '太弱', 'is too weak'],
    ['two-lines-of-token\nsecond-line-here', '不止一行', 'more than one line'],
    ['token with some spaces in it', '空格', 'spaces'],
    ['令牌令牌令牌令牌令牌令牌令牌令牌', 'ASCII 字母、数字和标点以外', 'characters other than ASCII'],
  ])('refuse a hall token %j with a message in Chinese (%s) and English (%s)', (token, zh, en) => {
    expect(tokenProblem(token)?.['zh-CN']).toContain(zh);
    expect(tokenProblem(token)?.en).toContain(en);
  });

  it('refuse a weak or binary token at start, whether given or stored', async () => {
    // The problem in Chinese in the Chinese line, in English in the English one.
    await expect(startHub({ dataDir: tempDir(), token: 'test-token', seed: demoCatalogue() })).rejects.toThrow(/SERVICEHALL_TOKEN 中的大厅令牌不能使用（太短（10 个字符，至少 16 个））[^\n]*\nThe hall token given in SERVICEHALL_TOKEN is too short/);
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'admin-token'), Buffer.from([0x61, 0x00, 0xff, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70]), { mode: 0o600 });
    await expect(startHub({ dataDir: dir, seed: demoCatalogue() })).rejects.toThrow(/admin-token 中的大厅令牌不能使用（含有二进制数据）[^\n]*\nThe hall token given in \S+admin-token holds binary data/);
    // Refused like a clean stop: the next start has no crash to check for.
    expect(fs.existsSync(path.join(dir, 'hub.running'))).toBe(false);
  });

  it('refuse a data folder that cannot be made, in both languages', async () => {
    const file = path.join(tempDir(), 'hall-data');
    fs.writeFileSync(file, 'a file, not a folder');
    for (const dataDir of [file, path.join(file, 'data')])
      await expect(startHub({ dataDir, token: TOKEN, seed: demoCatalogue(), warn: () => undefined })).rejects.toThrow(/数据文件夹 .* 无法创建或写入[^]*The data folder .* cannot be made or written to/);
  });

  it('refuse an empty hall.db where a hall was before, instead of issuing A001 again', async () => {
    const h = await hub();
    await http(h, '/api/tickets', { method: 'POST', body: JSON.stringify({ serviceCode: 'GA-SFZ-HL' }) });
    await h.close();
    cleanups.pop();
    for (const f of ['hall.db-wal', 'hall.db-shm']) fs.rmSync(path.join(h.dir, f), { force: true });
    fs.truncateSync(path.join(h.dir, 'hall.db'), 0);
    await expect(startHub({ dataDir: h.dir, token: TOKEN, seed: demoCatalogue({ allDay: true }) })).rejects.toThrow(/是空文件（0 字节）[^]*hall\.db is empty \(0 bytes\) but this folder held a hall before \(hall\.key\)/);
  });
});

describe('applicant data at rest', () => {
  async function recordApplicant(h: RunningHub): Promise<string> {
    await h.store.pins.set('1011', '246810');
    const window7 = await terminal(h, { role: 'window', terminal: 'window-7', window: 7, token: TOKEN });
    await http(h, '/api/tickets', { method: 'POST', body: JSON.stringify({ serviceCode: 'SJ-QY-SL' }) });
    await window7.command({ type: 'signIn', window: 7, clerk: '1011', pin: '246810' });
    for (const type of ['callNext', 'startService'] as const) await window7.command({ type, window: 7 });
    expect(await window7.command({ type: 'recordOutcome', window: 7, serviceCode: 'SJ-QY-SL', outcome: 'accepted', applicant: { name: '王小明', idNumber: '330106198801011234', phone: '13800138000' } })).toMatchObject({ ok: true });
    return [...h.store.view.cases.keys()][0]!;
  }

  it('is sealed with the hall key: a copied hall.db reveals no name, ID number or phone', async () => {
    const h = await hub();
    const number = await recordApplicant(h);
    await h.close();
    cleanups.pop();
    const bytes = Buffer.concat(['hall.db', 'hall.db-wal'].filter((f) => fs.existsSync(path.join(h.dir, f))).map((f) => fs.readFileSync(path.join(h.dir, f))));
    for (const secret of ['王小明', '330106198801011234', '13800138000']) expect(bytes.includes(Buffer.from(secret)), secret).toBe(false);
    // With the key, the hub reads it back (and logs the reading).
    const again = await hub({ dataDir: h.dir });
    expect(again.store.applicantOf(number, 'test', 'supervision')).toEqual({ name: '王小明', idNumber: '330106198801011234', phone: '13800138000' });
  });

  it('refuses to start with another hall key, or without the one it was sealed with', async () => {
    const h = await hub();
    await recordApplicant(h);
    await h.close();
    cleanups.pop();
    const key = fs.readFileSync(path.join(h.dir, 'hall.key'));
    fs.rmSync(path.join(h.dir, 'hall.key'));
    await expect(startHub({ dataDir: h.dir, token: TOKEN })).rejects.toThrow(/大厅密钥 .* 不见了[^]*hall key .* is missing, and this database was sealed with it/);
    expect(fs.existsSync(path.join(h.dir, 'hall.key'))).toBe(false);
    const other = path.join(tempDir(), 'other.key');
    await expect(startHub({ dataDir: h.dir, token: TOKEN, keyFile: other })).rejects.toThrow(/大厅密钥 .* 不见了/);
    fs.writeFileSync(other, 'ab'.repeat(32) + '\n', { mode: 0o600 });
    await expect(startHub({ dataDir: h.dir, token: TOKEN, keyFile: other })).rejects.toThrow(/不配套[^]*does not belong to this database/);
    fs.writeFileSync(path.join(h.dir, 'hall.key'), key, { mode: 0o600 });
    const back = await hub({ dataDir: h.dir });
    expect(back.store.seq).toBeGreaterThan(0);
  });

  it('is read by a signed-in staff member under their own name in the access log, which a supervisor reads', async () => {
    const h = await hub();
    const number = await recordApplicant(h);
    const admin = new TestConsole(h.url);
    expect((await admin.request('POST', '/api/console/first-admin', { setupCode: h.setupCode, id: 'admin', name: '王管理', password: 'first-admin-pass-1' })).status).toBe(201);
    expect((await admin.login('admin', 'first-admin-pass-1')).status).toBe(200);
    expect((await admin.request('GET', `/api/cases/${number}/applicant?purpose=supervision`)).body).toMatchObject({ name: '王小明' });
    const log = await admin.request<{ records: { who: string; purpose: string }[] }>('GET', `/api/personal-data-access?case=${number}`);
    expect(log.body.records).toEqual([{ at: expect.any(Number), who: 'staff admin (王管理, administrator) from 127.0.0.1', caseNumber: number, purpose: 'supervision', staffId: 'admin' }]);
  });

  it('kept in a key file apart from the data folder when the hall says where', async () => {
    const keyFile = path.join(tempDir(), 'keys', 'hall.key');
    const h = await hub({ keyFile });
    expect(fs.existsSync(keyFile)).toBe(true);
    expect(fs.existsSync(path.join(h.dir, 'hall.key'))).toBe(false);
  });

  it('named wrongly (a folder, another file) is refused in both languages and left with its mode as it was', async () => {
    const folder = tempDir();
    fs.chmodSync(folder, 0o755);
    const other = path.join(folder, 'notes.txt');
    fs.writeFileSync(other, 'not a key\n', { mode: 0o644 });
    for (const keyFile of [folder, other]) {
      await expect(startHub({ dataDir: tempDir(), token: TOKEN, seed: demoCatalogue(), keyFile, warn: () => undefined })).rejects.toThrow(/不是大厅密钥文件[^]*is not a hall key file/);
      expect((fs.statSync(keyFile).mode & 0o777).toString(8)).toBe(keyFile === folder ? '755' : '644');
    }
  });
});

describe('a data folder removed under the running hub', () => {
  it('answers nothing more as done, says so in Chinese and English, and saves every answered ticket where the database was', { timeout: 60_000 }, async () => {
    const h = await hub();
    const lines: { level: string; msg: string; saved?: string }[] = [];
    cleanups.push(useLogger(createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } })));
    const issue = () => http(h, '/api/tickets', { method: 'POST', body: JSON.stringify({ serviceCode: 'GA-SFZ-HL' }) });
    expect((await issue()).status).toBe(201);
    expect((await issue()).status).toBe(201);
    fs.rmSync(h.dir, { recursive: true, force: true });
    // The first is told not recorded (safe to send again), the rest are refused as on a full disk, with its polite text.
    expect((await issue()).status).toBe(500);
    const refused = await issue();
    expect(refused.status).toBe(507);
    expect(await refused.json()).toMatchObject({ code: 'disk-full', text: expect.stringContaining('请到服务台人工办理') });
    await expect.poll(() => lines.find((l) => l.saved), { timeout: 20_000 }).toBeDefined();
    const said = lines.find((l) => l.saved)!;
    expect(said.saved).toBe(path.join(h.dir, 'hall.db'));
    expect(said.msg).toMatch(/^大厅数据库 .*hall\.db 在主机运行时被删除或移走了.*\nThe hall database .*hall\.db was removed or moved while the hub ran/s);
    const saved = new Database(said.saved!, { readonly: true });
    cleanups.push(() => saved.close());
    expect(saved.pragma('quick_check', { simple: true })).toBe('ok');
    const numbers = (saved.prepare('SELECT number FROM tickets ORDER BY number').all() as { number: string }[]).map((r) => r.number);
    expect(numbers.slice(0, 2)).toEqual(['A001', 'A002']);
  });
});

describe('a full disk', () => {
  it('answers 507 with its own code and polite text, says so once, and recovers when space returns', async () => {
    const h = await hub();
    const errors: string[] = [];
    cleanups.push(useLogger(createLogger({ level: 'info', destination: { write: (line: string) => void errors.push(line) } })));
    h.store.limitSize(h.store.sizeBytes());
    const statuses: number[] = [];
    let last: { code?: string; text?: string } = {};
    for (let i = 0; i < 60 && !statuses.includes(507); i++) {
      const res = await http(h, '/api/tickets', { method: 'POST', body: JSON.stringify({ serviceCode: 'GA-SFZ-HL', lane: 'priority', priorityReason: 'elderly' }) });
      statuses.push(res.status);
      last = await res.json();
    }
    expect(statuses.at(-1)).toBe(507);
    expect(last).toMatchObject({ code: 'disk-full', text: expect.stringContaining('存储空间不足') });
    const issued = statuses.filter((s) => s === 201).length;
    for (let i = 0; i < 5; i++) expect((await http(h, '/api/tickets', { method: 'POST', body: JSON.stringify({ serviceCode: 'GA-SFZ-HL' }) })).status).toBe(507);
    expect(errors.filter((e) => /disk is full/.test(e))).toHaveLength(1);
    expect(errors.filter((e) => /request failed|a command failed/.test(e))).toEqual([]);
    // Space comes back: after the retry interval the hub writes again, and says so once.
    h.store.limitSize(undefined);
    await expect.poll(async () => (await http(h, '/api/tickets', { method: 'POST', body: JSON.stringify({ serviceCode: 'GA-SFZ-HL' }) })).status, { timeout: 10_000, interval: 500 }).toBe(201);
    expect(errors.filter((e) => /can write again/.test(e))).toHaveLength(1);
    expect([...h.store.view.tickets.values()]).toHaveLength(issued + 1);
  });

  it('that takes no writes at all (remounted read-only, a quota, a file size limit) is refused as a full disk, said once in Chinese and English, and left by itself once it takes them', { timeout: 60_000 }, async () => {
    const h = await hub();
    const lines: { level: string; msg: string }[] = [];
    cleanups.push(useLogger(createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } })));
    const kiosk = await terminal(h, { role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
    const issue = () => http(h, '/api/tickets', { method: 'POST', body: JSON.stringify({ serviceCode: 'GA-SFZ-HL' }) });
    const before = await issue();
    expect(before.status).toBe(201);
    // The hub's first beat (every 250 ms) has kept its list of terminals served: else that write, too, meets the disk refusing (said apart, replication.ts).
    const kept = new Database(path.join(h.dir, 'hall.db'), { readonly: true });
    await expect.poll(() => kept.prepare("SELECT 1 FROM hall WHERE key = 'served_terminals'").get(), { timeout: 5_000 }).toBeDefined();
    kept.close();
    // Every write of this process to a file fails (RLIMIT_FSIZE 0: EFBIG), as on a disk remounted read-only (EROFS).
    const fsize = (limit: string) => execFileSync('prlimit', [`--pid=${process.pid}`, `--fsize=${limit}:unlimited`]);
    fsize('0');
    cleanups.push(() => fsize('unlimited'));
    const refused = await issue();
    expect(refused.status).toBe(507);
    expect(await refused.json()).toMatchObject({ code: 'disk-full', text: expect.stringContaining('暂时无法记录') });
    expect(await kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' })).toMatchObject({ ok: false, code: 'disk-full' });
    fsize('unlimited');
    await expect.poll(async () => (await issue()).status, { timeout: 20_000, interval: 500 }).toBe(201);
    const said = lines.filter((l) => l.level === 'error' || l.level === 'warn').map((l) => l.msg);
    // (The checkpoint worker's own word, that the hub's connection checkpoints instead, is said once too.)
    expect(said.filter((m) => !m.startsWith('the checkpoint worker stopped'))).toEqual([expect.stringMatching(/^磁盘拒绝写入（SQLITE_IOERR_WRITE）：大厅数据库 .*hall\.db 写不进去，主机拒绝命令.*\nThe hub's disk refuses writes \(SQLITE_IOERR_WRITE\): the hall database/s), expect.stringMatching(/^大厅数据库又能写入了.*\nThe hub can write again/s)]);
    const numbers = [...h.store.view.tickets.values()].map((t) => t.number);
    expect(numbers).toEqual(['A001', 'A002']);
    const db = new Database(path.join(h.dir, 'hall.db'), { readonly: true });
    cleanups.push(() => db.close());
    expect(db.pragma('quick_check', { simple: true })).toBe('ok');
  });
});

describe('listening beyond this machine', () => {
  it('is refused without TLS unless the hall says so on purpose', async () => {
    await expect(startHub({ dataDir: tempDir(), token: TOKEN, host: '0.0.0.0', seed: demoCatalogue() })).rejects.toThrow(/^主机不会在 0\.0\.0\.0 上不加密（没有 TLS）地监听[^]*SERVICEHALL_ALLOW_INSECURE=1。\nThe hub would listen on 0\.0\.0\.0 without TLS/);
    const warnings: string[] = [];
    const h = await hub({ host: '0.0.0.0', allowInsecure: true, warn: (m) => warnings.push(m) });
    expect(h.url).toMatch(/^http:/);
    expect(warnings.join('\n')).toMatch(/WITHOUT TLS/);
  });

  it('says in both languages when its port is taken or its address is none of this machine’s, and leaves its data folder as after a clean stop', async () => {
    const first = await hub();
    const dir = tempDir();
    await expect(startHub({ dataDir: dir, token: TOKEN, seed: demoCatalogue(), port: first.port, warn: () => undefined })).rejects.toThrow(/主机无法在 127\.0\.0\.1 的端口 \d+ 上监听[^]*cannot listen on 127\.0\.0\.1 port/);
    expect(fs.existsSync(path.join(dir, 'hub.running'))).toBe(false);
    await expect(startHub({ dataDir: dir, token: TOKEN, host: 'no-such-host.invalid', allowInsecure: true, warn: () => undefined })).rejects.toThrow(/主机无法在 no-such-host\.invalid 的端口/);
  });

  it('refuses, before it opens the database, a certificate that is not PEM or a key not of its certificate', async () => {
    const { initTls } = await import('./init-tls');
    const tlsDir = path.join(tempDir(), 'tls-made');
    await initTls(tlsDir, { names: ['127.0.0.1'] });
    const garbage = path.join(tlsDir, 'garbage.pem');
    fs.writeFileSync(garbage, 'not a certificate\n');
    for (const files of [{ cert: garbage, key: garbage }, { cert: path.join(tlsDir, 'tls', 'hub.crt'), key: path.join(tlsDir, 'tls', 'ca.key') }]) {
      const dataDir = tempDir();
      await expect(startHub({ dataDir, token: TOKEN, seed: demoCatalogue(), tls: files, warn: () => undefined })).rejects.toThrow(/的证书 .* 不能使用[^]*certificate .* cannot be used/);
      expect(fs.readdirSync(dataDir)).toEqual([]);
    }
    // A file named wrongly in SERVICEHALL_TLS_CERT: a refusal in both languages (exit code 78), not a crash the service restarts in a loop.
    const dataDir = tempDir();
    const missing = startHub({ dataDir, token: TOKEN, seed: demoCatalogue(), tls: { cert: path.join(tlsDir, 'tls', 'hub.cert'), key: path.join(tlsDir, 'tls', 'hub.key') }, warn: () => undefined });
    await expect(missing).rejects.toThrow(/^主机的 TLS 证书 .*hub\.cert 无法读取（ENOENT）。请运行 npm run hub -- init-tls[^]*\nThe hub's TLS certificate .*hub\.cert cannot be read \(ENOENT\)/);
    await expect(missing).rejects.toBeInstanceOf(HubRefusal);
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it('over TLS, closes and stops counting connections whose handshake fails or never comes, though their client reads nothing', async () => {
    const { initTls } = await import('./init-tls');
    const dir = tempDir();
    await initTls(dir, { names: ['127.0.0.1'] });
    const h = await hub({ dataDir: dir, host: '0.0.0.0', limits: { headersTimeoutMs: 300 } });
    const port = Number(new URL(h.url).port);
    for (const bytes of ['GET /api/health HTTP/1.1\r\nHost: hub\r\n\r\n', Buffer.from([0x17, 0x03, 0x03, 0x00, 0x01, 0x00]), undefined]) {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      cleanups.push(() => socket.destroy());
      await expect.poll(() => h.connectionCount()).toBe(1);
      if (bytes) socket.write(bytes);
      // Held open until such a client went away, each filled a place of its address's and the hub's caps.
      await expect.poll(() => h.connectionCount(), { timeout: 3_000 }).toBe(0);
    }
  });

  it('serves HTTPS and WSS from the files init-tls made, and a client trusting the hall CA reaches it', async () => {
    const { initTls } = await import('./init-tls');
    const dir = tempDir();
    const made = await initTls(dir, { names: ['127.0.0.1'] });
    expect(made.caCreated).toBe(true);
    // The fingerprints an office PC compares before it trusts ca.crt, as openssl and Windows compute them from the file.
    const { X509Certificate } = await import('node:crypto');
    const written = new X509Certificate(fs.readFileSync(path.join(dir, 'tls', 'ca.crt')));
    expect(made.caFingerprint).toEqual({ sha1: written.fingerprint, sha256: written.fingerprint256 });
    expect(made.caFingerprint.sha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    for (const f of ['ca.key', 'hub.key']) expect((fs.statSync(path.join(dir, 'tls', f)).mode & 0o777).toString(8)).toBe('600');
    const h = await hub({ dataDir: dir, host: '0.0.0.0' });
    expect(h.url).toMatch(/^https:/);
    const ca = fs.readFileSync(path.join(dir, 'tls', 'ca.crt'));
    const https = await import('node:https');
    const body = await new Promise<string>((resolve, reject) =>
      https.get(`${h.url}/api/health`, { ca }, (res) => {
        let b = '';
        res.on('data', (d) => (b += d));
        res.on('end', () => resolve(b));
      }).on('error', reject),
    );
    expect(JSON.parse(body)).toMatchObject({ ok: true });
    // The caps hold over TLS too: beyond them a connection gets the polite 503 once its handshake is done.
    const capped = await hub({ host: '0.0.0.0', tls: { cert: path.join(dir, 'tls', 'hub.crt'), key: path.join(dir, 'tls', 'hub.key') }, limits: { connectionsPerAddress: 1 } });
    const held = await new Promise<tlsModule.TLSSocket>((resolve) => {
      const s = tlsModule.connect({ host: '127.0.0.1', port: Number(new URL(capped.url).port), ca }, () => resolve(s));
    });
    cleanups.push(() => held.destroy());
    const over = await new Promise<number>((resolve, reject) => https.get(`${capped.url}/api/health`, { ca, agent: false }, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject));
    expect(over).toBe(503);
    // A second init-tls keeps the CA (terminals keep trusting it) and makes a new hub certificate.
    const caBefore = fs.readFileSync(path.join(dir, 'tls', 'ca.crt'), 'utf8');
    expect((await initTls(dir, { names: ['127.0.0.1', 'hub.hall.local'] })).caCreated).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'tls', 'ca.crt'), 'utf8')).toBe(caBefore);
  });
});
