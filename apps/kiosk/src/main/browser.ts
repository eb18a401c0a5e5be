import { ConfigError, loadConfig, serveBrowserMode, startAgent } from '@servicehall/agent';
import { fileURLToPath } from 'node:url';
import type { KioskShape } from '../shared/api';
import { createKioskAgent } from './agent';
import { loadKioskSettings } from './settings';

/** Browser mode: the kiosk's agent as a plain Node process, serving its renderer to any browser. */
export async function runKioskInBrowserMode(configFile?: string, env: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig(configFile, env, { role: 'kiosk', terminal: 'kiosk-1' });
  const settings = loadKioskSettings(configFile, env);
  const agent = await startAgent<KioskShape>(config, (ctx) => createKioskAgent(ctx, settings));
  const screen = await serveBrowserMode({
    handlers: agent.handlers,
    pushes: agent.pushes,
    staticDir: fileURLToPath(new URL('../../dist/renderer', import.meta.url)),
    host: config.bridge.host,
    port: config.bridge.port,
  });
  return { config, settings, agent, screen, stop: async () => (await screen.close(), await agent.stop()) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runKioskInBrowserMode(process.argv[2])
    .then(({ screen }) => console.log(`kiosk: ${screen.url}`))
    .catch((error) => {
      console.error(error instanceof ConfigError ? error.message : `the kiosk could not start: ${error}`);
      process.exit(1);
    });
}
