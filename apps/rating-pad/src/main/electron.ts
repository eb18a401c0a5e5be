import { ConfigError, loadConfig, secureWebPreferences, serveOverIpc, startAgent } from '@servicehall/agent';
import { app, BrowserWindow, dialog, ipcMain } from 'electron';
import path from 'node:path';
import { createRatingPadAgent } from './agent';
import { padOptionsFromEnv } from './options';

/** The rating pad's Electron shell: one kiosk window on the counter tablet (1280×800). */
async function main() {
  await app.whenReady();
  let config;
  try {
    config = loadConfig(process.env.SERVICEHALL_CONFIG, process.env, { role: 'rating-pad', terminal: 'rating-pad', dataDir: path.join(app.getPath('userData'), 'terminal') });
  } catch (error) {
    dialog.showErrorBox('ServiceHall 服务评价器', error instanceof ConfigError ? error.message : String(error));
    app.exit(1);
    return;
  }
  const agent = await startAgent(config, (ctx) => createRatingPadAgent(ctx, padOptionsFromEnv(process.env)));
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    fullscreen: true,
    kiosk: true,
    autoHideMenuBar: true,
    backgroundColor: '#f3f6f9',
    webPreferences: secureWebPreferences(path.join(__dirname, '../preload/index.cjs')),
  });
  serveOverIpc(ipcMain, window, agent.handlers, agent.pushes);
  await window.loadFile(path.join(__dirname, '../renderer/index.html'));
  app.on('window-all-closed', () => void agent.stop().then(() => app.quit()));
}

void main();
