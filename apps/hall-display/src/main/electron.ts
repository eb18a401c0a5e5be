import { ConfigError, loadConfig, secureWebPreferences, serveOverIpc, startAgent } from '@servicehall/agent';
import { app, BrowserWindow, dialog, ipcMain } from 'electron';
import path from 'node:path';
import { createHallDisplayAgent } from './agent';
import { loadDisplayOptions, type DisplayOptions } from './options';

// The chime must sound without anyone touching the screen.
app.commandLine.appendSwitch('autoplay-policy', 'no-user-gesture-required');

/** The hall screen's Electron shell: one full-screen window on the hall's TV (1920×1080). */
async function main() {
  await app.whenReady();
  let config;
  let options: DisplayOptions;
  try {
    config = loadConfig(process.env.SERVICEHALL_CONFIG, process.env, { role: 'display', terminal: 'hall-display', dataDir: path.join(app.getPath('userData'), 'terminal') });
    options = loadDisplayOptions(process.env.SERVICEHALL_CONFIG, process.env);
  } catch (error) {
    dialog.showErrorBox('ServiceHall 大厅显示屏', error instanceof ConfigError ? error.message : String(error));
    app.exit(1);
    return;
  }
  const agent = await startAgent(config, (ctx) => createHallDisplayAgent(ctx, options));
  const window = new BrowserWindow({
    width: 1920,
    height: 1080,
    fullscreen: true,
    kiosk: true,
    autoHideMenuBar: true,
    backgroundColor: '#0b2545',
    webPreferences: secureWebPreferences(path.join(__dirname, '../preload/index.cjs')),
  });
  serveOverIpc(ipcMain, window, agent.handlers, agent.pushes);
  await window.loadFile(path.join(__dirname, '../renderer/index.html'));
  app.on('window-all-closed', () => void agent.stop().then(() => app.quit()));
}

void main();
