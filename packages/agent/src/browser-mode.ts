import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { startAgent, type AgentContext, type AgentParts, type RunningAgent } from './agent';
import { ConfigError, type TerminalConfig } from './config';
import type { BridgeReply, BridgeRequest, BridgeShape } from './contract';
import { dispatch } from './dispatch';
import { pairingPage, pairingScript, pairWithHub, readCredential, removeCredential, type PairingState } from './pairing';
import { Pushes } from './pushes';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.wav': 'audio/wav',
};

export interface BrowserModeOptions {
  handlers: Record<string, (arg: never) => unknown>;
  pushes: Pushes;
  /** The renderer's built files (index.html and its assets). */
  staticDir: string;
  host?: string;
  port?: number;
  /** A page to show instead of the renderer while it returns one (the pairing code of a terminal not enrolled yet). */
  gate?: () => string | undefined;
}

export interface BrowserMode {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Browser mode: the agent serves its renderer's files and the bridge on one local port, so that
 * Chromium (or any browser) can be the terminal's screen where no Electron binary exists.
 */
export async function serveBrowserMode(options: BrowserModeOptions): Promise<BrowserMode> {
  const root = path.resolve(options.staticDir);
  const server = http.createServer((req, res) => {
    const gated = options.gate?.();
    if (gated !== undefined) {
      const pathname = new URL(req.url ?? '/', 'http://agent').pathname;
      if (pathname === '/pairing.js') return void res.writeHead(200, { 'content-type': TYPES['.js']!, 'cache-control': 'no-store' }).end(pairingScript);
      return void res.writeHead(200, { 'content-type': TYPES['.html']!, 'cache-control': 'no-store' }).end(gated);
    }
    let file: string;
    try {
      file = path.resolve(root, '.' + decodeURIComponent(new URL(req.url ?? '/', 'http://agent').pathname));
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(root, 'index.html');
    if (!fs.existsSync(file)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('界面文件尚未构建 (the renderer has not been built): npm run build');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    fs.createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  });
  const wss = new WebSocketServer({ server, path: '/bridge', maxPayload: 1024 * 1024 });
  // ws passes the server's errors on (a port already taken, say); listen() below rejects with them.
  wss.on('error', () => undefined);
  const detach = options.pushes.attach((topic, payload) => {
    const text = JSON.stringify({ type: 'push', topic, payload } satisfies BridgeReply);
    for (const ws of wss.clients) if (ws.readyState === ws.OPEN) ws.send(text);
  });
  wss.on('connection', (ws) => {
    for (const [topic, payload] of options.pushes.latest()) ws.send(JSON.stringify({ type: 'push', topic, payload } satisfies BridgeReply));
    ws.on('message', async (data) => {
      let req: BridgeRequest;
      try {
        req = JSON.parse(data.toString()) as BridgeRequest;
        if (req?.type !== 'call' || typeof req.id !== 'number') throw new Error('not a call');
      } catch {
        return;
      }
      const result = await dispatch(options.handlers, req.name, req.arg);
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'result', id: req.id, ...result } as BridgeReply));
    });
    ws.on('error', () => ws.terminate());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/`,
    port,
    async close() {
      detach();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * A terminal in browser mode: its agent as a plain Node process, serving its renderer (built in
 * `rendererDir`) and the bridge on the configured port. Every app's browser entry is this call.
 * A terminal with no token and no stored credential first shows a pairing code on its screen and
 * starts its agent once an administrator has enrolled it (`ready`); a stored credential that the
 * hub refuses later (revoked, expired) is dropped and the pairing code shown again.
 */
export async function startBrowserTerminal<S extends BridgeShape>(
  config: TerminalConfig,
  create: (ctx: AgentContext<S>) => AgentParts<S> | Promise<AgentParts<S>>,
  rendererDir: string,
): Promise<{ agent?: RunningAgent; ready: Promise<RunningAgent>; screen: BrowserMode; stop(): Promise<void> }> {
  const log = (m: string) => console.log(`[${config.terminal}] ${m}`);
  const pushes = new Pushes();
  // The bridge's handlers are the running agent's; the screen shows the pairing page while none runs.
  const handlers: Record<string, (arg: never) => unknown> = {};
  let pairing: PairingState | undefined;
  let agent: RunningAgent | undefined;
  let pair: ReturnType<typeof pairWithHub> | undefined;
  let stopped = false;

  const run = async (token: string, stored: boolean): Promise<RunningAgent> => {
    const started = await startAgent<S>({ ...config, token }, create, log, pushes);
    agent = started;
    for (const key of Object.keys(handlers)) delete handlers[key];
    Object.assign(handlers, started.handlers);
    if (pairing) {
      pairing = undefined;
      pushes.push('pairing', { status: 'paired' } satisfies PairingState);
    }
    if (stored) {
      const unsubscribe = started.client.subscribe((c) => {
        if (c.kind !== 'state' || c.state.status !== 'offline' || c.state.reason !== 'unauthorised') return;
        unsubscribe();
        void enrolAgain(started);
      });
    }
    return started;
  };
  const enrol = async (): Promise<RunningAgent> => {
    pairing = { status: 'connecting' };
    pushes.push('pairing', pairing);
    pair = pairWithHub(
      config,
      (state) => {
        if (state.status === 'paired') return;
        pairing = state;
        pushes.push('pairing', state);
      },
      log,
    );
    const credential = await pair.credential;
    if (stopped) throw new Error('the terminal stopped before it was enrolled');
    return run(credential.token, true);
  };
  const enrolAgain = async (refused: RunningAgent) => {
    log('the hub refused this terminal’s credential (revoked or expired): showing a pairing code to be enrolled again');
    removeCredential(config);
    agent = undefined;
    await refused.stop();
    if (!stopped) await enrol().catch((error) => log(`enrolment stopped: ${error instanceof Error ? error.message : error}`));
  };

  const token = config.token ?? readCredential(config)?.token;
  let ready: Promise<RunningAgent>;
  if (token) await (ready = run(token, !config.token));
  else ready = Promise.resolve(undefined as never);
  let screen: BrowserMode;
  try {
    screen = await serveBrowserMode({ handlers, pushes, staticDir: rendererDir, host: config.bridge.host, port: config.bridge.port, gate: () => (pairing ? pairingPage(config.language, pairing) : undefined) });
  } catch (error) {
    await agent?.stop();
    throw error;
  }
  if (!token) ready = enrol();
  ready.catch(() => undefined);
  return {
    get agent() {
      return agent;
    },
    get ready() {
      return ready;
    },
    screen,
    stop: async () => {
      stopped = true;
      pair?.stop();
      await screen.close();
      await agent?.stop();
    },
  };
}

/** The command line of a browser-mode entry: start, print the address, or say plainly why not. */
export function browserModeMain(name: string, start: (configFile: string | undefined) => Promise<{ screen: BrowserMode }>): void {
  start(process.argv[2])
    .then(({ screen }) => console.log(`${name}: ${screen.url}`))
    .catch((error) => {
      console.error(error instanceof ConfigError ? error.message : `the ${name} could not start: ${error instanceof Error ? error.message : error}`);
      process.exit(1);
    });
}
