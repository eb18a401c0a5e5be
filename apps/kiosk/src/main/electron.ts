import { ConfigError, loadConfig, secureWebPreferences, serveOverIpc, startAgent } from '@servicehall/agent';
import { app, BrowserWindow, dialog, ipcMain } from 'electron';
import path from 'node:path';
import type { KioskShape } from '../shared/api';
import { createKioskAgent } from './agent';
import { loadKioskSettings } from './settings';

/** The kiosk's Electron shell: one full-screen window on the portrait touch screen (1080×1920), locked in kiosk mode. */
async function main() {
  await app.whenReady();
  let config;
  let settings;
  try {
    config = loadConfig(process.env.SERVICEHALL_CONFIG, process.env, { role: 'kiosk', terminal: 'kiosk-1', dataDir: path.join(app.getPath('userData'), 'terminal') });
    settings = loadKioskSettings(process.env.SERVICEHALL_CONFIG, process.env);
  } catch (error) {
    dialog.showErrorBox('ServiceHall 自助取号机', error instanceof ConfigError ? error.message : String(error));
    app.exit(1);
    return;
  }
  const kioskSettings = settings;
  const agent = await startAgent<KioskShape>(config, (ctx) => createKioskAgent(ctx, kioskSettings));
  const window = new BrowserWindow({
    width: 1080,
    height: 1920,
    fullscreen: true,
    kiosk: true,
    autoHideMenuBar: true,
    backgroundColor: '#f3f6fa',
    webPreferences: secureWebPreferences(path.join(__dirname, '../preload/index.cjs')),
  });
  // A touch kiosk: no pinch zoom, no new windows, no navigation away from the app.
  window.webContents.setVisualZoomLevelLimits(1, 1).catch(() => undefined);
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  serveOverIpc(ipcMain, window, agent.handlers, agent.pushes);
  await window.loadFile(path.join(__dirname, '../renderer/index.html'));
  app.on('window-all-closed', () => void agent.stop().then(() => app.quit()));
}

void main();
