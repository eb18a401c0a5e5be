import { addCalendarDays, hallDay } from '@servicehall/core';
import { BREAKDOWNS, reportPeriodProblem, type Breakdown, type ReportRow } from '@servicehall/reports';
import { cityReport, migrateCity } from '@servicehall/upstream';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { attentionOf, byAttention, type AttentionReason } from '../attention';
import { CityLockout, sessionAccount, signIn, signOut, type CityAccount } from './accounts';

export interface CityOptions {
  /** The city's PostgreSQL, where the halls ship their logs. */
  databaseUrl: string;
  port?: number;
  host?: string;
  /** The city view's built files (apps/city/dist/renderer by default). */
  staticDir?: string;
  /** Sessions' cookie only over HTTPS (behind the city's TLS proxy). */
  secureCookie?: boolean;
  /**
   * Told when the city's database is not there yet at the start (not running, starting, the network to it not up: a
   * power cut's morning, the server up before the database): the server starts all the same, its view says the database
   * cannot be reached, and it is asked again at each request. Without it, startCity fails as it did.
   */
  databaseAway?: (error: unknown) => void;
}

export interface RunningCity {
  url: string;
  pool: pg.Pool;
  /** A connection once the city's tables are made (made at the first that finds the database: one not there at the start). */
  connect(): Promise<pg.PoolClient>;
  close(): Promise<void>;
}

/** One hall as the city's overview lists it. */
export interface HallSummary {
  hall: string;
  name: string;
  day: string;
  /** How far the city's copy is behind the hall, as the hall last said; when the last batch came. */
  behindEvents: number;
  shippedAt?: string;
  /** When the hall's hub last spoke to the city (a batch, or its word every minute while caught up), and how long ago by the database's clock. */
  seenAt?: string;
  unheardSeconds?: number;
  /** The hall's hub clock less the city database's, as the hub last spoke (positive: the hub's is fast). */
  clockAheadSeconds?: number;
  today: Pick<ReportRow, 'issued' | 'called' | 'served' | 'noShows' | 'waitMedianS' | 'waitP90S' | 'rated' | 'satisfactionRate' | 'badRatings'>;
  unhandledAlerts: number;
  /** Why the hall is listed first (silent beyond SILENT_S, alerts unhandled); none for a hall listed by its code. */
  attention: AttentionReason[];
}

const COOKIE = 'city_session';
const here = path.dirname(fileURLToPath(import.meta.url));
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json' };

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Errors of a database that is not there yet (not running or starting, nothing listening, no route to it yet), which
 * may pass; not a wrong account, password or database name, or a host name that does not exist, which will not.
 */
export function databaseNotThereYet(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && ['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EAI_AGAIN', '57P03'].includes(code);
}

/**
 * Says a wait for the city's database once, and once when it is back, rather than a failure at every turn of what waits
 * for it (the 好差评 feed's, every 10 s): `away` when a turn finds it not there yet (databaseNotThereYet), `back` at the
 * first turn that goes through after, `failed` for any other failure of a turn. `waiting`: already said (at the start).
 */
export function databaseWait(say: { away(error: unknown): void; back(): void; failed(error: unknown): void }, waiting = false) {
  return {
    failed(error: unknown): void {
      if (!databaseNotThereYet(error)) return say.failed(error);
      if (waiting) return;
      waiting = true;
      say.away(error);
    },
    done(): void {
      if (!waiting) return;
      waiting = false;
      say.back();
    },
  };
}

/** What a request whose address cannot be read (malformed %-escapes, a request target that is no URL) is answered. */
const NOT_AN_ADDRESS = { ok: false, code: 'bad-request', message: 'the address is not valid' };

/** The city's server: the city view and its API over the city's PostgreSQL, with the city's own accounts. */
export async function startCity(options: CityOptions): Promise<RunningCity> {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 8 });
  pool.on('error', () => undefined);
  // The city's tables made (each hub makes them too), once; asked again at the next request while the database is away.
  let migrated: Promise<void> | undefined;
  const ready = () =>
    (migrated ??= (async () => {
      const client = await pool.connect();
      try {
        await migrateCity(client);
      } finally {
        client.release();
      }
    })().catch((error: unknown) => {
      migrated = undefined;
      throw error;
    }));
  try {
    await ready();
  } catch (error) {
    if (!options.databaseAway || !databaseNotThereYet(error)) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    options.databaseAway(error);
  }
  const staticDir = options.staticDir ?? path.resolve(here, '../../dist/renderer');

  const lockout = new CityLockout();
  const maySee = (account: CityAccount, hall: string) => account.role === 'city' || account.hall === hall;

  async function halls(account: CityAccount): Promise<HallSummary[]> {
    const { rows } = await pool.query<{ hall: string; name: string; time_zone: string; hall_seq: string; shipped_seq: string; shipped_at: Date | null; seen_at: Date | null; unheard_s: number | null; clock_ahead_ms: string | null; unhandled: number }>(
      `SELECT h.hall, h.name, h.time_zone, h.hall_seq, h.shipped_seq, h.shipped_at, h.hall_seen_at AS seen_at,
              extract(epoch FROM now() - h.hall_seen_at)::int AS unheard_s, h.hall_clock_ahead_ms AS clock_ahead_ms,
              (SELECT count(*)::int FROM hall_alerts a WHERE a.hall = h.hall AND NOT a.acknowledged) AS unhandled
       FROM halls h WHERE $1::text IS NULL OR h.hall = $1 ORDER BY h.hall`,
      [account.role === 'city' ? null : (account.hall ?? '')],
    );
    const out: HallSummary[] = [];
    const c = await pool.connect();
    try {
      for (const r of rows) {
        const day = hallDay(Date.now(), r.time_zone);
        const report = await cityReport(c, r.hall, { breakdown: 'hall', from: day, to: day });
        const t = report.total;
        const summary = {
          hall: r.hall,
          name: r.name,
          day,
          behindEvents: Math.max(0, Number(r.hall_seq) - Number(r.shipped_seq)),
          ...(r.shipped_at ? { shippedAt: r.shipped_at.toISOString() } : {}),
          ...(r.seen_at ? { seenAt: r.seen_at.toISOString(), unheardSeconds: Math.max(0, r.unheard_s ?? 0) } : {}),
          ...(r.clock_ahead_ms !== null ? { clockAheadSeconds: Math.round(Number(r.clock_ahead_ms) / 1000) } : {}),
          today: { issued: t.issued, called: t.called, served: t.served, noShows: t.noShows, waitMedianS: t.waitMedianS, waitP90S: t.waitP90S, rated: t.rated, satisfactionRate: t.satisfactionRate, badRatings: t.badRatings },
          unhandledAlerts: r.unhandled,
        };
        out.push({ ...summary, attention: attentionOf(summary) });
      }
    } finally {
      c.release();
    }
    // A hall silent for a day, or with alerts left, comes to the operator's eye first, not where its code puts it.
    return byAttention(out);
  }

  async function hallDetail(hall: string, url: URL) {
    const { rows } = await pool.query<{ hall: string; name: string; time_zone: string; terminals: unknown; items: unknown }>('SELECT hall, name, time_zone, terminals, items FROM halls WHERE hall = $1', [hall]);
    const h = rows[0];
    if (!h) throw new Refusal(404, 'not-found', `there is no hall ${hall} in the city`);
    const today = hallDay(Date.now(), h.time_zone);
    const breakdown = (url.searchParams.get('breakdown') ?? 'window') as Breakdown;
    if (!BREAKDOWNS.includes(breakdown)) throw new Refusal(400, 'bad-request', `a report is broken down by ${BREAKDOWNS.join(', ')}`);
    const from = url.searchParams.get('from') ?? addCalendarDays(today, -6);
    const to = url.searchParams.get('to') ?? today;
    // A day no calendar has (2026-13-45) is the asker's mistake, not the database's; a period as long as the hall's console allows.
    const period = reportPeriodProblem(from, to);
    if (period) throw new Refusal(400, 'bad-request', period.en);
    const alerts = await pool.query<{ id: string; at: number; kind: string; subject: unknown; cleared: boolean }>(
      'SELECT id, at, kind, subject, cleared FROM hall_alerts WHERE hall = $1 AND NOT acknowledged ORDER BY at DESC LIMIT 100',
      [hall],
    );
    const c = await pool.connect();
    try {
      const report = await cityReport(c, hall, { breakdown, from, to });
      // The hall's terminals and service items, for naming them as the hall does (取号机 2, not kiosk-2; 居民身份证换领, not GA-SFZ-HL).
      return { hall: h.hall, name: h.name, today, report, alerts: alerts.rows, terminals: h.terminals, items: h.items };
    } finally {
      c.release();
    }
  }

  const cookieOf = (req: http.IncomingMessage) => /(?:^|;\s*)city_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
  const body = async (req: http.IncomingMessage): Promise<Record<string, unknown>> => {
    let text = '';
    for await (const chunk of req) {
      text += chunk;
      if (text.length > 10_000) throw new Refusal(413, 'too-large', 'the request is too large');
    }
    try {
      return JSON.parse(text || '{}') as Record<string, unknown>;
    } catch {
      throw new Refusal(400, 'bad-request', 'the request is not JSON');
    }
  };
  const send = (res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
    res.end(JSON.stringify(value));
  };

  async function api(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    // A change comes as JSON only: a form on another site cannot send it (with the SameSite cookie).
    if (req.method === 'POST' && !/^application\/json\b/.test(req.headers['content-type'] ?? '')) throw new Refusal(415, 'bad-request', 'send JSON');
    await ready();
    if (req.method === 'POST' && url.pathname === '/api/login') {
      const { id, password } = await body(req);
      if (typeof id !== 'string' || typeof password !== 'string') throw new Refusal(400, 'bad-request', 'an account and a password are needed');
      // Locked after wrong passwords: not even the right one is tried until the lock ends.
      const lockedUntil = lockout.lockedUntil(id, Date.now());
      if (lockedUntil !== undefined) {
        const seconds = Math.max(1, Math.ceil((lockedUntil - Date.now()) / 1000));
        return send(res, 429, { ok: false, code: 'locked', message: `too many wrong passwords for this account: try again in ${seconds} s`, retryAfterSeconds: seconds }, { 'retry-after': String(seconds) });
      }
      const signed = await signIn(pool, id, password);
      if (!signed) {
        lockout.fail(id, Date.now());
        throw new Refusal(401, 'wrong-credentials', 'the account or password is not right');
      }
      lockout.clear(id);
      const cookie = `${COOKIE}=${signed.secret}; Path=/; HttpOnly; SameSite=Strict${options.secureCookie ? '; Secure' : ''}`;
      return send(res, 200, { ok: true, account: signed.account }, { 'set-cookie': cookie });
    }
    if (req.method === 'POST' && url.pathname === '/api/logout') {
      await signOut(pool, cookieOf(req));
      return send(res, 200, { ok: true }, { 'set-cookie': `${COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict` });
    }
    const account = await sessionAccount(pool, cookieOf(req));
    if (!account) throw new Refusal(401, 'signed-out', 'sign in first');
    if (req.method !== 'GET') throw new Refusal(405, 'method-not-allowed', 'use GET');
    if (url.pathname === '/api/session') return send(res, 200, { ok: true, account });
    if (url.pathname === '/api/halls') return send(res, 200, { ok: true, halls: await halls(account) });
    const m = /^\/api\/halls\/([^/]+)$/.exec(url.pathname);
    if (m) {
      let hall: string;
      try {
        hall = decodeURIComponent(m[1]!);
      } catch {
        throw new Refusal(400, NOT_AN_ADDRESS.code, NOT_AN_ADDRESS.message);
      }
      if (!maySee(account, hall)) throw new Refusal(403, 'forbidden', 'a hall administrator sees that hall only');
      return send(res, 200, { ok: true, ...(await hallDetail(hall, url)) });
    }
    throw new Refusal(404, 'not-found', `there is no ${url.pathname}`);
  }

  function file(res: http.ServerResponse, url: URL): void {
    let rel: string;
    try {
      rel = path.normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
    } catch {
      return send(res, 400, NOT_AN_ADDRESS);
    }
    let full = path.join(staticDir, rel);
    if (!full.startsWith(staticDir) || !fs.existsSync(full) || fs.statSync(full).isDirectory()) full = path.join(staticDir, 'index.html');
    if (!fs.existsSync(full)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end('the city view is not built: npm run build -- city');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[path.extname(full)] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      // The city view loads its own files and talks to its own server only.
      'content-security-policy': "default-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    });
    fs.createReadStream(full).pipe(res);
  }

  const server = http.createServer((req, res) => {
    // An address no URL can be made of (a malformed request target) is refused, not thrown: the server goes on.
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://city');
    } catch {
      return send(res, 400, NOT_AN_ADDRESS);
    }
    if (!url.pathname.startsWith('/api/')) return file(res, url);
    api(req, res, url).catch((error: unknown) => {
      if (error instanceof Refusal) return send(res, error.status, { ok: false, code: error.code, message: error.message });
      send(res, 503, { ok: false, code: 'unavailable', message: "the city's database cannot be reached for now" });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    pool,
    async connect() {
      await ready();
      return pool.connect();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}
