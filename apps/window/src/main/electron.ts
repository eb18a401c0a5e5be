import { loadConfig, runElectronTerminal } from '@servicehall/agent';
import * as electron from 'electron';
import type { WindowShape } from '../shared/api';
import { stringsFor } from '../shared/strings';
import { createWindowAgent } from './agent';
import { checkWindowDisplay } from './display';
import { loadWindowOptions } from './options';

/** The window terminal's Electron shell: the clerk's desktop screen (1920×1080), maximised, not locked. */
void runElectronTerminal<WindowShape>(
  electron,
  {
    title: `ServiceHall 窗口服务终端 · ${process.env.SERVICEHALL_WINDOW ?? ''}号窗口`,
    defaults: { role: 'window', terminal: `window-${process.env.SERVICEHALL_WINDOW ?? 'x'}` },
    size: { width: 1920, height: 1080 },
    background: '#eef2f7',
    kiosk: false,
    prepare: (file, env) => {
      const config = loadConfig(file, env, { role: 'window', terminal: `window-${env.SERVICEHALL_WINDOW ?? 'x'}` });
      checkWindowDisplay(config, stringsFor(config.language).display);
      const options = loadWindowOptions(file, env);
      return (ctx) => createWindowAgent(ctx, options);
    },
  },
  __dirname,
);
