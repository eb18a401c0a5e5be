import { runElectronTerminal } from '@servicehall/agent';
import * as electron from 'electron';
import type { HallDisplayShape } from '../shared/api';
import { createHallDisplayAgent } from './agent';
import { loadDisplayOptions } from './options';

// The chime must sound without anyone touching the screen.
electron.app.commandLine.appendSwitch('autoplay-policy', 'no-user-gesture-required');

/** The hall screen's Electron shell: the hall's TV (1920×1080), full screen. */
void runElectronTerminal<HallDisplayShape>(
  electron,
  {
    title: 'ServiceHall 大厅显示屏',
    defaults: { role: 'display', terminal: 'hall-display' },
    size: { width: 1920, height: 1080 },
    background: '#0b2545',
    kiosk: true,
    prepare: (file, env) => {
      const options = loadDisplayOptions(file, env);
      return (ctx) => createHallDisplayAgent(ctx, options);
    },
  },
  __dirname,
);
