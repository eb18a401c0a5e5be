import { loadConfig, runElectronTerminal } from '@servicehall/agent';
import * as electron from 'electron';
import type { KioskShape } from '../shared/api';
import { createKioskAgent } from './agent';
import { checkKioskPrinter, loadKioskSettings } from './settings';

/** The kiosk's Electron shell: the portrait touch screen (1080×1920), locked in kiosk mode. */
void runElectronTerminal<KioskShape>(
  electron,
  {
    title: 'ServiceHall 自助取号机',
    defaults: { role: 'kiosk', terminal: 'kiosk-1' },
    size: { width: 1080, height: 1920 },
    background: '#f3f6fa',
    kiosk: true,
    prepare: (file, env) => {
      checkKioskPrinter(loadConfig(file, env, { role: 'kiosk', terminal: 'kiosk-1' }));
      const settings = loadKioskSettings(file, env);
      return (ctx) => createKioskAgent(ctx, settings);
    },
  },
  __dirname,
);
