import type { Catalogue } from '@servicehall/core';
import { MAX_MESSAGE_BYTES } from '@servicehall/protocol';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { consoleOperations } from './console-api';
import { serveConsole } from './console-files';
import { openDatabase } from './db';
import { Pairings, TerminalCredentials } from './enrolment';
import { checkAtStart, checkInBackground, damageMessage, DATABASE_FILE, markDamaged, markRunning, type StartCheck } from './integrity';
import { readLineage } from './lineage';
import { startOperations, type Operations, type OperationsOptions } from './operations';
import { apiHandler, send } from './http';
import { log } from './log';
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
  /** Scheduled backups to a second folder (see backup.ts); none without it. */
  backup?: OperationsOptions['backup'];
  /** Lets a Prometheus on another machine read /metrics; from this machine it needs none. */
  metricsToken?: string;
  /** A bigger database is checked whole in the background, not before the start (see integrity.ts). */
  wholeCheckUpToBytes?: number;
  /** The background check found the database damaged: the hub has closed (the command line exits). */
  onDatabaseDamaged?: (message: string) => void;
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
  /** The database check made before the hub used it. */
  startCheck: StartCheck;
  /** For a big database, the whole check running beside the hub: the problem it found, or undefined. */
  backgroundCheck?: Promise<string | undefined>;
  operations: Operations;
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
  // A damaged database is refused before anything opens it for writing.
  const startCheck = await checkAtStart(options.dataDir, options.backup?.dir, options.wholeCheckUpToBytes);
  const clearRunning = markRunning(options.dataDir);
  const db = openDatabase(options.dataDir);
  if (!HallStore.hasCatalogue(db) && options.seed) HallStore.seed(db, options.seed, clock());
  const store = new HallStore(db, clock);
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
  const api = apiHandler({ store, token, startedAt, staff, credentials, more: consoleOperations(consoleContext), clock });
  const pages = publicPages(store, token);
  const consoleFiles = serveConsole(options.consoleDir ?? defaultConsoleDir());
  if (options.demoPin) for (const c of store.view.catalogue.clerks) if (!store.pins.has(c.number)) store.pins.set(c.number, options.demoPin);

  // A service left unrated gets the hall's default level once its time is up (N-04). The id makes it once only.
  const sweep = setInterval(() => {
    try {
      store.openDayIfDue();
    } catch (error) {
      log.error({ err: error }, 'opening the new day failed');
    }
    const due = clock() - store.view.catalogue.rating.defaultAfterMinutes * 60_000;
    for (const r of [...store.view.ratingRequests.values()]) {
      if (r.finishedAt > due) continue;
      try {
        store.execute({ id: `default-rating:${r.ticketId}`, type: 'defaultRating', ticketId: r.ticketId }, { role: 'admin', terminal: 'hub' });
      } catch (error) {
        log.error({ err: error, ticket: r.ticketId }, 'the default rating failed');
      }
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
    if (url.pathname === '/metrics') return void operations.metrics.serve(req, res, options.metricsToken);
    if (url.pathname.startsWith('/q/') || url.pathname.startsWith('/rate/'))
      return void pages(req, res, url).catch((error) => {
        log.error({ err: error, path: url.pathname }, 'a page failed');
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
  terminals = serveTerminals(wss, store, token, { credentials, pairings, changed: consoleContext.terminalsChanged, clock, lineage: readLineage(db) });
  // Devices reported change the terminal list too.
  store.onEvents((events) => {
    if (events.some((e) => e.type === 'devices.reported')) consoleContext.terminalsChanged();
  });
  const links = terminals;
  const operations = await startOperations(options, {
    db,
    store,
    terminals: () => links.linked(),
    startCheck,
    loadSeconds: (Date.now() - startedAt) / 1000,
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  }).catch(async (error: unknown) => {
    // Not started (the port is taken, say): nothing ran, so this is a clean stop.
    clearInterval(sweep);
    links.close();
    await operations.stop();
    db.close();
    clearRunning();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || !options.host ? '127.0.0.1' : options.host;
  let closed = false;
  const background = startCheck.kind === 'partial' ? checkInBackground(path.join(options.dataDir, DATABASE_FILE)) : undefined;
  const running: RunningHub = {
    url: `http://${host}:${port}`,
    wsUrl: `ws://${host}:${port}/ws`,
    port,
    token,
    tokenCreated: created,
    store,
    staff,
    credentials,
    setupCode: staff.setupCode,
    startCheck,
    operations,
    terminalCount: () => links.count(),
    async close() {
      if (closed) return;
      closed = true;
      background?.stop();
      clearInterval(sweep);
      await operations.stop();
      links.close();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
      clearRunning();
    },
  };
  if (background) {
    // Found damaged while it serves: no more commands go into it; the restore is the way on.
    running.backgroundCheck = background.result.then(async (problem) => {
      if (!problem || closed) return problem;
      const message = await damageMessage(path.join(options.dataDir, DATABASE_FILE), problem, options.backup?.dir, 'while serving');
      log.fatal(message);
      markDamaged(options.dataDir, message);
      await running.close();
      options.onDatabaseDamaged?.(message);
      return problem;
    });
  }
  return running;
}
