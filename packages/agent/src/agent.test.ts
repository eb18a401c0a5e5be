import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { serveBrowserMode } from './browser-mode';
import { ConfigError, loadConfig } from './config';
import { IPC_CALL, IPC_PUSH } from './contract';
import { serveOverIpc } from './electron-main';
import { Pushes } from './pushes';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-agent-'));
  cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

const GOOD = { role: 'window', terminal: 'window-3', window: 3, hubUrl: 'ws://192.168.1.10:8600/ws', token: 'a-hall-token' };

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('terminal configuration', () => {
  it('reads a file, then the environment on top', () => {
    const file = path.join(tempDir(), 'terminal.json');
    fs.writeFileSync(file, JSON.stringify(GOOD));
    const c = loadConfig(file, { SERVICEHALL_WINDOW: '4', SERVICEHALL_PRINTER: '/dev/ttyUSB0' });
    expect(c).toMatchObject({ role: 'window', window: 4, dataDir: './data/terminal', language: 'zh-CN', devices: { printer: { transport: 'serial', path: '/dev/ttyUSB0', baudRate: 9600 } } });
  });

  it.each([
    [{ ...GOOD, hubUrl: 'http://hub:8600' }, 'hubUrl: a ws:// or wss:// address'],
    [{ ...GOOD, window: undefined }, 'window: a window terminal needs the number of its window'],
    [{ ...GOOD, token: 'short' }, 'token: at least 8 characters'],
    [{ ...GOOD, terminal: 'kiosk 1!' }, 'terminal: letters, digits'],
    [{ ...GOOD, role: 'printer' }, 'role:'],
    [{ ...GOOD, devices: { printer: { transport: 'usb', path: 'x' } } }, 'devices.printer'],
  ])('stops on a bad field and names it: %j', (config, expected) => {
    const file = path.join(tempDir(), 'terminal.json');
    fs.writeFileSync(file, JSON.stringify(config));
    const problems = problemsOf(() => loadConfig(file, {}));
    expect(problems.join('\n')).toContain(expected);
  });

  it('says when the file is missing or not JSON', () => {
    const dir = tempDir();
    expect(problemsOf(() => loadConfig(path.join(dir, 'nope.json'), {}))[0]).toMatch(/cannot be read/);
    fs.writeFileSync(path.join(dir, 'bad.json'), '{ role: window');
    expect(problemsOf(() => loadConfig(path.join(dir, 'bad.json'), {}))[0]).toMatch(/not valid JSON/);
  });
});

/** The same handlers and pushes behind both transports must answer the same. */
function handlers() {
  return {
    add: ({ a, b }: { a: number; b: number }) => a + b,
    fail: () => {
      throw Object.assign(new Error('the printer is out of paper'), { code: 'paper-end' });
    },
  };
}

describe('one bridge, two transports', () => {
  it('in browser mode: serves the renderer, answers calls, reports failures as values and replays the latest push', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>终端</title>');
    const pushes = new Pushes();
    pushes.push('link', { status: 'online' });
    const mode = await serveBrowserMode({ handlers: handlers(), pushes, staticDir: dir });
    cleanups.push(() => mode.close());
    expect(await (await fetch(mode.url)).text()).toContain('终端');
    expect(await (await fetch(mode.url + 'any/deep/route')).text()).toContain('终端');
    expect((await fetch(mode.url + '..%2f..%2fetc/passwd')).status).not.toBe(200);
    // A malformed address is answered, and the agent goes on serving.
    expect((await fetch(mode.url + '%E0%A4%A')).status).toBe(400);
    expect((await fetch(mode.url)).status).toBe(200);

    const ws = new WebSocket(mode.url.replace('http', 'ws') + 'bridge');
    const messages: any[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
    await new Promise((r) => ws.once('open', r));
    cleanups.push(() => ws.close());
    ws.send(JSON.stringify({ type: 'call', id: 1, name: 'add', arg: { a: 2, b: 3 } }));
    ws.send(JSON.stringify({ type: 'call', id: 2, name: 'fail' }));
    ws.send(JSON.stringify({ type: 'call', id: 3, name: 'nope' }));
    ws.send('garbage');
    pushes.push('board', { calls: 1 });
    await expect.poll(() => messages.length).toBeGreaterThanOrEqual(5);
    expect(messages).toContainEqual({ type: 'push', topic: 'link', payload: { status: 'online' } });
    expect(messages).toContainEqual({ type: 'result', id: 1, ok: true, value: 5 });
    expect(messages).toContainEqual({ type: 'result', id: 2, ok: false, error: { code: 'paper-end', message: 'the printer is out of paper' } });
    expect(messages).toContainEqual({ type: 'result', id: 3, ok: false, error: { code: 'bad-request', message: 'there is no call nope' } });
    expect(messages).toContainEqual({ type: 'push', topic: 'board', payload: { calls: 1 } });
  });

  it('over Electron IPC: the same answers and pushes', async () => {
    const invoke = new Map<string, (...a: unknown[]) => unknown>();
    const on = new Map<string, (...a: unknown[]) => void>();
    const sent: unknown[][] = [];
    const ipcMain = {
      handle: (ch: string, fn: (...a: unknown[]) => unknown) => invoke.set(ch, fn),
      on: (ch: string, fn: (...a: unknown[]) => void) => on.set(ch, fn),
      removeHandler: (ch: string) => invoke.delete(ch),
      removeListener: (ch: string) => on.delete(ch),
    };
    const window = { isDestroyed: () => false, webContents: { send: (...a: unknown[]) => sent.push(a) } };
    const pushes = new Pushes();
    pushes.push('link', { status: 'online' });
    const stop = serveOverIpc(ipcMain as never, window as never, handlers(), pushes);
    expect(await invoke.get(IPC_CALL)!({}, 'add', { a: 2, b: 3 })).toEqual({ ok: true, value: 5 });
    expect(await invoke.get(IPC_CALL)!({}, 'fail')).toEqual({ ok: false, error: { code: 'paper-end', message: 'the printer is out of paper' } });
    const replayed: unknown[][] = [];
    on.get(IPC_PUSH)!({ sender: { send: (...a: unknown[]) => replayed.push(a) } }, 'link');
    expect(replayed).toEqual([[IPC_PUSH, 'link', { status: 'online' }]]);
    pushes.push('board', { calls: 1 });
    expect(sent).toEqual([[IPC_PUSH, 'board', { calls: 1 }]]);
    stop();
    expect(invoke.size + on.size).toBe(0);
  });
});

describe('browser mode on a port already taken', () => {
  it('rejects with the reason instead of ending the process', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
    const first = await serveBrowserMode({ handlers: {}, pushes: new Pushes(), staticDir: dir });
    cleanups.push(() => first.close());
    await expect(serveBrowserMode({ handlers: {}, pushes: new Pushes(), staticDir: dir, port: first.port })).rejects.toThrow(/EADDRINUSE/);
  });
});
