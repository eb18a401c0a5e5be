import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { startAgent, type AgentContext, type AgentParts, type RunningAgent } from './agent';
import { CONFIG_EXIT_CODE, ConfigError, isLoopbackHost, type TerminalConfig } from './config';
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
  /** A host other than loopback, on purpose: a screen on another machine may drive this terminal. */
  allowRemote?: boolean;
}

export interface BrowserMode {
  url: string;
  port: number;
  /** This start's bridge secret, handed to the page the agent serves; a bridge connection without it is refused. */
  secret: string;
  close(): Promise<void>;
}

/** The meta tag that carries the bridge secret to the page (read by connectBridge). */
export const BRIDGE_SECRET_META = 'servicehall-bridge';

/** The Host headers this agent answers: its own address only, so that a rebound DNS name cannot reach it. */
function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set<string>([host]);
  if (isLoopbackHost(host) || host === '0.0.0.0' || host === '::') for (const n of ['127.0.0.1', 'localhost', '[::1]']) names.add(n);
  if (host === '0.0.0.0' || host === '::') {
    names.add(os.hostname());
    for (const a of Object.values(os.networkInterfaces()).flat()) if (a) names.add(a.family === 'IPv6' ? `[${a.address}]` : a.address);
  }
  if (host.includes(':') && !host.startsWith('[')) names.add(`[${host}]`);
  return new Set([...names].map((n) => `${n}:${port}`.toLowerCase()));
}

const refuse = (res: http.ServerResponse, status: number, text: string) =>
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(text);

/**
 * Browser mode: the agent serves its renderer's files and the bridge on one local port, so that
 * Chromium (or any browser) can be the terminal's screen where no Electron binary exists. The bridge
 * drives the terminal (issues tickets, signs clerks in), so it answers its own screen only: every
 * request and upgrade must name this agent's own address as Host (no DNS rebinding) and, from a
 * browser, come from its own origin; the bridge also wants this start's secret, which only the page
 * the agent serves is given.
 */
export async function serveBrowserMode(options: BrowserModeOptions): Promise<BrowserMode> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host) && !options.allowRemote) throw new Error(`the bridge would listen on ${host}, beyond this machine: set bridge.allowRemote to do so on purpose`);
  const root = path.resolve(options.staticDir);
  const secret = randomBytes(24).toString('base64url');
  let hosts = new Set<string>();
  let origins = new Set<string>();
  /** The page as served: with this start's bridge secret, for its script to open the bridge with. */
  const withSecret = (html: string) => html.replace('</head>', `<meta name="${BRIDGE_SECRET_META}" content="${secret}" />\n</head>`);
  /** Why a request is not from this terminal's own screen, or undefined when it is. */
  const stranger = (req: http.IncomingMessage): string | undefined => {
    if (!hosts.has(String(req.headers.host ?? '').toLowerCase())) return 'this address is not the terminal’s own';
    const origin = req.headers.origin;
    if (origin !== undefined && !origins.has(origin.toLowerCase())) return 'a page of another site may not use this terminal';
    return undefined;
  };
  const server = http.createServer((req, res) => {
    const why = stranger(req);
    if (why) return refuse(res, 403, `禁止访问 (forbidden): ${why}`);
    // No other site may frame the screen, and the page that carries the secret is never cached.
    const headers = { 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
    const gated = options.gate?.();
    if (gated !== undefined) {
      const pathname = new URL(req.url ?? '/', 'http://agent').pathname;
      if (pathname === '/pairing.js') return void res.writeHead(200, { ...headers, 'content-type': TYPES['.js']!, 'cache-control': 'no-store' }).end(pairingScript);
      return void res.writeHead(200, { ...headers, 'content-type': TYPES['.html']!, 'cache-control': 'no-store' }).end(withSecret(gated));
    }
    let file: string;
    try {
      file = path.resolve(root, '.' + decodeURIComponent(new URL(req.url ?? '/', 'http://agent').pathname));
    } catch {
      res.writeHead(400).end();
      return;
    }
    // Inside the folder itself: a folder beside it whose name begins the same (renderer-old) is outside.
    if (file !== root && !file.startsWith(root + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(root, 'index.html');
    if (!fs.existsSync(file)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('界面文件尚未构建 (the renderer has not been built): npm run build');
      return;
    }
    if (path.basename(file) === 'index.html') {
      const html = withSecret(fs.readFileSync(file, 'utf8'));
      res.writeHead(200, { ...headers, 'content-type': TYPES['.html'], 'cache-control': 'no-store' }).end(html);
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    fs.createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://agent');
    } catch {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const given = Buffer.from(url.searchParams.get('s') ?? '');
    const why = url.pathname !== '/bridge' ? 'there is no such endpoint' : (stranger(req) ?? (given.length === secret.length && timingSafeEqual(given, Buffer.from(secret)) ? undefined : 'the bridge secret is missing or wrong'));
    if (why) {
      const body = `forbidden: ${why}`;
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
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
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  hosts = allowedHosts(host, port);
  origins = new Set([...hosts].map((h) => `http://${h}`));
  const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    port,
    secret,
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
    log('主机不再接受本终端的凭据（已被撤销或已过期）：屏幕上显示配对码，请在控制台“终端”页重新登记 / the hub refused this terminal’s credential (revoked or expired): showing a pairing code to be enrolled again');
    removeCredential(config);
    agent = undefined;
    await refused.stop();
    if (!stopped) await enrol().catch((error) => log(`登记中断（${error instanceof Error ? error.message : error}）：请重启终端后再登记 / enrolment stopped: ${error instanceof Error ? error.message : error}`));
  };

  const token = config.token ?? readCredential(config)?.token;
  let ready: Promise<RunningAgent>;
  if (token) await (ready = run(token, !config.token));
  else ready = Promise.resolve(undefined as never);
  let screen: BrowserMode;
  try {
    const { host, port, allowRemote } = config.bridge;
    if (!isLoopbackHost(host) && allowRemote) console.warn(`[${config.terminal}] 警告：界面桥接在 ${host} 上监听，本机以外也能连接（bridge.allowRemote）：能连到它和它的页面的人都能操作本终端 / WARNING: the screen's bridge listens on ${host}, beyond this machine (bridge.allowRemote): whoever reaches it and its page drives this terminal`);
    screen = await serveBrowserMode({ handlers, pushes, staticDir: rendererDir, host, port, allowRemote, gate: () => (pairing ? pairingPage(config.language, pairing) : undefined) });
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
      console.error(error instanceof ConfigError ? error.message : `终端没有启动（${error instanceof Error ? error.message : error}）/ the ${name} could not start: ${error instanceof Error ? error.message : error}`);
      // A wrong configuration stays wrong however often the terminal is started (a service manager must not loop on it).
      process.exit(error instanceof ConfigError ? CONFIG_EXIT_CODE : 1);
    });
}
