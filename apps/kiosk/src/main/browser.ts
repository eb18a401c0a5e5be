import { browserModeMain, loadConfig, startBrowserTerminal } from '@servicehall/agent';
import { fileURLToPath } from 'node:url';
import type { KioskShape } from '../shared/api';
import { createKioskAgent } from './agent';
import { checkKioskPrinter, loadKioskSettings } from './settings';

/** Browser mode: the kiosk's agent as a plain Node process, serving its renderer to any browser. */
export async function runKioskInBrowserMode(configFile?: string, env: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig(configFile, env, { role: 'kiosk', terminal: 'kiosk-1' });
  checkKioskPrinter(config);
  const settings = loadKioskSettings(configFile, env);
  const running = await startBrowserTerminal<KioskShape>(config, (ctx) => createKioskAgent(ctx, settings), fileURLToPath(new URL('../../dist/renderer', import.meta.url)));
  return { config, settings, ...running };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) browserModeMain('kiosk', runKioskInBrowserMode);
