import { ConfigError, loadConfig, serveBrowserMode, startAgent } from '@servicehall/agent';
import { fileURLToPath } from 'node:url';
import { createHallDisplayAgent, type AnnouncementLog } from './agent';
import { loadDisplayOptions } from './options';

/** Browser mode: the hall screen's agent as a plain Node process, serving its renderer to any browser. */
export async function runHallDisplayInBrowserMode(configFile?: string, env: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig(configFile, env, { role: 'display', terminal: 'hall-display' });
  const options = loadDisplayOptions(configFile, env);
  let announcements: AnnouncementLog | undefined;
  const agent = await startAgent(config, (ctx) => {
    const parts = createHallDisplayAgent(ctx, options);
    announcements = parts.announcements;
    return parts;
  });
  const screen = await serveBrowserMode({
    handlers: agent.handlers,
    pushes: agent.pushes,
    staticDir: fileURLToPath(new URL('../../dist/renderer', import.meta.url)),
    host: config.bridge.host,
    port: config.bridge.port,
  });
  return {
    config,
    agent,
    screen,
    /** What the hall heard (or would have heard), wherever the voice ran. */
    announcements: announcements!,
    stop: async () => (await screen.close(), await agent.stop()),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runHallDisplayInBrowserMode(process.argv[2])
    .then(({ screen }) => console.log(`hall display: ${screen.url}`))
    .catch((error) => {
      console.error(error instanceof ConfigError ? error.message : `the hall display could not start: ${error}`);
      process.exit(1);
    });
}
