import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
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
