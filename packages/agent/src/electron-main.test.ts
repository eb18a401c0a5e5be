import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IPC_CALL } from './contract';
import { runElectronTerminal } from './electron-main';

/**
 * Electron itself cannot run here (its binary comes from GitHub), so runElectronTerminal is given a
 * stand-in of the parts of Electron it uses, which records what the terminal asked of them.
 */
function fakeElectron() {
  const calls: string[] = [];
  const appListeners = new Map<string, (...a: unknown[]) => void>();
  const handlers = new Map<string, (...a: unknown[]) => unknown>();
  const windows: FakeWindow[] = [];
  let permissionRequest: ((wc: unknown, permission: string, callback: (granted: boolean) => void) => void) | undefined;
  let permissionCheck: ((...a: unknown[]) => boolean) | undefined;

  class FakeWindow {
    readonly listeners = new Map<string, (...a: unknown[]) => void>();
    loaded = '';
    openHandler?: () => { action: string };
    readonly webContents = {
      id: 41,
      send: () => undefined,
      setVisualZoomLevelLimits: async () => undefined,
      setWindowOpenHandler: (h: () => { action: string }) => void (this.openHandler = h),
      on: (event: string, l: (...a: unknown[]) => void) => void this.listeners.set(event, l),
    };
    constructor(readonly options: { kiosk: boolean; webPreferences: Record<string, unknown> }) {
      windows.push(this);
    }
    once() {}
    maximize() {}
    show() {}
    isDestroyed() {
      return false;
    }
    removeMenu() {
      calls.push('removeMenu');
    }
    async loadFile(file: string) {
      this.loaded = file;
    }
  }

  const electron = {
    app: {
      whenReady: async () => undefined,
      on: (event: string, l: (...a: unknown[]) => void) => void appListeners.set(event, l),
      getPath: () => os.tmpdir(),
      exit: () => calls.push('exit'),
      quit: () => calls.push('quit'),
    },
    BrowserWindow: FakeWindow,
    dialog: { showErrorBox: (_t: string, m: string) => calls.push(`dialog: ${m}`) },
    ipcMain: {
      handle: (ch: string, fn: (...a: unknown[]) => unknown) => void handlers.set(ch, fn),
      on: () => undefined,
      removeHandler: () => undefined,
      removeListener: () => undefined,
    },
    Menu: { setApplicationMenu: (m: unknown) => calls.push(`setApplicationMenu(${m})`) },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: typeof permissionRequest) => void (permissionRequest = h),
        setPermissionCheckHandler: (h: typeof permissionCheck) => void (permissionCheck = h),
      },
    },
  };
  return {
    electron,
    calls,
    windows,
    handlers,
    appListeners,
    ask: (permission: string) => new Promise<boolean>((resolve) => permissionRequest!({}, permission, resolve)),
    check: (permission: string) => permissionCheck!({}, permission),
  };
}

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

async function run(kiosk: boolean, env: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-electron-'));
  Object.assign(process.env, { SERVICEHALL_HUB_URL: 'ws://127.0.0.1:9/ws', SERVICEHALL_TOKEN: 'a-hall-token', SERVICEHALL_TERMINAL_DATA: dir, SERVICEHALL_WINDOW: '1', SERVICEHALL_ALLOW_INSECURE: '' }, env);
  delete process.env.SERVICEHALL_CONFIG;
  const fake = fakeElectron();
  const appDir = path.join(dir, 'dist', 'main');
  await runElectronTerminal(
    fake.electron as never,
    { title: 'test', defaults: { role: kiosk ? 'kiosk' : 'window', terminal: 'terminal-1' }, size: { width: 100, height: 100 }, background: '#fff', kiosk, prepare: () => () => ({ handlers: { ping: () => 'pong' } }) },
    appDir,
  );
  const stop = () => fake.appListeners.get('window-all-closed')?.();
  return { ...fake, appDir, stop, dir };
}

describe('the Electron main of a terminal', () => {
  it('stops on a hub on another machine over ws://, in Chinese first and English, in its error box and its log alike', async () => {
    const logged: string[] = [];
    const error = vi.spyOn(console, 'error').mockImplementation((m: string) => void logged.push(m));
    try {
      const t = await run(true, { SERVICEHALL_HUB_URL: 'ws://192.168.1.10:8600/ws' });
      const said = /^终端配置有误，终端没有启动。[^]*环境变量 SERVICEHALL_HUB_URL=ws:\/\/192\.168\.1\.10:8600\/ws：主机在另一台机器上，ws:\/\/ 不加密：请把 hubUrl 改为 wss:\/\/ 地址，并用 hubCa [^]*allowInsecure 设为 true[^]*\nthe terminal's configuration is not usable:\n[^]*the hub is on another machine: use wss:\/\/ [^]*hubCa[^]*allowInsecure/;
      expect(t.calls.filter((c) => c.startsWith('dialog: '))).toEqual([expect.stringMatching(new RegExp(`^dialog: ${said.source.slice(1)}`))]);
      expect(logged).toEqual([expect.stringMatching(said)]);
      expect(t.calls).toContain('exit');
      expect(t.windows).toEqual([]);
    } finally {
      error.mockRestore();
    }
  });

  it('locks a kiosk-mode device: no menu, no DevTools, isolated and sandboxed', async () => {
    const t = await run(true);
    try {
      expect(t.calls).toContain('setApplicationMenu(null)');
      expect(t.calls).toContain('removeMenu');
      expect(t.windows[0]!.options).toMatchObject({ kiosk: true, webPreferences: { devTools: false, contextIsolation: true, nodeIntegration: false, sandbox: true, webviewTag: false } });
    } finally {
      t.stop();
    }
  });

  it('leaves the clerk’s desktop window its menu and DevTools, with the same isolation', async () => {
    const t = await run(false);
    try {
      expect(t.calls).not.toContain('setApplicationMenu(null)');
      expect(t.windows[0]!.options).toMatchObject({ kiosk: false, webPreferences: { devTools: true, contextIsolation: true, sandbox: true } });
    } finally {
      t.stop();
    }
  });

  it('denies every permission a page asks for, web views, new windows and navigation away', async () => {
    const t = await run(true);
    try {
      for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'serial', 'hid']) {
        expect(await t.ask(p), p).toBe(false);
        expect(t.check(p), p).toBe(false);
      }
      let prevented = 0;
      const contents = { on: (event: string, l: (e: { preventDefault(): void }) => void) => event === 'will-attach-webview' && l({ preventDefault: () => prevented++ }), setWindowOpenHandler: (h: () => { action: string }) => expect(h()).toEqual({ action: 'deny' }) };
      t.appListeners.get('web-contents-created')!({}, contents);
      expect(prevented).toBe(1);
      const w = t.windows[0]!;
      expect(w.openHandler!()).toEqual({ action: 'deny' });
      let navigated = true;
      w.listeners.get('will-navigate')!({ preventDefault: () => (navigated = false) });
      expect(navigated).toBe(false);
    } finally {
      t.stop();
    }
  });

  it('answers IPC from the page it loaded only', async () => {
    const t = await run(true);
    try {
      const w = t.windows[0]!;
      const url = pathToFileURL(w.loaded).href;
      expect(w.loaded).toBe(path.join(t.appDir, '../renderer/index.html'));
      const call = t.handlers.get(IPC_CALL)!;
      expect(await call({ sender: { id: 41 }, senderFrame: { url, parent: null } }, 'ping')).toEqual({ ok: true, value: 'pong' });
      expect(await call({ sender: { id: 41 }, senderFrame: { url: 'https://evil.example/', parent: null } }, 'ping')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    } finally {
      t.stop();
    }
  });
});
