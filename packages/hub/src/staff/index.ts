import { noticeControlCharacter, type Catalogue, type StaffRef, type StaffRole } from '@servicehall/core';
import { randomInt, timingSafeEqual } from 'node:crypto';
import { addressNetwork } from '../address-network';
import type { Db } from '../db';
import { log } from '../log';
import { opsText, type Bilingual } from '../ops-strings';
import type { ClerkPins } from '../pins';
import { StaffAccounts, StaffIdSchema, type StaffMember } from './accounts';
import { AuditLog } from './audit';
import { SignInLockout, type LockKey } from './lockout';
import { hashPassword, initialPin, oneTimePassword, passwordProblem, spendVerifyTime, verifyPassword } from './passwords';
import { StaffSessions, type Session } from './sessions';

export { AuditLog, auditPerson, auditSubject, HALL_TOKEN_STAFF, type AuditEntry, type AuditPerson } from './audit';
export { StaffAccounts, StaffIdSchema, type StaffMember } from './accounts';
export { SignInLockout, FREE_FAILURES, FIRST_LOCK_MS, LONGEST_LOCK_MS, FORGET_CHUNK } from './lockout';
export { hashPassword, verifyPassword, passwordProblem, oneTimePassword, initialPin } from './passwords';
export { StaffSessions, SESSION_COOKIE, IDLE_TIMEOUT_MS, cookies, csrfMatches, sessionCookie, clearedCookie, type Session } from './sessions';

export type SignIn =
  | { ok: true; secret: string; csrf: string; staff: Session['staff'] }
  | { ok: false; code: 'unauthorised' | 'locked' | 'forbidden'; message: string; retryAfterSeconds?: number };

export type StaffChange<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      code: 'bad-request' | 'conflict' | 'not-found' | 'forbidden' | 'unauthorised' | 'locked';
      message: string;
      /** The refusal in the staff member's words, where it has its own (the console shows it; the command line says both). */
      text?: Bilingual;
      /** A lock's time left (a clerk's PIN locked after wrong tries). */
      retryAfterSeconds?: number;
    };

/** The longest name an account takes (40 Chinese characters fit). */
export const STAFF_NAME_MAX = 40;

/**
 * Why an account is not made, in the same words wherever it is asked for: the console's account form,
 * the first administrator's form, and create-admin on the hub's machine.
 */
export const ACCOUNT_REFUSALS = {
  badId: { code: 'bad-request', 'zh-CN': '账号应为 2 到 40 个字母、数字、“.”、“_”或“-”。', en: 'the account is 2 to 40 letters, digits, ".", "_" or "-"' },
  noName: { code: 'bad-request', 'zh-CN': '请填写姓名：账号要写明是谁的。', en: 'the name is missing: say whose account it is' },
  longName: { code: 'bad-request', 'zh-CN': '姓名最多 {max} 个字，填写的有 {length} 个：请改短后再保存。', en: 'a name has at most {max} characters; {length} were given' },
  nameControl: {
    code: 'bad-request',
    'zh-CN': '姓名中有看不见的控制字符（{character}，可能是从其他软件复制带入的）：请删去后重新输入。',
    en: 'the name holds an invisible control character ({character}), perhaps pasted from another program: delete it and type the name again',
  },
  clerk: { code: 'bad-request', 'zh-CN': '窗口工作人员用工号和 PIN 登录，不另设账号：请在大厅设置的工作人员中添加。', en: 'clerks sign in with their clerk number and PIN: add them to the hall’s clerks instead' },
  noDepartment: { code: 'bad-request', 'zh-CN': '科室负责人的账号要写明所负责的科室。', en: 'a department head needs the department they look after' },
  unknownDepartment: { code: 'not-found', 'zh-CN': '本大厅没有“{department}”这个科室。', en: 'there is no department {department}' },
  clerkNumber: { code: 'conflict', 'zh-CN': '{id} 是一位窗口工作人员的工号：请另选一个账号名。', en: '{id} is a clerk number; choose another account name' },
  lastAdministrator: {
    code: 'conflict',
    'zh-CN': '{id} 是本大厅唯一在用的管理员账号，停用后就没有人能设置大厅和管理账号了：请先新增或启用另一位管理员，再停用它。未作任何更改。',
    en: '{id} is the hall’s last administrator in use, and without one nobody could set the hall up or manage accounts: add or enable another administrator first. Nothing was changed.',
  },
  taken: { code: 'conflict', 'zh-CN': '已有账号 {id}（账号不分大小写）：请另选一个账号名。', en: 'there is an account {id} already' },
  // The first administrator's form: the setup code, not a terminal's token or an account's password, is what was wrong.
  hasAdministrator: {
    code: 'forbidden',
    'zh-CN': '本大厅已经有管理员了，设置码不再使用：请用您的账号登录；忘记密码的，请另一位管理员为您重置，或在主机所在的电脑上运行 npm run hub -- create-admin。',
    en: 'the hall has an administrator already and the setup code is no longer used: sign in with your account; a forgotten password is reset by another administrator, or run npm run hub -- create-admin on the hub’s machine',
  },
  wrongSetupCode: {
    code: 'unauthorised',
    'zh-CN': '设置码不正确：请核对主机启动时日志中的一次性设置码（setupCode，8 位数字）后重新输入；主机每次启动都会换一个新的设置码。',
    en: 'the setup code is not the one the hub printed at its start: check the one-time setup code (setupCode, 8 digits) in the log of its last start and type it again',
  },
  setupCodeSpent: {
    code: 'locked',
    'zh-CN': '设置码已输错 {tries} 次，不能再用：请重启主机以得到新的设置码，或在主机所在的电脑上运行 npm run hub -- create-admin 创建管理员。',
    en: 'the setup code was given wrongly {tries} times and opens nothing more: restart the hub for a new one, or make the administrator with create-admin on the hub’s machine',
  },
} as const;

function refusal(why: keyof typeof ACCOUNT_REFUSALS, values: Record<string, string> = {}): Extract<StaffChange<never>, { ok: false }> {
  const words = ACCOUNT_REFUSALS[why];
  const fill = (text: string) => text.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? `{${name}}`);
  return { ok: false, code: words.code, message: fill(words.en), text: { 'zh-CN': fill(words['zh-CN']), en: fill(words.en) } };
}

/**
 * Wrong setup codes a hub takes before its code opens nothing more: the code is eight digits, open to
 * anyone on the network while the hall has no administrator. A restart prints a new one.
 */
export const SETUP_CODE_TRIES = 10;

/**
 * An account name or clerk number as typed: full-width letters and digits (a Chinese input method's
 * full-width mode, ｚｈａｎｇ, １００１) read as the plain ones, as the workbook reads codes.
 */
export const typedId = (typed: string): string => typed.normalize('NFKC').trim();

/** A clerk's failed console sign-ins, counted apart from a staff account of the same id (a staff id has no colon). */
const clerkLockKey = (clerk: string): LockKey => ({ kind: 'account', value: `clerk:${clerk}` });
/** An account's failures by its own id (two an older hall made differing by case count apart), a name no account has by its lower case. */
const accountLockKey = (id: string): LockKey => ({ kind: 'account', value: id });

/**
 * An account's failures count from each address (network) apart: wrong passwords sent from one PC on the hall's
 * LAN lock the account there, not at the office PC of the person it belongs to, who would else be kept out for
 * as long as anyone kept sending one wrong guess a lock. Guessing from many addresses is slowed by each address's own count.
 */
const fromAddress = (k: LockKey, network: string | undefined): LockKey => (network ? { kind: k.kind, value: `${k.value}@${network}` } : k);

/**
 * The console's people: staff accounts (argon2id), clerks signing in with their PIN, sessions,
 * sign-in lockout and the audit log. Every change here is recorded with who made it.
 */
export class Staff {
  readonly accounts: StaffAccounts;
  readonly sessions: StaffSessions;
  readonly lockout: SignInLockout;
  readonly audit: AuditLog;
  /** Printed at the first start while no administrator exists: it lets the first one be made in the console. */
  readonly setupCode: string | undefined;

  constructor(
    private readonly db: Db,
    private readonly pins: ClerkPins,
    private readonly catalogue: () => Catalogue,
    private readonly clock: () => number,
  ) {
    this.accounts = new StaffAccounts(db);
    this.lockout = new SignInLockout(db);
    this.audit = new AuditLog(db);
    this.sessions = new StaffSessions(db, (id, role) => this.who(id, role));
    this.setupCode = this.accounts.count('administrator') === 0 ? String(randomInt(0, 100_000_000)).padStart(8, '0') : undefined;
    this.setupCodeUsed = false;
  }

  private setupCodeUsed: boolean;
  private setupCodeMisses = 0;

  /** Who a session's owner is now (an account disabled or a clerk removed ends the session). */
  private who(id: string, role: StaffRole): Session['staff'] | undefined {
    if (role === 'clerk') {
      const clerk = this.catalogue().clerks.find((c) => c.number === id);
      return clerk ? { id, name: clerk.name, role, department: clerk.department, mustChange: this.pins.mustChange(id) } : undefined;
    }
    const m = this.accounts.get(id);
    if (!m || m.disabled || m.role !== role) return undefined;
    return { id: m.id, name: m.name, role: m.role, ...(m.department ? { department: m.department } : {}), mustChange: m.mustChange };
  }

  get needsFirstAdmin(): boolean {
    return this.accounts.count('administrator') === 0;
  }

  /** Signs a staff member (or a clerk, by clerk number and PIN) in, with lockout per account and per address. */
  async signIn(typed: string, password: string, address: string | undefined): Promise<SignIn> {
    const id = typedId(typed);
    // A clerk number may also be a staff account's id (two people): a PIN is digits only and a staff
    // password never is (passwordProblem), so what is typed says who signs in, and each has their own lock.
    const asClerk = /^\d{4,8}$/.test(password) && this.catalogue().clerks.some((c) => c.number === id);
    // An address counts as the public limits count it: an IPv6 one by its /64, in which a client may take a new address at every guess.
    const network = address ? addressNetwork(address) : undefined;
    // Account names are one whatever their case (Zhang and zhang cannot both be made): signed in to as typed.
    const account = asClerk ? undefined : this.accounts.find(id);
    // A name no account has counts by its first 41 letters (no account's id is longer): 1,000 ﷽ read as NFKC are 18,000, and a row each guess.
    const accountKey = asClerk ? clerkLockKey(id) : accountLockKey(account?.id ?? [...id.toLowerCase()].slice(0, 41).join(''));
    // Guesses spread over many addresses (a /24 of the hall's LAN, one or two each) count against the account's pace
    // too, but for a network it was signed in from before: its owner at their own PC is not kept out by them. (A
    // clerk's wrong PINs lock the clerk wherever they come from already: ClerkPins.)
    const paced = !asClerk && !(network && this.lockout.known(accountKey.value, network, this.clock()));
    const keys: LockKey[] = [
      fromAddress(accountKey, network),
      ...(network ? [{ kind: 'address' as const, value: network }] : []),
      ...(paced ? [{ kind: 'paced' as const, value: accountKey.value }] : []),
    ];
    const lockedUntil = this.lockout.lockedUntil(keys, this.clock());
    if (lockedUntil) {
      const retryAfterSeconds = Math.ceil((lockedUntil - this.clock()) / 1000);
      return { ok: false, code: 'locked', message: `too many failed sign-ins: try again in ${retryAfterSeconds} s`, retryAfterSeconds };
    }
    let good = false;
    let staff: Session['staff'] | undefined;
    if (account) {
      good = (await verifyPassword(account.passwordHash, password)) && !account.disabled;
      staff = this.who(account.id, account.role);
    } else if (asClerk) {
      const check = await this.pins.check(id, password, this.clock());
      good = check.ok;
      if (!check.ok && check.code === 'locked')
        return { ok: false, code: 'locked', message: check.message, ...(check.lockedUntil !== undefined ? { retryAfterSeconds: Math.max(1, Math.ceil((check.lockedUntil - this.clock()) / 1000)) } : {}) };
      staff = this.who(id, 'clerk');
    } else {
      await spendVerifyTime(password);
    }
    const now = this.clock();
    if (!good || !staff) {
      this.lockout.fail(keys, now);
      return { ok: false, code: 'unauthorised', message: 'the account or password is not right' };
    }
    this.lockout.clear(keys[0]!);
    if (network && !asClerk) this.lockout.know(accountKey.value, network, now);
    const { secret, csrf } = this.sessions.start(staff, now, address);
    return { ok: true, secret, csrf, staff };
  }

  /** Makes the first administrator with the one-time setup code printed at start. */
  async firstAdmin(code: string, typed: { id: string; name: string; password: string }): Promise<StaffChange<StaffMember>> {
    const m = { ...typed, id: typedId(typed.id) };
    if (!this.needsFirstAdmin || !this.setupCode || this.setupCodeUsed) return refusal('hasAdministrator');
    if (this.setupCodeMisses >= SETUP_CODE_TRIES) return refusal('setupCodeSpent', { tries: String(SETUP_CODE_TRIES) });
    const given = Buffer.from(code);
    const expected = Buffer.from(this.setupCode);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      this.setupCodeMisses += 1;
      if (this.setupCodeMisses === SETUP_CODE_TRIES)
        log.warn(opsText('setupCodeSpent', { tries: SETUP_CODE_TRIES }));
      return refusal('wrongSetupCode');
    }
    const refused = this.accountProblem({ id: m.id, name: m.name, role: 'administrator' });
    if (refused) return refused;
    const problem = passwordProblem(m.password);
    if (problem) return { ok: false, code: 'bad-request', message: problem.en, text: problem };
    const passwordHash = await hashPassword(m.password);
    if (!this.needsFirstAdmin) return refusal('hasAdministrator');
    this.setupCodeUsed = true;
    return this.add({ id: m.id, name: m.name, role: 'administrator', passwordHash, mustChange: false }, { id: m.id, name: m.name, role: 'administrator' });
  }

  /** An account made from the hub's command line, with a password to change at the first sign-in. */
  async createFromCommandLine(typed: { id: string; name: string; role: StaffRole; department?: string }): Promise<StaffChange<{ member: StaffMember; password: string }>> {
    const m = { ...typed, id: typedId(typed.id) };
    const refused = this.accountProblem(m);
    if (refused) return refused;
    const password = oneTimePassword();
    const passwordHash = await hashPassword(password);
    const made = this.add({ ...m, passwordHash, mustChange: true }, { id: 'hub-cli', name: '命令行', role: 'administrator' });
    return made.ok ? { ok: true, value: { member: made.value, password } } : made;
  }

  /** A new account with a one-time password, shown once, to be changed at the first sign-in. */
  async create(by: StaffRef, typed: { id: string; name: string; role: StaffRole; department?: string }): Promise<StaffChange<{ member: StaffMember; password: string }>> {
    const m = { ...typed, id: typedId(typed.id) };
    const refused = this.accountProblem(m);
    if (refused) return refused;
    const password = oneTimePassword();
    const passwordHash = await hashPassword(password);
    const made = this.add({ ...m, passwordHash, mustChange: true }, by);
    return made.ok ? { ok: true, value: { member: made.value, password } } : made;
  }

  /** What the console's account form refuses, asked of every way an account is made: the first administrator, the form, the command line. */
  private accountProblem(m: { id: string; name: string; role: StaffRole; department?: string }): Extract<StaffChange<never>, { ok: false }> | undefined {
    if (!StaffIdSchema.safeParse(m.id).success) return refusal('badId');
    const name = m.name.trim();
    if (name === '') return refusal('noName');
    if (name.length > STAFF_NAME_MAX) return refusal('longName', { max: String(STAFF_NAME_MAX), length: String(name.length) });
    const control = noticeControlCharacter(name);
    if (control) return refusal('nameControl', { character: control });
    if (m.role === 'clerk') return refusal('clerk');
    if (m.role === 'department-head' && !m.department) return refusal('noDepartment');
    if (m.department && !this.catalogue().departments.some((d) => d.name === m.department)) return refusal('unknownDepartment', { department: m.department });
    if (this.catalogue().clerks.some((c) => c.number === m.id)) return refusal('clerkNumber', { id: m.id });
    return undefined;
  }

  private add(m: Parameters<StaffAccounts['add']>[0], by: StaffRef): StaffChange<StaffMember> {
    return this.db.transaction((): StaffChange<StaffMember> => {
      // Zhang and zhang would be two accounts that one sign-in lockout counts as one, and staff tell apart by nothing.
      const taken = this.accounts.list().find((a) => a.id.toLowerCase() === m.id.toLowerCase());
      if (taken) return refusal('taken', { id: taken.id });
      const now = this.clock();
      const name = m.name.trim();
      this.accounts.add({ ...m, name, createdBy: by.id }, now);
      const member = this.accounts.get(m.id)!;
      const { passwordHash: _, ...shown } = member;
      this.audit.record({ at: now, staff: by, action: 'createStaff', target: `staff:${m.id}`, after: { name, role: m.role, department: m.department } });
      return { ok: true, value: shown };
    })();
  }

  /** A new one-time password for an account (and its sessions end). */
  async resetPassword(by: StaffRef, id: string): Promise<StaffChange<{ password: string }>> {
    const m = this.accounts.get(id);
    if (!m) return { ok: false, code: 'not-found', message: `there is no account ${id}` };
    const password = oneTimePassword();
    const passwordHash = await hashPassword(password);
    this.db.transaction(() => {
      this.accounts.setPassword(id, passwordHash, true);
      this.sessions.endAll(id);
      this.lockout.clearEverywhere(accountLockKey(id));
      this.audit.record({ at: this.clock(), staff: by, action: 'resetPassword', target: `staff:${id}` });
    })();
    return { ok: true, value: { password } };
  }

  setDisabled(by: StaffRef, id: string, disabled: boolean): StaffChange<StaffMember> {
    const m = this.accounts.get(id);
    if (!m) return { ok: false, code: 'not-found', message: `there is no account ${id}` };
    if (disabled && m.role === 'administrator' && this.accounts.count('administrator') <= 1)
      return refusal('lastAdministrator', { id });
    this.db.transaction(() => {
      this.accounts.setDisabled(id, disabled);
      if (disabled) this.sessions.endAll(id);
      this.audit.record({ at: this.clock(), staff: by, action: disabled ? 'disableStaff' : 'enableStaff', target: `staff:${id}`, before: { disabled: m.disabled }, after: { disabled } });
    })();
    const { passwordHash: _, ...shown } = this.accounts.get(id)!;
    return { ok: true, value: shown };
  }

  /**
   * A staff member changes their own password, or a clerk their PIN. Every other console session of
   * theirs ends (a password changed because it was seen or guessed no longer opens a session taken
   * with it); the one that changed it (`keep`, its secret) goes on.
   */
  async changeOwn(who: Session['staff'], current: string, next: string, keep?: string): Promise<StaffChange<null>> {
    const bad = (words: Bilingual): StaffChange<null> => ({ ok: false, code: 'bad-request', message: words.en, text: words });
    if (who.role === 'clerk') {
      if (!/^\d{6,8}$/.test(next)) return bad({ 'zh-CN': '新 PIN 应为 6 至 8 位数字。', en: 'a PIN is 6 to 8 digits' });
      if (/^(\d)\1+$/.test(next) || '0123456789'.includes(next) || '9876543210'.includes(next))
        return bad({ 'zh-CN': '新 PIN 太容易被猜到：不要用相同或连续的数字。', en: 'the PIN is too easy to guess' });
      if (next === current) return bad({ 'zh-CN': '新 PIN 不能与当前 PIN 相同。', en: 'the new PIN must differ from the old one' });
      const now = this.clock();
      const check = await this.pins.check(who.id, current, now);
      // Locked (by wrong PINs here or at a window) is not a wrong present PIN: the clerk is told so, and for how long.
      if (!check.ok && check.code === 'locked' && check.lockedUntil !== undefined)
        return { ok: false, code: 'locked', message: check.message, retryAfterSeconds: Math.max(1, Math.ceil((check.lockedUntil - now) / 1000)) };
      if (!check.ok) return { ok: false, code: 'unauthorised', message: check.message };
      // Hashed off the event loop first; written in the transaction with its audit record.
      const hashed = await this.pins.hash(next);
      this.db.transaction(() => {
        this.pins.store(who.id, hashed);
        this.sessions.endOthers(who.id, 'clerk', keep);
        this.audit.record({ at: this.clock(), staff: who, action: 'changeOwnPin', target: `clerk:${who.id}` });
      })();
      return { ok: true, value: null };
    }
    const m = this.accounts.get(who.id);
    if (!m || !(await verifyPassword(m.passwordHash, current))) return { ok: false, code: 'unauthorised', message: 'the present password is not right' };
    const problem = passwordProblem(next);
    if (problem) return bad(problem);
    if (next === current) return bad({ 'zh-CN': '新密码不能与当前密码相同。', en: 'the new password must differ from the old one' });
    const passwordHash = await hashPassword(next);
    this.db.transaction(() => {
      this.accounts.setPassword(who.id, passwordHash, false);
      this.sessions.endOthers(who.id, who.role, keep);
      this.audit.record({ at: this.clock(), staff: who, action: 'changeOwnPassword', target: `staff:${who.id}` });
    })();
    return { ok: true, value: null };
  }

  /** Initial PINs for clerks (each shown once, for a slip), to be changed at the first sign-in. */
  async initialPins(by: StaffRef, clerks: readonly string[]): Promise<StaffChange<{ clerk: string; name: string; pin: string }[]>> {
    const known = this.catalogue().clerks;
    const unknown = clerks.find((n) => !known.some((c) => c.number === n));
    if (unknown) return { ok: false, code: 'not-found', message: `there is no clerk ${unknown}` };
    // The PINs are hashed off the event loop first, then written together with their audit records.
    // A clerk named twice gets one PIN: a second would replace the first, and its slip would not sign in.
    const made = await Promise.all(
      [...new Set(clerks)].map(async (n) => {
        const pin = initialPin();
        return { n, pin, hashed: await this.pins.hash(pin) };
      }),
    );
    return this.db.transaction(() => {
      const out = made.map(({ n, pin, hashed }) => {
        this.pins.store(n, hashed, { mustChange: true });
        // As a password reset: a session opened with the PIN this one replaces (seen, guessed) ends with it.
        this.sessions.endOthers(n, 'clerk', undefined);
        this.audit.record({ at: this.clock(), staff: by, action: 'issueInitialPin', target: `clerk:${n}` });
        return { clerk: n, name: known.find((c) => c.number === n)!.name, pin };
      });
      return { ok: true as const, value: out };
    })();
  }

  unlockClerk(by: StaffRef, clerk: string): StaffChange<null> {
    if (!this.catalogue().clerks.some((c) => c.number === clerk)) return { ok: false, code: 'not-found', message: `there is no clerk ${clerk}` };
    this.db.transaction(() => {
      this.pins.unlock(clerk);
      this.lockout.clearEverywhere(clerkLockKey(clerk));
      this.audit.record({ at: this.clock(), staff: by, action: 'unlockClerk', target: `clerk:${clerk}` });
    })();
    return { ok: true, value: null };
  }

  /** Clerks with their PIN's state, for the console's clerk list. */
  clerkStates(): { clerk: string; name: string; department: string; hasPin: boolean; mustChange: boolean; lockedUntil?: number }[] {
    return this.catalogue().clerks.map((c) => ({ clerk: c.number, name: c.name, department: c.department, ...this.pins.state(c.number, this.clock()) }));
  }
}
