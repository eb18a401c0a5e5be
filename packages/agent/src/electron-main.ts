import type * as Electron from 'electron';
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { pairingPage, pairWithHub, readCredential, type PairingState } from './pairing';
import { startAgent, type AgentContext, type AgentParts } from './agent';
import { CONFIG_EXIT_CODE, ConfigError, loadConfig } from './config';
import type { BridgeShape } from './contract';
import { IPC_CALL, IPC_PUSH } from './contract';
import { dispatch } from './dispatch';
import type { Pushes } from './pushes';

/** What an IPC event says of its sender: the page (web contents) and the frame it came from. */
export interface IpcSender {
  sender: { id: number };
  senderFrame?: { url: string; parent?: unknown } | null;
}

/**
 * Whether an IPC message comes from the terminal's own screen: its window's page, its top frame,
 * and the renderer file the app loaded. Anything else (another window, a frame, a page it was made
 * to navigate to) is refused.
 */
export function fromOwnScreen(e: IpcSender, window: { isDestroyed(): boolean; webContents: { id: number } }, rendererUrl: string): boolean {
  if (window.isDestroyed() || e.sender.id !== window.webContents.id) return false;
  const frame = e.senderFrame;
  if (!frame || frame.parent) return false;
  return frame.url.split(/[?#]/)[0] === rendererUrl;
}

/**
 * Electron mode: the same handlers and pushes as browser mode, over IPC. The renderer reaches
 * them only through the preload (`exposeBridge`), with contextIsolation on and nodeIntegration off;
 * every message is checked to come from the terminal's own screen (`rendererUrl`).
 */
export function serveOverIpc(
  ipcMain: IpcMain,
  window: BrowserWindow,
  handlers: Record<string, (arg: never) => unknown>,
  pushes: Pushes,
  rendererUrl: string,
  log: (message: string) => void = console.warn,
): () => void {
  const refuse = (e: IpcSender) => log(`an IPC message from ${e.senderFrame?.url ?? 'an unknown frame'} was refused: only the terminal's own screen may call its agent`);
  ipcMain.handle(IPC_CALL, (e: IpcMainInvokeEvent, name: unknown, arg: unknown) => {
    if (!fromOwnScreen(e, window, rendererUrl)) {
      refuse(e);
      return { ok: false, error: { code: 'forbidden', message: 'only the terminal’s own screen may call its agent' } };
    }
    return dispatch(handlers, name, arg);
  });
  // A renderer that starts listening to a topic gets its latest value at once.
  const replay = (e: IpcSender & { sender: { send(channel: string, ...args: unknown[]): void } }, topic: unknown) => {
    if (!fromOwnScreen(e, window, rendererUrl)) return refuse(e);
    const latest = pushes.get(String(topic));
    if (latest !== undefined) e.sender.send(IPC_PUSH, topic, latest);
  };
  ipcMain.on(IPC_PUSH, replay);
  const detach = pushes.attach((topic, payload) => {
    if (!window.isDestroyed()) window.webContents.send(IPC_PUSH, topic, payload);
  });
  return () => {
    detach();
    ipcMain.removeHandler(IPC_CALL);
    ipcMain.removeListener(IPC_PUSH, replay);
  };
}

/** The BrowserWindow settings every ServiceHall terminal uses: isolated, sandboxed, no Node in the page; no DevTools on a locked device. */
export function secureWebPreferences(preload: string, locked = false) {
  return { preload, contextIsolation: true, nodeIntegration: false, sandbox: true, webSecurity: true, webviewTag: false, spellcheck: false, devTools: !locked } as const;
}

export interface ElectronTerminal<S extends BridgeShape> {
  /** The product's name, for the one dialog a bad configuration shows. */
  title: string;
  /** Configuration defaults: at least the role and the terminal id. */
  defaults: { role: 'kiosk' | 'window' | 'rating-pad' | 'display'; terminal: string };
  size: { width: number; height: number };
  background: string;
  /** A locked kiosk window (the counter and hall devices) or an ordinary one (the clerk's desktop). */
  kiosk: boolean;
  /** Reads the app's own settings (may throw ConfigError) and says how to make its agent. */
  prepare(configFile: string | undefined, env: NodeJS.ProcessEnv): (ctx: AgentContext<S>) => AgentParts<S> | Promise<AgentParts<S>>;
}

/**
 * Every app's Electron main: configuration (a bad field is one clear dialog, then exit), the agent,
 * one window with the preload bridge, hardened: no zoom, no new windows, no navigation away, no
 * web views, every permission a page may ask for denied, IPC from the own screen only; a locked
 * device (kiosk mode) has no menu and no DevTools. The app passes Electron in, so that this package
 * never loads it outside Electron.
 */
export async function runElectronTerminal<S extends BridgeShape>(electron: typeof Electron, spec: ElectronTerminal<S>, appDir: string): Promise<void> {
  const { app, BrowserWindow, dialog, ipcMain, Menu, session } = electron;
  // No page of a terminal needs a camera, a microphone, notifications, geolocation or the like.
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  await app.whenReady();
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  if (spec.kiosk) Menu.setApplicationMenu(null);
  let create: (ctx: AgentContext<S>) => AgentParts<S> | Promise<AgentParts<S>>;
  let config;
  try {
    config = loadConfig(process.env.SERVICEHALL_CONFIG, process.env, { ...spec.defaults, dataDir: path.join(app.getPath('userData'), 'terminal') });
    create = spec.prepare(process.env.SERVICEHALL_CONFIG, process.env);
  } catch (error) {
    const message = error instanceof ConfigError ? error.message : String(error);
    // The same words in the terminal's log (its service's journal), for an installer who was not at the screen.
    console.error(message);
    dialog.showErrorBox(spec.title, message);
    app.exit(error instanceof ConfigError ? CONFIG_EXIT_CODE : 1);
    return;
  }
  if (!config.token && !readCredential(config)) {
    // Not enrolled yet: a window shows the pairing code until an administrator confirms it in the console.
    const pairing = new BrowserWindow({ ...spec.size, fullscreen: spec.kiosk, kiosk: spec.kiosk, autoHideMenuBar: true, backgroundColor: '#0f2f57', title: spec.title, webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, webviewTag: false, devTools: !spec.kiosk } });
    if (spec.kiosk) pairing.removeMenu();
    const show = (state: PairingState) => void pairing.loadURL(`data:text/html;charset=utf-8,${encodeURIComponent(pairingPage(config.language, state))}`).catch(() => undefined);
    await pairWithHub(config, show, (m) => console.log(`[${config.terminal}] ${m}`)).credential;
    pairing.destroy();
  }
  const agent = await startAgent<S>(config, create);
  const window = new BrowserWindow({
    ...spec.size,
    fullscreen: spec.kiosk,
    kiosk: spec.kiosk,
    show: spec.kiosk,
    autoHideMenuBar: true,
    backgroundColor: spec.background,
    title: spec.title,
    webPreferences: secureWebPreferences(path.join(appDir, '../preload/index.cjs'), spec.kiosk),
  });
  if (spec.kiosk) window.removeMenu();
  // A desktop terminal (the clerk's) opens maximised rather than locked.
  if (!spec.kiosk)
    window.once('ready-to-show', () => {
      window.maximize();
      window.show();
    });
  window.webContents.setVisualZoomLevelLimits(1, 1).catch(() => undefined);
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  const rendererFile = path.join(appDir, '../renderer/index.html');
  serveOverIpc(ipcMain, window, agent.handlers, agent.pushes, pathToFileURL(rendererFile).href);
  await window.loadFile(rendererFile);
  app.on('window-all-closed', () => void agent.stop().then(() => app.quit()));
}
