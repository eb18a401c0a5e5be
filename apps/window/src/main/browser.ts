import { browserModeMain, loadConfig, startBrowserTerminal } from '@servicehall/agent';
import { fileURLToPath } from 'node:url';
import type { WindowShape } from '../shared/api';
import { stringsFor } from '../shared/strings';
import { createWindowAgent, type WindowAgentParts } from './agent';
import { checkWindowDisplay } from './display';
import { loadWindowOptions } from './options';

/** Browser mode: the window terminal's agent as a plain Node process, serving its renderer to any browser. */
export async function runWindowInBrowserMode(configFile?: string, env: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig(configFile, env, { role: 'window', terminal: `window-${env.SERVICEHALL_WINDOW ?? 'x'}` });
  checkWindowDisplay(config, stringsFor(config.language).display);
  const options = loadWindowOptions(configFile, env);
  let parts: WindowAgentParts | undefined;
  const running = await startBrowserTerminal<WindowShape>(config, (ctx) => (parts = createWindowAgent(ctx, options)), fileURLToPath(new URL('../../dist/renderer', import.meta.url)));
  return {
    config,
    ...running,
    /** What the window's number display was last asked to show. */
    face: () => parts?.face(),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) browserModeMain('window terminal', runWindowInBrowserMode);
