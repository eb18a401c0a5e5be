import { HallClient } from '@servicehall/client';
import fs from 'node:fs';
import path from 'node:path';
import type { BridgeHandlers, BridgeShape, HubTimeCall, TopicName, TopicPayload } from './contract';
import type { TerminalConfig } from './config';
import { ConfigError } from './config';
import { AGENT_VERSION, readCredential } from './pairing';
import { Pushes } from './pushes';

/** What an app's agent is given: its configuration, the hub link and the way to push to its screen. */
export interface AgentContext<S extends BridgeShape> {
  config: TerminalConfig;
  client: HallClient;
  push<K extends TopicName<S>>(topic: K, payload: TopicPayload<S, K>): void;
  log(message: string): void;
}

export interface AgentParts<S extends BridgeShape> {
  /** The app's own calls; "hubTime" every agent answers itself. */
  handlers: Omit<BridgeHandlers<S>, keyof HubTimeCall>;
  /** Stops the app's devices and timers. */
  stop?(): Promise<void> | void;
}

export interface RunningAgent {
  client: HallClient;
  pushes: Pushes;
  handlers: Record<string, (arg: never) => unknown>;
  stop(): Promise<void>;
}


/**
 * Starts a terminal's agent: the hub link (outbox in the terminal's data folder), the app's own
 * handlers and devices, the "link" topic and the "hubTime" call. The transport (IPC or browser mode) is the caller's.
 */
export async function startAgent<S extends BridgeShape>(
  config: TerminalConfig,
  create: (ctx: AgentContext<S>) => Promise<AgentParts<S>> | AgentParts<S>,
  log: (message: string) => void = (m) => console.log(`[${config.terminal}] ${m}`),
  pushes: Pushes = new Pushes(),
  /** The hub link's clocks (a test's injected ones): the PC's own (`clock`) and the steady one it counts durations by; the system's by default. */
  options: { clock?: () => number; steady?: () => number } = {},
): Promise<RunningAgent> {
  const token = config.token ?? readCredential(config)?.token;
  if (!token)
    throw new ConfigError([{ zh: 'token：本终端没有令牌，也还没有登记：请在控制台用它的配对码登记', en: 'token: this terminal has no token and is not enrolled yet: enrol it by its pairing code in the console' }]);
  const client = new HallClient({
    url: config.hubUrl,
    standbyUrls: config.standbyHubUrls,
    token,
    version: AGENT_VERSION,
    role: config.role,
    terminal: config.terminal,
    window: config.window,
    outboxFile: path.join(config.dataDir, 'outbox.json'),
    log,
    ...(config.hubCa ? { ca: fs.readFileSync(config.hubCa, 'utf8') } : {}),
    allowInsecure: config.allowInsecure,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.steady ? { steady: options.steady } : {}),
  });
  client.subscribe((c) => {
    if (c.kind === 'state') pushes.push('link', c.state);
  });
  const common: BridgeHandlers<{ calls: HubTimeCall; topics: object }> = { hubTime: () => client.hubNow() };
  pushes.push('link', client.state);
  const parts = await create({ config, client, push: (topic, payload) => pushes.push(topic, payload), log });
  return {
    client,
    pushes,
    handlers: { ...common, ...parts.handlers } as unknown as Record<string, (arg: never) => unknown>,
    async stop() {
      await parts.stop?.();
      client.close();
    },
  };
}
