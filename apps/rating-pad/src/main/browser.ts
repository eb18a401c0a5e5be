import { ConfigError, loadConfig, serveBrowserMode, startAgent } from '@servicehall/agent';
import { fileURLToPath } from 'node:url';
import { createRatingPadAgent } from './agent';
import { padOptionsFromEnv } from './options';

/** Browser mode: the rating pad's agent as a plain Node process, serving its renderer to any browser. */
export async function runRatingPadInBrowserMode(configFile?: string, env: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig(configFile, env, { role: 'rating-pad', terminal: 'rating-pad' });
  const agent = await startAgent(config, (ctx) => createRatingPadAgent(ctx, padOptionsFromEnv(env)));
  const screen = await serveBrowserMode({
    handlers: agent.handlers,
    pushes: agent.pushes,
    staticDir: fileURLToPath(new URL('../../dist/renderer', import.meta.url)),
    host: config.bridge.host,
    port: config.bridge.port,
  });
  return { config, agent, screen, stop: async () => (await screen.close(), await agent.stop()) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runRatingPadInBrowserMode(process.argv[2])
    .then(({ config, screen }) => console.log(`rating pad of window ${config.window}: ${screen.url}`))
    .catch((error) => {
      console.error(error instanceof ConfigError ? error.message : `the rating pad could not start: ${error}`);
      process.exit(1);
    });
}
