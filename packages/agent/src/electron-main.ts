import type * as Electron from 'electron';
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import path from 'node:path';
import { pairingPage, pairWithHub, readCredential, type PairingState } from './pairing';
import { startAgent, type AgentContext, type AgentParts } from './agent';
import { ConfigError, loadConfig } from './config';
import type { BridgeShape } from './contract';
import { IPC_CALL, IPC_PUSH } from './contract';
import { dispatch } from './dispatch';
import type { Pushes } from './pushes';

/**
 * Electron mode: the same handlers and pushes as browser mode, over IPC. The renderer reaches
 * them only through the preload (`exposeBridge`), with contextIsolation on and nodeIntegration off.
 */
export function serveOverIpc(ipcMain: IpcMain, window: BrowserWindow, handlers: Record<string, (arg: never) => unknown>, pushes: Pushes): () => void {
  ipcMain.handle(IPC_CALL, (_e: IpcMainInvokeEvent, name: unknown, arg: unknown) => dispatch(handlers, name, arg));
  // A renderer that starts listening to a topic gets its latest value at once.
  const replay = (e: { sender: { send(channel: string, ...args: unknown[]): void } }, topic: unknown) => {
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

/** The BrowserWindow settings every ServiceHall terminal uses: isolated, sandboxed, no Node in the page. */
export function secureWebPreferences(preload: string) {
  return { preload, contextIsolation: true, nodeIntegration: false, sandbox: true, spellcheck: false } as const;
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
 * one window with the preload bridge, hardened: no zoom, no new windows, no navigation away.
 * The app passes Electron in, so that this package never loads it outside Electron.
 */
export async function runElectronTerminal<S extends BridgeShape>(electron: typeof Electron, spec: ElectronTerminal<S>, appDir: string): Promise<void> {
  const { app, BrowserWindow, dialog, ipcMain } = electron;
  await app.whenReady();
  let create: (ctx: AgentContext<S>) => AgentParts<S> | Promise<AgentParts<S>>;
  let config;
  try {
    config = loadConfig(process.env.SERVICEHALL_CONFIG, process.env, { ...spec.defaults, dataDir: path.join(app.getPath('userData'), 'terminal') });
    create = spec.prepare(process.env.SERVICEHALL_CONFIG, process.env);
  } catch (error) {
    dialog.showErrorBox(spec.title, error instanceof ConfigError ? error.message : String(error));
    app.exit(1);
    return;
  }
  if (!config.token && !readCredential(config)) {
    // Not enrolled yet: a window shows the pairing code until an administrator confirms it in the console.
    const pairing = new BrowserWindow({ ...spec.size, fullscreen: spec.kiosk, kiosk: spec.kiosk, autoHideMenuBar: true, backgroundColor: '#0f2f57', title: spec.title, webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false } });
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
    webPreferences: secureWebPreferences(path.join(appDir, '../preload/index.cjs')),
  });
  // A desktop terminal (the clerk's) opens maximised rather than locked.
  if (!spec.kiosk)
    window.once('ready-to-show', () => {
      window.maximize();
      window.show();
    });
  window.webContents.setVisualZoomLevelLimits(1, 1).catch(() => undefined);
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  serveOverIpc(ipcMain, window, agent.handlers, agent.pushes);
  await window.loadFile(path.join(appDir, '../renderer/index.html'));
  app.on('window-all-closed', () => void agent.stop().then(() => app.quit()));
}
