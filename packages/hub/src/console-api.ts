import {
  calendarYears,
  carriedSetup,
  CREDENTIAL_DAYS,
  IncomingCatalogueSchema,
  CommandBodySchema,
  findItem,
  isConfigured,
  localTime,
  noticeControlCharacter,
  StaffRoleSchema,
  todayHoursProblems,
  todayHoursSentence,
  type CommandBody,
  type StaffRef,
} from '@servicehall/core';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { HallTokenTerminals, Pairings, TerminalCredentials } from './enrolment';
import { DEFAULT_CREDENTIAL_DAYS, HALL_TOKEN_KEPT_DAYS } from './enrolment';
import { answerReply, credentialDaysWrong, flagQuery, HttpRefusal, plainNumber, RequestAbandoned, SETUP_BODY_BYTES, refusalSaid, schemaRefusal, setupRefusal, wholeQuery, staleSetup, windowParam, type Operation, type Reply, type Request } from './http';
import { auditPerson, clearedCookie, HALL_TOKEN_STAFF, sessionCookie, type Staff, type StaffChange } from './staff';
import { commandScope, type HallStore, type SetupChange } from './store';
import { hallTokenLinks, terminalPresence } from './supervision';
import type { TerminalLinks } from './terminals';
import type { WorkbookImports } from './workbook-import';

/** An account's id as sent: its form (StaffIdSchema) is checked with the other account rules, so that it is refused in their words. */
const AccountIdField = z.string().max(100).describe('2 to 40 letters, digits, ".", "_" or "-"');
/** A name and a password as sent: their rules (Staff's) are checked after, so that a long one is refused in words, not as a request not read. */
const AccountNameField = z.string().trim().max(1000).describe('1 to 40 characters');
const PasswordField = z.string().max(4096).describe('10 to 128 characters, letters and digits');

/** The workbook's code (exceljs, hundreds of files) is loaded when a workbook is first asked for, not at every start of the hub. */
const workbook = () => import('@servicehall/workbook');

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const ADMIN_ONLY = ['administrator'] as const;
export const SUPERVISORS = ['administrator', 'supervisor'] as const;
export const CONSOLE_STAFF = ['administrator', 'supervisor', 'department-head'] as const;

export interface ConsoleContext {
  store: HallStore;
  staff: Staff;
  credentials: TerminalCredentials;
  /** The terminals that link with the hall token itself, remembered once heard. */
  hallToken: HallTokenTerminals;
  pairings: Pairings;
  links: () => TerminalLinks | undefined;
  clock: () => number;
  /** Tells the console pages listening that the terminal list changed. */
  terminalsChanged(): void;
  onTerminalsChanged(listener: () => void): () => void;
  /** Reads uploaded catalogue workbooks off the hub's thread. */
  workbooks: WorkbookImports;
  /** How often a live feed says it is alive (CONSOLE_KEEP_ALIVE_MS by default). */
  keepAliveMs?: number;
  /** The hubs as the board shows them (none: the board says nothing of them). */
  hubs?: () => HubHealth;
  /** How often a live feed looks whether that changed (HUBS_LOOK_MS by default). */
  hubsEveryMs?: number;
}

/**
 * The hubs as the supervisors' board shows them: whether this hub is in charge, its standby's link
 * when one is configured (SERVICEHALL_PEER), and its last backup when backups are set. Before it the
 * board said nothing of them, and a hall ran without its standby or its backups unseen.
 */
export interface HubHealth {
  inCharge: boolean;
  epoch: number;
  standby?: { state: 'in-step' | 'behind' | 'none'; behindEvents: number };
  backup?: { lastAt?: number; failures: number };
}

/** How often a console's live feed looks whether the hubs' health changed (it is sent only then). */
export const HUBS_LOOK_MS = 2_000;

/** Who acts: the signed-in staff member, or the hall token's administrator (installer scripts). */
function who(req: Request): StaffRef {
  return req.session?.staff ? { id: req.session.staff.id, name: req.session.staff.name, role: req.session.staff.role } : HALL_TOKEN_STAFF;
}

function change<T>(r: StaffChange<T>, okStatus = 200, body: (v: T) => unknown = (v) => ({ ok: true, value: v }), req?: Request): Reply {
  // A refusal in words of its own (an account the hall cannot have) is shown in them, in the console's language.
  if (!r.ok)
    throw new HttpRefusal(
      r.code,
      r.message,
      r.text || r.retryAfterSeconds !== undefined
        ? { ...(r.text && req ? { text: r.text[req.language] } : {}), ...(r.retryAfterSeconds !== undefined ? { retryAfterSeconds: r.retryAfterSeconds } : {}) }
        : undefined,
      r.retryAfterSeconds !== undefined ? r.retryAfterSeconds * 1000 : undefined,
    );
  return { status: okStatus, body: body(r.value) };
}

/**
 * A department head gives their window only their own department's items: another department's item
 * taken onto it would have its tickets called by a desk that department does not run. Items the window
 * serves already (an administrator's choice) may stay; any may be taken off.
 */
function mayGiveItems(req: Request, store: HallStore, window: number, serves: readonly string[]): void {
  const s = req.session?.staff;
  if (!s || s.role !== 'department-head') return;
  const had = store.view.catalogue.windows.find((w) => w.number === window)?.serves ?? [];
  const foreign = serves.map((code) => findItem(store.view.catalogue, code)).find((item) => item && !had.includes(item.code) && item.department !== s.department);
  if (!foreign) return;
  const en = req.language === 'en';
  throw new HttpRefusal('forbidden', `${foreign.code} belongs to ${foreign.department}, not to ${s.department}: a department head gives their windows their own department's items`, {
    text: en
      ? `${foreign.code} (${foreign.name}) belongs to ${foreign.department}, not to your department ${s.department}, so it cannot be given to window ${window} here: please ask a supervisor or an administrator. Nothing was changed.`
      : `${foreign.code}（${foreign.name}）属于${foreign.department}，不是您负责的${s.department}，不能在此交给 ${window}号窗口办理：请联系督查人员或管理员调整。未作任何更改。`,
  });
}

/** A department head may change only the items of their own department. */
function mayTouchItem(req: Request, store: HallStore, code: string): void {
  const s = req.session?.staff;
  if (!s || s.role !== 'department-head') return;
  const item = store.view.catalogue.items.find((i) => i.code === code);
  if (item && item.department !== s.department) throw new HttpRefusal('forbidden', `${code} belongs to ${item.department}, not to ${s.department}`);
}

function mayTouchWindow(req: Request, store: HallStore, window: number): void {
  const s = req.session?.staff;
  if (!s || s.role !== 'department-head') return;
  const w = store.view.catalogue.windows.find((x) => x.number === window);
  if (w && w.department !== s.department) throw new HttpRefusal('forbidden', `window ${window} belongs to ${w.department ?? 'no department'}, not to ${s.department}`);
}

/** The terminals the console lists: every credential with its devices, its link now and the ones waiting to pair. */
export function terminalList(ctx: ConsoleContext) {
  const now = ctx.clock();
  const linked = ctx.links()?.linked() ?? [];
  const credentials = ctx.credentials.list(now).map((c) => {
    const link = linked.find((l) => l.credentialId === c.id);
    return {
      ...c,
      state: c.revokedAt ? 'revoked' : c.expiresAt <= now ? 'expired' : link ? 'online' : 'offline',
      ...(link ? { onlineSince: link.since } : {}),
      devices: ctx.store.view.devices.get(c.terminal)?.devices ?? [],
    };
  });
  // Terminals that said hello with the hall token itself (older installations) are listed too, linked now or remembered
  // (offline, with when they were last heard): they cannot be revoked one by one, and one that is no longer the hall's is removed.
  // They are the board's terminals without a live credential, as terminalPresence lists them.
  const presence = terminalPresence(ctx.credentials, linked, now, ctx.hallToken);
  const links = hallTokenLinks(linked);
  const hallToken = presence
    .filter((p) => !credentials.some((c) => c.terminal === p.terminal && c.state !== 'revoked' && c.state !== 'expired'))
    .map((p) => {
      const link = p.online ? links.find((l) => l.terminal === p.terminal) : undefined;
      return { terminal: p.terminal, role: p.role, window: p.window, online: p.online, ...(link ? { since: link.since } : {}), lastSeen: p.lastSeen, devices: ctx.store.view.devices.get(p.terminal)?.devices ?? [] };
    });
  return { terminals: credentials, hallToken, hallTokenKeptDays: HALL_TOKEN_KEPT_DAYS, waiting: ctx.pairings.list(now), presence };
}

/** A pairing code as typed (the terminal shows it as "123 456"), or a refusal that says what is wrong with it. */
function pairingCode(typed: string, language: Request['language']): string {
  const code = typed.replace(/\s/g, '');
  if (/^\d{6}$/.test(code)) return code;
  const digitsOnly = /^\d*$/.test(code);
  const text =
    language === 'en'
      ? `${code === '' ? 'No pairing code was entered' : digitsOnly ? `The pairing code has 6 digits; ${code.length} were entered` : 'The pairing code is digits only; what was entered holds other characters'}. Please enter the 6 digits shown on the terminal's screen.`
      : `${code === '' ? '没有输入配对码' : digitsOnly ? `配对码是 6 位数字，输入的是 ${code.length} 位` : '配对码只有数字，输入的含有其他字符'}。请对照终端屏幕输入其上显示的 6 位数字。`;
  throw new HttpRefusal('bad-request', 'the pairing code is the six digits the terminal shows', { text });
}

/** A credential's validity as given to the enrolment, or its refusal saying what is wrong and the range allowed. */
function credentialDays(given: unknown, language: Request['language']): number {
  const wrong = credentialDaysWrong(given, language);
  if (!wrong) return given as number;
  const text = language === 'en' ? `${wrong} No terminal was enrolled; its pairing code still holds.` : `${wrong}未登记任何终端，终端上的配对码仍然有效。`;
  throw new HttpRefusal('bad-request', `expiresInDays is a whole number of days from ${CREDENTIAL_DAYS.min} to ${CREDENTIAL_DAYS.max}`, { text });
}

/** A console operation sent with the hall token (an installer's script) is audited as the hall token's. */
const commandActor = (req: Request) => (req.actor.role === 'admin' && !req.actor.staff ? { ...req.actor, staff: who(req) } : req.actor);

export function command(store: HallStore, req: Request, body: CommandBody, okStatus = 200): Reply {
  const parsed = CommandBodySchema.safeParse(body);
  if (!parsed.success) throw schemaRefusal(body, parsed.error);
  const actor = commandActor(req);
  const { answer } = store.execute({ ...parsed.data, id: req.commandId } as never, actor);
  return answerReply(answer, okStatus);
}

/** Today's hours of an item refused: each wrong period by its line and what a right one looks like, nothing changed. */
function todayHoursRefusal(item: { code: string; name: string }, hours: unknown, wrong: ReturnType<typeof todayHoursProblems>, language: Request['language']): HttpRefusal {
  const text = todayHoursSentence(item, hours, language);
  return new HttpRefusal('bad-request', wrong.map((p) => `issuingHours.${p.path.join('.')}: ${p.message}`).join('; '), {
    ...(text ? { text } : {}),
    problems: wrong.map(({ path, message, text: t }) => ({ path: ['issuingHours', ...path], message, ...(t ? { text: t } : {}) })),
  });
}

/** The console's operations: sign-in, staff, the hall's setup, live changes, terminals, calendar, audit. */
export function consoleOperations(ctx: ConsoleContext): Operation[] {
  const { store, staff } = ctx;
  const feeds = new Map<string, number>();
  return [
    {
      method: 'GET',
      path: '/api/console/status',
      operationId: 'consoleStatus',
      summary:
        "What the console shows before sign-in: whether the hall is set up, its name, and whether a first administrator is still to be made; the hall's time zone and the hub's clock (hubTime), by which the console shows times, not by the browser's",
      public: true,
      handle: () => ({
        status: 200,
        body: {
          ok: true,
          configured: isConfigured(store.view.catalogue),
          hallName: store.view.catalogue.hall.name,
          needsFirstAdmin: staff.needsFirstAdmin,
          timeZone: store.view.catalogue.hall.timeZone,
          hubTime: ctx.clock(),
        },
      }),
    },
    {
      method: 'POST',
      path: '/api/console/first-admin',
      operationId: 'createFirstAdmin',
      summary: 'Makes the first administrator with the one-time setup code the hub printed at its first start',
      public: true,
      body: z.object({ setupCode: z.string().min(1).max(20), id: AccountIdField, name: AccountNameField, password: PasswordField }),
      handle: async (req) => {
        const b = req.body as { setupCode: string; id: string; name: string; password: string };
        return change(await staff.firstAdmin(b.setupCode, b), 201, (m) => ({ ok: true, staff: m }), req);
      },
    },
    {
      method: 'POST',
      path: '/api/console/login',
      operationId: 'login',
      summary: 'Signs a staff member in (or a clerk with clerk number and PIN): a session cookie (HttpOnly, SameSite=Strict) and the CSRF token to send as X-CSRF-Token',
      public: true,
      body: z.object({ id: z.string().trim().max(1000), password: z.string().max(4096) }),
      handle: async (req) => {
        const b = req.body as { id: string; password: string };
        // Nothing typed in a field is said as that (not as a request the hub cannot read), and costs no try.
        if (b.id === '' || b.password === '') {
          const what = b.id === '' && b.password === '' ? ['账号和密码', 'your account and password'] : b.id === '' ? ['账号', 'your account'] : ['密码', 'your password'];
          throw new HttpRefusal('bad-request', `type ${what[1]}`, { text: req.language === 'en' ? `Please type ${what[1]}.` : `请输入${what[0]}。` });
        }
        const r = await staff.signIn(b.id, b.password, req.address);
        if (!r.ok) throw new HttpRefusal(r.code, r.message, r.retryAfterSeconds ? { retryAfterSeconds: r.retryAfterSeconds } : {});
        return { status: 200, body: { ok: true, staff: r.staff, csrf: r.csrf }, headers: { 'set-cookie': sessionCookie(r.secret, req.secure) } };
      },
    },
    {
      method: 'POST',
      path: '/api/console/logout',
      operationId: 'logout',
      summary: 'Ends the console session',
      sessionOnly: true,
      handle: (req) => {
        staff.sessions.end(req.session?.secret);
        return { status: 200, body: { ok: true }, headers: { 'set-cookie': clearedCookie(req.secure) } };
      },
    },
    {
      method: 'GET',
      path: '/api/console/session',
      operationId: 'getSession',
      summary: 'The signed-in staff member and the CSRF token of this session',
      sessionOnly: true,
      handle: (req) => ({ status: 200, body: { ok: true, staff: req.session!.staff, csrf: req.session!.csrf } }),
    },
    {
      method: 'POST',
      path: '/api/console/password',
      operationId: 'changeOwnPassword',
      summary: 'A staff member changes their own password, a clerk their own PIN (required after the first sign-in); their other console sessions end',
      sessionOnly: true,
      body: z.object({ current: z.string().max(4096), next: PasswordField }),
      handle: async (req) => {
        const b = req.body as { current: string; next: string };
        return change(await staff.changeOwn(req.session!.staff, b.current, b.next, req.session!.secret), 200, () => ({ ok: true }), req);
      },
    },
    {
      method: 'GET',
      path: '/api/console/stream',
      operationId: 'streamConsole',
      summary:
        "The hall's live state for the console, pushed as Server-Sent Events: a snapshot, then every event, the terminal list when it changes, and a comment line (: keep-alive, which EventSource passes over) every 20 seconds",
      sessionOnly: true,
      handle: () => ({ status: 405, body: {} }),
      stream: (req, res) => {
        // Each feed holds the hall's snapshot (megabytes at a busy day's end) until its reader takes it: a few a staff member, not one a connection.
        // A clerk's number may be a staff account's id too (two people, console.test.ts): each has their own count.
        const id = `${req.session!.staff.role === 'clerk' ? 'clerk' : 'staff'}:${req.session!.staff.id}`;
        const open = feeds.get(id) ?? 0;
        if (open >= FEEDS_PER_STAFF) throw new HttpRefusal('rate-limited', `${FEEDS_PER_STAFF} live feeds are open for this staff member already: close a console page first`);
        feeds.set(id, open + 1);
        res.once('close', () => {
          const n = (feeds.get(id) ?? 1) - 1;
          if (n <= 0) feeds.delete(id);
          else feeds.set(id, n);
        });
        consoleStream(ctx, req, res);
      },
    },
    {
      method: 'GET',
      path: '/api/staff',
      operationId: 'listStaff',
      summary: 'Staff accounts, and the clerks with the state of their PINs (a department head sees their own department)',
      staff: CONSOLE_STAFF,
      handle: (req) => {
        const s = req.session?.staff;
        const dept = s?.role === 'department-head' ? s.department : undefined;
        return {
          status: 200,
          body: {
            ok: true,
            staff: staff.accounts.list().filter((m) => !dept || m.department === dept),
            clerks: staff.clerkStates().filter((c) => !dept || c.department === dept),
          },
        };
      },
    },
    {
      method: 'POST',
      path: '/api/staff',
      operationId: 'createStaff',
      summary: 'Makes a staff account (administrator, supervisor, department head) with a one-time password shown once',
      staff: ADMIN_ONLY,
      body: z.object({ id: AccountIdField, name: AccountNameField, role: StaffRoleSchema, department: z.string().min(1).max(40).optional() }),
      handle: async (req) => change(await staff.create(who(req), req.body as never), 201, (v) => ({ ok: true, staff: v.member, password: v.password }), req),
    },
    {
      method: 'POST',
      path: '/api/staff/{id}/reset-password',
      operationId: 'resetStaffPassword',
      summary: 'Gives a staff account a new one-time password (its sessions end)',
      staff: ADMIN_ONLY,
      handle: async (req) => change(await staff.resetPassword(who(req), req.params.id!), 200, (v) => ({ ok: true, password: v.password })),
    },
    {
      method: 'POST',
      path: '/api/staff/{id}/disabled',
      operationId: 'setStaffDisabled',
      summary: 'Disables or enables a staff account',
      staff: ADMIN_ONLY,
      body: z.object({ disabled: z.boolean() }),
      handle: (req) => change(staff.setDisabled(who(req), req.params.id!, (req.body as { disabled: boolean }).disabled), 200, (m) => ({ ok: true, staff: m }), req),
    },
    {
      method: 'POST',
      path: '/api/clerks/initial-pins',
      operationId: 'issueInitialPins',
      summary: "Initial PINs for clerks, each shown once (for a printed slip); the clerk must choose their own at the first sign-in",
      staff: SUPERVISORS,
      body: z.object({ clerks: z.array(z.string().min(1).max(16)).min(1).max(500) }),
      handle: async (req) => change(await staff.initialPins(who(req), (req.body as { clerks: string[] }).clerks), 200, (pins) => ({ ok: true, pins })),
    },
    {
      method: 'POST',
      path: '/api/clerks/{clerk}/unlock',
      operationId: 'unlockClerk',
      summary: "Unlocks a clerk locked out after wrong PINs",
      staff: SUPERVISORS,
      handle: (req) => change(staff.unlockClerk(who(req), req.params.clerk!), 200, () => ({ ok: true })),
    },
    {
      method: 'POST',
      path: '/api/setup',
      operationId: 'setupHall',
      summary:
        "Sets the hall up, or changes its setup: hall, departments, items with their guides, windows, clerks. Every problem is answered at once with its path; with atDayEnd a setup that open tickets stand in the way of waits for the day's end",
      staff: ADMIN_ONLY,
      maxBodyBytes: SETUP_BODY_BYTES,
      body: z.object({
        catalogue: z.unknown(),
        atDayEnd: z.boolean().optional(),
        basedOnSeq: z.number().int().min(0).optional().describe("the hall's sequence number when the form was loaded: a save after another change to the setup is refused (409)"),
      }),
      handle: (req) => {
        const b = req.body as { catalogue: unknown; atDayEnd?: boolean; basedOnSeq?: number };
        const parsed = IncomingCatalogueSchema.safeParse(b.catalogue);
        if (!parsed.success) throw setupRefusal(b.catalogue, parsed.error.issues, req.language);
        // A form loaded before another change to the setup would undo it: refused, with who changed it and when (a repeat of this save gets its first answer).
        if (b.basedOnSeq !== undefined && !store.answerOf(commandScope(commandActor(req)), req.commandId)) staleSetup(store, req, b.basedOnSeq, 'form');
        // The calendar, today's temporary windows and today's changes of an item are the hall's own, not the form's: they carry over.
        const catalogue = carriedSetup(store.view.catalogue, parsed.data);
        return command(store, req, { type: 'replaceCatalogue', catalogue, ...(b.atDayEnd ? { atDayEnd: true } : {}) });
      },
    },
    {
      method: 'GET',
      path: '/api/catalogue.xlsx',
      operationId: 'exportCatalogue',
      summary: 'The catalogue as an Excel workbook (大厅, 部门, 事项, 窗口, 工作人员 sheets); ?template=1 for the empty template with one example row',
      staff: CONSOLE_STAFF,
      query: { template: '1 or true for the template' },
      handle: async (req) => {
        const template = flagQuery(req.query, 'template') || !isConfigured(store.view.catalogue);
        const { catalogueToWorkbook, templateWorkbook } = await workbook();
        const data = template ? await templateWorkbook() : await catalogueToWorkbook(store.view.catalogue);
        return { status: 200, body: undefined, file: { contentType: XLSX, name: template ? '事项目录模板.xlsx' : `${store.view.catalogue.hall.name}事项目录.xlsx`, data } };
      },
    },
    {
      method: 'POST',
      path: '/api/catalogue.xlsx',
      operationId: 'importCatalogue',
      summary: 'Reads an Excel workbook of the catalogue and answers it for review in the setup wizard (it changes nothing); every problem is named by sheet, row and column',
      staff: ADMIN_ONLY,
      file: { contentType: XLSX, maxBytes: 8 * 1024 * 1024 },
      handle: async (req) => {
        const r = await ctx.workbooks.read(req.raw ?? Buffer.alloc(0), store.view.catalogue, req.closed);
        if (!r.ok && r.abandoned) throw new RequestAbandoned('the console closed its connection before its workbook was read', 'workbookAbandoned');
        // Stopped by the hub's stopping is no fault of the workbook's: a cancellation, not its problems.
        if (!r.ok && r.cancelled)
          throw new HttpRefusal('cancelled', 'the hub is stopping: the workbook was not read to its end and nothing was imported', {
            text:
              req.language === 'en'
                ? 'The hub is stopping, so the workbook was not read to its end and nothing was imported. Please import it again once the hub has started again.'
                : '主机正在停止，工作簿没有读完，未导入：主机重新启动后请再导入一次。',
          });
        if (!r.ok) {
          // The workbook's problems are said in Chinese, each at its sheet, row and column: the first few are named.
          const where = (p: (typeof r.problems)[number]) => `${p.sheet ? `工作表“${p.sheet}”` : ''}${p.row !== undefined ? `第 ${p.row} 行` : ''}${p.column ? `“${p.column}”列` : ''}`;
          const named = r.problems.slice(0, 3).map((p) => `${where(p)}${where(p) ? '：' : ''}${p.message}`);
          const more = r.problems.length - named.length;
          throw refusalSaid(
            'bad-request',
            `${r.problems.length} problem(s) in the workbook`,
            `工作簿中有 ${r.problems.length} 处需要修改，未导入：${named.join('；')}${more > 0 ? `；其余 ${more} 处见列表` : ''}。`,
            `The workbook has ${r.problems.length} thing(s) to mend; nothing was imported. They are listed, each with its sheet, row and column.`,
            { problems: r.problems },
          );
        }
        // The answer ({ ok, catalogue }, megabytes for a province's library) was written as JSON by the reader's thread.
        return { status: 200, body: undefined, file: { contentType: 'application/json; charset=utf-8', data: r.json } };
      },
    },
    {
      method: 'PUT',
      path: '/api/windows/{window}/items',
      operationId: 'assignWindowItems',
      summary: "Sets the items a window serves, at once; when waiting tickets would be left without a window the answer names them, and atDayEnd applies it when the hall day ends",
      staff: CONSOLE_STAFF,
      body: z.object({ serves: z.array(z.string().min(1).max(40)).min(1).max(200), atDayEnd: z.boolean().optional() }),
      handle: (req) => {
        const window = windowParam(req);
        mayTouchWindow(req, store, window);
        const b = req.body as { serves: string[]; atDayEnd?: boolean };
        mayGiveItems(req, store, window, b.serves);
        return command(store, req, { type: 'assignWindowItems', window, serves: b.serves, ...(b.atDayEnd ? { atDayEnd: true } : {}) });
      },
    },
    {
      method: 'POST',
      path: '/api/windows/temporary',
      operationId: 'openTemporaryWindow',
      summary: 'Opens a temporary window for today, for one or more items (it leaves the catalogue when the day ends)',
      staff: SUPERVISORS,
      body: z.object({ window: z.number().int().min(1).max(999), name: z.string().trim().min(1).max(40).optional(), department: z.string().min(1).max(40).optional(), serves: z.array(z.string().min(1).max(40)).min(1).max(200) }),
      handle: (req) => command(store, req, { type: 'openTemporaryWindow', ...(req.body as { window: number; serves: string[] }) }, 201),
    },
    {
      method: 'POST',
      path: '/api/items/{code}/today',
      operationId: 'setItemToday',
      summary: "Changes an item for today only: its quota, its issuing hours, or closes it for the rest of the day with a notice (reopen: true opens it again)",
      staff: CONSOLE_STAFF,
      body: z.object({
        dailyQuota: z.number().int().min(0).max(9999).optional(),
        issuingHours: z.array(z.object({ from: z.string(), to: z.string() })).min(1).max(6).optional(),
        closedNotice: z.string().trim().min(1).max(200).optional(),
        reopen: z.boolean().optional(),
      }),
      handle: (req) => {
        const code = req.params.code!;
        mayTouchItem(req, store, code);
        const notice = (req.body as { closedNotice?: string }).closedNotice;
        const control = notice === undefined ? undefined : noticeControlCharacter(notice);
        if (control)
          throw new HttpRefusal('bad-request', `closedNotice holds a control character (${control}): the notice is one line of text`, {
            text:
              req.language === 'en'
                ? `The notice holds a control character (${control}), perhaps pasted from another program, which screens and the phone would show as a stray mark: please delete it and type the notice again, on one line. Nothing was changed.`
                : `停止取号公告中有控制字符（${control}，可能是从其他软件复制带入的不可见字符），屏幕和手机上会显示成乱码：请删去后重新输入，公告只写一行。未作任何更改。`,
          });
        // Hours for today are checked as the setup checks an item's hours, and said as it says them.
        const hours = (req.body as { issuingHours?: unknown }).issuingHours;
        const item = findItem(store.view.catalogue, code);
        if (hours !== undefined && item) {
          const wrong = todayHoursProblems(item, hours, req.language);
          if (wrong.length) throw todayHoursRefusal(item, hours, wrong, req.language);
        }
        return command(store, req, { type: 'setItemToday', serviceCode: code, ...(req.body as object) } as CommandBody);
      },
    },
    {
      method: 'POST',
      path: '/api/pending/{id}/cancel',
      operationId: 'cancelPendingChange',
      summary: "Cancels a change that waits for the day's end",
      staff: SUPERVISORS,
      handle: (req) => {
        const pendingId = plainNumber(req.params.id, 1, Number.MAX_SAFE_INTEGER);
        if (pendingId === undefined)
          throw refusalSaid(
            'bad-request',
            'the pending change is named by its id, a whole number from 1',
            '待生效更改的编号应为 1 或更大的整数，只写数字。未取消任何更改。',
            "A change waiting for the day's end is named by its number: a whole number, 1 or more, in digits only. Nothing was cancelled.",
          );
        return command(store, req, { type: 'cancelPendingChange', pendingId });
      },
    },
    {
      method: 'GET',
      path: '/api/terminals',
      operationId: 'listTerminals',
      summary: 'Enrolled terminals with their role, window, version, devices and last contact; terminals waiting to be enrolled',
      staff: CONSOLE_STAFF,
      handle: () => ({ status: 200, body: { ok: true, ...terminalList(ctx) } }),
    },
    {
      method: 'POST',
      path: '/api/terminals/enrol',
      operationId: 'enrolTerminal',
      summary: "Enrols the terminal showing this pairing code on its screen: it receives its own credential over its link (kept hashed here, with an expiry)",
      staff: ADMIN_ONLY,
      // The code's form is checked here, not by the schema, so that a mistyped one is refused in words about the code.
      // The validity too, so that 有效期（天） typed wrong is refused in words about it, not as a request 有误.
      body: z.object({
        code: z.string().max(40).describe('the six digits the terminal shows (spaces between them are allowed)'),
        expiresInDays: z.unknown().optional().describe(`whole days from ${CREDENTIAL_DAYS.min} to ${CREDENTIAL_DAYS.max}; ${DEFAULT_CREDENTIAL_DAYS} when left out`),
      }),
      handle: (req) => {
        const b = req.body as { code: string; expiresInDays?: unknown };
        const now = ctx.clock();
        const code = pairingCode(b.code, req.language);
        // Before the code is taken: a refused validity leaves the terminal showing its code, to be enrolled once corrected.
        const days = b.expiresInDays === undefined ? DEFAULT_CREDENTIAL_DAYS : credentialDays(b.expiresInDays, req.language);
        // The code typed decides, read off the terminal's own screen: that link is enrolled as it asked, whatever
        // other links ask under its name (refusing it while another's request is the newest let any of them hold
        // the terminal's enrolment off for as long as it kept asking).
        const request = ctx.pairings.take(code, now);
        if (!request)
          throw new HttpRefusal('not-found', 'no terminal is showing this code now: check the code on its screen (codes last 10 minutes)', {
            text:
              req.language === 'en'
                ? `No terminal is showing the code ${code} now. Please check the code on the terminal's screen: each code lasts 10 minutes, then the terminal shows a new one.`
                : `没有终端正在显示配对码 ${code}。请核对终端屏幕上现在显示的配对码：每个配对码有效 10 分钟，到期后终端会显示新的配对码。`,
          });
        const by = who(req);
        const identity = { role: request.role, terminal: request.terminal, ...(request.window !== undefined ? { window: request.window } : {}) };
        const made = store.withTransaction(() => {
          const issued = ctx.credentials.issue(identity, by.id, now, days);
          store.audit.record({ at: now, staff: by, action: 'enrolTerminal', target: `terminal:${request.terminal}`, after: { ...identity, credential: issued.credential.id, expiresAt: issued.credential.expiresAt, replaced: issued.replaced } });
          return issued;
        });
        request.deliver(made.token, made.credential);
        return { status: 201, body: { ok: true, terminal: made.credential } };
      },
    },
    {
      method: 'POST',
      path: '/api/terminals/{id}/revoke',
      operationId: 'revokeTerminal',
      summary: "Revokes one terminal's credential: its link is closed and it must be enrolled again",
      staff: ADMIN_ONLY,
      handle: (req) => {
        const id = req.params.id!;
        const before = ctx.credentials.get(id);
        if (!before) throw new HttpRefusal('not-found', `there is no terminal credential ${id}`);
        if (before.revokedAt) throw new HttpRefusal('conflict', `credential ${id} was revoked already`);
        const by = who(req);
        const now = ctx.clock();
        const after = store.withTransaction(() => {
          const revoked = ctx.credentials.revoke(id, by.id, now)!;
          store.audit.record({ at: now, staff: by, action: 'revokeTerminal', target: `terminal:${before.terminal}`, before: { credential: id, revokedAt: null }, after: { credential: id, revokedAt: now } });
          return revoked;
        });
        return { status: 200, body: { ok: true, terminal: after } };
      },
    },
    {
      method: 'POST',
      path: '/api/terminals/hall-token/{terminal}/remove',
      operationId: 'removeHallTokenTerminal',
      summary:
        'Removes a terminal that linked with the hall token and is offline from the hall\'s terminals (it is no longer the hall\'s): the board, the alerts and the city no longer show it; should it link again, it is listed again',
      staff: ADMIN_ONLY,
      handle: (req) => {
        const terminal = req.params.terminal!;
        const en = req.language === 'en';
        if ((ctx.links()?.linked() ?? []).some((l) => l.terminal === terminal && !l.credentialId))
          throw new HttpRefusal('conflict', `terminal ${terminal} is linked now: it can be removed once it is switched off or off the network`, {
            text: en
              ? `Terminal ${terminal} is linked to the hub now, so it cannot be removed. Switch it off or take it off the network first, then remove it. Nothing was changed.`
              : `终端 ${terminal} 现在正连接着主机，不能移除。请先关闭该终端或断开其网络，再移除。未作任何更改。`,
          });
        const by = who(req);
        const now = ctx.clock();
        const removed = store.withTransaction(() => {
          if (!ctx.hallToken.forget(terminal)) return false;
          store.audit.record({ at: now, staff: by, action: 'removeHallTokenTerminal', target: `terminal:${terminal}` });
          return true;
        });
        if (!removed)
          throw new HttpRefusal('not-found', `there is no terminal ${terminal} linked with the hall token`, {
            text: en ? `There is no terminal ${terminal} among those linked with the hall token: it may have been removed already. Nothing was changed.` : `使用大厅令牌连接的终端中没有 ${terminal}，可能已被移除。未作任何更改。`,
          });
        ctx.terminalsChanged();
        return { status: 200, body: { ok: true } };
      },
    },
    {
      method: 'GET',
      path: '/api/calendar',
      operationId: 'getCalendar',
      summary: "The working-day calendar's known years (from the package, or entered by the hall) with their holidays and make-up days; a warning from November when next year is unknown",
      staff: CONSOLE_STAFF,
      handle: () => ({ status: 200, body: { ok: true, today: store.view.day, ...calendarYears(store.view.catalogue, store.view.day) } }),
    },
    {
      method: 'PUT',
      path: '/api/calendar/{year}',
      operationId: 'putCalendarYear',
      summary: "Enters a year's statutory holidays and make-up working days (调休), as the State Council's notice lists them",
      staff: SUPERVISORS,
      body: z.object({ holidays: z.record(z.string(), z.string().trim().min(1).max(40)), workdays: z.record(z.string(), z.string().trim().min(1).max(40)).default({}) }),
      handle: (req) => {
        const year = Number(req.params.year);
        if (!/^\d{4}$/.test(req.params.year ?? ''))
          throw refusalSaid('bad-request', 'the year is four digits, e.g. 2027', '年份应为四位数字，如 2027。未作任何更改。', 'The year is four digits, e.g. 2027. Nothing was changed.');
        const b = req.body as { holidays: Record<string, string>; workdays: Record<string, string> };
        return command(store, req, { type: 'setCalendarYear', year, holidays: b.holidays, workdays: b.workdays });
      },
    },
    {
      method: 'GET',
      path: '/api/audit',
      operationId: 'listAudit',
      summary: 'The audit log of console changes: who, what, when, before and after (newest first; ?before=id pages back)',
      staff: SUPERVISORS,
      query: { before: 'an entry id: older entries', limit: 'how many (default 100, at most 500)', staff: 'one person: clerk:NUMBER for a clerk, staff:ID for a staff account', action: 'one action' },
      handle: (req) => {
        // A page asked for wrongly (?before=abc) is refused, not answered as an empty log.
        const before = req.query.get('before');
        const limit = req.query.get('limit');
        if (before !== null && plainNumber(before, 1, Number.MAX_SAFE_INTEGER) === undefined) throw wholeQuery('before is an entry id: a whole number, 1 or more', 'before', 1, Number.MAX_SAFE_INTEGER);
        if (limit !== null && plainNumber(limit, 1, 500) === undefined) throw wholeQuery('limit is a whole number from 1 to 500', 'limit', 1, 500);
        // A clerk's number may be a staff account's id too (two people): the filter says which of them it means.
        const person = req.query.get('staff') ? auditPerson(req.query.get('staff')!) : undefined;
        if (req.query.get('staff') && !person)
          throw new HttpRefusal('bad-request', 'staff names one person with its kind: clerk:NUMBER for a clerk, staff:ID for a staff account', {
            text: req.language === 'en' ? 'Say whose entries to show: clerk:NUMBER for a clerk, staff:ID for a staff account.' : '请说明要看谁的记录：窗口工作人员写 clerk:工号，其他账号写 staff:账号。',
          });
        return {
          status: 200,
          body: {
            ok: true,
            entries: store.audit.list({
              ...(before ? { before: Number(before) } : {}),
              ...(limit ? { limit: Number(limit) } : {}),
              ...(person ? { staff: person } : {}),
              ...(req.query.get('action') ? { action: req.query.get('action')! } : {}),
            }),
          },
        };
      },
    },
  ];
}


/** How often a live feed says it is alive, so that a proxy or the browser does not take a quiet one for dead. */
export const CONSOLE_KEEP_ALIVE_MS = 20_000;

/** Console pages (tabs, the board on a wall screen) one staff member may have live at once. */
export const FEEDS_PER_STAFF = 8;

/**
 * The console's live feed (Server-Sent Events): the hall's snapshot, then its events as they are
 * appended, the terminal list when it changes, and a comment line (`: keep-alive`) every 20 s.
 * The session is checked on every message, and whenever sessions are ended, so a signed-out, disabled or timed-out console stops hearing at once.
 * The console takes the hub's clock from /api/console/status, at the midpoint of a round trip (core's HubOffset), not from here.
 */
function consoleStream(ctx: ConsoleContext, req: Request, res: ServerResponse): void {
  const secret = req.session!.secret;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  // A feed whose session has ended says so as it ends: the console goes to its sign-in page (keeping what a page has typed), not only "offline".
  const ended = () => void (res.writableEnded || res.end('event: ended\ndata: {"reason":"signed-out"}\n\n'));
  const send = (text: string) => {
    if (!ctx.staff.sessions.peek(secret, ctx.clock())) return ended();
    res.write(text);
  };
  const write = (event: string, data: unknown) => send(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  write('snapshot', ctx.store.snapshot());
  write('terminals', terminalList(ctx));
  const stopEvents = ctx.store.onEvents((events) => write('events', events));
  const stopTerminals = ctx.onTerminalsChanged(() => write('terminals', terminalList(ctx)));
  const keepAlive = setInterval(() => send(': keep-alive\n\n'), ctx.keepAliveMs ?? CONSOLE_KEEP_ALIVE_MS);
  keepAlive.unref();
  // An account disabled, a password changed or reset, a sign-out elsewhere: the feed of a session so ended stops now, not at its next message.
  const stopEnded = ctx.staff.sessions.onEnded(() => {
    if (!ctx.staff.sessions.peek(secret, ctx.clock())) ended();
  });
  let hubsSaid = '';
  // The hubs' health is the board's for administrators and supervisors only (Board.tsx): a clerk's or a department head's feed is not told it.
  const seesHubs = (SUPERVISORS as readonly string[]).includes(req.session!.staff.role);
  const hubs = seesHubs ? ctx.hubs : undefined;
  const tellHubs = (health: () => HubHealth) => {
    const now = JSON.stringify(health());
    if (now === hubsSaid) return;
    hubsSaid = now;
    send(`event: hubs\ndata: ${now}\n\n`);
  };
  // Looked at only for a feed that is told them: a clerk's or a department head's has no timer for it.
  const hubsBeat = hubs ? setInterval(() => tellHubs(hubs), ctx.hubsEveryMs ?? HUBS_LOOK_MS) : undefined;
  hubsBeat?.unref();
  if (hubs) tellHubs(hubs);
  res.on('close', () => {
    clearInterval(hubsBeat);
    clearInterval(keepAlive);
    stopEvents();
    stopTerminals();
    stopEnded();
  });
}
