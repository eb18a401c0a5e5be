import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { opsText, THEN_RUN_AGAIN, type Bilingual } from './ops-strings';

/**
 * The hub's files on disk: the data folder (owner only), hall.db with its WAL (applicant data),
 * the admin token and the hall key (secrets). Each is made readable by its owner only, and an
 * existing one with a looser mode is put right at start, with a warning.
 */

export const DATABASE_FILE = 'hall.db';
export const TOKEN_FILE = 'admin-token';
export const KEY_FILE = 'hall.key';

/** Mode 0600 where the system has modes (on Windows the folder's ACL governs). */
const POSIX = process.platform !== 'win32';

/** The exit code of a hub that refuses to start (EX_CONFIG): its service does not restart it in a loop. */
export const REFUSED_EXIT_CODE = 78;

/** The hub must not start (or an operator's command must not go on): the message says why and what to do. */
export class HubRefusal extends Error {
  override readonly name: string = 'HubRefusal';
  readonly exitCode: number = REFUSED_EXIT_CODE;
}

/** The exit code of an operator's command typed wrong (EX_USAGE): an unknown command, an option without its value. */
export const USAGE_EXIT_CODE = 64;

/** An operator's command typed wrong: said with its usage line, exit code 64 (a script tells it from a refusal, 78, or a failure, 1). */
export class UsageMistake extends HubRefusal {
  override readonly name = 'UsageMistake';
  override readonly exitCode = USAGE_EXIT_CODE;
}

/** A hall database this account may not read or write: said with whose file it is and how to put it right (a HubRefusal, exit 78). */
export class DatabaseDenied extends HubRefusal {}

/** The account of `uid` by name (through NSS, as `ls -l` names it), or `uid N` where it has none. */
export function accountName(uid: number): string {
  try {
    const name = execFileSync('getent', ['passwd', String(uid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(':')[0];
    if (name) return name;
  } catch {
    // No such account, or no getent: the number says it.
  }
  return `uid ${uid}`;
}

/**
 * Refuses, before SQLite does, a hall database (and its WAL) this account may not `use`: SQLite opens a file
 * it may only read without a word and fails at the first write with a bare "attempt to write a readonly
 * database". A disk mounted read-only is left to SQLite's own refusal (unreadable), which says so.
 */
export function databaseAccess(file: string, use: 'read' | 'write', then: Bilingual = THEN_RUN_AGAIN): void {
  if (!POSIX) return;
  for (const f of use === 'write' ? [file, `${file}-wal`] : [file]) {
    // Not there (a new hall, no WAL), or a folder it may not enter (said by the data folder's own check): nothing to say here.
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(f, { throwIfNoEntry: false });
    } catch {
      continue;
    }
    if (!st) continue;
    try {
      fs.accessSync(f, use === 'write' ? fs.constants.R_OK | fs.constants.W_OK : fs.constants.R_OK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EACCES' && (error as NodeJS.ErrnoException).code !== 'EPERM') continue;
      const dir = path.dirname(path.resolve(f));
      throw new DatabaseDenied(
        opsText('databaseDenied', {
          file: path.resolve(f),
          use: use === 'write' ? { 'zh-CN': '写入', en: 'written' } : { 'zh-CN': '读取', en: 'read' },
          owner: accountName(st.uid),
          mode: (st.mode & 0o777).toString(8),
          account: accountName(process.getuid!()),
          dir,
          folderOwner: accountName(fs.statSync(dir).uid),
          then,
        }),
      );
    }
  }
}

/**
 * What an operator's command run as root (sudo: restore, backup, init-tls again) writes into a folder of the
 * service's own account goes to that account, as the folder does: one left root's (600) the hub could not
 * open, and it would refuse to start. A folder of root's own, or a command not run as root, changes nothing.
 */
export function giveToFolderOwner(folder: string, ...written: string[]): void {
  if (!POSIX || process.getuid?.() !== 0) return;
  const { uid, gid } = fs.statSync(folder);
  if (uid === 0) return;
  const give = (file: string): void => {
    fs.lchownSync(file, uid, gid);
    if (fs.lstatSync(file).isDirectory()) for (const inner of fs.readdirSync(file)) give(path.join(file, inner));
  };
  for (const file of written) give(file);
}

/** Makes `file` owner-only if it exists with a looser mode; says what it changed. */
export function secureFile(file: string, warn: (message: string) => void, mode = 0o600): void {
  const was = tightenMode(file, mode);
  if (was !== undefined) warn(opsText('fileSecured', { file, was: was.toString(8), mode: mode.toString(8) }));
}

/** Sets `file` to `mode` if it exists with a mode that allows more; its mode before when it did, else undefined. */
export function tightenMode(file: string, mode: number): number | undefined {
  if (!POSIX) return undefined;
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return undefined;
  }
  const was = st.mode & 0o777;
  if ((was & ~mode) === 0) return undefined;
  fs.chmodSync(file, mode);
  return was;
}

/**
 * `mkdir -p`, one folder at a time. Node 20's recursive mkdir never returns where a folder can never
 * be made (under /proc: it retries its ENOENT forever); made one by one, that is an error at once.
 */
export function makeFolder(dir: string, mode = 0o700): void {
  const missing: string[] = [];
  for (let at = path.resolve(dir); !fs.existsSync(at); at = path.dirname(at)) {
    missing.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (const folder of missing) {
    try {
      fs.mkdirSync(folder, { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  if (!fs.statSync(dir).isDirectory()) throw Object.assign(new Error(`${path.resolve(dir)} is a file, not a folder`), { code: 'ENOTDIR' });
}

/**
 * Makes the names in `dir` last through a power cut (a file made there, a rename): an fsync of the folder
 * itself, which SQLite does only for its own journals. Windows cannot open a folder for it (NTFS journals
 * its names), and a file system that cannot sync a folder says EINVAL: nothing more to do there.
 */
export function syncFolder(dir: string): void {
  if (!POSIX) return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Throws unless a file can be made in `dir`, by making one and removing it. access() is not enough:
 * for root it says yes to /proc and /sys, where no file can ever be made (ENOENT, EACCES).
 */
export function canMakeFilesIn(dir: string): void {
  fs.accessSync(dir, fs.constants.R_OK | fs.constants.W_OK | fs.constants.X_OK);
  const probe = path.join(dir, `.servicehall-probe-${process.pid}`);
  fs.closeSync(fs.openSync(probe, 'wx', 0o600));
  fs.unlinkSync(probe);
}

/**
 * The data folder made owner-only, one level at a time (and with `usable`, one the hub can make
 * files in); one that cannot be is the hub's refusal naming it (dataFolder).
 */
export function makeDataFolder(dataDir: string, usable = false): void {
  try {
    makeFolder(dataDir, 0o700);
    if (usable) canMakeFilesIn(dataDir);
  } catch (error) {
    throw new HubRefusal(opsText('dataFolder', { dir: path.resolve(dataDir), problem: (error as Error).message }));
  }
}

/**
 * The data folder, made owner-only, with its database files and secrets checked. A folder the hub
 * cannot make files in is refused before its mode is touched: SERVICEHALL_DATA=/proc had /proc made 700.
 */
export function prepareDataFolder(dataDir: string, warn: (message: string) => void): void {
  makeDataFolder(dataDir, true);
  secureFile(dataDir, warn, 0o700);
  for (const name of [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`, TOKEN_FILE, KEY_FILE]) secureFile(path.join(dataDir, name), warn);
}

/**
 * Refuses a hall.db that exists but is empty when the folder shows an earlier hall (its key, its
 * token or a WAL): seeding it again would issue A001 a second time the same day. A new hall's
 * database is created here, owner-only, before SQLite opens it (SQLite gives its WAL the same mode).
 */
export function checkDatabaseFile(dataDir: string, file = DATABASE_FILE, keyFile = path.join(dataDir, KEY_FILE)): void {
  const db = path.join(dataDir, file);
  if (!fs.existsSync(db)) {
    fs.closeSync(fs.openSync(db, 'wx', 0o600));
    return;
  }
  if (fs.statSync(db).size > 0) return;
  const signs = [keyFile, path.join(dataDir, TOKEN_FILE), `${db}-wal`].filter((f) => fs.existsSync(f));
  if (signs.length > 0)
    throw new HubRefusal(opsText('emptyDatabase', { file: db, signs: signs.map((f) => path.basename(f)).join(', ') }));
}

/** What is wrong with a hall token, in Chinese and English, or undefined when it will do. */
export function tokenProblem(token: string): Bilingual | undefined {
  const say = (zh: string, en: string): Bilingual => ({ 'zh-CN': zh, en });
  if (token.length === 0) return say('是空的', 'is empty');
  if (/[\r\n]/.test(token)) return say('有不止一行', 'holds more than one line');
  if (!/^[\x21-\x7e]+$/.test(token)) return say('含有空格、控制字符或 ASCII 字母、数字和标点以外的字符', 'holds spaces, control characters or characters other than ASCII letters, digits and punctuation');
  if (token.length < 16) return say(`太短（${token.length} 个字符，至少 16 个）`, `is too short (${token.length} characters; at least 16)`);
  if (token.length > 200) return say('太长（至多 200 个字符）', 'is too long (at most 200 characters)');
  if (new Set(token).size < 8) return say('太弱（不同的字符少于 8 个）', 'is too weak (fewer than 8 different characters)');
  return undefined;
}

function tokenRefusal(where: string, problem: Bilingual): HubRefusal {
  return new HubRefusal(opsText('badToken', { where, problem }));
}

/**
 * The hall token: the one given (checked), else the one stored in the data folder (checked, its
 * mode put right), else a new one made and stored owner-only. `created` says whether to show it.
 */
export function resolveToken(dataDir: string, given: string | undefined, warn: (message: string) => void = console.warn): { token: string; created: boolean } {
  if (given !== undefined) {
    const problem = tokenProblem(given);
    if (problem) throw tokenRefusal('SERVICEHALL_TOKEN', problem);
    return { token: given, created: false };
  }
  const file = path.join(dataDir, TOKEN_FILE);
  makeFolder(dataDir, 0o700);
  if (fs.existsSync(file)) {
    secureFile(file, warn);
    const raw = fs.readFileSync(file);
    // One line, ending in a newline or not.
    const token = raw.toString('latin1').replace(/\r?\n$/, '');
    const problem = raw.includes(0) ? { 'zh-CN': '含有二进制数据', en: 'holds binary data' } : tokenProblem(token);
    if (problem) throw tokenRefusal(file, problem);
    return { token, created: false };
  }
  const token = randomBytes(24).toString('base64url');
  fs.writeFileSync(file, token + '\n', { mode: 0o600, flag: 'wx' });
  return { token, created: true };
}

/**
 * The hall key: 32 random bytes in a file of its own (owner-only), kept apart from the database,
 * from which the key that seals applicant data and the key that signs citizens' links are derived.
 * A copied hall.db without it reveals no applicant and lets nobody sign a link.
 */
export class HallKey {
  private constructor(
    private readonly secret: Buffer,
    readonly file: string,
    readonly created: boolean,
  ) {}

  static load(file: string, warn: (message: string) => void = console.warn): HallKey {
    if (fs.existsSync(file)) {
      // Read before its mode is put right: a wrong SERVICEHALL_KEY_FILE (a folder, another file) is refused, not made owner-only.
      const text = fs.statSync(file).isFile() ? fs.readFileSync(file, 'utf8').trim() : '';
      if (!/^[0-9a-f]{64}$/.test(text)) throw new HubRefusal(opsText('notHallKey', { file }));
      secureFile(file, warn);
      return new HallKey(Buffer.from(text, 'hex'), file, false);
    }
    makeFolder(path.dirname(file), 0o700);
    const secret = randomBytes(32);
    fs.writeFileSync(file, secret.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    return new HallKey(secret, file, true);
  }

  /** A key for one purpose, derived so that no purpose's key reveals another's. */
  derive(purpose: string): Buffer {
    return createHmac('sha256', this.secret).update(`servicehall:${purpose}`).digest();
  }
}
