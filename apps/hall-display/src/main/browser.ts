import { browserModeMain, loadConfig, startBrowserTerminal } from '@servicehall/agent';
import { fileURLToPath } from 'node:url';
import type { HallDisplayShape } from '../shared/api';
import { createHallDisplayAgent, type AnnouncementLog } from './agent';
import { loadDisplayOptions } from './options';

/** Browser mode: the hall screen's agent as a plain Node process, serving its renderer to any browser. */
export async function runHallDisplayInBrowserMode(configFile?: string, env: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig(configFile, env, { role: 'display', terminal: 'hall-display' });
  const options = loadDisplayOptions(configFile, env);
  let announcements: AnnouncementLog | undefined;
  const running = await startBrowserTerminal<HallDisplayShape>(
    config,
    (ctx) => {
      const parts = createHallDisplayAgent(ctx, options);
      announcements = parts.announcements;
      return parts;
    },
    fileURLToPath(new URL('../../dist/renderer', import.meta.url)),
  );
  return {
    config,
    ...running,
    /** What the hall heard (or would have heard), wherever the voice ran. */
    announcements: announcements!,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) browserModeMain('hall display', runHallDisplayInBrowserMode);
