import { isHubClockOff, publicBaseOf, refusalText, spanIn, type Catalogue, type RefusalCode } from '@servicehall/core';
import type { NotifyConfigInput } from '@servicehall/notify';
import { PHONE_PAGES_DIR } from '@servicehall/phone/pages';
import { startUpstream, type Upstream, type UpstreamConfig, type UpstreamStatus } from '@servicehall/upstream/hub';
import { MAX_MESSAGE_BYTES } from '@servicehall/protocol';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { GroupCommit } from './commit';
import { consoleOperations, type HubHealth } from './console-api';
import type { BackupStatus } from './backup';
import { reportOperations } from './report-api';
import type { HallReports } from './reports';
import { serveConsole } from './console-files';
import { openDatabase, type Db } from './db';
import { HallTokenTerminals, Pairings, TerminalCredentials } from './enrolment';
import { HallKey, KEY_FILE, prepareDataFolder, resolveToken, HubRefusal, DATABASE_FILE } from './files';
import { formatBytes, opsText, type Bilingual } from './ops-strings';
import { housekeep } from './housekeeping';
import { PRUNE_BATCH } from './retention';
import { apiHandler, sameOrigin, send } from './http';
import { trustedProxy, type ProxyTrust } from './proxy-trust';
import { HUB_BUILT, INSTALL_ROOT } from './built';
import { startCheckpointer } from './checkpoints';
import { checkAtStart, checkInBackground, damageMessage, markDamaged, markRunning, type StartCheck } from './integrity';
import { openFileLimit, withinDescriptors } from './descriptors';
import { ConnectionCount, DEFAULT_LIMITS, phonesWithinShare, type HubLimits, type PhoneLimits } from './limits';
import { log } from './log';
import { FACTS_TURN_MS } from './report-facts';
import { checkNotifyConfig, HallNotifications } from './notifications';
import { startOperations, type Operations, type OperationsOptions } from './operations';
import { publicPages } from './pages';
import { copyFromPeerOnceItAnswers, peerStatus, Replication, STANDBY_COPY_RETRY_MS, type Peer } from './replication';
import { FORGET_CHUNK, Staff } from './staff';
import { phoneOperations } from './phone/api';
import { doorPoster, phonePages } from './phone/pages';
import { PhoneStreams } from './phone/streams';
import { TicketWatch } from './phone/watch';
import { tellWithdrawnBookings } from './phone/withdrawn';
import { PhoneBook, PhoneVault } from './phones';
import { WORKBOOK_IMPORT_LIMITS, WorkbookImports, type WorkbookImportLimits } from './workbook-import';
import { HallStore } from './store';
import { cityTerminals, HallSupervision, terminalPresence } from './supervision';
import { supervisionOperations } from './supervision-api';
import { serveTerminals, type TerminalLinks } from './terminals';
import { loadTls, tlsFilesIn, type TlsFiles } from './tls';

export { resolveToken } from './files';

export interface HubOptions {
  /** Folder of hall.db, the admin token file and (by default) the hall key. */
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
  /** The hall key's file (default `<dataDir>/hall.key`): keep it apart from the database's backups. */
  keyFile?: string;
  /** HTTPS and WSS from these files (default: `<dataDir>/tls/hub.crt` and `hub.key` when `hub init-tls` made them). */
  tls?: TlsFiles | false;
  /** Listening beyond loopback without TLS puts tokens, PINs and applicants on the LAN in clear: only with this. */
  allowInsecure?: boolean;
  /** What the hub allows one party (connections, silence, command rates, the phone pages' rates); see DEFAULT_LIMITS. */
  limits?: Partial<Omit<HubLimits, 'phone'>> & { phone?: Partial<PhoneLimits> };
  /** A ceiling on the database's size in bytes; beyond it the hub answers as on a full disk (507). */
  maxDatabaseBytes?: number;
  /** Where warnings go (files put right, TLS off); the hub's log by default. */
  warn?: (message: string) => void;
  /** Scheduled backups to a second folder (see backup.ts); none without it. */
  backup?: OperationsOptions['backup'];
  /** Lets a Prometheus on another machine read /metrics; from this machine it needs none. */
  metricsToken?: string;
  /** A bigger database is checked whole in the background, not before the start (see integrity.ts). */
  wholeCheckUpToBytes?: number;
  /** The background check found the database damaged: the hub has closed (the command line exits). */
  onDatabaseDamaged?: (message: string) => void;
  /** The notification channels (packages/notify); none when absent: nothing is sent and phones cannot verify. */
  notify?: NotifyConfigInput | Omit<NotifyConfigInput, 'hall'>;
  /** Who may say in X-Forwarded-For whom it speaks for: the proxies in front of the hub (see ProxyTrust). */
  trustProxy?: ProxyTrust;
  /** The time and heap that reading one uploaded catalogue workbook may take (WORKBOOK_IMPORT_LIMITS by default). */
  workbookImport?: Partial<WorkbookImportLimits>;
  /** Where the built phone pages are (apps/phone/dist/renderer). */
  phonePagesDir?: string;
  /** How often the supervisors' alerts are reviewed besides after every change (waits and pauses grow with the clock). */
  supervisionSweepMs?: number;
  /** How often the linked terminals' last heard is written down (a minute; a test's shorter). */
  lastHeardMs?: number;
  /** How often the hub pings its linked terminals and shuts out a credential that ran out while linked (15 s; a test's shorter). */
  heartbeatMs?: number;
  /** How often a console's live feed says it is alive (20 s; a test's shorter). */
  consoleKeepAliveMs?: number;
  /** The city's PostgreSQL and this hall's code there: the log is shipped to it (packages/upstream); none without it. */
  upstream?: UpstreamConfig;
  /** The hall's other hub (primary or standby; see replication.ts): this one follows it while it is in charge. */
  peer?: Peer;
  /**
   * Where the phones' streams (watchTicket) are served: `process`, a process of the hub's own that
   * the hub hands each phone's connection to (the command line's default; not behind TLS, nor with
   * an injected clock, which that process does not share), or `inline`, on the hub's thread (the
   * default here, and whenever that process is not running).
   */
  phoneStreams?: 'process' | 'inline';
  /** The least time between two writes of events to the terminals only looking on (fan-out.ts, FAN_OUT_GAP_MS by default). */
  fanOutGapMs?: number;
  /**
   * A second listener, plain HTTP on this machine's loopback, for a reverse proxy on the same
   * machine that holds the hall's public certificate (phones do not trust the hall's own CA): it
   * serves the citizens' pages and API only (/m/, /api/phone/, /q/, /rate/, /complain,
   * /api/health), reads each phone's address from X-Forwarded-For, and hands the phones' streams to
   * the phones' process also when the hub itself serves TLS.
   */
  publicPort?: number;
  /** The process's limit of open files (by default read from /proc/self/limits): the caps of connections and phone streams stay well under it. */
  openFiles?: number;
  /** This hub is the standby: on its first start its database is copied from the peer, and it follows. */
  standby?: boolean;
  /** How long a standby's first start waits between tries of that copy while the peer does not give it (STANDBY_COPY_RETRY_MS; a test's shorter). */
  standbyCopyRetryMs?: number;
  /** A follower that has not heard its leader for this long takes charge by itself; without it, only an operator's promote does. */
  promoteAfterMs?: number;
  /** How long a batch of commands waits for the standby's acknowledgement before the primary answers without it. */
  semiSyncTimeoutMs?: number;
  /** This hub's database parted from its leader's and must be copied again (the command line closes the hub and does it). */
  onRebuild?: (why: string) => void;
}

export interface RunningHub {
  url: string;
  wsUrl: string;
  port: number;
  token: string;
  /** Whether the token was made now (and so should be shown to the installer, this once). */
  tokenCreated: boolean;
  /** Whether the hub serves HTTPS and WSS. */
  tls: boolean;
  store: HallStore;
  staff: Staff;
  credentials: TerminalCredentials;
  /** The one-time code that lets the first administrator be made in the console, while there is none. */
  setupCode: string | undefined;
  /** Milliseconds to open the database and load today's view from it. */
  loadMs: number;
  /** The database check made before the hub used it. */
  startCheck: StartCheck;
  /** For a big database, the whole check running beside the hub: the problem it found, or undefined. */
  backgroundCheck?: Promise<string | undefined>;
  operations: Operations;
  notifications: HallNotifications;
  /** The supervisors' alerts, reviewed after every change and on a beat. */
  supervision: HallSupervision;
  /** Shipping to the city, when the hub has one. */
  upstream?: Upstream;
  /** Following the peer hub, or being followed by it. */
  replication: Replication;
  /** Phones following their tickets now. */
  phonesWatching(): number;
  /** Phones' long polls waiting on the hub now (a gone phone's ends at once). */
  phonesPolling(): number;
  /** The phones' own process's id while it serves their streams (HubOptions.phoneStreams). */
  phonesProcess(): number | undefined;
  /** The hall's public address (its setup's hall.publicUrl, else the hub's own): the phone pages are under /m/. */
  publicUrl(): string;
  /** The citizens' listener on loopback for a proxy (HubOptions.publicPort), when the hub has one. */
  publicPort?: number;
  terminalCount(): number;
  /** Open connections (HTTP and WebSocket), as the caps count them. */
  connectionCount(): number;
  close(): Promise<void>;
}

const isLoopback = (host: string) => host === '127.0.0.1' || host === '::1' || host === 'localhost' || host.startsWith('127.');

/** A refusal in the API's shape written on the connection itself (no request to answer through), then closed. */
function refuseOnSocket(socket: Duplex, status: string, code: RefusalCode, message: string, language: string | undefined, headers = ''): void {
  const lang = /^\s*en\b/i.test(language ?? '') ? 'en' : 'zh-CN';
  const body = JSON.stringify({ ok: false, code, message, text: refusalText(code, lang) });
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headers}Connection: close\r\n\r\n${body}`);
}

/**
 * A standby's first start, while it waits for its primary's copy: its address answers (503) that it is a standby waiting for its
 * primary at `peer`, in both languages, so that the installer's monitoring of /api/health sees why it does not serve, not a hub
 * that is down. Nothing else is served. Closed (its connections too) before the hub listens there itself.
 */
async function sayWaitingForPrimary(host: string, port: number | undefined, tls: https.ServerOptions | undefined, peer: string): Promise<() => Promise<void>> {
  const message = opsText('standbyWaiting', { peer });
  log.warn({ peer }, message);
  // Without a port of its own (0: the system picks one at the hub's listen), nobody could look at it.
  if (!port) return async () => undefined;
  const [zh, en] = message.split('\n') as [string, string];
  const answer = (req: http.IncomingMessage, res: http.ServerResponse) =>
    send(res, 503, { ok: false, code: 'not-in-charge', standby: true, waitingForPrimary: peer, message, text: /^\s*en\b/i.test(req.headers['accept-language'] ?? '') ? en : zh }, { 'retry-after': '5' });
  const server = tls ? https.createServer(tls, answer) : http.createServer(answer);
  server.on('clientError', (_, socket) => socket.destroy());
  server.on('upgrade', (req, socket) => {
    socket.on('error', () => socket.destroy());
    refuseOnSocket(socket, '503 Service Unavailable', 'not-in-charge', message, req.headers['accept-language'], 'Retry-After: 5\r\n');
  });
  // The address taken already is said by the hub's own listen, once the copy is made.
  const listening = await new Promise<boolean>((resolve) => server.once('error', () => resolve(false)).listen(port, host, () => resolve(true)));
  return async () => {
    if (!listening) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
}

/** The polite answer to a connection over the hub's caps: 503 with the code and the text, then closed. */
function overCap(socket: Duplex, language: string | undefined): void {
  refuseOnSocket(socket, '503 Service Unavailable', 'too-many-connections', 'the hub has as many connections as it takes from this address or in all: try again shortly', language, 'Retry-After: 5\r\n');
}

/**
 * A request Node cannot read (not HTTP, headers or an address too long, too slow) gets the API's
 * refusal instead of Node's bare status line, unless an answer has begun on its connection. Anything
 * else (a reset, a TLS handshake that failed, which HTTPS reports here too) closes the connection.
 */
function unreadable(error: NodeJS.ErrnoException, socket: Duplex): void {
  const answerable = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' || !!error.code?.startsWith('HPE_');
  // Node's own guard: a response whose head is written must not be followed by another.
  const answering = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (!answerable || !socket.writable || answering?.headersSent) return void socket.destroy();
  if (error.code === 'HPE_HEADER_OVERFLOW') return refuseOnSocket(socket, '431 Request Header Fields Too Large', 'too-large', 'the address or the headers are too long', undefined);
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return refuseOnSocket(socket, '408 Request Timeout', 'bad-request', 'the request did not arrive in time', undefined);
  refuseOnSocket(socket, '400 Bad Request', 'bad-request', 'the request is not valid HTTP', undefined);
}

/**
 * Answers one connection may have waiting at once: requests sent one after another without reading
 * the answers (pipelined) would have the hub hold every answer (a 100 KB OpenAPI document thousands
 * of times over, gigabytes in seconds); beyond these the connection is closed.
 */
const MAX_WAITING_ANSWERS = 8;

function holdsAnswer(socket: Socket & { waitingAnswers?: number }, res: http.ServerResponse): boolean {
  socket.waitingAnswers = (socket.waitingAnswers ?? 0) + 1;
  if (socket.waitingAnswers > MAX_WAITING_ANSWERS) return false;
  // An answer is gone once its last byte is handed to the system (or the connection is closed).
  res.once('close', () => void (socket.waitingAnswers! -= 1));
  return true;
}

/** What the citizens' listener (HubOptions.publicPort) serves: their pages and API, nothing of the hall's staff or terminals. */
export function isCitizensPath(pathname: string): boolean {
  return (
    pathname === '/m' ||
    pathname.startsWith('/m/') ||
    pathname.startsWith('/api/phone/') ||
    pathname.startsWith('/q/') ||
    pathname.startsWith('/rate/') ||
    pathname === '/complain' ||
    pathname === '/api/health'
  );
}

/**
 * Where the phone's built pages are: the phone's package says (apps/phone/src/pages.ts), relative to
 * its own file; in the hub's bundle that file's place is the bundle's, so from the installation's root.
 */
function defaultPhonePagesDir(): string {
  return HUB_BUILT ? path.join(INSTALL_ROOT, 'apps/phone/dist/renderer') : PHONE_PAGES_DIR;
}

/** Where the console's built files are in this repository. */
function defaultConsoleDir(): string {
  return path.join(INSTALL_ROOT, 'apps/console/dist/renderer');
}

/**
 * The city's shipping said in the hub's log when it stops (the city's database unreachable, a wrong
 * address or password in SERVICEHALL_UPSTREAM_URL, or the city refusing this log) and when it goes on
 * again: once each, not at every retry. Unsaid, an installer's typo showed only on the console's overview.
 */
/** A hub clock said off (core's isHubClockOff) is said right again once within a minute of the city database's. */
const CLOCK_RIGHT_MS = 60_000;

/** 3 小时 5 分钟 / 3 h 5 min: how far a clock is off, for the log. */
const clockSpan = (ms: number): Bilingual => ({ 'zh-CN': spanIn('zh-CN', Math.abs(ms) / 1000), en: spanIn('en', Math.abs(ms) / 1000) });

function saidOfShipping(): (status: UpstreamStatus) => void {
  let failing: UpstreamStatus['state'] | undefined;
  let clockOff = false;
  return (status) => {
    const ahead = status.clockAheadMs;
    if (ahead !== undefined && !clockOff && isHubClockOff(ahead)) {
      clockOff = true;
      log.warn({ clockAheadMs: ahead }, opsText('hubClockOff', { hall: status.hall, span: clockSpan(ahead), way: ahead > 0 ? { 'zh-CN': '快', en: 'fast' } : { 'zh-CN': '慢', en: 'slow' } }));
    } else if (ahead !== undefined && clockOff && Math.abs(ahead) < CLOCK_RIGHT_MS) {
      clockOff = false;
      log.info({ clockAheadMs: ahead }, opsText('hubClockRight'));
    }
    if ((status.state === 'offline' || status.state === 'refused') && failing !== status.state) {
      failing = status.state;
      const values = { hall: status.hall, problem: status.message ?? '' };
      const said = status.state === 'refused' ? 'cityRefused' : status.cityAnswered ? 'cityNotTaken' : 'cityOffline';
      log.warn({ upstream: status.state, problem: status.message }, opsText(said, values));
    } else if ((status.state === 'shipping' || status.state === 'caught-up') && failing) {
      failing = undefined;
      log.info({ upstream: status.state, shippedSeq: status.shippedSeq }, opsText('cityBack', { hall: status.hall }));
    }
  };
}

/** The hub's own commands in one batch of its housekeeping (a default rating, a lapse, an escalation each). */
const HOUSEKEEPING_CHUNK = 200;

export async function startHub(options: HubOptions): Promise<RunningHub> {
  const startedAt = Date.now();
  const clock = options.clock ?? Date.now;
  const warn = options.warn ?? ((m: string) => log.warn(m));
  // Caps beyond what the process may open would have the hub run out of descriptors before it refuses anyone.
  const openFiles = options.openFiles ?? openFileLimit();
  const within = withinDescriptors({ ...DEFAULT_LIMITS, ...options.limits, phone: { ...DEFAULT_LIMITS.phone, ...options.limits?.phone } }, openFiles);
  for (const cap of within.lowered) warn(opsText('capsLowered', { limit: openFiles!, ...cap }));
  // One address's phones hold at most its share of the connections (they hold the citizens' port's while the hub serves them).
  const { limits, lowered: phonesLowered } = phonesWithinShare(within.limits);
  if (phonesLowered) warn(opsText('phoneShareLowered', { connections: limits.connections, ...phonesLowered }));
  const host = options.host ?? '127.0.0.1';
  const tlsFiles = options.tls === false ? undefined : (options.tls ?? tlsFilesIn(options.dataDir));
  if (!tlsFiles && !isLoopback(host) && !options.allowInsecure)
    throw new HubRefusal(opsText('insecureListen', { host }));
  const tls = tlsFiles ? loadTls(tlsFiles) : undefined;

  prepareDataFolder(options.dataDir, warn);
  const keyFile = options.keyFile ?? path.join(options.dataDir, KEY_FILE);
  // A damaged database is refused before anything opens it for writing.
  // A standby's first start: its database is a copy of the hub in charge.
  if (options.standby && options.peer && !fs.existsSync(path.join(options.dataDir, DATABASE_FILE))) {
    // Tried again here until the hub in charge answers: a standby's PC that boots before the primary's
    // (the hall's power back) would otherwise use up its service's restarts and stay down.
    const stopSaying = await sayWaitingForPrimary(host, options.port, tls, options.peer.url);
    const copied = await copyFromPeerOnceItAnswers(options.peer, options.dataDir, options.standbyCopyRetryMs ?? STANDBY_COPY_RETRY_MS).finally(stopSaying);
    log.info({ seq: copied.seq, bytes: copied.bytes }, opsText('standbyCopied', { seq: copied.seq, size: formatBytes(copied.bytes) }));
  }
  const startCheck = await checkAtStart(options.dataDir, options.backup?.dir, options.wholeCheckUpToBytes);
  const clearRunning = markRunning(options.dataDir);
  const loadStarted = performance.now();
  let db: Db;
  try {
    db = openDatabase(options.dataDir);
  } catch (error) {
    clearRunning();
    throw error;
  }
  let store: HallStore;
  let key: HallKey;
  let token: string;
  let created: boolean;
  try {
    ({ token, created } = resolveToken(options.dataDir, options.token, warn));
    // A database sealed with a key whose file is gone must not get a new key: its applicants would be lost.
    if (HallStore.recordsKey(db) && !fs.existsSync(keyFile))
      throw new HubRefusal(opsText('keyMissing', { key: keyFile }));
    key = HallKey.load(keyFile, warn);
    if (!HallStore.hasCatalogue(db) && options.seed) HallStore.seed(db, options.seed, clock());
    // An injected clock (a test's) is its own steady pace too.
    store = new HallStore(db, clock, key, options.clock);
    if (options.peer) await learnFromPeer(store, options.peer, !!options.standby, !!startCheck.uncleanStop);
    // A hub started on a new day opens it first: no terminal is sent yesterday's queue (a follower's opens with its leader's).
    store.openDayIfDue();
  } catch (error) {
    db.close();
    clearRunning();
    throw error;
  }
  const loadMs = Math.round(performance.now() - loadStarted);
  if (options.maxDatabaseBytes !== undefined) store.limitSize(options.maxDatabaseBytes);
  const staff = new Staff(db, store.pins, () => store.view.catalogue, clock);
  const credentials = new TerminalCredentials(db);
  const hallToken = new HallTokenTerminals(db);
  const pairings = new Pairings();
  const terminalListeners = new Set<() => void>();
  let terminals: TerminalLinks | undefined;
  // The scheduled backups' state, once operations have started (below).
  let backupStatus: () => BackupStatus | undefined = () => undefined;
  const consoleContext = {
    store,
    staff,
    credentials,
    hallToken,
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
    workbooks: new WorkbookImports({ ...WORKBOOK_IMPORT_LIMITS, ...options.workbookImport }),
    keepAliveMs: options.consoleKeepAliveMs,
    hubs: (): HubHealth => {
      const r = replication.status();
      const backups = backupStatus();
      return {
        inCharge: store.role.inCharge,
        epoch: store.role.epoch,
        ...(options.peer ? { standby: { state: r.standby, behindEvents: r.standby === 'behind' ? r.lagEvents : 0 } } : {}),
        ...(backups ? { backup: { ...(backups.last ? { lastAt: backups.last.takenAtMs } : {}), failures: backups.failures } } : {}),
      };
    },
    hubsEveryMs: options.supervisionSweepMs,
  };
  const replication = new Replication(store, db, token, {
    peer: options.peer,
    name: os.hostname(),
    semiSyncTimeoutMs: options.semiSyncTimeoutMs,
    promoteAfterMs: options.promoteAfterMs,
    onRebuild: options.onRebuild,
    served: () => terminals?.servedRecently() ?? [],
  });
  // The city's copy of the log, shipped beside the hall by a worker of its own: by the hub in charge
  // only (a standby's log is its leader's, shipped from there; a hub that steps down stops shipping).
  let upstream: Upstream | undefined;
  // The hall's terminals as the console's board lists them, which only this hub knows: the city names them so too.
  const presence = () => terminalPresence(credentials, terminals?.linked() ?? [], clock(), hallToken);
  const cityTerminalList = () => cityTerminals(store.view, presence());
  const tellCityTerminals = () => upstream?.terminals(cityTerminalList());
  const shipIfInCharge = () => {
    if (!options.upstream) return;
    if (store.role.inCharge && !upstream) {
      // The list goes with the worker, for its first connect: a city told nothing keeps what it had.
      // A hub run with a clock of its own (a test's) tells the city that clock, as its log has it.
      const hubClockAheadMs = options.clock ? Math.round(clock() - Date.now()) : 0;
      upstream = startUpstream({ ...options.upstream, databaseFile: path.join(options.dataDir, DATABASE_FILE), terminals: cityTerminalList(), hubClockAheadMs }, saidOfShipping(), (parted) =>
        log.warn(parted, opsText('cityParted', { from: parted.branch + 1, shipped: parted.shipped })),
      );
      upstream.appended(store.seq);
    } else if (!store.role.inCharge && upstream) {
      void upstream.stop();
      upstream = undefined;
    }
  };
  shipIfInCharge();
  const stopRoleWatch = store.role.onChange(shipIfInCharge);
  // A credential that runs out, a hall-token terminal forgotten after its days: no link, command or console's word; looked at on the alerts' beat.
  const cityTerminalsBeat = options.upstream ? setInterval(tellCityTerminals, options.supervisionSweepMs ?? 5_000) : undefined;
  cityTerminalsBeat?.unref();
  const stopShippingWatch = () => {
    stopRoleWatch();
    clearInterval(cityTerminalsBeat);
  };
  store.onEvents((events) => upstream?.appended(events[events.length - 1]?.seq ?? store.seq));
  const upstreamConfig = options.upstream;
  // What health and /metrics say of the shipping, also while this hub follows (nothing shipped from here then).
  const shipping: Pick<Upstream, 'status'> | undefined = upstreamConfig
    ? { status: () => upstream?.status() ?? { hall: upstreamConfig.hall, state: 'connecting', shippedSeq: 0, hallSeq: store.seq, behindEvents: 0, behindSeconds: 0, eventsPerSecond: 0 } }
    : undefined;
  // One group commit for every way a command comes: terminals, the HTTP API, the QR page, the phones;
  // with a standby in step, answered once it holds the batch (semi-synchronous).
  const commits = new GroupCommit(store, () => replication.ship());
  const consoleFiles = serveConsole(options.consoleDir ?? defaultConsoleDir());
  // The notification channels; the hall's name heads robot messages (a hall not set up yet has none).
  const notifyConfig = checkNotifyConfig(options.notify ?? { channels: [] }, store.view.catalogue.hall.name || '政务服务中心', 'SERVICEHALL_NOTIFY_CONFIG / SERVICEHALL_NOTIFY', store.view.catalogue.hall.nameEn || undefined);
  if (!notifyConfig.ok) {
    // What started above stops first: the standby link's beat (every 250 ms) wrote to the closed database, an uncaught error.
    replication.close();
    stopShippingWatch();
    await upstream?.stop();
    db.close();
    clearRunning();
    // A field of the channels' file is the installer's to mend: refused (not restarted in a loop), field by field, Chinese first.
    throw new HubRefusal(opsText('badSetting', { problem: { 'zh-CN': notifyConfig.message, en: notifyConfig.en ?? notifyConfig.message } }));
  }
  const notifications = new HallNotifications(db, notifyConfig.config, { clock });
  let ownUrl = '';
  // Where citizens' phones reach the hall: its setup's public address, else (a demo, a test) the hub's own.
  const publicBase = () => publicBaseOf(store.view.catalogue.hall.publicUrl) ?? ownUrl;
  // Phone numbers are sealed and hashed with keys derived from the hall key, as applicants are.
  const phones = new PhoneBook(db, new PhoneVault(key.derive('phones')));
  tellWithdrawnBookings(store, phones, notifications);
  const watch = new TicketWatch(store, { phones, notifications, transaction: (work) => store.withTransaction(work), inCharge: () => store.role.inCharge }, { publicBase, clock });
  // TLS sessions cannot move to another process: behind TLS the hub serves the phones' streams itself,
  // but for those through its citizens' listener on loopback (publicPort). Nor does the process share a test's clock.
  const handsOver = options.phoneStreams === 'process' && !options.clock && (!tls || options.publicPort !== undefined);
  const phoneStreams = handsOver ? new PhoneStreams(store, { ownUrl: () => ownUrl, smsOf: (id) => watch.smsFor(id) }) : undefined;
  if (options.phoneStreams === 'process' && !handsOver && tls)
    log.info(opsText('tlsPhonesOnHub'));
  // Supervisors' alerts: reviewed after every change and on a beat, sent through the channels once.
  const supervision = new HallSupervision(store, presence, notifications, {
    clock,
    // With a standby configured, the board and the duty group hear when the hall has none in step.
    ...(options.peer ? { standby: () => replication.status().standby } : {}),
    ...(options.supervisionSweepMs ? { everyMs: options.supervisionSweepMs } : {}),
  });
  // The reports' query builder is loaded with the first report asked for, not with the hub.
  let reports: Promise<HallReports> | undefined;
  const hallReports = () => (reports ??= import('./reports').then((m) => new m.HallReports(db, () => store.view.catalogue, clock, () => store.writeFacts())));
  const api = apiHandler({
    store,
    commits,
    token,
    startedAt,
    upstream: shipping,
    staff,
    credentials,
    more: [...consoleOperations(consoleContext), ...supervisionOperations({ store, supervision, notifications }), ...reportOperations(store, hallReports), ...phoneOperations({ store, commits, watch, streams: phoneStreams, phones, notifications, clock, limits: limits.phone, warn })],
    clock,
    limits,
    trustProxy: options.trustProxy,
  });
  const pages = publicPages(store, commits, limits, clock, options.trustProxy);
  const phonePagesHandler = phonePages(options.phonePagesDir ?? defaultPhonePagesDir(), () => doorPoster(store.view.catalogue, publicBase()));
  // Only the hub in charge sends notices: a follower's outbox is its leader's, sent there.
  let notifying = false;
  // `changed`: the hub's part changed since the start. At the start the watch has just read its numbers and looks at them all already.
  const notifyIfInCharge = (changed: boolean) => {
    if (store.role.inCharge && !notifying) {
      if (changed) watch.tookCharge();
      notifications.start();
    } else if (!store.role.inCharge && notifying) void notifications.stop();
    notifying = store.role.inCharge;
  };
  notifyIfInCharge(false);
  const stopNotifyWatch = store.role.onChange(() => notifyIfInCharge(true));
  if (options.demoPin && store.role.inCharge) for (const c of store.view.catalogue.clerks) if (!store.pins.has(c.number)) await store.pins.set(c.number, options.demoPin);
  if (!tls && !isLoopback(host)) warn(opsText('noTls', { host }));

  // The new day, default ratings (N-04), lapsed corrections, old command answers: see housekeep.
  const sweepMs = options.ratingSweepMs ?? 30_000;
  /**
   * A backlog goes a chunk at a time (a batch of thousands held the event loop for seconds on a year's
   * hall): `chunk` runs again at the next turn while it says it was full and the hub's part is still `inCharge`.
   */
  const inChunks = (inCharge: boolean, chunk: () => boolean) => {
    const run = () => {
      if (store.role.inCharge !== inCharge) return;
      try {
        if (chunk()) setImmediate(run);
      } catch (error) {
        log.error({ err: error }, opsText('housekeepingFailed', { seconds: sweepMs / 1000 }));
      }
    };
    run();
  };
  const housekeepInChunks = () => inChunks(true, () => housekeep(store, clock(), HOUSEKEEPING_CHUNK, (window) => terminals?.padAway(window) ?? false).commands >= HOUSEKEEPING_CHUNK);
  // Each hub's own (the failures are not replicated): a standby's console counts its own sign-ins.
  const forgetSignInsInChunks = (inCharge: boolean) => inChunks(inCharge, () => staff.lockout.forget(clock()) >= FORGET_CHUNK);
  const sweep = setInterval(() => {
    if (!store.role.inCharge) return forgetAsStandby();
    housekeepInChunks();
    forgetSignInsInChunks(true);
    try {
      phones.forget(clock(), store.view.day);
    } catch (error) {
      log.error({ err: error }, opsText('phonesForgetFailed', { seconds: sweepMs / 1000 }));
    }
  }, sweepMs);
  sweep.unref();
  /**
   * A hub that follows deletes, by the rules of the hub in charge, what that hub deletes in its own
   * housekeeping: ended phone sessions, past days' codes and counts by address, answers past their
   * window. Replication sends rows as they last changed, never that one went: without this a
   * standby kept answers for ever, and a phone's ended session till the next hall day's event
   * (TicketWatch forgets then). The same rules on its own clock: what it held is what it would honour in charge.
   */
  const forgetAsStandby = () => {
    try {
      phones.forgetEnded(clock(), store.view.day);
    } catch (error) {
      log.error({ err: error }, opsText('phonesForgetFailed', { seconds: sweepMs / 1000 }));
    }
    pruneAnswersInChunks();
    forgetSignInsInChunks(false);
  };
  // A chunk at a time, as the hub in charge does: a standby of a release before this one holds every answer it was ever sent.
  const pruneAnswersInChunks = () => inChunks(false, () => store.pruneAnswers() >= PRUNE_BATCH);
  // The reports' fact rows of the events committed since the last time, one table a turn (FactWriter: each about once a second).
  const factsTimer = setInterval(() => {
    try {
      store.writeNextFacts();
    } catch (error) {
      log.error({ err: error }, opsText('factsFailed'));
    }
  }, FACTS_TURN_MS);
  factsTimer.unref();

  const handler: http.RequestListener = (req, res) => {
    if ((req.socket as Socket & { overCap?: boolean }).overCap) return overCap(req.socket, req.headers['accept-language']);
    if (!holdsAnswer(req.socket, res)) return void req.socket.destroy();
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
    if (url.pathname.startsWith('/replication/'))
      return void replication.serveHttp(req, res, url, path.join(options.dataDir, DATABASE_FILE)).catch((error) => {
        log.error({ err: error, path: url.pathname }, opsText('replicationFailed', { path: url.pathname }));
        if (!res.headersSent) send(res, 500, { ok: false, code: 'internal', message: 'the replication request failed' });
        else res.destroy();
      });
    if (url.pathname === '/metrics') return void operations.metrics.serve(req, res, options.metricsToken);
    if (url.pathname === '/m' || url.pathname.startsWith('/m/'))
      return void phonePagesHandler(req, res, url).catch((error) => {
        log.error({ err: error, path: url.pathname }, opsText('phonePageFailed', { path: url.pathname }));
        if (!res.headersSent) send(res, 500, { ok: false, code: 'internal', message: 'the page could not be made' });
      });
    if (url.pathname.startsWith('/q/') || url.pathname.startsWith('/rate/') || url.pathname === '/complain')
      return void pages(req, res, url).catch((error) => {
        log.error({ err: error, path: url.pathname }, opsText('pageFailed', { path: url.pathname }));
        if (!res.headersSent) send(res, 500, { ok: false, code: 'internal', message: 'the page could not be made' });
      });
    send(res, 404, { ok: false, code: 'not-found', message: `there is no ${url.pathname}; the console is at /console/, the API under /api/ (see /api/openapi.json)` });
  };
  // The citizens' listener (publicPort): their pages and API only, for the proxy in front of it.
  const publicHandler: http.RequestListener = (req, res) => {
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://hub').pathname;
    } catch {
      return send(res, 400, { ok: false, code: 'bad-request', message: 'the address is not valid' });
    }
    if (!isCitizensPath(pathname)) return send(res, 404, { ok: false, code: 'not-found', message: `there is no ${pathname} here: this address serves the citizens' pages (/m/) and their API (/api/phone/)` });
    // Every request here comes through the proxy: the phone's address is the last hop it added.
    (req.socket as Socket & { viaProxy?: boolean }).viaProxy = true;
    handler(req, res);
  };
  // Connections are checked every second, so that one that never finishes its headers goes at headersTimeout, not up to 30 s later.
  const serverOptions = { headersTimeout: limits.headersTimeoutMs, requestTimeout: 30_000, connectionsCheckingInterval: 1_000 };
  // A TLS handshake that never finishes holds a connection no longer than unfinished headers would.
  const tlsOptions = { handshakeTimeout: limits.headersTimeoutMs };
  const server = tls ? https.createServer({ ...serverOptions, ...tlsOptions, ...tls }, handler) : http.createServer(serverOptions, handler);
  server.requestTimeout = 30_000;
  server.headersTimeout = limits.headersTimeoutMs;
  server.on('clientError', unreadable);

  // Every connection counts against its address's cap and the hub's, from its first byte (before
  // TLS); one over a cap is answered 503 at its first request (over TLS, once its handshake is done),
  // one of a flood far beyond it is closed at once (see ConnectionCount).
  // A proxy's connections are its clients': capped in all only (the proxy caps them per client).
  const connections = new ConnectionCount(limits, (address) => !trustedProxy(options.trustProxy, address));
  const overCapTls = new Set<string>();
  server.on('connection', (socket: Socket & { overCap?: boolean }) => {
    const address = socket.remoteAddress ?? 'unknown';
    const key = `${address}|${socket.remotePort}`;
    const admission = connections.open(address);
    socket.once('close', () => {
      connections.close(address, admission);
      overCapTls.delete(key);
    });
    if (admission.verdict === 'drop') return void socket.destroy();
    if (admission.verdict === 'over') {
      socket.overCap = true;
      if (tls) overCapTls.add(key);
    }
  });
  const publicServer = options.publicPort !== undefined ? http.createServer(serverOptions, publicHandler) : undefined;
  if (publicServer) {
    // All its connections come from the proxy: capped in all only (the proxy caps its clients).
    const proxied = new ConnectionCount(limits, false);
    publicServer.on('connection', (socket: Socket & { overCap?: boolean }) => {
      const admission = proxied.open('proxy');
      socket.once('close', () => proxied.close('proxy', admission));
      if (admission.verdict === 'drop') return void socket.destroy();
      if (admission.verdict === 'over') socket.overCap = true;
    });
    publicServer.on('upgrade', (req, socket) => {
      // As on the hub's own address: without an error listener, a client's reset here would end the hub.
      socket.on('error', () => socket.destroy());
      refuseOnSocket(socket, '404 Not Found', 'not-found', "this address serves the citizens' pages and their API, not the terminals' link", req.headers['accept-language']);
    });
    publicServer.on('clientError', unreadable);
  }
  if (tls) server.on('secureConnection', (socket: Socket & { overCap?: boolean }) => void (overCapTls.has(`${socket.remoteAddress}|${socket.remotePort}`) && (socket.overCap = true)));

  // The socket takes more than a message may hold, so that an oversized message gets an answer, not a dropped line.
  // No compression: a round of events is framed once and written as the same bytes to every terminal (terminals.ts).
  const wss = new WebSocketServer({ noServer: true, maxPayload: 8 * MAX_MESSAGE_BYTES, perMessageDeflate: false });
  // The standby hub's link (the hall token; see replication.ts).
  const replicationWss = new WebSocketServer({ noServer: true, maxPayload: 4 * MAX_MESSAGE_BYTES });
  replication.serve(replicationWss);
  server.on('upgrade', (req, socket, head) => {
    // Node drops the socket's error listener before 'upgrade': without one, a reset would end the hub.
    socket.on('error', () => socket.destroy());
    if ((req.socket as Socket & { overCap?: boolean }).overCap) return overCap(socket, req.headers['accept-language']);
    if (closed) return void socket.destroy();
    // Terminals and the standby are programs, which send no Origin: a page of another site in a browser on the hall's network does.
    if (!sameOrigin(req)) return refuseOnSocket(socket, '403 Forbidden', 'forbidden', 'a page of another site may not link to the hub', req.headers['accept-language']);
    if (req.url === '/replication') return replicationWss.handleUpgrade(req, socket, head, (ws) => replicationWss.emit('connection', ws, req));
    if (!req.url?.startsWith('/ws')) return refuseOnSocket(socket, '404 Not Found', 'not-found', 'the terminals link at /ws', req.headers['accept-language']);
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  terminals = serveTerminals(wss, store, commits, token, { credentials, hallToken, pairings, changed: consoleContext.terminalsChanged, clock, limits, fanOutGapMs: options.fanOutGapMs, lastHeardMs: options.lastHeardMs, heartbeatMs: options.heartbeatMs, lookedForHubInCharge: (terminal, triesOtherHubs) => replication.terminalLooked(terminal, triesOtherHubs) });
  // Devices reported change the terminal list too.
  store.onEvents((events) => {
    if (events.some((e) => e.type === 'devices.reported')) consoleContext.terminalsChanged();
  });
  // A credential issued or revoked, by the console or an installer's POST /api/terminal-tokens: the console's Terminals page and the city learn of it now.
  // One revoked meanwhile (an installer's new credential replaces the terminal's earlier one) is shut out at once, as the console's revoke does.
  const stopCredentialsWatch = credentials.onChange(() => {
    terminals?.dropRevoked();
    consoleContext.terminalsChanged();
  });
  // A terminal that comes or goes may begin or end an alert.
  terminalListeners.add(() => supervision.soon());
  terminalListeners.add(tellCityTerminals);
  const links = terminals;
  const operations = await startOperations(options, {
    db,
    store,
    commits,
    terminals: () => links.linked(),
    startCheck,
    loadSeconds: (Date.now() - startedAt) / 1000,
    ...(shipping ? { upstream: () => shipping.status() } : {}),
    replication: () => replication.status(),
    phones: () => ({ onHub: watch.watching, inProcess: phoneStreams?.watching ?? 0, ...(phoneStreams ? { process: { serving: phoneStreams.serving, starts: phoneStreams.starts } } : {}) }),
  });
  backupStatus = () => operations.backups?.status;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  })
    .then(() =>
      publicServer
        ? new Promise<void>((resolve, reject) => {
            publicServer.once('error', (error) => {
              server.close();
              reject(error);
            });
            publicServer.listen(options.publicPort, '127.0.0.1', () => resolve());
          })
        : undefined,
    )
    .catch(async (error: unknown) => {
    // Not started (the port is taken, say): nothing ran, so this is a clean stop.
    clearInterval(sweep);
    clearInterval(factsTimer);
    supervision.stop();
    replication.close();
    stopNotifyWatch();
    stopShippingWatch();
    stopCredentialsWatch();
    links.close();
    watch.close();
    await phoneStreams?.close();
    await notifications.stop();
    await operations.stop();
    await upstream?.stop();
    db.close();
    clearRunning();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new Error(opsText('cannotListen', { address: (error as { address?: string }).address ?? host, port: (error as { port?: number }).port ?? '', problem: (error as Error).message }));
    throw error;
  });
  supervision.start();
  const { port } = server.address() as AddressInfo;
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host;
  ownUrl = `${tls ? 'https' : 'http'}://${shown}:${port}`;
  phoneStreams?.start();
  let closed = false;
  const background = startCheck.kind === 'partial' ? checkInBackground(path.join(options.dataDir, DATABASE_FILE)) : undefined;
  // The WAL is copied into the database beside the hub, not inside its commands' commits.
  const checkpointer = startCheckpointer(db, path.join(options.dataDir, DATABASE_FILE), { warn });
  const running: RunningHub = {
    url: ownUrl,
    wsUrl: `${tls ? 'wss' : 'ws'}://${shown}:${port}/ws`,
    port,
    token,
    tokenCreated: created,
    tls: !!tls,
    store,
    staff,
    credentials,
    setupCode: staff.setupCode,
    loadMs,
    startCheck,
    operations,
    notifications,
    supervision,
    get upstream() {
      return upstream;
    },
    replication,
    phonesWatching: () => watch.watching + (phoneStreams?.watching ?? 0),
    phonesPolling: () => watch.waitingPolls,
    phonesProcess: () => phoneStreams?.pid,
    ...(publicServer ? { publicPort: (publicServer.address() as AddressInfo).port } : {}),
    publicUrl: publicBase,
    terminalCount: () => links.count(),
    connectionCount: () => connections.size,
    async close() {
      if (closed) return;
      closed = true;
      // A catalogue workbook being read would hold the hub's exit until its reader ended (up to a minute).
      await consoleContext.workbooks.stop();
      background?.stop();
      clearInterval(sweep);
      clearInterval(factsTimer);
      supervision.stop();
      replication.close();
      stopNotifyWatch();
      stopShippingWatch();
      stopCredentialsWatch();
      watch.close();
      await phoneStreams?.close();
      await notifications.stop();
      await operations.stop();
      links.close();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      // ws closes a server once its clients have gone: a follower linking again meanwhile is cut too.
      for (const c of replicationWss.clients) c.terminate();
      await new Promise<void>((resolve) => replicationWss.close(() => resolve()));
      server.closeAllConnections();
      publicServer?.closeAllConnections();
      await Promise.all([server, ...(publicServer ? [publicServer] : [])].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      await commits.close();
      store.writeFacts();
      await upstream?.stop();
      await checkpointer.stop();
      db.close();
      clearRunning();
    },
  };
  if (background) {
    // Found damaged while it serves: no more commands go into it; the restore is the way on.
    const checking = performance.now();
    running.backgroundCheck = background.result.then(async (problem) => {
      if (closed) return problem;
      // Said when it ends: an operator (and the bench) can tell that the hub is no longer reading the whole file.
      if (!problem) {
        const ms = Math.round(performance.now() - checking);
        log.info({ ms }, opsText('wholeCheckClean', { ms }));
      }
      if (!problem) return problem;
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

/**
 * Before it serves, a hub with a peer asks it who is in charge: one that has taken charge with a
 * higher epoch (this hub was the primary and is back after a failover) makes this one a follower;
 * a configured standby follows a peer in charge. A primary that cannot reach the peer that has
 * followed it holds: the peer may have taken charge while this one was down, and taking commands now would give its
 * numbers again (Replication.askPeerWhileHeld says when it takes charge).
 */
async function learnFromPeer(store: HallStore, peer: Peer, standby: boolean, afterUncleanStop: boolean): Promise<void> {
  try {
    const status = await peerStatus(peer, 1_500);
    if (!status.inCharge) return;
    if (status.epoch > store.role.epoch) store.role.learn(status.epoch, { 'zh-CN': '另一台主机（本主机启动时）', en: 'the peer hub, at start' });
    else if (standby && store.role.inCharge && status.epoch === store.role.epoch) store.role.follow();
  } catch (error) {
    const err = error instanceof Error ? error.message : error;
    // Never followed, this hub's log is held by no other: its peer cannot have taken charge of it.
    if (store.role.inCharge && store.role.followedOnce) {
      store.role.hold();
      return void log.error({ peer: peer.url, err, afterUncleanStop }, opsText('peerUnreachableHeld', { peer: peer.url }));
    }
    log.warn({ peer: peer.url, err }, opsText(store.role.inCharge ? 'peerUnreachableInCharge' : 'peerUnreachableFollowing', { peer: peer.url }));
  }
}
