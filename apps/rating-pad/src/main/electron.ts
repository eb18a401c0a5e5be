import { runElectronTerminal } from '@servicehall/agent';
import * as electron from 'electron';
import type { RatingPadShape } from '../shared/api';
import { createRatingPadAgent } from './agent';
import { padOptionsFromEnv } from './options';

/** The rating pad's Electron shell: the counter tablet (1280×800), locked in kiosk mode. */
void runElectronTerminal<RatingPadShape>(
  electron,
  {
    title: 'ServiceHall 服务评价器',
    defaults: { role: 'rating-pad', terminal: 'rating-pad' },
    size: { width: 1280, height: 800 },
    background: '#f3f6f9',
    kiosk: true,
    prepare: (_file, env) => {
      const options = padOptionsFromEnv(env);
      return (ctx) => createRatingPadAgent(ctx, options);
    },
  },
  __dirname,
);
