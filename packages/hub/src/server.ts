import type { Catalogue } from '@servicehall/core';
import { MAX_MESSAGE_BYTES } from '@servicehall/protocol';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { PID_FILE } from './archive';
import { GroupCommit } from './commit';
import { consoleOperations } from './console-api';
import { serveConsole } from './console-files';
import { openDatabase } from './db';
import { Pairings, TerminalCredentials } from './enrolment';
import { housekeep } from './housekeeping';
import { apiHandler, send } from './http';
import { publicPages } from './pages';
import { Staff } from './staff';
import { HallStore } from './store';
import { serveTerminals, type TerminalLinks } from './terminals';

export interface HubOptions {
  /** Folder of hall.db and the admin token file. */
  dataDir: string;
  port?: number;
  host?: string;
  /** Admin and terminal token; when absent, the one stored in the data folder, or a new one made there. */
  token?: string;
  /** Catalogue to seed a new database with; without one a new hall starts unconfigured, to be set up in the console. */
  seed?: Catalogue;
  /** The console's built files (apps/console/dist/renderer by default). */
  consoleDir?: string;
  clock?: () => number;
  /** Gives every clerk without a PIN this one (the demo hall's convenience; never in a real hall). */
  demoPin?: string;
  /** How often unrated services are checked for the default rating (N-04). */
  ratingSweepMs?: number;
}

export interface RunningHub {
  url: string;
  wsUrl: string;
  port: number;
  token: string;
  /** Whether the token was made now (and so should be shown to the installer). */
  tokenCreated: boolean;
  store: HallStore;
  staff: Staff;
  credentials: TerminalCredentials;
  /** The one-time code that lets the first administrator be made in the console, while there is none. */
  setupCode: string | undefined;
  /** Milliseconds to open the database and load today's view from it. */
  loadMs: number;
  terminalCount(): number;
  close(): Promise<void>;
}

/** The token from the data folder, made and stored (readable by the owner only) the first time. */
export function resolveToken(dataDir: string, given?: string): { token: string; created: boolean } {
  if (given) return { token: given, created: false };
  const file = path.join(dataDir, 'admin-token');
  fs.mkdirSync(dataDir, { recursive: true });
  if (fs.existsSync(file)) {
    const token = fs.readFileSync(file, 'utf8').trim();
    if (token) return { token, created: false };
  }
  const token = randomBytes(24).toString('base64url');
  fs.writeFileSync(file, token + '\n', { mode: 0o600 });
  return { token, created: true };
}

/** Where the console's built files are in this repository. */
function defaultConsoleDir(): string {
  return path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../apps/console/dist/renderer');
}

export async function startHub(options: HubOptions): Promise<RunningHub> {
  const startedAt = Date.now();
  const clock = options.clock ?? Date.now;
  const loadStarted = performance.now();
  const db = openDatabase(options.dataDir);
  if (!HallStore.hasCatalogue(db) && options.seed) HallStore.seed(db, options.seed, clock());
  const store = new HallStore(db, clock);
  // A hub started on a new day opens it first: no terminal is sent yesterday's queue.
  store.openDayIfDue();
  const loadMs = Math.round(performance.now() - loadStarted);
  const { token, created } = resolveToken(options.dataDir, options.token);
  const staff = new Staff(db, store.pins, () => store.view.catalogue, clock);
  const credentials = new TerminalCredentials(db);
  const pairings = new Pairings();
  const terminalListeners = new Set<() => void>();
  let terminals: TerminalLinks | undefined;
  const consoleContext = {
    store,
    staff,
    credentials,
    pairings,
    links: () => terminals,
    clock,
    terminalsChanged: () => {
      for (const l of terminalListeners) l();
    },
    onTerminalsChanged: (l: () => void) => {
      terminalListeners.add(l);
      return () => void terminalListeners.delete(l);
    },
  };
  // One group commit for every way a command comes: terminals, the HTTP API, the QR page.
  const commits = new GroupCommit(store);
  const api = apiHandler({ store, commits, token, startedAt, staff, credentials, more: consoleOperations(consoleContext), clock });
  const pages = publicPages(store, commits, token);
  const consoleFiles = serveConsole(options.consoleDir ?? defaultConsoleDir());
  if (options.demoPin) for (const c of store.view.catalogue.clerks) if (!store.pins.has(c.number)) store.pins.set(c.number, options.demoPin);

  // The new day, default ratings (N-04), lapsed corrections, old command answers: see housekeep.
  const sweep = setInterval(() => {
    try {
      housekeep(store, clock());
    } catch (error) {
      console.error('the hub’s housekeeping failed', error);
    }
  }, options.ratingSweepMs ?? 30_000);
  sweep.unref();

  const server = http.createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://hub');
    } catch {
      return send(res, 400, { ok: false, code: 'bad-request', message: 'the address is not valid' });
    }
    if (url.pathname.startsWith('/api/')) return void api(req, res, url);
    if (url.pathname === '/console' || url.pathname.startsWith('/console/')) return consoleFiles(req, res, url);
    if (url.pathname === '/' && req.method === 'GET') {
      res.writeHead(302, { location: '/console/' });
      return void res.end();
    }
    if (url.pathname.startsWith('/q/') || url.pathname.startsWith('/rate/'))
      return void pages(req, res, url).catch((error) => {
        console.error('page failed', url.pathname, error);
        if (!res.headersSent) send(res, 500, { ok: false, code: 'internal', message: 'the page could not be made' });
      });
    send(res, 404, { ok: false, code: 'not-found', message: `there is no ${url.pathname}; the console is at /console/, the API under /api/ (see /api/openapi.json)` });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  // The socket takes more than a message may hold, so that an oversized message gets an answer, not a dropped line.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 8 * MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    // Node drops the socket's error listener before 'upgrade': without one, a reset would end the hub.
    socket.on('error', () => socket.destroy());
    if (!req.url?.startsWith('/ws')) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  terminals = serveTerminals(wss, store, commits, token, { credentials, pairings, changed: consoleContext.terminalsChanged, clock });
  // Devices reported change the terminal list too.
  store.onEvents((events) => {
    if (events.some((e) => e.type === 'devices.reported')) consoleContext.terminalsChanged();
  });
  const links = terminals;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  // Says that a hub runs on this folder (the archive refuses to rewrite the database under it).
  const pidFile = path.join(options.dataDir, PID_FILE);
  fs.writeFileSync(pidFile, String(process.pid));
  const host = options.host === '0.0.0.0' || !options.host ? '127.0.0.1' : options.host;
  return {
    url: `http://${host}:${port}`,
    wsUrl: `ws://${host}:${port}/ws`,
    port,
    token,
    tokenCreated: created,
    store,
    staff,
    credentials,
    setupCode: staff.setupCode,
    loadMs,
    terminalCount: () => links.count(),
    async close() {
      clearInterval(sweep);
      links.close();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
      fs.rmSync(pidFile, { force: true });
    },
  };
}
