import { browserModeMain, loadConfig, startBrowserTerminal } from '@servicehall/agent';
import { fileURLToPath } from 'node:url';
import type { RatingPadShape } from '../shared/api';
import { createRatingPadAgent } from './agent';
import { padOptionsFromEnv } from './options';

/** Browser mode: the rating pad's agent as a plain Node process, serving its renderer to any browser. */
export async function runRatingPadInBrowserMode(configFile?: string, env: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig(configFile, env, { role: 'rating-pad', terminal: 'rating-pad' });
  // Read before the terminal starts: a wrong one stops it (exit 78) like the terminal's own settings.
  const options = padOptionsFromEnv(env);
  const running = await startBrowserTerminal<RatingPadShape>(config, (ctx) => createRatingPadAgent(ctx, options), fileURLToPath(new URL('../../dist/renderer', import.meta.url)));
  return { config, ...running };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) browserModeMain('rating pad', runRatingPadInBrowserMode);
