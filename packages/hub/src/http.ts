import {
  caseDepartments,
  carriedSetup,
  CREDENTIAL_DAYS,
  credentialDaysProblem,
  IncomingCatalogueSchema,
  exportRating,
  extended,
  RateCommandSchema,
  RecordOutcomeCommandSchema,
  AmendOutcomeCommandSchema,
  type Rating,
  itemWaits,
  LINE_CONTROL_CHARACTER,
  localTime,
  periodProblem,
  refusalTextOf,
  windowQueue,
  type Actor,
  type Case,
  type Catalogue,
  type CommandBody,
  type Language,
  type RefusalCode,
} from '@servicehall/core';
import {
  AppointmentBodySchema,
  IssueTicketBodySchema,
  OpenWindowBodySchema,
  PauseBodySchema,
  TransferBodySchema,
  newCommandId,
  type Answer,
} from '@servicehall/protocol';
import type { TerminalIdentity } from '@servicehall/protocol/node';
import type { RefusalReason, Upstream, UpstreamStatus } from '@servicehall/upstream/hub';
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { trustedProxy, type ProxyTrust } from './proxy-trust';
import { addressNetwork } from './address-network';
import { z } from 'zod';
import type { StaffRole } from '@servicehall/core';
import type { GroupCommit } from './commit';
import type { TerminalCredentials } from './enrolment';
import { Buckets, CommandRates, rateLimited, type HubLimits, type Rate } from './limits';
import { HALL_TOKEN_STAFF, type Session, type Staff } from './staff';
import { cookies, csrfMatches, SESSION_COOKIE } from './staff/sessions';
import { log } from './log';
import { opsText, type Bilingual, type OpsMessage } from './ops-strings';
import { caseworkOperations } from './casework-api';
import { ACCESS_PURPOSES, isDiskFull, type AccessPurpose, type HallStore, type SetupChange } from './store';
import { problemWords, schemaProblems } from './schema-words';
import { tokensMatch } from './terminals';

export const MAX_BODY_BYTES = 1024 * 1024;
/** A whole hall's setup (POST /api/setup, PUT /api/catalogue): a municipal centre's 1,000 to 2,000 items with their guides are 1 to 2 MB; as much as the workbook it may come from. */
export const SETUP_BODY_BYTES = 8 * 1024 * 1024;

/** 1 MB, 8 MB: a limit as the refusal names it. */
const megabytes = (bytes: number) => `${Number((bytes / (1024 * 1024)).toFixed(1))} MB`;

/** A body over its operation's limit: what was sent (when the sender said) and the limit, in the reader's language. */
export function tooLarge(limit: number, sent: number | undefined, language: Language, what: 'body' | 'file' = 'body'): HttpRefusal {
  const size = sent !== undefined && sent > limit ? sent : undefined;
  const text =
    language === 'en'
      ? `What was sent${size !== undefined ? ` (${megabytes(size)})` : ''} is over this operation's limit of ${megabytes(limit)}; nothing was changed.`
      : `提交的内容${size !== undefined ? `（${megabytes(size)}）` : ''}超过本项操作 ${megabytes(limit)} 的上限，未作任何更改。`;
  return new HttpRefusal('too-large', `the ${what} is larger than ${limit} bytes`, { text, limitBytes: limit });
}

const ADMIN: Actor = { role: 'admin', terminal: 'http' };

/** What is wrong with a credential's validity as given, and the range allowed, as one sentence; undefined when it will do. */
export function credentialDaysWrong(given: unknown, language: Language): string | undefined {
  const problem = credentialDaysProblem(given);
  if (!problem) return undefined;
  const { min, max } = CREDENTIAL_DAYS;
  // As given, cut short (a script may send anything): a string in quotes, so that an empty one reads as such.
  const shown = typeof given === 'string' ? `“${given.slice(0, 20)}”` : (JSON.stringify(given) ?? String(given)).slice(0, 20);
  return language === 'en'
    ? `${problem === 'out-of-range' ? `A validity of ${shown} days is outside what is allowed` : `The validity ${shown} is not a whole number of days`}: enter a whole number of days from ${min} to ${max} (five years).`
    : `${problem === 'out-of-range' ? `有效期 ${shown} 天超出了允许的范围` : `有效期 ${shown} 不是整数天数`}：请填写 ${min} 到 ${max} 之间的整数（最长五年）。`;
}

/** The roles a terminal's own credential is made for, as the hall calls them. */
const TERMINAL_ROLES = { kiosk: ['取号机', 'kiosk'], window: ['窗口终端', 'window terminal'], 'rating-pad': ['评价器', 'rating pad'], display: ['大厅显示屏', 'hall screen'] } as const;
type TerminalRole = keyof typeof TERMINAL_ROLES;
const TERMINAL_ID = /^[A-Za-z0-9._-]{1,40}$/;

/**
 * What is wrong with a terminal's credential as asked for (POST /api/terminal-tokens), each field in
 * the hall's words with what it should be; nothing when it will do. A script may send anything.
 */
function terminalTokenRefusal(body: unknown, language: Language): HttpRefusal | undefined {
  const en = language === 'en';
  const shown = (v: unknown) => (typeof v === 'string' ? `“${v.slice(0, 40)}”` : (JSON.stringify(v) ?? String(v)).slice(0, 40));
  const wrong: string[] = [];
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    wrong.push(en ? 'The request is not an object of role, terminal, window and expiresInDays.' : '请求内容应为含 role、terminal、window、expiresInDays 的 JSON 对象。');
  else {
    const b = body as Record<string, unknown>;
    const roles = Object.entries(TERMINAL_ROLES).map(([role, [zh]]) => (en ? role : `${role}（${zh}）`));
    if (!Object.hasOwn(TERMINAL_ROLES, String(b.role)) || typeof b.role !== 'string')
      wrong.push(
        en
          ? `${b.role === undefined ? 'No role was given' : `The role ${shown(b.role)} is not one the hall has`}: role is one of ${roles.join(', ')}.`
          : `${b.role === undefined ? '没有填写终端类型（role）' : `终端类型（role）${shown(b.role)} 不正确`}：应为 ${roles.join('、')}之一。`,
      );
    if (typeof b.terminal !== 'string' || !TERMINAL_ID.test(b.terminal))
      wrong.push(
        en
          ? `${b.terminal === undefined ? 'No terminal id was given' : `The terminal id ${shown(b.terminal)} cannot be used`}: 1 to 40 letters, digits, ".", "_" or "-", e.g. kiosk-1.`
          : `${b.terminal === undefined ? '没有填写终端编号（terminal）' : `终端编号（terminal）${shown(b.terminal)} 不可用`}：应为 1 到 40 个字母、数字、“.”、“_”或“-”，如 kiosk-1。`,
      );
    const needsWindow = b.role === 'window' || b.role === 'rating-pad';
    if (b.window !== undefined ? typeof b.window !== 'number' || !Number.isInteger(b.window) || b.window < 1 || b.window > 999 : needsWindow)
      wrong.push(
        en
          ? `${b.window === undefined ? `A ${TERMINAL_ROLES[b.role as TerminalRole][1]} needs its window number` : `The window ${shown(b.window)} is not a window number`}: window is a whole number from 1 to 999.`
          : `${b.window === undefined ? `${TERMINAL_ROLES[b.role as TerminalRole][0]}须填写所在窗口号（window）` : `窗口号（window）${shown(b.window)} 不正确`}：应为 1 到 999 的整数。`,
      );
    const days = b.expiresInDays === undefined ? undefined : credentialDaysWrong(b.expiresInDays, language);
    if (days) wrong.push(days);
  }
  if (wrong.length === 0) return undefined;
  return new HttpRefusal('bad-request', 'role, terminal, window (for a window or rating pad) and expiresInDays: see text', {
    text: `${wrong.join(en ? ' ' : '')}${en ? ' No credential was made.' : '未生成任何终端凭据。'}`,
  });
}

/** Sentences of a setup's problems the hall's text names one by one; the others are counted. */
const SETUP_PROBLEMS_SAID = 3;

/**
 * A setup refused (POST /api/setup, PUT /api/catalogue): every problem with its path, a problem of a
 * period of the day (an item's issuing hours) with its own `text`, and the whole in words that name
 * the first of those, whose item and which period, for a script's reader or a log.
 */
export function setupRefusal(catalogue: unknown, issues: readonly z.core.$ZodIssue[], language: Language): HttpRefusal {
  const said: string[] = [];
  const unsaid: string[] = [];
  const problems = issues.map((i) => {
    const period = periodProblem(catalogue, i.path, language);
    if (period) said.push(`${period.subject}${period.text}`);
    else unsaid.push(problemWords(i, catalogue)[language]);
    return { path: i.path, code: i.code, message: i.message, ...(period ? { text: period.text } : {}) };
  });
  // The periods' own sentences first; other problems fill the places left, in words that name their fields.
  said.push(...unsaid.slice(0, Math.max(0, SETUP_PROBLEMS_SAID - said.length)));
  const others = problems.length - Math.min(said.length, SETUP_PROBLEMS_SAID);
  const text =
    language === 'en'
      ? `The setup has ${problems.length} thing(s) to mend; nothing was changed. ${said.slice(0, SETUP_PROBLEMS_SAID).map((t) => `${t}.`).join(' ')}${others > 0 ? ` ${said.length ? `${others} more are` : 'They are'} listed in problems, each with its place.` : ''}`.replace(/ +$/, '')
      : `设置中有 ${problems.length} 处需要修改，未作任何更改。${said.slice(0, SETUP_PROBLEMS_SAID).map((t) => `${t}。`).join('')}${others > 0 ? `${said.length ? `其余 ${others} 处` : '各处'}见 problems 列表，各带位置。` : ''}`;
  // The message names the first problems by their paths, as a script's log shows it (the rest are in problems).
  const named = issues.slice(0, SETUP_PROBLEMS_SAID).map((i) => problemWords(i, catalogue).en).join('; ');
  return new HttpRefusal('bad-request', `${problems.length} problem(s) in the setup: ${named}${problems.length > SETUP_PROBLEMS_SAID ? '; …' : ''}`, { text, problems });
}

/** Refuses (409 conflict) a setup whose form was loaded before the setup last changed, naming the changes since (from the log: who and when). */
/**
 * A setup based on the hall as it was at `basedOnSeq`, refused if the setup changed since: said to the
 * console's page (the form loaded) or to a script's PUT /api/catalogue (the copy it read and X-Based-On-Seq).
 */
export function staleSetup(store: HallStore, req: Request, basedOnSeq: number, from: 'form' | 'copy'): void {
  const changes = store.setupChangesSince(basedOnSeq);
  if (changes && changes.length === 0) return;
  const zone = store.view.catalogue.hall.timeZone;
  const when = (c: SetupChange) => {
    const t = localTime(c.at, zone);
    return t.day === store.view.day ? t.time : `${t.day} ${t.time}`;
  };
  const last = changes?.[0];
  const en = req.language === 'en';
  const by = last ? (en ? ` (last by ${last.staff?.name ?? 'the hub'} at ${when(last)})` : `（最近一次：${last.staff?.name ?? '大厅服务器'}，${when(last)}）`) : '';
  const since = last ? `: last at seq ${last.seq}` : '';
  const form = from === 'form';
  const message = form
    ? `the setup changed after this form was loaded (at sequence ${basedOnSeq})${since}; load the current setup and save again`
    : `the setup changed after the copy sent was read (X-Based-On-Seq ${basedOnSeq})${since}; GET /api/catalogue again and send the change on that copy with its X-Hall-Seq`;
  throw new HttpRefusal('conflict', message, {
    text: form
      ? en
        ? `The hall's setup was changed after you opened this form${by}. Nothing was saved, so that no one's change is undone: load the current setup and make your changes there.`
        : `您打开此页后，大厅设置已被更改${by}。为免覆盖他人的更改，本次没有保存：请载入当前设置，在其上修改后再保存。`
      : en
        ? `The hall's setup was changed since sequence ${basedOnSeq} (X-Based-On-Seq), when the copy sent here was read${by}. Nothing was saved, so that no one's change is undone: read the setup again with GET /api/catalogue, make the change on that copy and send it with its X-Hall-Seq as X-Based-On-Seq.`
        : `所发送的设置是在序号 ${basedOnSeq}（X-Based-On-Seq）时读取的，此后大厅设置已被更改${by}。为免覆盖他人的更改，本次没有保存：请用 GET /api/catalogue 重新读取当前设置，在其上修改后，以应答中的 X-Hall-Seq 作为 X-Based-On-Seq 再发送。`,
    changes: (changes ?? []).map((c) => ({ at: c.at, time: when(c), ...(c.staff ? { by: c.staff.name } : {}), ...(c.window !== undefined ? { window: c.window } : {}) })),
  });
}

const STATUS: Partial<Record<RefusalCode, number>> = {
  'bad-request': 400,
  unauthorised: 401,
  forbidden: 403,
  'not-found': 404,
  'too-large': 413,
  'method-not-allowed': 405,
  'rate-limited': 429,
  'code-limit': 429,
  // One address's codes of the day (a carrier's shared address, a hall's Wi-Fi): not before tomorrow.
  'address-code-limit': 429,
  // The hall's SMS codes of the day are spent: not this client's doing, and not before tomorrow.
  'codes-spent': 503,
  'sign-in-paused': 429,
  'phone-unverified': 401,
  internal: 500,
  'too-many-connections': 503,
  'disk-full': 507,
  'not-in-charge': 503,
  // The hub is stopping: nothing was wrong with the request, and it may be sent again once the hub is back.
  cancelled: 503,
};
export const statusOf = (code: RefusalCode) => STATUS[code] ?? 409;

/** A query's whole number that is not one, or out of its range (?limit=abc), said with the range. */
export function wholeQuery(message: string, name: string, min: number, max: number): HttpRefusal {
  const [zh, en] = max >= Number.MAX_SAFE_INTEGER ? [`${min} 或更大的整数`, `a whole number, ${min} or more`] : [`${min} 到 ${max} 之间的整数`, `a whole number from ${min} to ${max}`];
  return refusalSaid('bad-request', message, `查询条件 ${name} 应为 ${zh}，只写数字。`, `${name} must be ${en}, in digits only.`);
}

/** A query's yes or no (?closed=1): "1" or "true" is yes, "0", "false" or none no; any other word is refused rather than read as no. */
export function flagQuery(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  if (v === null || v === '0' || v === 'false') return false;
  if (v === '1' || v === 'true') return true;
  throw refusalSaid('bad-request', `${name} is 1 or true (yes), 0 or false (no)`, `查询条件 ${name} 应为 1 或 true（是），0 或 false（否）。`, `${name} must be 1 or true (yes), 0 or false (no).`);
}

/** A whole number written plainly: "3", not " 3", "+3", "0x3", "3.0" or "3e0". */
export function plainNumber(text: string | null | undefined, min: number, max: number): number | undefined {
  if (text == null || !/^(0|[1-9]\d{0,14})$/.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

/** The caller's line of a sentence given in both languages (or the one sentence given), if any. */
function saidTo(text: unknown, language: Language): string | undefined {
  if (typeof text === 'string') return text;
  if (text && typeof text === 'object' && typeof (text as Bilingual)[language] === 'string') return (text as Bilingual)[language];
  return undefined;
}

const NOT_JSON: Bilingual = {
  'zh-CN': '请求内容不是有效的 JSON，未作任何更改：请检查括号、引号和逗号是否成对、齐全后再试。',
  en: 'The request body is not valid JSON; nothing was changed. Check that its brackets, quotes and commas are all in place, then try again.',
};

/** A body its schema refused: each field named with what it must be, in the caller's language; every problem with its path beside. */
export function schemaRefusal(json: unknown, error: z.ZodError): HttpRefusal {
  const said = schemaProblems(error, json);
  return new HttpRefusal('bad-request', said.message, { text: said.text, problems: error.issues.map((i) => ({ path: i.path, code: i.code, message: i.message })) });
}

/** A refusal with its sentence for the caller in both languages beside the developer's message. */
export const refusalSaid = (code: RefusalCode, message: string, zh: string, en: string, detail: Record<string, unknown> = {}) =>
  new HttpRefusal(code, message, { text: { 'zh-CN': zh, en } satisfies Bilingual, ...detail });

/** A window's number in a path that is not one (window/abc/call-next). */
export const badWindowNumber = (message: string) =>
  refusalSaid('bad-request', message, '窗口号应为 1 到 999 的整数，只写数字（如 3）。未作任何更改。', 'The window number must be a whole number from 1 to 999, in digits only (e.g. 3). Nothing was changed.');

export class HttpRefusal extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
    /** More for the caller beside the code: the problems of a form, the tickets in a change's way. */
    readonly detail?: Record<string, unknown>,
    /** When the caller may ask again, sent as Retry-After (a rate's refusal). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface Request {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** The body as sent, for operations that take a file (an Excel workbook). */
  raw?: Buffer;
  commandId: string;
  /** When the sender made the command (X-Made-At): one made before the window answers are kept for is refused, not run. */
  madeAt?: number;
  /** Who sends the commands of this request: the hall token's administrator, or a signed-in staff member. */
  actor: Actor;
  /** The signed-in staff member, when the request came from the console. */
  session?: Session & { secret: string };
  /** The client's address (with a trusted proxy in front, the last hop it added). */
  address?: string;
  /** Whether the request came over TLS (cookies then say Secure). */
  secure: boolean;
  language: Language;
  /** The namespace of the request's Idempotency-Key: its token's, or its staff member's. */
  scope: string;
  /** Who asks, as the access log records it: the token or staff member, and the address it came from. */
  who: string;
  /** A request header (the phone's session travels in one, never in the address). */
  header(name: string): string | undefined;
  /** Aborted when the asker's connection closes before the answer is sent (the page closed): work done only for the answer may stop. */
  closed: AbortSignal;
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** A file instead of JSON; without a name, a body already written (JSON made off the hub's thread) to show, not to save. */
  file?: { contentType: string; name?: string; data: Buffer };
}

export interface Operation {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  operationId: string;
  summary: string;
  public?: boolean;
  /** Also open to these terminals' own credentials (read-only information a terminal shows). */
  terminals?: readonly TerminalIdentity['role'][];
  /** Also open to a console session of these roles (with the CSRF token on every change). The hall token always opens it. */
  staff?: readonly StaffRole[];
  /** Only for a console session, of any role, even one that must change its password first (sign-out, own password). */
  sessionOnly?: boolean;
  body?: z.ZodType;
  /** The refusal of a body `body` does not pass, in the operation's own words (else its issues with their paths, as the schema says them). */
  refuseBody?(json: unknown, error: z.ZodError, language: Language): HttpRefusal;
  /** The largest JSON body it takes: MAX_BODY_BYTES unless said (a whole hall's setup takes SETUP_BODY_BYTES). */
  maxBodyBytes?: number;
  /** Takes the body as a file of this content type instead of JSON, up to `maxBytes`. */
  file?: { contentType: string; maxBytes: number };
  query?: Record<string, string>;
  /** For a public operation: the rate each client address may call it at (429 with Retry-After beyond). */
  rate?: Rate;
  handle(req: Request): Reply | Promise<Reply>;
  /** Answers with a stream (Server-Sent Events) instead of one reply. */
  stream?(req: Request, res: ServerResponse): void;
}

export interface ApiContext {
  /** Shipping to the city, when the hub has one: its lag is on /api/health. */
  upstream?: Pick<Upstream, 'status'>;
  store: HallStore;
  /** The group commit the terminals' commands share. */
  commits: GroupCommit;
  token: string;
  startedAt: number;
  staff: Staff;
  credentials: TerminalCredentials;
  /** Operations of the console and of the citizen's phone beside the hall's own. */
  more?: Operation[];
  clock?: () => number;
  /** What one party may send: its rate of commands, and each public operation's rate per address (see DEFAULT_LIMITS). */
  limits: HubLimits;
  /** Who may say in X-Forwarded-For whom it speaks for (see ProxyTrust). */
  trustProxy?: ProxyTrust;
}

/**
 * Why a hub does not ship, as its console says it: the city's database not reached (the hall's network, the city's
 * database down, a wrong address or password), reached but not taking the records (its disk full: the city's database
 * administrator), or refusing this hall's log (RefusalReason: the hall's code, a second hub, the hall's data).
 */
export type UpstreamProblem = 'unreachable' | 'not-taken' | RefusalReason;

/** What anyone may read of the shipping to the city: its state and how far behind, not its address or its errors. */
export function upstreamHealth(s: UpstreamStatus) {
  const problem: UpstreamProblem | undefined = s.state === 'offline' ? (s.cityAnswered ? 'not-taken' : 'unreachable') : s.state === 'refused' ? (s.refusal ?? 'another-log') : undefined;
  return {
    hall: s.hall,
    state: s.state,
    shippedSeq: s.shippedSeq,
    behindEvents: s.behindEvents,
    behindSeconds: s.behindSeconds,
    // Why it does not ship, as a word the console says in the hall's language (not the error itself): who is to look.
    ...(problem ? { problem } : {}),
    ...(s.lastShippedAt ? { lastShippedAt: new Date(s.lastShippedAt).toISOString() } : {}),
    // Time it left to the hall's own commands while the hall was busy (ShipperOptions.busyShare).
    ...(s.restedMs ? { restedMs: Math.round(s.restedMs) } : {}),
    // The hub's clock less the city database's, as last measured: a hub hours off counts the hall's days by a wrong clock.
    ...(s.clockAheadMs !== undefined ? { clockAheadSeconds: Math.round(s.clockAheadMs / 1000) } : {}),
  };
}

/** The namespace of an HTTP token's Idempotency-Keys: a tag of the token, never the token. */
export const httpScope = (token: string) => `:http/${createHash('sha256').update(token).digest('base64url').slice(0, 12)}`;

/** The window of a path (/api/windows/{window}/...): written plainly, 1 to 999 ("3", not "007"), or refused in the caller's words. */
export const windowParam = (req: Request) => {
  const n = plainNumber(req.params.window, 1, 999);
  if (n === undefined) throw badWindowNumber('the window number must be a whole number from 1 to 999, written in digits only');
  return n;
};

/** The hub's HTTP API for integrations and administration. The table serves both routing and OpenAPI. */
export function operations(
  store: HallStore,
  commits: GroupCommit,
  startedAt: number,
  credentials: TerminalCredentials,
  clock: () => number = Date.now,
  upstream?: Pick<Upstream, 'status'>,
): Operation[] {
  // Commands share the group commit with the terminals': those arriving together, one disk flush.
  const run = async (req: Request, command: CommandBody, okStatus = 200): Promise<Reply> => {
    const { answer } = await commits.submit(extended(command, { id: req.commandId, ...(req.madeAt !== undefined ? { madeAt: req.madeAt } : {}) }) as never, req.actor, req.scope);
    return answerReply(answer, okStatus);
  };
  const windowCommand = (type: 'callNext' | 'recall' | 'startService' | 'finishService' | 'markNoShow' | 'holdTicket' | 'closeWindow' | 'resumeWindow') =>
    (req: Request) => run(req, { type, window: windowParam(req) });

  return [
    {
      method: 'GET',
      path: '/api/health',
      operationId: 'health',
      summary: "Whether the hub is up, its last event sequence, the hall day, and how far behind the hall the city's copy of its log is",
      public: true,
      handle: () => ({
        status: 200,
        body: {
          ok: true,
          seq: store.seq,
          day: store.view.day,
          uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
          inCharge: store.role.inCharge,
          epoch: store.role.epoch,
          ...(upstream ? { upstream: upstreamHealth(upstream.status()) } : {}),
        },
      }),
    },
    {
      method: 'GET',
      path: '/api/catalogue',
      operationId: 'getCatalogue',
      summary: "The service catalogue: hall, departments, service items, windows, clerks, numbering and queue policy; X-Hall-Seq is the hall's sequence it was read at, for PUT's X-Based-On-Seq",
      handle: () => ({ status: 200, body: store.view.catalogue, headers: { 'x-hall-seq': String(store.view.seq) } }),
    },
    {
      method: 'PUT',
      path: '/api/catalogue',
      operationId: 'putCatalogue',
      summary:
        "Replaces the service catalogue (refused while open tickets need an item it drops); the hall's calendar years, today's temporary windows and today's changes of an item are kept, as the setup wizard's save keeps them",
      body: IncomingCatalogueSchema,
      refuseBody: (json, error, language) => setupRefusal(json, error.issues, language),
      maxBodyBytes: SETUP_BODY_BYTES,
      // Audited as the hall token's, as POST /api/setup is: an installer's script changes the setup too.
      handle: (req) => {
        // A copy read before another change to the setup would undo it: with X-Based-On-Seq (GET's X-Hall-Seq), refused as POST /api/setup refuses it; a script that sends none replaces as before.
        const based = req.header('x-based-on-seq');
        if (based !== undefined) {
          const seq = plainNumber(based, 0, Number.MAX_SAFE_INTEGER);
          if (seq === undefined)
            throw new HttpRefusal('bad-request', `X-Based-On-Seq must be the hall's sequence number as GET /api/catalogue gave it in X-Hall-Seq, not "${based.slice(0, 40)}"`, {
              text:
                req.language === 'en'
                  ? `X-Based-On-Seq "${based.slice(0, 40)}" is not a sequence number: send the X-Hall-Seq that GET /api/catalogue answered, or no X-Based-On-Seq at all. Nothing was changed.`
                  : `X-Based-On-Seq 填写的“${based.slice(0, 40)}”不是序号：请填写读取 GET /api/catalogue 时应答中 X-Hall-Seq 的值，或不带此项。未作任何更改。`,
            });
          if (!store.answerOf(req.scope, req.commandId)) staleSetup(store, req, seq, 'copy');
        }
        return run(req.actor.role === 'admin' && !req.actor.staff ? extended(req, { actor: extended(req.actor, { staff: HALL_TOKEN_STAFF }) }) : req, { type: 'replaceCatalogue', catalogue: carriedSetup(store.view.catalogue, req.body as Catalogue) });
      },
    },
    {
      method: 'POST',
      path: '/api/tickets',
      operationId: 'issueTicket',
      summary: 'Issues a ticket for a service item; answers the ticket with its displayed number (A012) and the expected wait',
      body: IssueTicketBodySchema,
      handle: async (req) => {
        const body = req.body as z.infer<typeof IssueTicketBodySchema>;
        const { answer } = await commits.submit(
          { id: req.commandId, ...(req.madeAt !== undefined ? { madeAt: req.madeAt } : {}), type: 'issueTicket', serviceCode: body.serviceCode, lane: body.lane ?? 'ordinary', priorityReason: body.priorityReason },
          req.actor,
          req.scope,
        );
        if (!answer.ok || !answer.ticket) return answerReply(answer, 201);
        // The wait from the queue policy itself (H-09): the people called first, about N minutes, the range around it.
        const wait = store.waits().of(store.view.tickets.get(answer.ticket.id) ?? answer.ticket);
        return {
          status: 201,
          body: extended(answer, { number: answer.ticket.number, ahead: wait.ahead, expectedWaitMinutes: wait.minutes, expectedWaitRange: wait.range, noWindowOpen: wait.noWindowOpen, waitCaveats: wait.caveats }),
        };
      },
    },
    {
      method: 'GET',
      path: '/api/tickets/{id}',
      operationId: 'getTicket',
      summary: 'One ticket of today, by id (2026-11-27-A012) or displayed number (A012)',
      handle: (req) => {
        const key = req.params.id!;
        // Today's ticket ids are the day and the number (2026-11-27-A012).
        const t = store.view.tickets.get(key) ?? store.view.tickets.get(`${store.view.day}-${key.toUpperCase()}`);
        if (!t) throw new HttpRefusal('not-found', `there is no ticket ${key} today`);
        return { status: 200, body: t };
      },
    },
    {
      method: 'POST',
      path: '/api/tickets/{id}/void',
      operationId: 'voidTicket',
      summary: 'Voids a ticket that nobody holds (its print failed)',
      body: z.object({ reason: z.string().trim().min(1).max(200) }),
      handle: (req) => run(req, { type: 'voidTicket', ticketId: req.params.id!, reason: (req.body as { reason: string }).reason }),
    },
    {
      method: 'GET',
      path: '/api/queue',
      operationId: 'listQueue',
      summary: 'Waiting tickets: for one window in the order it would call them, or for one service item, or all',
      query: { window: 'window number', service: 'service item code' },
      handle: (req) => {
        const w = req.query.get('window');
        const service = req.query.get('service');
        const now = store.now();
        let tickets = [...store.view.tickets.values()].filter((t) => t.state === 'issued').sort((a, b) => a.place - b.place);
        if (w !== null) {
          const n = plainNumber(w, 1, 999);
          if (n === undefined)
            throw refusalSaid('bad-request', 'window is a whole number from 1 to 999, written in digits only', '窗口号（window）应为 1 到 999 的整数，只写数字（如 3）。', 'window must be a whole number from 1 to 999, in digits only (e.g. 3).');
          if (!store.view.catalogue.windows.some((x) => x.number === n)) throw new HttpRefusal('not-found', `there is no window ${w}`);
          tickets = windowQueue(store.view, n, now);
        }
        if (service !== null) tickets = tickets.filter((t) => t.serviceCode === service);
        const waits = itemWaits(store.view, now);
        const items = store.view.catalogue.items.map((item) => ({ code: item.code, name: item.name, ...waits.get(item.code)! }));
        return { status: 200, body: { seq: store.seq, day: store.view.day, tickets, items } };
      },
    },
    {
      method: 'POST',
      path: '/api/appointments',
      operationId: 'recordAppointment',
      summary: "Records an appointment made elsewhere (another booking system) so that it can check in at the kiosk; phones book with bookAppointment",
      body: AppointmentBodySchema,
      handle: (req) => run(req, { type: 'bookAppointment', ...(req.body as z.infer<typeof AppointmentBodySchema>) }, 201),
    },
    {
      method: 'POST',
      path: '/api/appointments/{code}/check-in',
      operationId: 'checkInAppointment',
      summary: 'Checks an appointment in: a ticket served first within its slot',
      handle: (req) => run(req, { type: 'checkInAppointment', code: req.params.code! }, 201),
    },
    {
      method: 'POST',
      path: '/api/windows/{window}/open',
      operationId: 'openWindow',
      summary: 'Opens a window for service, with the clerk signed in there',
      body: OpenWindowBodySchema,
      handle: (req) => run(req, { type: 'openWindow', window: windowParam(req), clerk: (req.body as { clerk?: string }).clerk }),
    },
    { method: 'POST', path: '/api/windows/{window}/close', operationId: 'closeWindow', summary: 'Closes a window', handle: windowCommand('closeWindow') },
    {
      method: 'POST',
      path: '/api/windows/{window}/pause',
      operationId: 'pauseWindow',
      summary: 'Pauses a window with a reason (离岗, 会议, 休息, ...)',
      body: PauseBodySchema,
      handle: (req) => run(req, { type: 'pauseWindow', window: windowParam(req), reason: (req.body as { reason: string }).reason }),
    },
    { method: 'POST', path: '/api/windows/{window}/resume', operationId: 'resumeWindow', summary: 'Resumes a paused window', handle: windowCommand('resumeWindow') },
    { method: 'POST', path: '/api/windows/{window}/call-next', operationId: 'callNext', summary: 'Calls the next ticket by the queue policy', handle: windowCommand('callNext') },
    {
      method: 'POST',
      path: '/api/windows/{window}/call',
      operationId: 'callTicket',
      summary: 'Calls a chosen ticket (out of order needs a reason) or calls back a held one',
      body: z.object({ ticketId: z.string().min(1).max(80), reason: z.string().trim().min(1).max(200).optional() }),
      handle: (req) => run(req, { type: 'callTicket', window: windowParam(req), ...(req.body as { ticketId: string; reason?: string }) }),
    },
    { method: 'POST', path: '/api/windows/{window}/recall', operationId: 'recall', summary: 'Calls the current ticket again (capped, with a cooldown)', handle: windowCommand('recall') },
    { method: 'POST', path: '/api/windows/{window}/no-show', operationId: 'markNoShow', summary: 'Marks the called ticket as not come (弃号)', handle: windowCommand('markNoShow') },
    { method: 'POST', path: '/api/windows/{window}/hold', operationId: 'holdTicket', summary: 'Holds the current ticket (挂起) to call it back later', handle: windowCommand('holdTicket') },
    { method: 'POST', path: '/api/windows/{window}/start', operationId: 'startService', summary: 'The called citizen has come: service starts', handle: windowCommand('startService') },
    { method: 'POST', path: '/api/windows/{window}/finish', operationId: 'finishService', summary: 'Service is finished', handle: windowCommand('finishService') },
    {
      method: 'POST',
      path: '/api/windows/{window}/transfer',
      operationId: 'transferTicket',
      summary: 'Transfers the current (or named) ticket to another item or window, keeping its place and first-responsible clerk',
      body: TransferBodySchema,
      handle: (req) => run(req, { type: 'transferTicket', window: windowParam(req), ...(req.body as z.infer<typeof TransferBodySchema>) }),
    },
    {
      method: 'POST',
      path: '/api/windows/{window}/sign-in',
      operationId: 'signIn',
      summary: 'A clerk signs in at a window with clerk number and PIN (locked after repeated failures)',
      body: z.object({ clerk: z.string().min(1).max(16), pin: z.string().regex(/^\d{4,8}$/, '4 to 8 digits') }),
      handle: async (req) => {
        const command = { id: req.commandId, type: 'signIn' as const, window: windowParam(req), ...(req.body as { clerk: string; pin: string }) };
        return answerReply((await store.executeAsync(command, req.actor, req.scope)).answer, 200);
      },
    },
    {
      method: 'PUT',
      path: '/api/clerks/{clerk}/pin',
      operationId: 'setClerkPin',
      summary: 'Sets a clerk PIN (4 to 8 digits), stored as a salted hash; clears a lock',
      body: z.object({ pin: z.string().regex(/^\d{4,8}$/, '4 to 8 digits') }),
      handle: async (req) => {
        const clerk = req.params.clerk!;
        if (!store.view.catalogue.clerks.some((c) => c.number === clerk)) throw new HttpRefusal('not-found', `there is no clerk ${clerk}`);
        await store.pins.set(clerk, (req.body as { pin: string }).pin);
        return { status: 200, body: { ok: true, clerk } };
      },
    },
    {
      method: 'GET',
      path: '/api/sign-in-locks',
      operationId: 'listSignInLocks',
      summary: 'Clerks with wrong PINs or locked, and windows made to wait after wrong PINs (for a supervisor; unlockClerk lifts a lock)',
      staff: ['administrator', 'supervisor'],
      handle: () => ({ status: 200, body: { ok: true, ...store.pins.locks(store.now()) } }),
    },
    {
      method: 'POST',
      path: '/api/windows/{window}/sign-in/unlock',
      operationId: 'unlockWindowSignIn',
      summary: 'A supervisor lets a window that sent wrong PINs try again at once',
      staff: ['administrator', 'supervisor'],
      handle: (req) => {
        const window = windowParam(req);
        store.pins.unlockSource(`window ${window}`);
        return { status: 200, body: { ok: true, window } };
      },
    },
    {
      method: 'POST',
      path: '/api/windows/{window}/outcome',
      operationId: 'recordOutcome',
      summary: 'Records one outcome of the visit being served: accepted (case number, due dates), correction (missing materials), rejected (reason), consultation',
      body: RecordOutcomeCommandSchema.omit({ type: true, window: true }),
      handle: (req) => run(req, { type: 'recordOutcome', window: windowParam(req), ...(req.body as object) } as CommandBody),
    },
    {
      method: 'POST',
      path: '/api/windows/{window}/outcome/amend',
      operationId: 'amendOutcome',
      summary: 'Corrects an outcome recorded in the visit being served (H-07): the same case, its new outcome and the reason; never a second case',
      body: AmendOutcomeCommandSchema.omit({ type: true, window: true }),
      handle: (req) => run(req, { type: 'amendOutcome', window: windowParam(req), ...(req.body as object) } as CommandBody),
    },
    {
      method: 'GET',
      path: '/api/cases/{caseNumber}',
      operationId: 'getCase',
      summary: "A case by its number: item, state, due dates, correction notices (applicant masked); a window terminal may ask with its own token, a kiosk or display may not (they ask for the case's progress)",
      terminals: ['window'],
      handle: (req) => {
        const c = store.caseOf(req.params.caseNumber!);
        if (!c) throw new HttpRefusal('not-found', `there is no case ${req.params.caseNumber}`);
        return { status: 200, body: c };
      },
    },
    {
      method: 'GET',
      path: '/api/cases/{caseNumber}/progress',
      operationId: 'getCaseProgress',
      summary: "A case's progress with numbers and states only (item, state, dates, missing materials): what any terminal may show a citizen",
      terminals: ['kiosk', 'window', 'rating-pad', 'display'],
      handle: (req) => {
        const p = store.caseProgress(req.params.caseNumber!);
        if (!p) throw new HttpRefusal('not-found', `there is no case ${req.params.caseNumber}`);
        return { status: 200, body: p };
      },
    },
    {
      method: 'GET',
      path: '/api/cases/{caseNumber}/applicant',
      operationId: 'getApplicant',
      summary: `A case's applicant in full, for staff whose role needs it; every read is logged with who read it and why (H-19)`,
      query: { purpose: `why the data is read (required): ${ACCESS_PURPOSES.join(', ')}`, note: 'a short note beside the purpose (one line, at most 200 characters)' },
      staff: ['administrator', 'supervisor', 'department-head'],
      handle: (req) => {
        const purpose = req.query.get('purpose');
        if (!purpose || !(ACCESS_PURPOSES as readonly string[]).includes(purpose))
          throw refusalSaid(
            'bad-request',
            `say why the personal data is read: ?purpose= one of ${ACCESS_PURPOSES.join(', ')}`,
            `请说明查看个人信息的用途：purpose 应为 ${ACCESS_PURPOSES.join('、')} 之一。未读取任何个人信息。`,
            `Say why the personal data is read: purpose must be one of ${ACCESS_PURPOSES.join(', ')}. No personal data was read.`,
          );
        const note = req.query.get('note')?.trim() || undefined;
        if (note !== undefined && (note.length > 200 || LINE_CONTROL_CHARACTER.test(note)))
          throw refusalSaid('bad-request', 'the note is one line of at most 200 characters', '备注（note）只能写一行，最多 200 个字符，不含控制字符。未读取任何个人信息。', 'The note is one line of at most 200 characters, without control characters. No personal data was read.');
        // A department head reads the applicants of their department's cases only; a refused read is no read, and is not logged.
        const staff = req.session?.staff;
        if (staff?.role === 'department-head') {
          const c = store.caseOf(req.params.caseNumber!) as Case | undefined;
          if (!c || !staff.department || !caseDepartments(store.view.catalogue, c, store.casework.routeOf(c.number)).includes(staff.department))
            throw new HttpRefusal('forbidden', `case ${req.params.caseNumber} is not ${staff.department ?? 'your department'}'s: its applicant is read by its own department's head or a supervisor`);
        }
        const applicant = store.applicantOf(req.params.caseNumber!, req.who, purpose as AccessPurpose, note, req.session?.staff.id);
        if (!applicant) throw new HttpRefusal('not-found', `case ${req.params.caseNumber} has no applicant data`);
        return { status: 200, body: applicant };
      },
    },
    {
      method: 'GET',
      path: '/api/personal-data-access',
      operationId: 'listPersonalDataAccess',
      summary: 'The personal-data access log for a supervisor, newest first: who read which case, when and why (H-19)',
      staff: ['administrator', 'supervisor'],
      query: {
        case: 'one case number (the record read)',
        staff: 'one staff member by id',
        purpose: `one purpose: ${ACCESS_PURPOSES.join(', ')}`,
        since: 'epoch milliseconds',
        limit: 'how many at most (default 200, up to 5000)',
      },
      handle: (req) => {
        const since = plainNumber(req.query.get('since') ?? '0', 0, Number.MAX_SAFE_INTEGER);
        const limit = plainNumber(req.query.get('limit') ?? '200', 1, 5000);
        if (since === undefined) throw wholeQuery('since is epoch milliseconds, a whole number', 'since', 0, Number.MAX_SAFE_INTEGER);
        if (limit === undefined) throw wholeQuery('limit must be a whole number from 1 to 5000', 'limit', 1, 5000);
        const caseNumber = req.query.get('case')?.trim() || undefined;
        const staffId = req.query.get('staff')?.trim() || undefined;
        const purpose = req.query.get('purpose') || undefined;
        if (purpose !== undefined && !(ACCESS_PURPOSES as readonly string[]).includes(purpose))
          throw refusalSaid('bad-request', `purpose is one of ${ACCESS_PURPOSES.join(', ')}`, `用途（purpose）应为 ${ACCESS_PURPOSES.join('、')} 之一。`, `purpose must be one of ${ACCESS_PURPOSES.join(', ')}.`);
        return { status: 200, body: { ok: true, purposes: ACCESS_PURPOSES, records: store.accessLog({ caseNumber, staffId, purpose, since, limit }) } };
      },
    },
    {
      method: 'GET',
      path: '/api/ratings',
      operationId: 'listRatings',
      summary: 'Ratings of a day (default today); with ?target=national or provincial-reversed, as upload records with that level coding',
      query: { day: 'YYYY-MM-DD', target: 'national | provincial-reversed' },
      handle: (req) => {
        const day = req.query.get('day') ?? store.view.day;
        if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw refusalSaid('bad-request', 'day is YYYY-MM-DD', '日期（day）应写作 YYYY-MM-DD，如 2026-11-27。', 'day must be written YYYY-MM-DD, e.g. 2026-11-27.');
        const target = req.query.get('target');
        if (target !== null && target !== 'national' && target !== 'provincial-reversed')
          throw refusalSaid('bad-request', 'target is national or provincial-reversed', '上报口径（target）应为 national 或 provincial-reversed。', 'target must be national or provincial-reversed.');
        const ratings = store.ratingsOn(day) as Rating[];
        return { status: 200, body: { day, ratings: target ? ratings.map((r) => exportRating(r, target)) : ratings } };
      },
    },
    {
      method: 'POST',
      path: '/api/ratings',
      operationId: 'rate',
      summary: 'Records a rating (integrations and the QR page; the counter pad rates over its terminal link)',
      body: RateCommandSchema.omit({ type: true, window: true, channel: true }).required({ ticketId: true }),
      handle: (req) => run(req, { type: 'rate', channel: 'qr', ...(req.body as object) } as CommandBody, 201),
    },
    ...caseworkOperations(store, run, clock),
    {
      method: 'GET',
      path: '/api/devices',
      operationId: 'listDevices',
      summary: "The hall's device board: every terminal's devices as last reported (H-04)",
      handle: () => ({ status: 200, body: { terminals: [...store.view.devices.values()] } }),
    },
    {
      method: 'POST',
      path: '/api/terminal-tokens',
      operationId: 'makeTerminalToken',
      summary:
        "Makes a terminal's own credential, bound to its role, id and window, kept hashed, listed and revocable (the installer's; terminals may instead be enrolled by pairing code in the console)",
      body: z.object({
        role: z.enum(Object.keys(TERMINAL_ROLES) as [TerminalRole, ...TerminalRole[]]),
        terminal: z.string().regex(TERMINAL_ID),
        window: z.number().int().min(1).max(999).optional().describe('for a window terminal or a rating pad, its window'),
        expiresInDays: z.number().int().min(CREDENTIAL_DAYS.min).max(CREDENTIAL_DAYS.max).optional(),
      }),
      // Refused in the hall's words, field by field, not as the schema's English.
      refuseBody: (json, error, language) => terminalTokenRefusal(json, language) ?? schemaRefusal(json, error),
      handle: (req) => {
        const refused = terminalTokenRefusal(req.body, req.language);
        if (refused) throw refused;
        const { expiresInDays, ...who } = req.body as TerminalIdentity & { expiresInDays?: number };
        const made = credentials.issue(who, 'hall-token', clock(), expiresInDays);
        return { status: 201, body: { ok: true, ...who, id: made.credential.id, expiresAt: made.credential.expiresAt, token: made.token } };
      },
    },
    {
      method: 'GET',
      path: '/api/events',
      operationId: 'eventsSince',
      summary: 'Events after a sequence number, in order (at most `limit`, default 500, up to 5000)',
      query: { since: 'last sequence seen (0 for all)', limit: 'how many at most' },
      handle: (req) => {
        const since = plainNumber(req.query.get('since') ?? '0', 0, Number.MAX_SAFE_INTEGER);
        const limit = plainNumber(req.query.get('limit') ?? '500', 1, 5000);
        if (since === undefined) throw wholeQuery('since must be a whole number, 0 or more', 'since', 0, Number.MAX_SAFE_INTEGER);
        if (limit === undefined) throw wholeQuery('limit must be a whole number from 1 to 5000', 'limit', 1, 5000);
        // What is on the disk: a batch still being flushed is given once it is there.
        return { status: 200, body: { seq: store.durableSeq, events: store.durableEventsSince(since, limit) } };
      },
    },
  ];
}

export function answerReply(answer: Answer, okStatus: number): Reply {
  return answer.ok ? { status: okStatus, body: answer } : { status: statusOf(answer.code), body: answer };
}

export function openApiDocument(ops: Operation[]): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of ops) {
    const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = Object.entries(op.query ?? {}).map(([name, description]) => ({ name, in: 'query', required: false, description, schema: { type: 'string' } }));
    paths[op.path] ??= {};
    paths[op.path]![op.method.toLowerCase()] = {
      operationId: op.operationId,
      summary: op.summary,
      ...(op.public ? { security: [] } : op.sessionOnly ? { security: [{ session: [] }] } : op.staff ? { security: [{ bearer: [] }, { session: [] }] } : {}),
      ...(op.staff ? { 'x-staff-roles': op.staff } : {}),
      parameters: [
        ...params,
        ...query,
        ...(op.method === 'GET'
          ? []
          : [
              { name: 'Idempotency-Key', in: 'header', required: false, description: 'repeat it to retry safely: the first answer comes back (for 7 days)', schema: { type: 'string', minLength: 8, maxLength: 80 } },
              {
                name: 'X-Made-At',
                in: 'header',
                required: false,
                description: 'when the command was made (ISO 8601 or milliseconds since 1970): a retry made before the 7 days answers are kept for is refused (command-expired), not run again',
                schema: { type: 'string' },
              },
            ]),
      ],
      ...(op.file ? { requestBody: { required: true, content: { [op.file.contentType]: { schema: { type: 'string', format: 'binary' } } } } } : {}),
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(op.body, { io: 'input', unrepresentable: 'any' }) } } } } : {}),
      responses: {
        '200': op.stream ? { description: 'server-sent events', content: { 'text/event-stream': { schema: { type: 'string' } } } } : { description: 'done' },
        '4XX': { description: 'refused: { ok: false, code, message, text }', content: { 'application/json': { schema: { $ref: '#/components/schemas/Refusal' } } } },
      },
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'ServiceHall hub', version: '1', description: 'One hub per hall: the only writer of the hall state.' },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        session: { type: 'apiKey', in: 'cookie', name: 'servicehall_session', description: 'the console session; changes also send its CSRF token as X-CSRF-Token' },
      },
      schemas: {
        Refusal: {
          type: 'object',
          required: ['ok', 'code', 'message'],
          properties: { ok: { type: 'boolean', enum: [false] }, code: { type: 'string' }, message: { type: 'string' }, text: { type: 'string' } },
        },
      },
    },
    security: [{ bearer: [] }],
    paths,
  };
}

/** An operation's path pattern, split once into its parts: a `{name}` part takes any one segment of a request's path. */
interface Route {
  op: Operation;
  parts: readonly ({ literal: string } | { param: string })[];
}

/**
 * The operations by their path patterns, split once when the hub starts: a request's path is split
 * once and compared with the patterns of as many parts.
 */
class Routes {
  private readonly byLength = new Map<number, Route[]>();

  constructor(ops: readonly Operation[]) {
    for (const op of ops) {
      const parts = op.path.split('/').map((p) => (p.startsWith('{') ? { param: p.slice(1, -1) } : { literal: p }));
      const same = this.byLength.get(parts.length) ?? [];
      same.push({ op, parts });
      this.byLength.set(parts.length, same);
    }
  }

  /** The operation for this method and path with its path's parameters, or the methods the path has (none: no such path). */
  find(method: string | undefined, pathname: string): { op: Operation; params: Record<string, string> } | { allowed: string[] } {
    const segments = pathname.split('/');
    const allowed: string[] = [];
    for (const route of this.byLength.get(segments.length) ?? []) {
      const params = matchParts(route.parts, segments);
      if (!params) continue;
      if (route.op.method === method) return { op: route.op, params };
      allowed.push(route.op.method);
    }
    return { allowed };
  }
}

function matchParts(parts: Route['parts'], segments: readonly string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if ('literal' in part) {
      if (part.literal !== segments[i]) return undefined;
      continue;
    }
    try {
      params[part.param] = decodeURIComponent(segments[i]!);
    } catch {
      return undefined;
    }
  }
  return params;
}

/** A terminal's identity as it names itself in X-ServiceHall-Terminal: kiosk/kiosk-1, window/window-3/3. */
function terminalOf(header: string | string[] | undefined): TerminalIdentity | undefined {
  const m = typeof header === 'string' ? /^(kiosk|window|rating-pad|display)\/([A-Za-z0-9._-]{1,40})(?:\/(\d{1,3}))?$/.exec(header.trim()) : null;
  if (!m) return undefined;
  return { role: m[1] as TerminalIdentity['role'], terminal: m[2]!, ...(m[3] ? { window: Number(m[3]) } : {}) };
}

export function language(req: IncomingMessage): Language {
  return /^\s*en\b/i.test(req.headers['accept-language'] ?? '') ? 'en' : 'zh-CN';
}

/**
 * The client's address: the socket's, or from a trusted proxy (SERVICEHALL_TRUST_PROXY, or any
 * request on the citizens' listener, which only the proxy on the hub's machine reaches), the last
 * hop it added to X-Forwarded-For.
 */
export function clientAddress(req: IncomingMessage, trustProxy: ProxyTrust = false): string {
  if (trustedProxy(trustProxy, req.socket.remoteAddress) || (req.socket as { viaProxy?: boolean }).viaProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').map((h) => h.trim()).filter(Boolean);
    // A proxy that adds the client's port (IIS ARR by default: 10.0.0.7:51234, [2001:db8::7]:51234) names one client, not one a connection.
    const hop = hops.at(-1);
    if (hop !== undefined) return /^\[([0-9a-f:.]+)\](?::\d+)?$/i.exec(hop)?.[1] ?? /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(hop)?.[1] ?? hop;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

/**
 * The sender closed its connection before its request was sent whole (a page closed, an upload cancelled), or, said
 * by an operation, before its answer was ready (`Request.closed`): nothing to answer, nothing done. Logged in `said`.
 */
export class RequestAbandoned extends Error {
  constructor(
    message: string,
    readonly said: OpsMessage = 'requestAbandoned',
  ) {
    super(message);
  }
}

/** What the sender says it sends (Content-Length), when it says. */
const declaredLength = (req: IncomingMessage) => plainNumber(req.headers['content-length'], 0, Number.MAX_SAFE_INTEGER);

function readBody(req: IncomingMessage, maxBytes: number, lang: Language): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(tooLarge(maxBytes, declaredLength(req), lang));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        // A byte-order mark (Windows Notepad) is not part of the JSON; text that is not UTF-8 (a file a Chinese Windows saved as GBK) is refused, not read as mojibake.
        resolve(UTF8.decode(Buffer.concat(chunks)));
      } catch {
        reject(new HttpRefusal('bad-request', 'the body is not UTF-8 text: save the file as UTF-8 (an editor on a Chinese Windows may have saved it as GBK/ANSI)'));
      }
    });
    req.on('error', (error) => reject(req.complete ? error : new RequestAbandoned(error.message)));
  });
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** When the caller may ask again, in whole seconds (at least one), as the refusal's Retry-After. */
function retryAfter(res: ServerResponse, waitMs: number): void {
  res.setHeader('retry-after', String(Math.max(1, Math.ceil(waitMs / 1000))));
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

function readRaw(req: IncomingMessage, maxBytes: number, lang: Language): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(tooLarge(maxBytes, declaredLength(req), lang, 'file'));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', (error) => reject(req.complete ? error : new RequestAbandoned(error.message)));
  });
}

/** A change from a browser must come from the hub's own pages: Origin, when sent, names this very host. */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** Handles one /api request; anything wrong with it becomes a 4xx answer with a code, a message and a polite text. */
export function apiHandler(ctx: ApiContext) {
  const { store, token, startedAt, limits } = ctx;
  const clock = ctx.clock ?? Date.now;
  const ops = [...operations(store, ctx.commits, startedAt, ctx.credentials, clock, ctx.upstream), ...(ctx.more ?? [])];
  const doc = openApiDocument(ops);
  const routes = new Routes(ops);
  const rates = new CommandRates(limits.commands);
  const publicRates = new Map(ops.flatMap((op) => (op.rate ? [[op.operationId, new Buckets(op.rate)] as const] : [])));
  const hallScope = httpScope(token);
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const lang = language(req);
    // A console operation's refusals are read by staff: their sentences, where a citizen's would differ.
    let reader: 'citizen' | 'staff' = 'citizen';
    // A refusal's own sentence, given in both languages (`text: { 'zh-CN', en }`, or a message said inBothLanguages), is sent in the caller's.
    const refuse = (code: RefusalCode, message: string, detail: Record<string, unknown> = {}) =>
      send(res, statusOf(code), { ok: false, code, message, ...detail, text: saidTo(detail.text, lang) ?? refusalTextOf({ code, message }, lang, reader) });
    try {
      if (url.pathname === '/api/openapi.json') {
        if (req.method === 'GET') return send(res, 200, doc);
        res.setHeader('allow', 'GET');
        return refuse('method-not-allowed', `${req.method} is not allowed here; use GET`);
      }
      const route = routes.find(req.method, url.pathname);
      if (!('op' in route)) {
        const { allowed } = route;
        if (allowed.length === 0) return refuse('not-found', `there is no ${url.pathname}`);
        res.setHeader('allow', allowed.join(', '));
        return refuse('method-not-allowed', `${req.method} is not allowed here; use ${allowed.join(' or ')}`);
      }
      const { op, params } = route;
      if (op.staff || op.sessionOnly) reader = 'staff';
      let actor: Actor = ADMIN;
      // A public operation's handler keeps its own ids (the phone's are scoped by its verified number).
      let scope = op.public ? ':public' : hallScope;
      let who = 'public';
      let session: Request['session'];
      // The client's address (with a trusted proxy in front, the last hop it added).
      const address = clientAddress(req, ctx.trustProxy);
      const from = address;
      if (!op.public) {
        const auth = req.headers.authorization ?? '';
        const given = auth.startsWith('Bearer ') ? auth.slice(7).trim() : '';
        if (given) {
          const asTerminal = op.terminals ? terminalOf(req.headers['x-servicehall-terminal']) : undefined;
          const hall = !op.sessionOnly && tokensMatch(given, token);
          const verified = !hall && !op.sessionOnly && !!asTerminal && ctx.credentials.verify(given, asTerminal, clock()).ok;
          if (!hall && !(verified && op.terminals!.includes(asTerminal!.role))) {
            if (verified) return refuse('forbidden', `a ${asTerminal!.role} terminal may not ${op.operationId}; it is open to ${op.terminals!.join(', ')} terminals and the hall token`);
            return refuse('unauthorised', 'send the hall token as Authorization: Bearer <token> (or, where a terminal may ask, its own token with X-ServiceHall-Terminal: role/terminal[/window])');
          }
          who = hall ? `hall token from ${from}` : `${asTerminal!.role}/${asTerminal!.terminal}${asTerminal!.window ? `/${asTerminal!.window}` : ''} from ${from}`;
          if (!hall) scope = `:terminal/${asTerminal!.terminal}`;
        } else if (op.staff || op.sessionOnly) {
          const secret = cookies(req.headers.cookie)[SESSION_COOKIE];
          const open = ctx.staff.sessions.open(secret, clock());
          // Its own reason beside the code (which other clients read as before): the console tells an ended session from a wrong password by it.
          if (!open || !secret)
            return refuse('unauthorised', 'sign in to the console first (or send the hall token)', {
              reason: 'signed-out',
              text:
                lang === 'en'
                  ? 'You are not signed in, or the session has ended (signed out, idle too long, or the password was reset). Please sign in again.'
                  : '尚未登录或登录已失效（已退出、长时间未操作或密码已重置），请重新登录。',
            });
          if (open.staff.mustChange && !op.sessionOnly) return refuse('pin-change-required', 'choose your own password first: the one you were given is for the first sign-in only');
          if (op.staff && !op.staff.includes(open.staff.role)) return refuse('forbidden', `a ${open.staff.role} may not ${op.operationId}`);
          if (req.method !== 'GET' && (!csrfMatches(header(req, 'x-csrf-token'), open.csrf) || !sameOrigin(req)))
            return refuse('forbidden', 'the change did not come from the console page (CSRF token or origin missing or wrong)');
          session = extended(open, { secret });
          actor = { role: 'admin', terminal: 'console', staff: { id: open.staff.id, name: open.staff.name, role: open.staff.role, ...(open.staff.department ? { department: open.staff.department } : {}) } };
          // A staff member's keys are their own, and the access log names them (H-19).
          scope = `:staff/${open.staff.id}`;
          who = `staff ${open.staff.id} (${open.staff.name}, ${open.staff.role}) from ${from}`;
        } else {
          return refuse('unauthorised', 'send the hall token as Authorization: Bearer <token>');
        }
      }
      // Every change of a token or staff member counts against its pace; refusals beyond it are not stored.
      if (!op.public && req.method !== 'GET') {
        const wait = rates.take('admin', scope, clock());
        if (wait > 0) {
          retryAfter(res, wait);
          const r = rateLimited(wait);
          return refuse(r.code, r.message);
        }
      }
      // A public operation (the citizen's phone) has its own pace per client address.
      const publicRate = op.rate ? publicRates.get(op.operationId) : undefined;
      if (publicRate) {
        // An IPv6 client counts by its /64: a phone may take a new address in it at every request.
        const wait = publicRate.take(addressNetwork(address), clock());
        if (wait > 0) {
          retryAfter(res, wait);
          return refuse('rate-limited', `${op.operationId}: too many requests from this address`);
        }
      }
      let body: unknown = {};
      let raw: Buffer | undefined;
      if (req.method !== 'GET') {
        if (op.file) {
          raw = await readRaw(req, op.file.maxBytes, lang);
        } else {
          const text = await readBody(req, op.maxBodyBytes ?? MAX_BODY_BYTES, lang);
          if (op.body) {
            let json: unknown;
            try {
              json = text.trim() === '' ? {} : JSON.parse(text);
            } catch {
              return refuse('bad-request', 'the body is not valid JSON', { text: NOT_JSON });
            }
            const parsed = op.body.safeParse(json);
            if (!parsed.success && op.refuseBody) throw op.refuseBody(json, parsed.error, lang);
            if (!parsed.success) throw schemaRefusal(json, parsed.error);
            body = parsed.data;
          }
        }
      }
      const key = req.headers['idempotency-key'];
      const commandId = typeof key === 'string' ? key : newCommandId();
      if (commandId.length < 8 || commandId.length > 80)
        return refuse('bad-request', 'Idempotency-Key must be 8 to 80 characters', {
          text: {
            'zh-CN': `请求头 Idempotency-Key 应为 8 到 80 个字符（发送的是 ${commandId.length} 个），如一个 UUID。未作任何更改。`,
            en: `The Idempotency-Key header must be 8 to 80 characters (${commandId.length} were sent), e.g. a UUID. Nothing was changed.`,
          } satisfies Bilingual,
        });
      const made = header(req, 'x-made-at');
      const madeAt = made === undefined ? undefined : /^\d+$/.test(made) ? Number(made) : Date.parse(made);
      if (madeAt !== undefined && !Number.isFinite(madeAt))
        return refuse('bad-request', 'X-Made-At is a time: ISO 8601 (2026-11-27T09:00:00+08:00) or milliseconds since 1970', {
          text: {
            'zh-CN': '请求头 X-Made-At 应为时间：ISO 8601 格式（如 2026-11-27T09:00:00+08:00）或自 1970 年起的毫秒数。未作任何更改。',
            en: 'The X-Made-At header must be a time: ISO 8601 (e.g. 2026-11-27T09:00:00+08:00) or milliseconds since 1970. Nothing was changed.',
          } satisfies Bilingual,
        });
      const closed = new AbortController();
      res.once('close', () => {
        if (!res.writableEnded) closed.abort();
      });
      const request: Request = {
        params,
        query: url.searchParams,
        body,
        ...(raw ? { raw } : {}),
        commandId,
        ...(madeAt !== undefined ? { madeAt } : {}),
        actor,
        scope,
        who,
        ...(session ? { session } : {}),
        address,
        secure: 'encrypted' in req.socket && !!(req.socket as { encrypted?: boolean }).encrypted,
        language: lang,
        header: (name) => header(req, name.toLowerCase()),
        closed: closed.signal,
      };
      if (op.stream) return op.stream(request, res);
      const reply = await op.handle(request);
      if (reply.file) {
        res.writeHead(reply.status, {
          'content-type': reply.file.contentType,
          'content-length': reply.file.data.length,
          ...(reply.file.name !== undefined ? { 'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(reply.file.name)}` } : {}),
          'cache-control': 'no-store',
          ...reply.headers,
        });
        return void res.end(reply.file.data);
      }
      const b = reply.body as { ok?: boolean; code?: RefusalCode; message?: string };
      // A refusal in the hall's own words (core's 停止取号公告中有服务忌语（…）…) is read in them, not as the code's general sentence.
      if (b && b.ok === false && b.code) return send(res, reply.status, extended(b, { text: refusalTextOf({ code: b.code, message: b.message ?? '' }, lang, reader) }), reply.headers);
      return send(res, reply.status, reply.body, reply.headers);
    } catch (error) {
      if (res.headersSent) {
        log.error({ err: error, method: req.method, path: url.pathname }, opsText('requestFailedMidAnswer', { method: req.method ?? '', path: url.pathname }));
        return void res.destroy();
      }
      if (error instanceof RequestAbandoned) {
        log.info({ method: req.method, path: url.pathname }, opsText(error.said, { method: req.method ?? '', path: url.pathname }));
        return void res.destroy();
      }
      if (error instanceof HttpRefusal) {
        // The rest of a body too large is not read on to its end (a chunked one need never end): the connection closes after the answer.
        if (error.code === 'too-large') res.setHeader('connection', 'close');
        if (error.retryAfterMs !== undefined) retryAfter(res, error.retryAfterMs);
        return refuse(error.code, error.message, error.detail);
      }
      if (isDiskFull(error)) return refuse('disk-full', 'the hub cannot write: its disk is full');
      log.error({ err: error, method: req.method, path: url.pathname }, opsText('requestFailed', { method: req.method ?? '', path: url.pathname }));
      return refuse('internal', 'the hub could not handle this request');
    }
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}
