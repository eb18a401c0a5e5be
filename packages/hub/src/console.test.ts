import type { CommandBody } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startHub, type RunningHub } from './server';
import { FREE_FAILURES, hashPassword, SETUP_CODE_TRIES } from './staff';
import { FEEDS_PER_STAFF } from './console-api';
import { TestConsole } from './testing/console';
import { TestTerminal } from './testing/terminal';
import { hubCommandLine } from './testing/hub-process';

const TOKEN = 'hall-token-for-console-tests';
let hubs: RunningHub[] = [];
let dirs: string[] = [];
const terminals: TestTerminal[] = [];
let now = Date.parse('2026-11-27T09:00:00+08:00');

async function hall(options: { seed?: boolean; sweepMs?: number; keepAliveMs?: number; heartbeatMs?: number } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-console-'));
  dirs.push(dir);
  const hub = await startHub({
    dataDir: dir,
    token: TOKEN,
    clock: () => now,
    ...(options.seed ? { seed: demoCatalogue({ allDay: true }) } : {}),
    ...(options.sweepMs ? { ratingSweepMs: options.sweepMs } : {}),
    ...(options.keepAliveMs ? { consoleKeepAliveMs: options.keepAliveMs } : {}),
    ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
  });
  hubs.push(hub);
  return hub;
}

async function admin(hub: RunningHub): Promise<TestConsole> {
  const c = new TestConsole(hub.url);
  expect((await c.request('POST', '/api/console/first-admin', { setupCode: hub.setupCode, id: 'admin', name: '王管理', password: 'first-admin-pass-1' })).status).toBe(201);
  expect((await c.login('admin', 'first-admin-pass-1')).status).toBe(200);
  return c;
}

/** A staff account made by the administrator, signed in, its one-time password changed. */
async function staffMember(hub: RunningHub, by: TestConsole, id: string, role: string, department?: string): Promise<TestConsole> {
  const made = await by.request('POST', '/api/staff', { id, name: id, role, ...(department ? { department } : {}) });
  expect(made.status).toBe(201);
  const c = new TestConsole(hub.url);
  await c.login(id, String(made.body.password));
  expect((await c.request('POST', '/api/console/password', { current: made.body.password, next: `${id}-own-pass-9` })).status).toBe(200);
  return c;
}

/** A sign-in sent from another address of this machine (another PC on the hall's LAN, as the hub sees it). */
function signInFrom(localAddress: string, base: string, id: string, password: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ id, password });
    const req = http.request(`${base}/api/console/login`, { method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function terminal(hub: RunningHub) {
  const t = await TestTerminal.open(hub.wsUrl);
  terminals.push(t);
  return t;
}

afterEach(async () => {
  for (const t of terminals.splice(0)) t.close();
  for (const h of hubs) await h.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  hubs = [];
  dirs = [];
  now = Date.parse('2026-11-27T09:00:00+08:00');
});

describe('a hub on an empty data folder', () => {
  it('starts unconfigured: the console says so, terminals are told politely, and the first administrator needs the setup code', async () => {
    const hub = await hall();
    const status = await new TestConsole(hub.url).request('GET', '/api/console/status');
    // The hub's clock and the hall's zone, by which the console shows times before sign-in (a lock's end).
    expect(status.body).toMatchObject({ configured: false, needsFirstAdmin: true, timeZone: 'Asia/Shanghai', hubTime: now });
    expect(hub.setupCode).toMatch(/^\d{8}$/);

    const kiosk = await terminal(hub);
    const reply = kiosk.next((m) => m.type === 'welcome' || m.type === 'error');
    kiosk.send({ type: 'hello', protocol: 1, role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
    expect(await reply).toMatchObject({ type: 'error', code: 'unconfigured' });

    const c = new TestConsole(hub.url);
    const wrongCode = await c.request('POST', '/api/console/first-admin', { setupCode: hub.setupCode === '00000000' ? '00000001' : '00000000', id: 'admin', name: '王管理', password: 'first-admin-pass-1' });
    expect(wrongCode.status).toBe(401);
    // Said as the setup code that is wrong, not as a terminal's token to check with an administrator (there is none yet).
    expect(wrongCode.body).toMatchObject({ code: 'unauthorised', text: expect.stringContaining('设置码不正确') });
    expect(String(wrongCode.body.text)).not.toContain('令牌');
    expect((await c.request('POST', '/api/console/first-admin', { setupCode: hub.setupCode, id: 'admin', name: '王管理', password: 'short' })).status).toBe(400);
    expect((await c.request('POST', '/api/console/first-admin', { setupCode: hub.setupCode, id: 'admin', name: '王管理', password: 'first-admin-pass-1' })).status).toBe(201);
    const again = await c.request('POST', '/api/console/first-admin', { setupCode: hub.setupCode, id: 'admin2', name: '李', password: 'first-admin-pass-1' });
    expect(again.status).toBe(403);
    expect(again.body).toMatchObject({ text: expect.stringContaining('本大厅已经有管理员了') });
  });

  it('opens nothing with its setup code after ten wrong tries, the right code included, so that it cannot be guessed', async () => {
    const hub = await hall();
    const c = new TestConsole(hub.url);
    const first = (setupCode: string) => c.request('POST', '/api/console/first-admin', { setupCode, id: 'admin', name: '王管理', password: 'first-admin-pass-1' });
    const wrong = hub.setupCode === '00000000' ? '00000001' : '00000000';
    for (let i = 0; i < SETUP_CODE_TRIES; i++) expect((await first(wrong)).status).toBe(401);
    const refused = await first(hub.setupCode!);
    expect(refused.body).toMatchObject({ ok: false, code: 'locked', text: expect.stringContaining('请重启主机以得到新的设置码') });
    expect((await c.request('GET', '/api/console/status')).body).toMatchObject({ needsFirstAdmin: true });
  });

  it('is set up through setupHall: every problem at once with its path, then the hall serves and the audit names who did it', async () => {
    const hub = await hall();
    const c = await admin(hub);
    const demo = demoCatalogue({ allDay: true });
    const broken = { ...demo, items: demo.items.map((i, n) => (n === 0 ? { ...i, prefix: 'a1' } : n === 1 ? { ...i, promisedLimitDays: 999 } : i)), windows: [{ ...demo.windows[0]!, serves: ['NOPE'] }, ...demo.windows.slice(1)] };
    const refused = await c.request<{ problems: { path: (string | number)[] }[] }>('POST', '/api/setup', { catalogue: broken });
    expect(refused.status).toBe(400);
    expect(refused.body.problems.map((p) => p.path.join('.'))).toEqual(expect.arrayContaining(['items.0.prefix', 'items.1.promisedLimitDays', 'windows.0.serves.0']));

    expect((await c.request('POST', '/api/setup', { catalogue: demo })).status).toBe(200);
    expect(hub.store.view.catalogue.hall.name).toBe(demo.hall.name);
    const kiosk = await TestTerminal.connect(hub.wsUrl, { role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
    terminals.push(kiosk);
    expect(await kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' })).toMatchObject({ ok: true, ticket: { number: 'A001' } });

    const audit = await c.request<{ entries: { action: string; staff: { id: string }; before?: unknown; after?: { hall: { name: string } } }[] }>('GET', '/api/audit');
    expect(audit.body.entries[0]).toMatchObject({ action: 'replaceCatalogue', staff: { id: 'admin' } });
    expect(audit.body.entries[0]!.before).toBeNull();
    expect(audit.body.entries[0]!.after!.hall.name).toBe(demo.hall.name);
    for (const query of ['before=abc', 'limit=-5', 'limit=501', 'before=1.5']) expect((await c.request('GET', `/api/audit?${query}`)).body, query).toMatchObject({ code: 'bad-request' });
    expect((await c.request<{ entries: unknown[] }>('GET', '/api/audit?limit=1')).body.entries).toHaveLength(1);
    // The event carries the staff member too.
    const replaced = hub.store.eventsSince(0).find((e) => e.type === 'catalogue.replaced');
    expect(replaced?.staff).toEqual({ id: 'admin', name: '王管理', role: 'administrator' });
  });

  it('makes an administrator from the command line, whose printed one-time password must be changed at the first sign-in', async () => {
    const { execFileSync } = await import('node:child_process');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-cli-'));
    dirs.push(dir);
    const out = execFileSync(process.execPath, [...hubCommandLine(), 'create-admin', '--id', 'boss', '--name', '李主任'], { env: { ...process.env, SERVICEHALL_DATA: dir }, encoding: 'utf8' });
    const password = /one-time password:\s+(\S+)/.exec(out)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9]{12}$/);
    const hub = await startHub({ dataDir: dir, token: TOKEN, clock: () => now });
    hubs.push(hub);
    expect(hub.setupCode).toBeUndefined();
    const c = new TestConsole(hub.url);
    expect((await c.login('boss', password!)).body).toMatchObject({ staff: { id: 'boss', role: 'administrator', mustChange: true } });
    expect((await c.request('GET', '/api/staff')).body).toMatchObject({ code: 'pin-change-required' });
    expect(() => execFileSync(process.execPath, [...hubCommandLine(), 'create-admin', '--id', 'boss'], { env: { ...process.env, SERVICEHALL_DATA: dir }, stdio: 'pipe' })).toThrow(/already/);
  });

  it('refuses on the command line and for the first administrator what the console’s account form refuses, in the same words', async () => {
    const { spawnSync } = await import('node:child_process');
    const hub = await hall({ seed: true });
    const dir = dirs.at(-1)!;
    // The first administrator may not take a clerk's number either.
    const first = await new TestConsole(hub.url).request('POST', '/api/console/first-admin', { setupCode: hub.setupCode, id: '1001', name: '王管理', password: 'first-admin-pass-1' });
    expect(first.status).toBe(409);
    expect(first.body).toMatchObject({ code: 'conflict', text: '1001 是一位窗口工作人员的工号：请另选一个账号名。' });
    expect(hub.staff.accounts.count()).toBe(0);
    const a = await admin(hub);
    // What the console's form answers, in each of its languages.
    const form = async (account: Record<string, string>) => {
      const said = await Promise.all(['zh-CN', 'en'].map((language) => a.request('POST', '/api/staff', { name: '李', ...account }, { 'accept-language': language })));
      for (const r of said) expect(r.status, JSON.stringify(r.body)).toBeGreaterThanOrEqual(400);
      return said.map((r) => String(r.body.text)).join('\n');
    };
    const commandLine = (...args: string[]) => spawnSync(process.execPath, [...hubCommandLine(), 'create-admin', '--name', '李', ...args], { env: { ...process.env, SERVICEHALL_DATA: dir }, encoding: 'utf8' });
    const cases: [Record<string, string>, string[]][] = [
      [{ id: '1001', role: 'supervisor' }, ['--id', '1001', '--role', 'supervisor']],
      [{ id: 'ADMIN', role: 'administrator' }, ['--id', 'ADMIN']],
      [{ id: 'head', role: 'department-head' }, ['--id', 'head', '--role', 'department-head']],
      [{ id: 'head', role: 'department-head', department: '档案' }, ['--id', 'head', '--role', 'department-head', '--department', '档案']],
      [{ id: 'wang', role: 'clerk' }, ['--id', 'wang', '--role', 'clerk']],
      [{ id: 'x', role: 'supervisor' }, ['--id', 'x', '--role', 'supervisor']],
    ];
    const answers = [];
    for (const [account] of cases) answers.push(await form(account));
    expect(answers[0]).toBe('1001 是一位窗口工作人员的工号：请另选一个账号名。\n1001 is a clerk number; choose another account name');
    // The console's own words for each, not its general sentence for any refusal.
    for (const answer of answers) expect(answer).not.toContain('抱歉');
    // The hub is stopped for create-admin, as on the hall's machine.
    await hub.close();
    for (const [i, [, args]] of cases.entries()) {
      const run = commandLine(...args);
      expect(run.status, run.stderr).toBe(78);
      expect(run.stderr.trim(), args.join(' ')).toBe(answers[i]);
    }
    // And the one it takes is still made.
    const made = commandLine('--id', 'boss', '--role', 'supervisor');
    expect(made.status, made.stderr).toBe(0);
    expect(made.stdout).toContain('已创建账号 boss');
    // Seven command-line runs after a hub: through tsx 8 s on a quiet machine, 18 s and more beside other work.
  }, 90_000);

  it('refuses wrong issuing hours naming the item and the period, how a time is written, in the console’s language and a script’s', async () => {
    const hub = await hall();
    const c = await admin(hub);
    const demo = demoCatalogue({ allDay: true });
    const first = demo.items[0]!;
    const hours = [
      { from: '25:00', to: '12:00' },
      { from: '8:3', to: '17:00' },
      { from: '17:00', to: '08:30' },
    ];
    const broken = { ...demo, items: demo.items.map((i, n) => (n === 0 ? { ...i, issuingHours: hours } : i)) };
    const refused = await c.request<{ text: string; problems: { path: (string | number)[]; text?: string }[] }>('POST', '/api/setup', { catalogue: broken });
    expect(refused.status).toBe(400);
    expect(refused.body.problems.map((p) => [p.path.join('.'), p.text])).toEqual([
      ['items.0.issuingHours.0.from', '第 1 段“25:00-12:00”：时间应为 HH:MM，例如 08:30（24:00 为一天的结束）'],
      ['items.0.issuingHours.1.from', '第 2 段“8:3-17:00”：时间应为 HH:MM，例如 08:30（24:00 为一天的结束）'],
      ['items.0.issuingHours.2.to', '第 3 段“17:00-08:30”：结束时间须晚于开始时间，例如 08:30-17:00'],
    ]);
    expect(refused.body.text).toBe(
      `设置中有 3 处需要修改，未作任何更改。事项 ${first.code}（${first.name}）的取号时段第 1 段“25:00-12:00”：时间应为 HH:MM，例如 08:30（24:00 为一天的结束）。` +
        `事项 ${first.code}（${first.name}）的取号时段第 2 段“8:3-17:00”：时间应为 HH:MM，例如 08:30（24:00 为一天的结束）。` +
        `事项 ${first.code}（${first.name}）的取号时段第 3 段“17:00-08:30”：结束时间须晚于开始时间，例如 08:30-17:00。`,
    );
    // A script's PUT of the whole catalogue says the same, in English when asked; other problems are counted, not dropped.
    const put = await fetch(`${hub.url}/api/catalogue`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'accept-language': 'en' },
      body: JSON.stringify({ ...broken, items: broken.items.map((i, n) => (n === 1 ? { ...i, prefix: 'a1' } : i)) }),
    });
    const body = (await put.json()) as { text: string; problems: { path: (string | number)[]; text?: string }[] };
    expect(put.status).toBe(400);
    expect(body.text).toContain(`Item ${first.code} (${first.name}), issuing hours, period 3 "17:00-08:30": the end must be later than the start, e.g. 08:30-17:00.`);
    expect(body.text).toMatch(/^The setup has 4 thing\(s\) to mend; nothing was changed\. .* 1 more are listed in problems, each with its place\.$/);
    expect(body.problems.find((p) => p.path.join('.') === 'items.1.prefix')).toMatchObject({ code: 'invalid_format' });
    expect(hub.store.view.catalogue.items).toHaveLength(0);
  });

  it('still takes the hall token for the installer’s scripts', async () => {
    const hub = await hall();
    const res = await fetch(`${hub.url}/api/setup`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ catalogue: demoCatalogue() }) });
    expect(res.status).toBe(200);
    expect(hub.store.view.catalogue.items.length).toBeGreaterThan(0);
    expect(hub.store.audit.list()[0]).toMatchObject({ action: 'replaceCatalogue', staff: { id: 'hall-token' } });
    // PUT /api/catalogue, the other way a script sets the hall up, is in the audit log too.
    const renamed = { ...hub.store.view.catalogue, items: hub.store.view.catalogue.items.map((i, n) => (n === 0 ? { ...i, name: '居民身份证换领（补领）' } : i)) };
    const put = await fetch(`${hub.url}/api/catalogue`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(renamed) });
    expect(put.status).toBe(200);
    expect(hub.store.view.catalogue.items[0]!.name).toBe('居民身份证换领（补领）');
    expect(hub.store.audit.list()).toHaveLength(2);
    expect(hub.store.audit.list()[0]).toMatchObject({ action: 'replaceCatalogue', staff: { id: 'hall-token', name: '大厅令牌' }, target: 'catalogue', after: { items: expect.arrayContaining([expect.objectContaining({ name: '居民身份证换领（补领）' })]) } });
  });
});

describe('console sessions', () => {
  it('are HttpOnly, SameSite=Strict cookies, and every change needs the CSRF token from the same origin', async () => {
    const hub = await hall({ seed: true });
    const c = await admin(hub);
    const login = await new TestConsole(hub.url).login('admin', 'first-admin-pass-1');
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const csrf = c.csrf;
    c.csrf = '';
    expect((await c.request('POST', '/api/items/GA-SFZ-HL/today', { dailyQuota: 10 })).status).toBe(403);
    c.csrf = csrf;
    expect((await c.request('POST', '/api/items/GA-SFZ-HL/today', { dailyQuota: 10 }, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await c.request('POST', '/api/items/GA-SFZ-HL/today', { dailyQuota: 10 })).status).toBe(200);
    expect((await c.request('POST', '/api/console/logout')).status).toBe(200);
    expect((await c.request('GET', '/api/staff')).status).toBe(401);
  });

  it('end after 30 idle minutes, and an ended session is answered as one: its own reason and words, the code as before', async () => {
    const hub = await hall({ seed: true });
    const c = await admin(hub);
    now += 29 * 60_000;
    expect((await c.request('GET', '/api/staff')).status).toBe(200);
    now += 31 * 60_000;
    const ended = await c.request('POST', '/api/console/password', { current: 'first-admin-pass-1', next: 'another-pass-22' });
    expect(ended).toMatchObject({ status: 401, body: { code: 'unauthorised', reason: 'signed-out', text: '尚未登录或登录已失效（已退出、长时间未操作或密码已重置），请重新登录。' } });
    // A wrong present password, in a session that is open, has no such reason.
    await c.login('admin', 'first-admin-pass-1');
    const wrong = await c.request('POST', '/api/console/password', { current: 'not-the-pass-1', next: 'another-pass-22' });
    expect(wrong).toMatchObject({ status: 401, body: { code: 'unauthorised' } });
    expect(wrong.body.reason).toBeUndefined();
  });

  it('hash the password off the event loop: the hub answers others while a sign-in is checked', async () => {
    const hub = await hall({ seed: true });
    await admin(hub);
    let ticked = false;
    const signIn = new TestConsole(hub.url).login('admin', 'first-admin-pass-1').then(() => ticked);
    const health = fetch(`${hub.url}/api/health`).then(() => (ticked = true));
    await health;
    expect(await signIn).toBe(true);
  });
});

describe('sign-in lockout', () => {
  it('locks an account after three wrong passwords, for longer each time, even against the right one', async () => {
    const hub = await hall({ seed: true });
    await admin(hub);
    const c = new TestConsole(hub.url);
    for (let i = 0; i < 3; i++) expect((await c.login('admin', 'wrong-password-1')).status).toBe(401);
    const locked = await c.login('admin', 'wrong-password-1');
    expect(locked.status).toBe(409);
    expect(locked.body).toMatchObject({ code: 'locked' });
    expect((await c.login('admin', 'first-admin-pass-1')).body).toMatchObject({ code: 'locked', retryAfterSeconds: 30 });
    now += 31_000;
    expect((await c.login('admin', 'wrong-password-1')).status).toBe(401);
    expect((await c.login('admin', 'first-admin-pass-1')).body).toMatchObject({ code: 'locked', retryAfterSeconds: 60 });
    now += 61_000;
    expect((await c.login('admin', 'first-admin-pass-1')).status).toBe(200);
  });

  it('asks for what was not typed at sign-in, in words, without counting a try', async () => {
    const hub = await hall({ seed: true });
    await admin(hub);
    const c = new TestConsole(hub.url);
    for (const [id, password, words] of [
      ['', '', '请输入账号和密码。'],
      ['admin', '', '请输入密码。'],
      ['  ', 'first-admin-pass-1', '请输入账号。'],
    ] as const) {
      const r = await c.login(id, password);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: 'bad-request', text: words });
    }
    for (let i = 0; i < 5; i++) await c.login('admin', '');
    expect((await c.login('admin', 'first-admin-pass-1')).status).toBe(200);
  });

  it('keeps an administrator able to sign in at their own PC while another PC on the hall’s LAN sends wrong passwords for the account', async () => {
    const hub = await hall({ seed: true });
    await admin(hub);
    const c = new TestConsole(hub.url);
    // Another PC (127.0.0.2) keeps guessing, one try each time its lock ends: hours of it.
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < 3; i++) await signInFrom('127.0.0.2', hub.url, 'admin', 'wrong-password-1');
      now += 16 * 60_000;
      await signInFrom('127.0.0.2', hub.url, 'admin', 'wrong-password-1');
    }
    expect((await signInFrom('127.0.0.2', hub.url, 'admin', 'first-admin-pass-1')).body).toMatchObject({ code: 'locked' });
    // The administrator at their own PC is let in.
    expect((await c.login('admin', 'first-admin-pass-1')).body).toMatchObject({ ok: true, staff: { id: 'admin' } });
  });

  it('holds an account to one pace for wrong passwords spread over many addresses of the LAN, and lets its owner in at a PC they signed in at before', async () => {
    const hub = await hall({ seed: true });
    // The administrator signed in at their own PC (127.0.0.1).
    await admin(hub);
    // One guess from each of 20 addresses (a PC taking one address of its /24 after another): none is locked on its own.
    for (let i = 10; i < 10 + FREE_FAILURES.paced; i++) expect((await signInFrom(`127.0.0.${i}`, hub.url, 'admin', `wrong-password-${i}`)).body).toMatchObject({ code: 'unauthorised' });
    // The next address is held to the account's pace, whatever it sends, the right password too.
    expect((await signInFrom('127.0.0.40', hub.url, 'admin', 'wrong-password-40')).body).toMatchObject({ code: 'locked' });
    expect((await signInFrom('127.0.0.41', hub.url, 'ADMIN', 'first-admin-pass-1')).body).toMatchObject({ code: 'locked' });
    // One guess a lock (30 s, doubling to 15 min), not one an address.
    now += 31_000;
    expect((await signInFrom('127.0.0.42', hub.url, 'admin', 'wrong-password-42')).body).toMatchObject({ code: 'unauthorised' });
    expect((await signInFrom('127.0.0.43', hub.url, 'admin', 'wrong-password-43')).body).toMatchObject({ code: 'locked' });
    // The administrator at their own PC is let in all the while.
    expect((await new TestConsole(hub.url).login('admin', 'first-admin-pass-1')).body).toMatchObject({ ok: true, staff: { id: 'admin' } });
  });

  it('keeps a made-up name’s failures small, however long the name grows once read (1,000 ﷽, 18 letters each in NFKC)', async () => {
    const hub = await hall({ seed: true });
    await admin(hub);
    expect((await new TestConsole(hub.url).login('\ufdfa'.repeat(1000), 'wrong-password-1')).status).toBe(401);
    const db = new Database(path.join(dirs.at(-1)!, 'hall.db'), { readonly: true });
    const longest = (db.prepare('SELECT MAX(length(key)) AS n FROM sign_in_failures').get() as { n: number }).n;
    db.close();
    expect(longest).toBeLessThan(100);
  });

  it('locks an address that tries many accounts', async () => {
    const hub = await hall({ seed: true });
    await admin(hub);
    const c = new TestConsole(hub.url);
    for (let i = 0; i < 10; i++) expect((await c.login(`guess-${i}`, 'wrong-password-1')).status).toBe(401);
    expect((await c.login('admin', 'first-admin-pass-1')).body).toMatchObject({ code: 'locked' });
  });

  it("forgets, on the hub's housekeeping turn, the failures of guessed names an hour old: a guesser does not grow the hub's database for ever", async () => {
    const hub = await hall({ seed: true, sweepMs: 100 });
    const dir = dirs.at(-1)!;
    await admin(hub);
    const c = new TestConsole(hub.url);
    for (let i = 0; i < 5; i++) expect((await c.login(`guess-${i}`, 'wrong-password-1')).status).toBe(401);
    const failures = () => {
      const db = new Database(path.join(dir, 'hall.db'), { readonly: true });
      try {
        return (db.prepare('SELECT COUNT(*) AS n FROM sign_in_failures').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    // Five names from that address, the same five at their account's pace over all addresses, and the address.
    expect(failures()).toBe(11);
    now += 61 * 60_000;
    await expect.poll(failures, { timeout: 10_000 }).toBe(0);
  });
});

describe('staff roles', () => {
  it('end every other console session of a person who changes their own password, and keep the one that changed it', async () => {
    const hub = await hall({ seed: true });
    const a = await admin(hub);
    const elsewhere = new TestConsole(hub.url);
    await elsewhere.login('admin', 'first-admin-pass-1');
    const other = await staffMember(hub, a, 'zhang', 'supervisor');
    expect((await a.request('POST', '/api/console/password', { current: 'first-admin-pass-1', next: 'second-admin-pass-2' })).status).toBe(200);
    expect((await elsewhere.request('GET', '/api/staff')).body).toMatchObject({ code: 'unauthorised', reason: 'signed-out' });
    expect((await a.request('GET', '/api/staff')).status).toBe(200);
    // Someone else's session is not theirs to end.
    expect((await other.request('GET', '/api/terminals')).status).toBe(200);
  });

  it('refuses to disable the hall’s last administrator in use, saying how to go on, and keeps it enabled', async () => {
    const hub = await hall({ seed: true });
    const a = await admin(hub);
    const refused = await a.request('POST', '/api/staff/admin/disabled', { disabled: true });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'conflict', text: expect.stringContaining('请先新增或启用另一位管理员') });
    expect(hub.staff.accounts.get('admin')!.disabled).toBe(false);
  });

  it('refuses an account’s name or a password it cannot take in words that say what to do, and takes a name of 40 Chinese characters', async () => {
    const hub = await hall({ seed: true });
    const first = (password: string) => new TestConsole(hub.url).request('POST', '/api/console/first-admin', { setupCode: hub.setupCode, id: 'admin', name: '王管理', password });
    for (const [password, words] of [
      ['short1', '密码至少要 10 个字符'],
      ['a1'.repeat(500), '密码最多 128 个字符，输入的有 1000 个'],
      ['onlyletterspassword', '密码须同时包含字母和数字'],
    ] as const) {
      const refused = await first(password);
      expect(refused.status).toBe(400);
      expect(String(refused.body.text), password).toContain(words);
    }
    const a = await admin(hub);
    const account = (name: string) => a.request('POST', '/api/staff', { id: 'zhang', name, role: 'supervisor' });
    for (const [name, words] of [
      ['张'.repeat(41), '姓名最多 40 个字，填写的有 41 个'],
      ['   ', '请填写姓名'],
      ['张\u0007主任', '控制字符（U+0007'],
    ] as const) {
      const refused = await account(name);
      expect(refused.status).toBe(400);
      expect(String(refused.body.text), name).toContain(words);
    }
    expect((await account('张'.repeat(40))).body).toMatchObject({ ok: true, staff: { name: '张'.repeat(40) } });
    // Changing one's own password: a long one is said as long, not as a request not read.
    const long = await a.request('POST', '/api/console/password', { current: 'first-admin-pass-1', next: 'a1'.repeat(500) });
    expect(long.body).toMatchObject({ code: 'bad-request', text: expect.stringContaining('密码最多 128 个字符') });
  });

  it('read an account name typed in full-width letters or another case as the one name it is, when made and at sign-in', async () => {
    const hub = await hall({ seed: true });
    const a = await admin(hub);
    const made = await a.request('POST', '/api/staff', { id: 'zhang', name: '张主任', role: 'supervisor' });
    expect(made.status).toBe(201);
    expect((await a.request('POST', '/api/staff', { id: 'ｚｈａｎｇ', name: '张二', role: 'supervisor' })).body).toMatchObject({ code: 'conflict', text: '已有账号 zhang（账号不分大小写）：请另选一个账号名。' });
    expect((await a.request('POST', '/api/staff', { id: 'ｗａｎｇ', name: '王', role: 'supervisor' })).body).toMatchObject({ ok: true, staff: { id: 'wang' } });
    for (const typed of ['Zhang', 'ＺＨＡＮＧ', ' zhang ']) expect((await new TestConsole(hub.url).login(typed, String(made.body.password))).body, typed).toMatchObject({ ok: true, staff: { id: 'zhang' } });
  });

  it('signs each of two accounts an older hall made differing only by case (Zhang, zhang) in as typed, and neither’s wrong passwords lock the other', async () => {
    const hub = await hall({ seed: true });
    const a = await admin(hub);
    const made = await a.request('POST', '/api/staff', { id: 'Zhang', name: '张一', role: 'supervisor' });
    expect(made.status).toBe(201);
    // Made before 2026-12-05, when no rule kept a second name of another case out.
    const db = new Database(path.join(dirs.at(-1)!, 'hall.db'));
    db.prepare("INSERT INTO staff (id, name, role, department, password_hash, must_change, disabled, created_at, created_by) VALUES ('zhang', '张二', 'supervisor', NULL, ?, 0, 0, ?, 'admin')").run(await hashPassword('zhang-own-pass-9'), now);
    db.close();
    expect((await new TestConsole(hub.url).login('zhang', 'zhang-own-pass-9')).body).toMatchObject({ ok: true, staff: { id: 'zhang', name: '张二' } });
    expect((await new TestConsole(hub.url).login('Zhang', String(made.body.password))).body).toMatchObject({ ok: true, staff: { id: 'Zhang', name: '张一' } });
    // Typed in a third case, it names neither of them.
    expect((await new TestConsole(hub.url).login('ZHANG', 'zhang-own-pass-9')).body).toMatchObject({ code: 'unauthorised' });
    for (let i = 0; i < 4; i++) await new TestConsole(hub.url).login('zhang', 'wrong-password-1');
    expect((await new TestConsole(hub.url).login('Zhang', String(made.body.password))).body).toMatchObject({ ok: true, staff: { id: 'Zhang' } });
  });

  it('give a new account a one-time password that opens nothing until it is changed', async () => {
    const hub = await hall({ seed: true });
    const a = await admin(hub);
    const made = await a.request('POST', '/api/staff', { id: 'zhang', name: '张主任', role: 'supervisor' });
    expect(made.body).toMatchObject({ ok: true, staff: { id: 'zhang', mustChange: true } });
    for (const id of ['zhang', 'ZHANG']) expect((await a.request('POST', '/api/staff', { id, name: '张二', role: 'supervisor' })).body).toMatchObject({ code: 'conflict', message: 'there is an account zhang already' });
    const s = new TestConsole(hub.url);
    await s.login('zhang', String(made.body.password));
    expect((await s.request('GET', '/api/terminals')).body).toMatchObject({ code: 'pin-change-required' });
    expect((await s.request('POST', '/api/console/password', { current: made.body.password, next: 'zhang-own-pass-9' })).status).toBe(200);
    expect((await s.request('GET', '/api/terminals')).status).toBe(200);
  });

  it('let a supervisor change the hall live but not make accounts, and a department head touch only their department', async () => {
    const hub = await hall({ seed: true });
    const a = await admin(hub);
    const sup = await staffMember(hub, a, 'zhang', 'supervisor');
    expect((await sup.request('POST', '/api/staff', { id: 'li', name: '李', role: 'supervisor' })).status).toBe(403);
    expect((await sup.request('POST', '/api/items/GA-SFZ-HL/today', { dailyQuota: 50 })).status).toBe(200);
    const head = await staffMember(hub, a, 'chen', 'department-head', '出入境');
    expect((await head.request('POST', '/api/items/GA-SFZ-HL/today', { dailyQuota: 5 })).status).toBe(403);
    expect((await head.request('POST', '/api/items/CRJ-HZ-SL/today', { dailyQuota: 5 })).status).toBe(200);
    const list = await head.request<{ clerks: { department: string }[] }>('GET', '/api/staff');
    expect(new Set(list.body.clerks.map((c) => c.department))).toEqual(new Set(['出入境']));
    expect((await head.request('POST', '/api/setup', { catalogue: demoCatalogue() })).status).toBe(403);
  });

  it('let a department head give their own window only their own department’s items, saying whose the other is, and take any off', async () => {
    const hub = await hall({ seed: true });
    const a = await admin(hub);
    const head = await staffMember(hub, a, 'chen', 'department-head', '出入境');
    const window4 = () => hub.store.view.catalogue.windows.find((w) => w.number === 4)!.serves;
    const before = window4();
    const refused = await head.request('PUT', '/api/windows/4/items', { serves: [...before, 'GA-SFZ-HL'] });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'forbidden', text: expect.stringContaining('GA-SFZ-HL（居民身份证换领）属于公安户籍，不是您负责的出入境') });
    expect(window4()).toEqual(before);
    // An item an administrator gave the window stays when the head changes its items, and any may be taken off.
    expect((await a.request('PUT', '/api/windows/4/items', { serves: [...before, 'GA-SFZ-HL'] })).status).toBe(200);
    expect((await head.request('PUT', '/api/windows/4/items', { serves: [before[0]!, 'GA-SFZ-HL'] })).status).toBe(200);
    expect((await head.request('PUT', '/api/windows/4/items', { serves: [before[0]!] })).status).toBe(200);
    expect(window4()).toEqual([before[0]]);
  });
});

describe('clerks’ PINs', () => {
  it('ends a clerk’s console sessions when an administrator gives them a new initial PIN (their PIN seen or forgotten), as a password reset ends an account’s', async () => {
    const hub = await hall({ seed: true });
    const a = await admin(hub);
    const first = await a.request<{ pins: { pin: string }[] }>('POST', '/api/clerks/initial-pins', { clerks: ['1001'] });
    const clerk = new TestConsole(hub.url);
    expect((await clerk.login('1001', first.body.pins[0]!.pin)).status).toBe(200);
    expect((await clerk.request('POST', '/api/console/password', { current: first.body.pins[0]!.pin, next: '275031' })).status).toBe(200);
    expect((await clerk.request('GET', '/api/console/session')).status).toBe(200);
    expect((await a.request('POST', '/api/clerks/initial-pins', { clerks: ['1001'] })).status).toBe(200);
    expect((await clerk.request('GET', '/api/console/session')).body).toMatchObject({ code: 'unauthorised' });
  });

  it('ends the live feed of a clerk the hall’s setup no longer has, at its next message', async () => {
    const hub = await hall({ seed: true, keepAliveMs: 200 });
    const a = await admin(hub);
    const issued = await a.request<{ pins: { pin: string }[] }>('POST', '/api/clerks/initial-pins', { clerks: ['1001'] });
    const clerk = new TestConsole(hub.url);
    expect((await clerk.login('1001', issued.body.pins[0]!.pin)).status).toBe(200);
    expect((await clerk.request('POST', '/api/console/password', { current: issued.body.pins[0]!.pin, next: '275031' })).status).toBe(200);
    const res = await fetch(`${hub.url}/api/console/stream`, { headers: { cookie: clerk.cookie } });
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('event: terminals')) text += new TextDecoder().decode((await reader.read()).value);
    const catalogue = demoCatalogue({ allDay: true });
    expect((await a.request('POST', '/api/setup', { catalogue: { ...catalogue, clerks: catalogue.clerks.filter((c) => c.number !== '1001') } })).status).toBe(200);
    // Nothing else asked in that session meanwhile: the feed alone learns of it.
    const ended = await Promise.race([
      (async () => {
        for (;;) if ((await reader.read()).done) return 'ended';
      })(),
      new Promise((resolve) => setTimeout(() => resolve('still open'), 3_000)),
    ]);
    expect(ended).toBe('ended');
  });

  it('an initial PIN opens only the console, where the clerk chooses their own; a supervisor unlocks', async () => {
    const hub = await hall({ seed: true });
    const a = await admin(hub);
    const issued = await a.request<{ pins: { clerk: string; name: string; pin: string }[] }>('POST', '/api/clerks/initial-pins', { clerks: ['1001'] });
    const pin = issued.body.pins[0]!.pin;
    expect(issued.body.pins[0]).toMatchObject({ clerk: '1001', name: '王建国' });
    // A clerk number no clerk has: the supervisor is told so in a staff member's words, not sent to the service desk.
    expect((await a.request('POST', '/api/clerks/9999/unlock')).body).toMatchObject({ code: 'not-found', text: '未找到相关信息，请核对后重试。' });
    const window = await TestTerminal.connect(hub.wsUrl, { role: 'window', terminal: 'window-1', window: 1, token: TOKEN });
    terminals.push(window);
    expect(await window.command({ type: 'signIn', window: 1, clerk: '1001', pin })).toMatchObject({ ok: false, code: 'pin-change-required' });

    const clerk = new TestConsole(hub.url);
    expect((await clerk.login('1001', pin)).body).toMatchObject({ staff: { role: 'clerk', mustChange: true } });
    expect((await clerk.request('GET', '/api/staff')).status).toBe(409);
    expect((await clerk.request('POST', '/api/console/password', { current: pin, next: '111111' })).status).toBe(400);
    expect((await clerk.request('POST', '/api/console/password', { current: pin, next: '275031' })).status).toBe(200);
    expect(await window.command({ type: 'signIn', window: 1, clerk: '1001', pin: '275031' })).toMatchObject({ ok: true });
    expect((await clerk.request('GET', '/api/staff')).status).toBe(403);

    const wrong = () => window.command({ type: 'signIn', window: 1, clerk: '1001', pin: '000000' });
    for (let i = 0; i < 3; i++) await wrong();
    // After three wrong PINs the window itself waits before its next try counts (one window cannot lock every clerk); a supervisor lets it go on.
    expect(await wrong()).toMatchObject({ code: 'sign-in-paused' });
    expect((await a.request('POST', '/api/windows/1/sign-in/unlock')).status).toBe(200);
    for (let i = 0; i < 2; i++) await wrong();
    expect(await window.command({ type: 'signIn', window: 1, clerk: '1001', pin: '275031' })).toMatchObject({ code: 'locked' });
    // Changing the PIN meanwhile, the clerk is told the PIN is locked and for how long, not that it is wrong.
    now += 60_000;
    const locked = await clerk.request('POST', '/api/console/password', { current: '275031', next: '380542' });
    expect(locked.body).toMatchObject({ code: 'locked', retryAfterSeconds: 240 });
    expect(locked.headers.get('retry-after')).toBe('240');
    expect((await clerk.request('POST', '/api/console/login', { id: '1001', password: '275031' })).body).toMatchObject({ code: 'locked', retryAfterSeconds: 240 });
    expect((await a.request('POST', '/api/clerks/1001/unlock')).status).toBe(200);
    expect(await window.command({ type: 'signIn', window: 1, clerk: '1001', pin: '275031' })).toMatchObject({ ok: true });
    const actions = (await a.request<{ entries: { action: string }[] }>('GET', '/api/audit')).body.entries.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['issueInitialPin', 'changeOwnPin', 'unlockClerk']));
  });

  it('a clerk whose clerk number is also a staff account’s id and the staff member each sign in as themselves, and neither’s mistakes lock the other', async () => {
    const hub = await hall();
    const a = await admin(hub);
    // The supervisor's account 1001 was made before the hall's clerks were entered; then clerk 1001 (王建国) came with the catalogue.
    const zhao = await staffMember(hub, a, '1001', 'supervisor');
    expect((await a.request('POST', '/api/setup', { catalogue: demoCatalogue({ allDay: true }) })).status).toBe(200);
    const pin = (await a.request<{ pins: { pin: string }[] }>('POST', '/api/clerks/initial-pins', { clerks: ['1001'] })).body.pins[0]!.pin;

    const clerk = new TestConsole(hub.url);
    expect((await clerk.login('1001', pin)).body).toMatchObject({ ok: true, staff: { id: '1001', role: 'clerk', name: '王建国', mustChange: true } });
    expect((await clerk.request('POST', '/api/console/password', { current: pin, next: '275031' })).status).toBe(200);
    const supervisor = new TestConsole(hub.url);
    expect((await supervisor.login('1001', '1001-own-pass-9')).body).toMatchObject({ ok: true, staff: { id: '1001', role: 'supervisor' } });
    expect((await supervisor.request('GET', '/api/terminals')).status).toBe(200);
    // Their live feeds are counted apart: the supervisor's pages all open, the clerk's still opens.
    const feed = (who: TestConsole) => fetch(`${hub.url}/api/console/stream`, { headers: { cookie: who.cookie } });
    const supervisorsFeeds = await Promise.all(Array.from({ length: FEEDS_PER_STAFF }, () => feed(supervisor)));
    expect(supervisorsFeeds.map((r) => r.status)).toEqual(supervisorsFeeds.map(() => 200));
    const clerksFeed = await feed(clerk);
    expect(clerksFeed.status).toBe(200);
    for (const r of [...supervisorsFeeds, clerksFeed]) await r.body!.cancel();

    // The clerk's wrong PINs lock the clerk, not the supervisor; the supervisor's wrong passwords lock the supervisor, not the clerk.
    for (let i = 0; i < 3; i++) expect((await new TestConsole(hub.url).login('1001', '000000')).status).toBe(401);
    expect((await new TestConsole(hub.url).login('1001', '275031')).body).toMatchObject({ code: 'locked' });
    expect((await new TestConsole(hub.url).login('1001', '1001-own-pass-9')).body).toMatchObject({ ok: true, staff: { role: 'supervisor' } });
    now += 31_000;
    for (let i = 0; i < 3; i++) expect((await new TestConsole(hub.url).login('1001', 'wrong-password-1')).status).toBe(401);
    expect((await new TestConsole(hub.url).login('1001', '1001-own-pass-9')).body).toMatchObject({ code: 'locked' });
    expect((await new TestConsole(hub.url).login('1001', '275031')).body).toMatchObject({ ok: true, staff: { role: 'clerk' } });
    expect((await a.request('POST', '/api/clerks/1001/unlock')).status).toBe(200);
    expect((await new TestConsole(hub.url).login('1001', '1001-own-pass-9')).body).toMatchObject({ code: 'locked' });

    // A new password for the supervisor ends the supervisor's sessions, not the clerk's.
    expect((await a.request('POST', '/api/staff/1001/reset-password')).status).toBe(200);
    expect((await zhao.request('GET', '/api/console/session')).status).toBe(401);
    expect((await clerk.request('GET', '/api/console/session')).body).toMatchObject({ ok: true, staff: { id: '1001', role: 'clerk' } });
  });

  it('in the audit log, a clerk and a staff account of the same id are filtered apart: each filter shows only that person’s entries', async () => {
    const hub = await hall();
    const a = await admin(hub);
    await staffMember(hub, a, '1001', 'supervisor');
    expect((await a.request('POST', '/api/setup', { catalogue: demoCatalogue({ allDay: true }) })).status).toBe(200);
    const pin = (await a.request<{ pins: { pin: string }[] }>('POST', '/api/clerks/initial-pins', { clerks: ['1001'] })).body.pins[0]!.pin;
    const clerk = new TestConsole(hub.url);
    await clerk.login('1001', pin);
    expect((await clerk.request('POST', '/api/console/password', { current: pin, next: '275031' })).status).toBe(200);

    type Entries = { entries: { action: string; staff: { id: string; role: string } }[] };
    const asClerk = (await a.request<Entries>('GET', '/api/audit?staff=clerk:1001')).body.entries;
    expect(asClerk.map((e) => [e.action, e.staff.role])).toEqual([['changeOwnPin', 'clerk']]);
    const asSupervisor = (await a.request<Entries>('GET', '/api/audit?staff=staff:1001')).body.entries;
    expect(asSupervisor.map((e) => [e.action, e.staff.role])).toEqual([['changeOwnPassword', 'supervisor']]);
    expect((await a.request<Entries>('GET', '/api/audit?staff=staff:admin')).body.entries.map((e) => e.action)).toEqual(['issueInitialPin', 'replaceCatalogue', 'createStaff', 'createStaff']);
    // An id alone does not say whom it means: refused, in the console's language, not answered with both people's entries.
    const bare = await a.request('GET', '/api/audit?staff=1001');
    expect(bare.status).toBe(400);
    expect(bare.body).toMatchObject({ code: 'bad-request', text: expect.stringContaining('clerk:工号') });
  });

  it('a clerk named twice in one request gets one PIN, the one that signs in', async () => {
    const hub = await hall({ seed: true });
    const a = await admin(hub);
    const issued = await a.request<{ pins: { clerk: string; pin: string }[] }>('POST', '/api/clerks/initial-pins', { clerks: ['1001', '1002', '1001'] });
    expect(issued.body.pins.map((p) => p.clerk)).toEqual(['1001', '1002']);
    expect((await new TestConsole(hub.url).login('1001', issued.body.pins[0]!.pin)).status).toBe(200);
  });
});

describe('live changes', () => {
  it('a change that would strand waiting tickets names them, and waits for the day’s end when asked', async () => {
    const hub = await hall({ seed: true });
    const a = await admin(hub);
    await fetch(`${hub.url}/api/tickets`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ serviceCode: 'CRJ-HZ-SL' }) });
    await a.request('PUT', '/api/windows/3/items', { serves: ['CRJ-GA-SL'] });
    const refused = await a.request('PUT', '/api/windows/4/items', { serves: ['CRJ-GA-SL'] });
    expect(refused).toMatchObject({ status: 409, body: { code: 'conflict', tickets: ['B001'] } });
    expect((await a.request('PUT', '/api/windows/4/items', { serves: ['CRJ-GA-SL'], atDayEnd: true })).status).toBe(200);
    expect(hub.store.view.pending).toHaveLength(1);
    const audit = (await a.request<{ entries: { action: string; target: string; before: { serves: string[] }; after: unknown }[] }>('GET', '/api/audit')).body.entries;
    expect(audit[0]).toMatchObject({ action: 'assignWindowItems', target: 'window:4', after: { atDayEnd: { window: 4, serves: ['CRJ-GA-SL'] } } });
    expect(audit[1]).toMatchObject({ action: 'assignWindowItems', target: 'window:3', before: { serves: ['CRJ-HZ-SL', 'CRJ-GA-SL', 'CRJ-GA-QZ'] }, after: { serves: ['CRJ-GA-SL'] } });
  });

  it('refuses a closing notice holding a control character, in words that say so, and leaves the item open', async () => {
    const hub = await hall({ seed: true });
    const a = await admin(hub);
    for (const notice of ['系统升级\u0007，今日暂停受理', '系统升级\n今日暂停受理', '系统升级\u009b今日暂停受理']) {
      const refused = await a.request('POST', '/api/items/CRJ-GA-QZ/today', { closedNotice: notice });
      expect(refused).toMatchObject({ status: 400, body: { code: 'bad-request', text: expect.stringMatching(/^停止取号公告中有控制字符（U\+00(07|0A|9B)，/) } });
    }
    expect(hub.store.view.catalogue.items.find((i) => i.code === 'CRJ-GA-QZ')!.today).toBeUndefined();
    // The command itself, sent over the hub's link (an installer's script), is refused too.
    const script = await TestTerminal.connect(hub.wsUrl, { role: 'admin', terminal: 'installer', token: TOKEN });
    terminals.push(script);
    const error = script.next((m) => m.type === 'error');
    script.send({ type: 'command', command: { id: 'notice-with-a-bell', type: 'setItemToday', serviceCode: 'CRJ-GA-QZ', closedNotice: '系统升级\u0007' } });
    expect(await error).toMatchObject({ code: 'bad-request', message: expect.stringContaining('control character') });
    expect(hub.store.view.catalogue.items.find((i) => i.code === 'CRJ-GA-QZ')!.today).toBeUndefined();
    expect((await a.request('POST', '/api/items/CRJ-GA-QZ/today', { closedNotice: '签注系统升级，今日暂停受理，敬请谅解。' })).status).toBe(200);
    expect(hub.store.view.catalogue.items.find((i) => i.code === 'CRJ-GA-QZ')!.today).toMatchObject({ closedNotice: '签注系统升级，今日暂停受理，敬请谅解。' });
  });

  it('says a change of an item for today refused in the hall’s own words in them, in the console’s language, not as a request 有误', async () => {
    const hub = await hall({ seed: true });
    const a = await admin(hub);
    const zh = await a.request<{ code: string; message: string; text: string }>('POST', '/api/items/GA-SFZ-HL/today', { closedNotice: '下班了，明天再来' });
    expect(zh).toMatchObject({
      status: 400,
      body: { code: 'bad-request', text: '停止取号公告中有服务忌语（下班了，明天再来），群众会在屏幕和手机上看到：请改用文明用语后重新发布（H-14）。未作任何更改。' },
    });
    // The message stays as a script on the hub's link reads it: both languages, Chinese first.
    expect(zh.body.message.split('\n')).toEqual([zh.body.text, expect.stringMatching(/^The closing notice uses a phrase the handbook forbids \(H-14\): 下班了，明天再来/)]);
    const en = await a.request<{ text: string }>('POST', '/api/items/GA-SFZ-HL/today', { closedNotice: '下班了，明天再来' }, { 'accept-language': 'en' });
    expect(en.body.text).toBe(
      'The closing notice uses a phrase the handbook forbids (H-14): 下班了，明天再来, which citizens would read on the screens and their phones: please word it civilly and post it again. Nothing was changed.',
    );
    const unknown = await a.request<{ text: string }>('POST', '/api/items/NO-SUCH/today', { dailyQuota: 10 });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'not-found', text: '本大厅没有编码为 NO-SUCH 的事项：请核对事项编码。未作任何更改。' } });
    // A refusal whose message is a developer's (English alone) is still read in the code's sentence.
    const window = await a.request<{ text: string; message: string }>('PUT', '/api/windows/99/items', { serves: ['GA-SFZ-HL'] });
    expect(window).toMatchObject({ status: 404, body: { code: 'not-found', message: 'there is no window 99', text: '未找到相关信息，请核对后重试。' } });
    expect(hub.store.view.catalogue.items.find((i) => i.code === 'GA-SFZ-HL')!.today).toBeUndefined();
  });

  it("refuses today's hours of an item that are not a period of the day in the setup's words, and changes nothing", async () => {
    const hub = await hall({ seed: true });
    const a = await admin(hub);
    const wrong = { issuingHours: [{ from: '08:30', to: '12:00' }, { from: '17:00', to: '08:30' }, { from: '8:3', to: '17:00' }] };
    const refused = await a.request('POST', '/api/items/GA-SFZ-HL/today', wrong);
    expect(refused).toMatchObject({
      status: 400,
      body: {
        code: 'bad-request',
        text: '事项 GA-SFZ-HL（居民身份证换领）的今日取号时段第 2 段“17:00-08:30”：结束时间须晚于开始时间，例如 08:30-17:00；第 3 段“8:3-17:00”：时间应为 HH:MM，例如 08:30（24:00 为一天的结束）。未作任何更改。',
        problems: [expect.objectContaining({ path: ['issuingHours', 1, 'to'] }), expect.objectContaining({ path: ['issuingHours', 2, 'from'] })],
      },
    });
    const en = await a.request('POST', '/api/items/GA-SFZ-HL/today', { issuingHours: [{ from: '17:00', to: '08:30' }] }, { 'accept-language': 'en' });
    expect(en.body.text).toBe('Item GA-SFZ-HL (居民身份证换领), today\'s issuing hours, period 1 "17:00-08:30": the end must be later than the start, e.g. 08:30-17:00. Nothing was changed.');
    expect(hub.store.view.catalogue.items.find((i) => i.code === 'GA-SFZ-HL')!.today).toBeUndefined();
    expect((await a.request('POST', '/api/items/GA-SFZ-HL/today', { issuingHours: [{ from: '09:00', to: '11:30' }] })).status).toBe(200);
  });

  it('says a refused change of an item for today over the hub’s link as the console says it, Chinese first, and changes nothing', async () => {
    const hub = await hall({ seed: true });
    const script = await TestTerminal.connect(hub.wsUrl, { role: 'admin', terminal: 'installer', token: TOKEN });
    terminals.push(script);
    const refusal = (change: Record<string, unknown>) => script.command({ type: 'setItemToday', ...change } as CommandBody);
    expect(await refusal({ serviceCode: 'GA-SFZ-HL', issuingHours: [{ from: '08:30', to: '12:00' }, { from: '17:00', to: '08:30' }] })).toEqual({
      ok: false,
      code: 'bad-request',
      message:
        '事项 GA-SFZ-HL（居民身份证换领）的今日取号时段第 2 段“17:00-08:30”：结束时间须晚于开始时间，例如 08:30-17:00。未作任何更改。\n' +
        'Item GA-SFZ-HL (居民身份证换领), today\'s issuing hours, period 2 "17:00-08:30": the end must be later than the start, e.g. 08:30-17:00. Nothing was changed.',
    });
    expect(await refusal({ serviceCode: 'GA-SFZ-HL', closedNotice: '下班了，明天再来' })).toMatchObject({
      code: 'bad-request',
      message: expect.stringMatching(/^停止取号公告中有服务忌语（下班了，明天再来），群众会在屏幕和手机上看到：请改用文明用语后重新发布（H-14）。未作任何更改。\nThe closing notice uses a phrase the handbook forbids/),
    });
    expect(await refusal({ serviceCode: 'GA-SFZ-HL', closedNotice: '系统升级', reopen: true })).toMatchObject({
      message: '事项 GA-SFZ-HL（居民身份证换领）不能同时今日停止取号和恢复取号：请只选其一。未作任何更改。\nItem GA-SFZ-HL (居民身份证换领) cannot be closed and reopened at once: choose one. Nothing was changed.',
    });
    expect(await refusal({ serviceCode: 'GA-SFZ-HL' })).toMatchObject({
      message: expect.stringMatching(/^没有说明事项 GA-SFZ-HL（居民身份证换领）今日要调整什么：请给出今日限额、今日取号时段、今日停止取号的公告，或恢复取号。未作任何更改。\nNothing to change today/),
    });
    expect(await refusal({ serviceCode: 'NO-SUCH', dailyQuota: 10 })).toMatchObject({
      code: 'not-found',
      message: expect.stringMatching(/^本大厅没有编码为 NO-SUCH 的事项：请核对事项编码。未作任何更改。\nThere is no service item NO-SUCH/),
    });
    expect(hub.store.view.catalogue.items.find((i) => i.code === 'GA-SFZ-HL')!.today).toBeUndefined();
  });

  it('pushes the hall’s state to the console as Server-Sent Events, kept alive by a comment line', async () => {
    const hub = await hall({ seed: true, keepAliveMs: 100 });
    const a = await admin(hub);
    const res = await fetch(`${hub.url}/api/console/stream`, { headers: { cookie: a.cookie } });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    const until = async (s: string, from = 0) => {
      while (!text.includes(s, from)) text += new TextDecoder().decode((await reader.read()).value);
    };
    await until('event: terminals');
    expect(text).toMatch(/^event: snapshot\ndata: \{"seq":/);
    // The feed says it is alive by a comment (EventSource passes it over): no clock event, which the console
    // no longer hears (it asks the hub's clock of /api/console/status, at the midpoint of a round trip).
    await until(': keep-alive\n\n');
    await until(': keep-alive\n\n', text.indexOf(': keep-alive\n\n') + 1);
    expect(text).not.toContain('event: clock');
    await a.request('POST', '/api/windows/temporary', { window: 60, serves: ['RS-SBK-SL'] });
    await until('window.temporaryOpened');
    await reader.cancel();
    // A setup saved later keeps today's temporary window.
    expect((await a.request('POST', '/api/setup', { catalogue: demoCatalogue({ allDay: true }) })).status).toBe(200);
    expect(hub.store.view.catalogue.windows.find((w) => w.number === 60)).toMatchObject({ temporary: hub.store.view.day });
  });

  it('tells the hubs’ health on the live feed of administrators and supervisors only, as the board shows it to them only', async () => {
    const hub = await hall({ seed: true, keepAliveMs: 100 });
    const a = await admin(hub);
    const head = await staffMember(hub, a, 'chen', 'department-head', '出入境');
    const said = async (who: TestConsole) => {
      const res = await fetch(`${hub.url}/api/console/stream`, { headers: { cookie: who.cookie } });
      const reader = res.body!.getReader();
      let text = '';
      // The keep-alive comes after the first words of the feed (snapshot, terminals, hubs).
      while (!text.includes(': keep-alive')) text += new TextDecoder().decode((await reader.read()).value);
      await reader.cancel();
      return text;
    };
    expect(await said(a)).toContain('event: hubs\ndata: {"inCharge":true');
    const heads = await said(head);
    expect(heads).toContain('event: terminals');
    expect(heads).not.toContain('event: hubs');
  });

  it('ends the live feed of an account the moment it is disabled, not at its next message', async () => {
    const hub = await hall({ seed: true, keepAliveMs: 60_000 });
    const a = await admin(hub);
    const wall = await staffMember(hub, a, 'zhang', 'supervisor');
    const res = await fetch(`${hub.url}/api/console/stream`, { headers: { cookie: wall.cookie } });
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('event: terminals')) text += new TextDecoder().decode((await reader.read()).value);
    expect((await a.request('POST', '/api/staff/zhang/disabled', { disabled: true })).status).toBe(200);
    // No event and no keep-alive for a minute: the feed ends because its session did, saying so last (the console then goes to its sign-in page).
    const ended = await Promise.race([
      (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return text.endsWith('event: ended\ndata: {"reason":"signed-out"}\n\n') ? 'ended' : `ended without saying why: ${JSON.stringify(text.slice(-80))}`;
          text += new TextDecoder().decode(value);
        }
      })(),
      new Promise((resolve) => setTimeout(() => resolve('still open'), 5_000)),
    ]);
    expect(ended).toBe('ended');
  });

  it('tells the console’s live feed of a credential made or revoked through the API, with no other change', async () => {
    const hub = await hall({ seed: true });
    const a = await admin(hub);
    const res = await fetch(`${hub.url}/api/console/stream`, { headers: { cookie: a.cookie } });
    const reader = res.body!.getReader();
    let text = '';
    /** The terminals the feed said last, once it has said them `count` times. */
    const saidTerminals = async (count: number) => {
      while ((text.match(/event: terminals\n/g) ?? []).length < count || !text.endsWith('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
      const data = text.split('event: terminals\ndata: ').at(-1)!.split('\n')[0]!;
      return (JSON.parse(data) as { terminals: { terminal: string; state: string }[] }).terminals;
    };
    expect((await saidTerminals(1)).map((t) => t.terminal)).not.toContain('screen-5');
    // An installer's credential (the hall token, not the console): before, the Terminals page learnt of it only at the next link or revoke.
    const made = await (
      await fetch(`${hub.url}/api/terminal-tokens`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ role: 'display', terminal: 'screen-5' }) })
    ).json();
    expect((await saidTerminals(2)).find((t) => t.terminal === 'screen-5')).toMatchObject({ state: 'offline' });
    expect((await a.request('POST', `/api/terminals/${made.id}/revoke`)).status).toBe(200);
    expect((await saidTerminals(3)).find((t) => t.terminal === 'screen-5')).toMatchObject({ state: 'revoked' });
    await reader.cancel();
  });

  it('opens a few live feeds a staff member, each holding the hall’s snapshot until it is read, and another once one closes', async () => {
    const hub = await hall({ seed: true });
    const a = await admin(hub);
    const feed = () => fetch(`${hub.url}/api/console/stream`, { headers: { cookie: a.cookie } });
    const open = await Promise.all(Array.from({ length: FEEDS_PER_STAFF }, feed));
    expect(open.map((r) => r.status)).toEqual(open.map(() => 200));
    const refused = await feed();
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ ok: false, code: 'rate-limited' });
    await open[0]!.body!.cancel();
    await expect.poll(async () => (await feed()).status).toBe(200);
    for (const r of open.slice(1)) await r.body!.cancel();
  });
});

describe('terminals enrolled by pairing code', () => {
  it('a terminal shows a code, the administrator confirms it, the terminal gets its own credential; revoked, it is shut out', async () => {
    const hub = await hall({ seed: true });
    const a = await admin(hub);
    const kiosk = await terminal(hub);
    kiosk.send({ type: 'pair', protocol: 1, role: 'kiosk', terminal: 'kiosk-7', version: '0.1.0' });
    const pairing = await kiosk.next((m) => m.type === 'pairing');
    if (pairing.type !== 'pairing') throw new Error('no code');
    expect(pairing.code).toMatch(/^\d{6}$/);
    const waiting = await a.request<{ waiting: { terminal: string; code?: string }[] }>('GET', '/api/terminals');
    expect(waiting.body.waiting).toEqual([expect.objectContaining({ terminal: 'kiosk-7' })]);
    expect(waiting.body.waiting[0]!.code).toBeUndefined();

    const other = '000000' === pairing.code ? '000001' : '000000';
    expect((await a.request('POST', '/api/terminals/enrol', { code: other })).body).toMatchObject({ code: 'not-found', text: expect.stringContaining(`没有终端正在显示配对码 ${other}`) });
    // A mistyped code is told what is wrong with it, not that the request is.
    expect((await a.request('POST', '/api/terminals/enrol', { code: '12345' })).body).toMatchObject({ code: 'bad-request', text: '配对码是 6 位数字，输入的是 5 位。请对照终端屏幕输入其上显示的 6 位数字。' });
    expect((await a.request('POST', '/api/terminals/enrol', { code: '12a456' })).body).toMatchObject({ text: '配对码只有数字，输入的含有其他字符。请对照终端屏幕输入其上显示的 6 位数字。' });
    expect((await a.request('POST', '/api/terminals/enrol', { code: '1234567' }, { 'accept-language': 'en' })).body).toMatchObject({
      text: "The pairing code has 6 digits; 7 were entered. Please enter the 6 digits shown on the terminal's screen.",
    });
    // A validity that is not a whole number of days, or out of range, is told so with the range, and leaves the code to be used once corrected.
    const typed = `${pairing.code.slice(0, 3)} ${pairing.code.slice(3)}`;
    expect((await a.request('POST', '/api/terminals/enrol', { code: typed, expiresInDays: 'abc' })).body).toMatchObject({
      code: 'bad-request',
      text: '有效期 “abc” 不是整数天数：请填写 1 到 1825 之间的整数（最长五年）。未登记任何终端，终端上的配对码仍然有效。',
    });
    expect((await a.request('POST', '/api/terminals/enrol', { code: typed, expiresInDays: 0 })).body).toMatchObject({
      text: '有效期 0 天超出了允许的范围：请填写 1 到 1825 之间的整数（最长五年）。未登记任何终端，终端上的配对码仍然有效。',
    });
    expect((await a.request('POST', '/api/terminals/enrol', { code: typed, expiresInDays: 30.5 })).body).toMatchObject({ text: expect.stringMatching(/^有效期 30\.5 不是整数天数：/) });
    expect((await a.request('POST', '/api/terminals/enrol', { code: typed, expiresInDays: null })).body).toMatchObject({ text: expect.stringMatching(/^有效期 null 不是整数天数：/) });
    expect((await a.request('POST', '/api/terminals/enrol', { code: typed, expiresInDays: 1826 }, { 'accept-language': 'en' })).body).toMatchObject({
      text: 'A validity of 1826 days is outside what is allowed: enter a whole number of days from 1 to 1825 (five years). No terminal was enrolled; its pairing code still holds.',
    });
    expect(kiosk.messages.some((m) => m.type === 'paired')).toBe(false);
    const paid = kiosk.next((m) => m.type === 'paired');
    // As the terminal shows it, "123 456".
    const enrolled = await a.request<{ terminal: { id: string } }>('POST', '/api/terminals/enrol', { code: typed, expiresInDays: 30 });
    expect(enrolled.status).toBe(201);
    const paired = await paid;
    if (paired.type !== 'paired') throw new Error('not paired');
    expect(paired.token).toMatch(/^tc1\./);
    expect(paired.expiresAt).toBe(now + 30 * 86_400_000);
    // The hub keeps only a hash of it.
    expect(JSON.stringify(hub.credentials.list(now))).not.toContain(paired.token.split('.')[2]);

    const linked = await TestTerminal.connect(hub.wsUrl, { role: 'kiosk', terminal: 'kiosk-7', token: paired.token, version: '0.1.0' });
    terminals.push(linked);
    const list = await a.request<{ terminals: { id: string; terminal: string; state: string; version?: string }[] }>('GET', '/api/terminals');
    expect(list.body.terminals[0]).toMatchObject({ terminal: 'kiosk-7', state: 'online', version: '0.1.0' });

    const closed = new Promise((r) => linked.ws.once('close', r));
    expect((await a.request('POST', `/api/terminals/${enrolled.body.terminal.id}/revoke`)).status).toBe(200);
    await closed;
    await expect(TestTerminal.connect(hub.wsUrl, { role: 'kiosk', terminal: 'kiosk-7', token: paired.token })).rejects.toThrow(/revoked/);
    const actions = (await a.request<{ entries: { action: string }[] }>('GET', '/api/audit')).body.entries.map((e) => e.action);
    expect(actions.slice(0, 2)).toEqual(['revokeTerminal', 'enrolTerminal']);
  });

  it('a credential an installer makes again through the API shuts out the link of the one it replaces, as a revoke in the console does', async () => {
    const hub = await hall({ seed: true });
    const make = async () =>
      (await (await fetch(`${hub.url}/api/terminal-tokens`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ role: 'kiosk', terminal: 'kiosk-8' }) })).json()) as { token: string };
    const first = await make();
    const linked = await TestTerminal.connect(hub.wsUrl, { role: 'kiosk', terminal: 'kiosk-8', token: first.token });
    terminals.push(linked);
    const closed = new Promise<void>((resolve) => linked.ws.once('close', () => resolve()));
    const second = await make();
    // Before, the link on the revoked credential stayed open, taking numbers, until the kiosk linked again.
    const outcome = await Promise.race([closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('still open 15 s after its credential was replaced'), 15_000))]);
    expect(outcome).toBe('closed');
    expect(linked.messages.at(-1)).toMatchObject({ type: 'error', code: 'unauthorised', message: expect.stringMatching(/revoked: enrol it again/) });
    const again = await TestTerminal.connect(hub.wsUrl, { role: 'kiosk', terminal: 'kiosk-8', token: second.token });
    terminals.push(again);
    expect(await again.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' })).toMatchObject({ ok: true });
  }, 40_000);

  it('an expired credential is refused', async () => {
    const hub = await hall({ seed: true });
    const made = await (
      await fetch(`${hub.url}/api/terminal-tokens`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ role: 'display', terminal: 'screen-1', expiresInDays: 1 }) })
    ).json();
    const t = await TestTerminal.connect(hub.wsUrl, { role: 'display', terminal: 'screen-1', token: made.token });
    t.close();
    now += 86_400_000 + 1;
    await expect(TestTerminal.connect(hub.wsUrl, { role: 'display', terminal: 'screen-1', token: made.token })).rejects.toThrow(/expired/);
  });

  it('a credential that runs out while its terminal is linked closes the link, telling it to enrol again: at its next message, or at the beat for one that sends nothing', { timeout: 60_000 }, async () => {
    // The beat every second here (the hub's own is every 15 s, pinned below): the screen need not wait for it.
    const hub = await hall({ seed: true, heartbeatMs: 1_000 });
    const credential = async (role: string, terminal: string) =>
      (await fetch(`${hub.url}/api/terminal-tokens`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ role, terminal, expiresInDays: 1 }) })).json();
    const kioskToken = (await credential('kiosk', 'kiosk-9')).token;
    const screenToken = (await credential('display', 'screen-9')).token;
    const kiosk = await TestTerminal.connect(hub.wsUrl, { role: 'kiosk', terminal: 'kiosk-9', token: kioskToken });
    const screen = await TestTerminal.connect(hub.wsUrl, { role: 'display', terminal: 'screen-9', token: screenToken });
    terminals.push(kiosk, screen);
    expect(await kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' })).toMatchObject({ ok: true });
    const closed = (t: TestTerminal) => new Promise<void>((resolve) => t.ws.once('close', () => resolve()));
    const kioskClosed = closed(kiosk);
    const screenClosed = closed(screen);
    now += 86_400_000 + 1;
    kiosk.send({ type: 'command', command: { id: 'after-expiry-1', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' } });
    await kioskClosed;
    expect(kiosk.messages.at(-1)).toMatchObject({ type: 'error', code: 'unauthorised', message: expect.stringMatching(/expired: enrol it again/) });
    // Nothing was issued by the expired credential.
    expect([...hub.store.view.tickets.values()]).toHaveLength(1);
    // The screen says nothing: the hub's beat finds it.
    await screenClosed;
    expect(screen.messages.at(-1)).toMatchObject({ type: 'error', code: 'unauthorised', message: expect.stringMatching(/expired: enrol it again/) });
  });

  it('beats every 15 s unless told otherwise: a silent screen whose credential ran out is shut out at the beat, not a moment before', async () => {
    // The hub's intervals on a clock of the test's: started with the hub, moved on by hand.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const hub = await hall({ seed: true });
      const made = await (
        await fetch(`${hub.url}/api/terminal-tokens`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ role: 'display', terminal: 'screen-10', expiresInDays: 1 }) })
      ).json();
      const screen = await TestTerminal.connect(hub.wsUrl, { role: 'display', terminal: 'screen-10', token: made.token });
      terminals.push(screen);
      const screenClosed = new Promise<void>((resolve) => screen.ws.once('close', () => resolve()));
      // Whatever the hub sent the screen before its answer to a ping has arrived by then (or the link is closed).
      const pong = new Promise<void>((resolve) => screen.ws.once('pong', () => resolve()));
      now += 86_400_000 + 1;
      vi.advanceTimersByTime(15_000 - 1);
      screen.ws.ping();
      await Promise.race([pong, screenClosed]);
      expect(screen.messages.filter((m) => m.type === 'error')).toEqual([]);
      expect(screen.ws.readyState).toBe(screen.ws.OPEN);
      vi.advanceTimersByTime(1);
      // Not expect.poll, which moves fake timers on as it waits.
      await Promise.race([screenClosed, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      expect(screen.ws.readyState, 'the screen shut out at the beat, 15 s after the hub started').toBe(screen.ws.CLOSED);
      expect(screen.messages.at(-1)).toMatchObject({ type: 'error', code: 'unauthorised', message: expect.stringMatching(/expired: enrol it again/) });
    } finally {
      for (const h of hubs.splice(0)) await h.close();
      vi.useRealTimers();
    }
  });
});

describe('the catalogue as a workbook, and the calendar', () => {
  it('exports the catalogue and imports it back for review', async () => {
    const hub = await hall({ seed: true });
    const a = await admin(hub);
    const book = await a.request<Buffer>('GET', '/api/catalogue.xlsx');
    expect(book.headers.get('content-type')).toMatch(/spreadsheetml/);
    const back = await a.request<{ catalogue: { items: unknown[] } }>('POST', '/api/catalogue.xlsx', new Uint8Array(book.body));
    expect(back.status).toBe(200);
    expect(back.body.catalogue.items).toEqual(hub.store.view.catalogue.items);
    const bad = await a.request<{ problems: unknown[] }>('POST', '/api/catalogue.xlsx', new Uint8Array(Buffer.from('no')));
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toHaveLength(1);
  });

  it("lists the calendar's years and takes a new one", async () => {
    const hub = await hall({ seed: true });
    const a = await admin(hub);
    const cal = await a.request<{ years: { year: number }[] }>('GET', '/api/calendar');
    const next = Math.max(...cal.body.years.map((y) => y.year)) + 1;
    expect((await a.request('PUT', `/api/calendar/${next}`, { holidays: { [`${next}-01-01`]: '元旦' }, workdays: {} })).status).toBe(200);
    const after = await a.request<{ years: { year: number; source: string }[] }>('GET', '/api/calendar');
    expect(after.body.years.find((y) => y.year === next)).toMatchObject({ source: 'hall' });
  });
});
