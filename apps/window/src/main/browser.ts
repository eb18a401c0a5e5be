import { ConfigError, loadConfig, serveBrowserMode, startAgent } from '@servicehall/agent';
import { fileURLToPath } from 'node:url';
import { createWindowAgent, type WindowAgentParts } from './agent';
import { loadWindowOptions } from './options';

/** Browser mode: the window terminal's agent as a plain Node process, serving its renderer to any browser. */
export async function runWindowInBrowserMode(configFile?: string, env: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig(configFile, env, { role: 'window', terminal: `window-${env.SERVICEHALL_WINDOW ?? 'x'}` });
  const options = loadWindowOptions(configFile, env);
  let parts: WindowAgentParts | undefined;
  const agent = await startAgent(config, (ctx) => (parts = createWindowAgent(ctx, options)));
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
    /** What the window's number display was last asked to show. */
    face: () => parts?.face(),
    stop: async () => (await screen.close(), await agent.stop()),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runWindowInBrowserMode(process.argv[2])
    .then(({ screen, config }) => console.log(`window ${config.window}: ${screen.url}`))
    .catch((error) => {
      console.error(error instanceof ConfigError ? error.message : `the window terminal could not start: ${error}`);
      process.exit(1);
    });
}
