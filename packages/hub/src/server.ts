import { publicBaseOf, type Catalogue } from '@servicehall/core';
import type { NotifyConfigInput } from '@servicehall/notify';
import { PHONE_PAGES_DIR } from '@servicehall/phone/pages';
import { MAX_MESSAGE_BYTES } from '@servicehall/protocol';
import { linkKey } from '@servicehall/protocol/node';
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
import { apiHandler, send } from './http';
import { checkNotifyConfig, HallNotifications } from './notifications';
import { publicPages } from './pages';
import { Staff } from './staff';
import { DEFAULT_PHONE_LIMITS, phoneOperations, type PhoneLimits } from './phone/api';
import { doorPoster, phonePages } from './phone/pages';
import { PublicRefs } from './phone/refs';
import { TicketWatch } from './phone/watch';
import { PhoneBook, PhoneVault } from './phones';
import { RateLimiter } from './rate-limit';
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
  /** The notification channels (packages/notify); none when absent: nothing is sent and phones cannot verify. */
  notify?: NotifyConfigInput | Omit<NotifyConfigInput, 'hall'>;
  /** The phone pages' rate limits per client address. */
  phoneLimits?: Partial<PhoneLimits>;
  /** The hub is behind a proxy that adds the client's address to X-Forwarded-For. */
  trustProxy?: boolean;
  /** Where the built phone pages are (apps/phone/dist/renderer). */
  phonePagesDir?: string;
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
  notifications: HallNotifications;
  /** Phones following their tickets now. */
  phonesWatching(): number;
  /** The hall's public address (its setup's hall.publicUrl, else the hub's own): the phone pages are under /m/. */
  publicUrl(): string;
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
  const consoleFiles = serveConsole(options.consoleDir ?? defaultConsoleDir());
  // The notification channels; the hall's name heads robot messages (a hall not set up yet has none).
  const notifyConfig = checkNotifyConfig(options.notify ?? { channels: [] }, store.view.catalogue.hall.name || '政务服务中心');
  if (!notifyConfig.ok) {
    db.close();
    throw new Error(`the notification channels are not valid: ${notifyConfig.message}`);
  }
  const notifications = new HallNotifications(db, notifyConfig.config, { clock });
  const linkKeyOfHall = linkKey(token);
  let ownUrl = '';
  // Where citizens' phones reach the hall: its setup's public address, else (a demo, a test) the hub's own.
  const publicBase = () => publicBaseOf(store.view.catalogue.hall.publicUrl) ?? ownUrl;
  const phones = new PhoneBook(db, PhoneVault.inFolder(options.dataDir));
  const refs = new PublicRefs(linkKeyOfHall, store);
  const watch = new TicketWatch(store, refs, phones, notifications, { publicBase, linkKey: linkKeyOfHall, clock });
  const limits = { ...DEFAULT_PHONE_LIMITS, ...options.phoneLimits };
  const api = apiHandler({
    store,
    token,
    startedAt,
    staff,
    credentials,
    more: [...consoleOperations(consoleContext), ...phoneOperations({ store, refs, watch, phones, notifications, linkKey: linkKeyOfHall, clock, limits })],
    clock,
    limiter: new RateLimiter(clock),
    trustProxy: options.trustProxy,
  });
  const pages = publicPages(store, token);
  const phonePagesHandler = phonePages(options.phonePagesDir ?? PHONE_PAGES_DIR, () => doorPoster(store.view.catalogue, publicBase()));
  notifications.start();
  if (options.demoPin) for (const c of store.view.catalogue.clerks) if (!store.pins.has(c.number)) store.pins.set(c.number, options.demoPin);

  // A service left unrated gets the hall's default level once its time is up (N-04). The id makes it once only.
  const sweep = setInterval(() => {
    try {
      store.openDayIfDue();
    } catch (error) {
      console.error('opening the new day failed', error);
    }
    try {
      phones.forget(clock(), store.view.day);
    } catch (error) {
      console.error('forgetting phone numbers of past days failed', error);
    }
    const due = clock() - store.view.catalogue.rating.defaultAfterMinutes * 60_000;
    for (const r of [...store.view.ratingRequests.values()]) {
      if (r.finishedAt > due) continue;
      try {
        store.execute({ id: `default-rating:${r.ticketId}`, type: 'defaultRating', ticketId: r.ticketId }, { role: 'admin', terminal: 'hub' });
      } catch (error) {
        console.error('default rating failed', r.ticketId, error);
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
    if (url.pathname === '/m' || url.pathname.startsWith('/m/'))
      return void phonePagesHandler(req, res, url).catch((error) => {
        console.error('phone page failed', url.pathname, error);
        if (!res.headersSent) send(res, 500, { ok: false, code: 'internal', message: 'the page could not be made' });
      });
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
  terminals = serveTerminals(wss, store, token, { credentials, pairings, changed: consoleContext.terminalsChanged, clock });
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
  const host = options.host === '0.0.0.0' || !options.host ? '127.0.0.1' : options.host;
  ownUrl = `http://${host}:${port}`;
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
    notifications,
    phonesWatching: () => watch.watching,
    publicUrl: publicBase,
    terminalCount: () => links.count(),
    async close() {
      clearInterval(sweep);
      watch.close();
      refs.close();
      await notifications.stop();
      links.close();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.close();
    },
  };
}
