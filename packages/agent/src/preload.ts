import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_GLOBAL, IPC_CALL, IPC_PUSH, type ExposedBridge } from './contract';

/**
 * Runs in each app's preload (contextIsolation on, nodeIntegration off): exposes two functions
 * and nothing else of Node or Electron to the renderer.
 */
export function exposeBridge(): void {
  const bridge: ExposedBridge = {
    call: (name, arg) => ipcRenderer.invoke(IPC_CALL, name, arg),
    on(topic, listener) {
      const handler = (_e: unknown, t: string, payload: unknown) => {
        if (t === topic) listener(payload);
      };
      ipcRenderer.on(IPC_PUSH, handler);
      ipcRenderer.send(IPC_PUSH, topic);
      return () => ipcRenderer.removeListener(IPC_PUSH, handler);
    },
  };
  contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge);
}
