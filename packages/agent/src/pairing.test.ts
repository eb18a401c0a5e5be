import { demoCatalogue } from '@servicehall/fixtures';
import { startHub, type RunningHub } from '@servicehall/hub';
import { freePort } from '@servicehall/hub/testing';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBrowserTerminal } from './browser-mode';
import { loadConfig } from './config';
import { credentialFile, pairingPage, pairWithHub, readCredential, unreachableText, type PairingState } from './pairing';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A hub and the terminal's folders; `clock`, the hub's (its PC's) clock. */
async function hallAndTerminalDirs(clock?: () => number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-pairing-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const hub = await startHub({ dataDir: path.join(dir, 'hub'), token: 'hall-token-for-pairing', seed: demoCatalogue({ allDay: true }), ...(clock ? { clock } : {}) });
  cleanups.push(() => hub.close());
  const renderer = path.join(dir, 'renderer');
  fs.mkdirSync(renderer);
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>kiosk screen</title>');
  return { hub, dir, renderer };
}

async function waitFor<T>(fn: () => T | undefined | Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`waited in vain for ${what}`);
}

const enrol = (hub: RunningHub, code: string) =>
  fetch(`${hub.url}/api/terminals/enrol`, { method: 'POST', headers: { authorization: 'Bearer hall-token-for-pairing', 'content-type': 'application/json' }, body: JSON.stringify({ code }) });

describe('a terminal without a credential', () => {
  it('shows a pairing code on its screen, keeps the credential it is given (0600) and starts; next time it needs no code', async () => {
    const { hub, dir, renderer } = await hallAndTerminalDirs();
    const config = loadConfig(undefined, { SERVICEHALL_ROLE: 'kiosk', SERVICEHALL_TERMINAL: 'kiosk-9', SERVICEHALL_HUB_URL: hub.wsUrl, SERVICEHALL_TERMINAL_DATA: path.join(dir, 'kiosk-9') });
    expect(config.token).toBeUndefined();
    const terminal = await startBrowserTerminal(config, () => ({ handlers: {} }), renderer);
    cleanups.push(() => terminal.stop());
    expect(terminal.agent).toBeUndefined();

    const code = await waitFor(async () => {
      const page = await (await fetch(terminal.screen.url)).text();
      return /data-state="showing:(\d{6})"/.exec(page)?.[1];
    }, 'the pairing code on the screen');
    const page = await (await fetch(terminal.screen.url)).text();
    expect(page).toContain('终端登记');
    expect(page).toContain(`${code.slice(0, 3)} ${code.slice(3)}`);
    expect((await fetch(`${terminal.screen.url}pairing.js`)).headers.get('content-type')).toMatch(/javascript/);

    expect((await enrol(hub, code)).status).toBe(201);
    const agent = await terminal.ready;
    await agent.client.whenInStep();
    expect(await (await fetch(terminal.screen.url)).text()).toContain('kiosk screen');
    expect(fs.statSync(credentialFile(config)).mode & 0o777).toBe(0o600);
    expect(readCredential(config)).toMatchObject({ role: 'kiosk', terminal: 'kiosk-9', token: expect.stringMatching(/^tc1\./) });
    await terminal.stop();

    const again = await startBrowserTerminal(config, () => ({ handlers: {} }), renderer);
    cleanups.push(() => again.stop());
    expect(again.agent).toBeDefined();
    await again.agent!.client.whenInStep();
    const list = hub.credentials.list(Date.now(), true);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ terminal: 'kiosk-9', version: expect.any(String) });
  });

  it('shows a pairing code again when its credential is revoked, and runs again once enrolled anew', async () => {
    const { hub, dir, renderer } = await hallAndTerminalDirs();
    const config = loadConfig(undefined, { SERVICEHALL_ROLE: 'display', SERVICEHALL_TERMINAL: 'screen-2', SERVICEHALL_HUB_URL: hub.wsUrl, SERVICEHALL_TERMINAL_DATA: path.join(dir, 'screen-2') });
    const terminal = await startBrowserTerminal(config, () => ({ handlers: {} }), renderer);
    cleanups.push(() => terminal.stop());
    const codeOnScreen = () =>
      waitFor(async () => /data-state="showing:(\d{6})"/.exec(await (await fetch(terminal.screen.url)).text())?.[1], 'the pairing code on the screen');
    expect((await enrol(hub, await codeOnScreen())).status).toBe(201);
    await (await terminal.ready).client.whenInStep();
    const id = readCredential(config)!.token.split('.')[1]!;

    const revoked = await fetch(`${hub.url}/api/terminals/${id}/revoke`, { method: 'POST', headers: { authorization: 'Bearer hall-token-for-pairing' } });
    expect(revoked.status).toBe(200);
    const again = await codeOnScreen();
    expect(readCredential(config)).toBeUndefined();
    expect((await enrol(hub, again)).status).toBe(201);
    await waitFor(() => (terminal.agent?.client.state.status === 'online' ? true : undefined), 'the terminal online again');
    expect(await (await fetch(terminal.screen.url)).text()).toContain('kiosk screen');
    expect(readCredential(config)!.token.split('.')[1]).not.toBe(id);
  });

  it('keeps its code on screen while it lasts on a PC whose clock is an hour ahead of the hub’s, and is enrolled by it', async () => {
    const { hub, dir, renderer } = await hallAndTerminalDirs(() => Date.now() - 3_600_000);
    const config = loadConfig(undefined, { SERVICEHALL_ROLE: 'kiosk', SERVICEHALL_TERMINAL: 'kiosk-8', SERVICEHALL_HUB_URL: hub.wsUrl, SERVICEHALL_TERMINAL_DATA: path.join(dir, 'kiosk-8') });
    const terminal = await startBrowserTerminal(config, () => ({ handlers: {} }), renderer);
    cleanups.push(() => terminal.stop());
    const codeOnScreen = () => waitFor(async () => /data-state="showing:(\d{6})"/.exec(await (await fetch(terminal.screen.url)).text())?.[1], 'the pairing code on the screen');
    const code = await codeOnScreen();
    // Before the fix the code's end, by the hub's clock, looked past by this PC's: a new code was asked every second.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await codeOnScreen()).toBe(code);
    expect((await enrol(hub, code)).status).toBe(201);
    await (await terminal.ready).client.whenInStep();
  });

  it('a stored credential of another terminal id is not used', async () => {
    const { hub, dir } = await hallAndTerminalDirs();
    const env = { SERVICEHALL_ROLE: 'kiosk', SERVICEHALL_HUB_URL: hub.wsUrl, SERVICEHALL_TERMINAL_DATA: path.join(dir, 'k') };
    const one = loadConfig(undefined, { ...env, SERVICEHALL_TERMINAL: 'kiosk-1' });
    fs.mkdirSync(one.dataDir, { recursive: true });
    fs.writeFileSync(credentialFile(one), JSON.stringify({ token: 'tc1.x', role: 'kiosk', terminal: 'kiosk-1', expiresAt: 0, hubUrl: hub.wsUrl }));
    expect(readCredential(one)).toBeDefined();
    expect(readCredential(loadConfig(undefined, { ...env, SERVICEHALL_TERMINAL: 'kiosk-2' }))).toBeUndefined();
  });
});

describe('the pairing screen', () => {
  it('names the terminal as the console lists it, in the screen\'s language, with its id', () => {
    const showing = { status: 'showing', code: '461892', expiresAt: Date.UTC(2026, 11, 7, 8, 24) } as const;
    expect(pairingPage('zh-CN', { ...showing, role: 'window', terminal: 'window-1', window: 1 })).toContain('<span id="who">终端：1号窗口终端 · window-1</span>');
    expect(pairingPage('zh-CN', { ...showing, role: 'kiosk', terminal: 'kiosk-1' })).toContain('<span id="who">终端：取号机 · kiosk-1</span>');
    expect(pairingPage('en', { ...showing, role: 'rating-pad', terminal: 'pad-3', window: 3 })).toContain('<span id="who">Terminal: Window 3 rating pad · pad-3</span>');
  });

  it('says until when the code is good in the hall’s time zone, whatever this PC’s zone; without it, for how many minutes', () => {
    // 08:24 UTC is 16:24 in Shanghai; this PC's own zone is another (before, the page said its PC's time: 08:24 on a PC left at UTC).
    const showing = { status: 'showing', code: '461892', expiresAt: Date.UTC(2026, 11, 7, 8, 24), validMinutes: 10, role: 'kiosk', terminal: 'kiosk-1' } as const;
    const before = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      expect(pairingPage('zh-CN', { ...showing, timeZone: 'Asia/Shanghai' })).toContain('<span id="until">配对码有效期至 16:24</span>');
      expect(pairingPage('en', { ...showing, timeZone: 'Asia/Shanghai' })).toContain('<span id="until">The code is good until 16:24</span>');
      expect(pairingPage('zh-CN', { ...showing, timeZone: 'Asia/Urumqi' })).toContain('<span id="until">配对码有效期至 14:24</span>');
      // A hub of an earlier release sends no zone, and a zone this PC does not know cannot be said: the minutes are true anywhere.
      expect(pairingPage('zh-CN', showing)).toContain('<span id="until">配对码 10 分钟内有效</span>');
      expect(pairingPage('en', { ...showing, timeZone: 'Mars/Olympus' })).toContain('<span id="until">The code is valid for 10 minutes</span>');
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });

  it('is told the hall’s time zone and how long the code lasts by the hub', async () => {
    const { hub, dir } = await hallAndTerminalDirs();
    const config = loadConfig(undefined, { SERVICEHALL_ROLE: 'kiosk', SERVICEHALL_TERMINAL: 'kiosk-7', SERVICEHALL_HUB_URL: hub.wsUrl, SERVICEHALL_TERMINAL_DATA: path.join(dir, 'kiosk-7') });
    const states: PairingState[] = [];
    const pairing = pairWithHub(config, (s) => states.push(s));
    cleanups.push(() => pairing.stop());
    const shown = await waitFor(() => states.find((s) => s.status === 'showing'), 'a pairing code');
    expect(shown).toMatchObject({ timeZone: 'Asia/Shanghai', validMinutes: expect.any(Number) });
    expect(pairingPage('zh-CN', shown)).toMatch(/<span id="until">配对码有效期至 \d{2}:\d{2}<\/span>/);
  });
});

describe('a terminal whose hubUrl reaches no hub', () => {
  it('says once, in Chinese then English, that it cannot reach the hub named in hubUrl and what to check, while it keeps trying', async () => {
    // A port nobody listens on: the hub stopped, or a typo in hubUrl.
    const free = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-pairing-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const config = loadConfig(undefined, {}, { role: 'kiosk', terminal: 'kiosk-1', hubUrl: `ws://127.0.0.1:${free}/ws`, dataDir: dir });
    const said: string[] = [];
    let tries = 0;
    const pairing = pairWithHub(config, (state) => void (state.status === 'connecting' && tries++), (m) => said.push(m));
    cleanups.push(() => pairing.stop());
    // Three tries (at once, after 1 s, after 2 s more).
    await expect.poll(() => tries, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    expect(said).toEqual([expect.stringMatching(new RegExp(`^连不上大厅服务器 ws://127\\.0\\.0\\.1:${free}/ws（ECONNREFUSED）：请确认主机在运行，hubUrl 的地址和端口正确[^]*\\ncannot reach the hub at ws://127\\.0\\.0\\.1:${free}/ws \\(ECONNREFUSED\\)`))]);
    // A hub whose certificate the hall CA in hubCa did not sign: hubCa is named, not the hub's address alone.
    expect(unreachableText({ hubUrl: 'wss://192.168.1.10:8600/ws', hubCa: 'C:/servicehall/ca.crt' }, 'SELF_SIGNED_CERT_IN_CHAIN')).toMatch(/^连不上大厅服务器 wss:\/\/192\.168\.1\.10:8600\/ws（SELF_SIGNED_CERT_IN_CHAIN）：主机的证书不是 hubCa（C:\/servicehall\/ca\.crt）中的大厅 CA 签发的/);
  }, 30_000);
});
