import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pino, { type DestinationStream, type Logger } from 'pino';
import { canMakeFilesIn, makeFolder, tightenMode } from './files';
import { opsText } from './ops-strings';
import { SettingProblem } from './setting';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Fields that never reach a log, at any depth a hub record uses: the hall and terminal tokens,
 * clerks' PINs and staff passwords, applicants (names, ID numbers), phone numbers (H-19). Records
 * name a command by its type and never carry its body; this is the second line of defence.
 */
export const REDACTED = ['token', 'pin', 'password', 'applicant', 'idNumber', 'phone', 'recipient', 'authorization', 'cookie'].flatMap((key) => [
  key,
  `*.${key}`,
  `*.*.${key}`,
]);

export interface LogSettings {
  level?: string;
  /** A file to write to, rotated daily and at 10 MB, 14 kept (the Windows service's log); else stdout. */
  file?: string;
  /** How the file rotates, when not as above. */
  rotation?: { size?: string; count?: number };
  /** Where the lines go instead (tests). */
  destination?: DestinationStream;
  /** How often the file by its name is compared with the one written: LOG_CHECK_MS unless a test looks more often. */
  checkMs?: number;
}

function checkedLevel(level: string | undefined): LogLevel {
  const value = level || 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(value))
    throw new SettingProblem(
      `SERVICEHALL_LOG_LEVEL 应为 ${LOG_LEVELS.join('、')} 之一（日志的详细程度，通常为 info），而不是“${value}”`,
      `SERVICEHALL_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${value}"`,
    );
  return value as LogLevel;
}

/** JSON lines: ISO time, the level by name, the hub's name; secrets and personal data removed. */
export function createLogger(settings: LogSettings = {}): Logger {
  return pino(
    {
      name: 'servicehall-hub',
      level: checkedLevel(settings.level),
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED, censor: '[redacted]' },
    },
    settings.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * The hub's logger. Every module logs through `log`; `configureLog` replaces it once at start (the
 * command line does, from SERVICEHALL_LOG_LEVEL and SERVICEHALL_LOG_FILE).
 */
export let log: Logger = createLogger({ level: knownLevel(process.env.SERVICEHALL_LOG_LEVEL) });

/** A wrong level is said by configureLog, at start, in a line of the log: not thrown while the modules load, as a crash. */
function knownLevel(level: string | undefined): LogLevel | undefined {
  return (LOG_LEVELS as readonly string[]).includes(level ?? '') ? (level as LogLevel) : undefined;
}

/** The file the log goes to, once configureLog opened one: else its lines go to standard output (or a test's destination). */
export let logFile: string | undefined;

export async function configureLog(settings: LogSettings): Promise<Logger> {
  let destination = settings.destination;
  logFile = undefined;
  let secured: ReturnType<typeof secureLogs>;
  if (!destination && settings.file) {
    logFolderUsable(settings.file);
    secured = secureLogs(settings.file);
    const { default: roll } = await import('pino-roll');
    destination = await roll({
      file: settings.file,
      // The files it makes: the hub's account alone reads them, as hall.db (sonic-boom made them 0644).
      mode: LOG_FILE_MODE,
      frequency: 'daily',
      size: settings.rotation?.size ?? '10m',
      mkdir: true,
      // Files of earlier runs count too: a service that restarts must not keep its logs for ever.
      limit: { count: settings.rotation?.count ?? 14, removeOtherLogFiles: true },
      // Lines waiting while the file cannot be written are kept up to this much, the newest dropped beyond it.
      maxLength: LOG_HELD_BYTES,
    });
    const problem = await opened(destination);
    if (problem) {
      // Unopened, its first line ended the hub in a RangeError (fs.write on fd -1): the lines go to standard output.
      process.stderr.write(`${opsText('logUnopenable', { file: problem.path ?? settings.file, problem: problem.code ?? problem.message })}\n`);
      // pino-roll's roll at midnight would open a file nobody writes, its errors unheard ending the hub: closed once it opens.
      const unused = destination as DestinationStream & NodeJS.EventEmitter & { destroy(): void };
      unused.on('error', () => undefined);
      unused.destroy();
      destination = undefined;
    } else {
      keepServingWhenUnwritable(destination, settings.file, settings.checkMs ?? LOG_CHECK_MS);
      logFile = settings.file;
    }
  }
  log = createLogger({ ...settings, destination });
  if (secured) log.warn(opsText('logSecured', secured));
  return log;
}

/** The mode of each log file the hub makes, as its database's: its lines carry citizens' ticket events. */
const LOG_FILE_MODE = 0o600;

/**
 * The log folder of an earlier install (0755) and the files of earlier runs (0644, as pino-roll made them) put
 * right at start: what changed, to be said once in the log, or undefined. One the hub's account may not
 * change (owned by another) is left as it is.
 */
function secureLogs(file: string): { dir: string; changes: { 'zh-CN': string; en: string } } | undefined {
  const dir = path.dirname(path.resolve(file));
  const tighten = (at: string, mode: number) => {
    try {
      return tightenMode(at, mode);
    } catch {
      return undefined;
    }
  };
  const folderWas = tighten(dir, LOG_FOLDER_MODE);
  // pino-roll's names for `hub.log`: hub.1.log, hub.2.log, ...
  const { name, ext } = path.parse(file);
  const ours = (entry: string) => entry.startsWith(`${name}.`) && entry.endsWith(ext) && /^\d+$/.test(entry.slice(name.length + 1, entry.length - ext.length));
  const files = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && ours(entry.name) && tighten(path.join(dir, entry.name), LOG_FILE_MODE) !== undefined)
    .map((entry) => entry.name);
  if (folderWas === undefined && files.length === 0) return undefined;
  const zh: string[] = [];
  const en: string[] = [];
  if (folderWas !== undefined) {
    zh.push(`文件夹 ${dir} 的权限由 ${folderWas.toString(8)} 改为 ${LOG_FOLDER_MODE.toString(8)}`);
    en.push(`its folder ${dir} from mode ${folderWas.toString(8)} to ${LOG_FOLDER_MODE.toString(8)}`);
  }
  if (files.length > 0) {
    zh.push(`${files.length} 个日志文件（${files.join('、')}）的权限改为 ${LOG_FILE_MODE.toString(8)}`);
    en.push(`${files.length} log file${files.length > 1 ? 's' : ''} (${files.join(', ')}) to mode ${LOG_FILE_MODE.toString(8)}`);
  }
  return { dir, changes: { 'zh-CN': zh.join('；'), en: en.join('; ') } };
}

/** The log folder's mode, at start and when a roll makes it again: its files carry citizens' ticket events, not for every local user. */
const LOG_FOLDER_MODE = 0o750;

/**
 * The log file's folder, made if need be and writable, before the hub starts: a path that can never
 * be written (under a file, on a read-only disk, a folder the hub's account may not write, /proc) stops the
 * hub naming SERVICEHALL_LOG_FILE. Unchecked, the hub served with its log going nowhere (the setup
 * code unseen), said as a full disk, and its stop ended in a stack trace.
 */
function logFolderUsable(file: string): void {
  const dir = path.dirname(path.resolve(file));
  try {
    // One level at a time: Node's recursive mkdir spins for ever where a folder can never be (under /proc).
    makeFolder(dir, LOG_FOLDER_MODE);
    // A folder root may "write" by access() but never make a file in (/proc, /sys): pino-roll's first file failed, and the hub ended in a stack trace.
    canMakeFilesIn(dir);
  } catch (error) {
    const problem = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new SettingProblem(
      `SERVICEHALL_LOG_FILE 的日志文件 ${file} 无法使用：它所在的文件夹 ${dir} 无法创建或写入（${problem}）。请写明主机的运行账号能写入的文件夹中的一个文件（如 /var/log/servicehall/hub.log），或不设 SERVICEHALL_LOG_FILE，让日志写到标准输出`,
      `SERVICEHALL_LOG_FILE: the log file ${file} cannot be used, as its folder ${dir} cannot be made or written to (${problem}). Name a file in a folder the hub's account may write (e.g. /var/log/servicehall/hub.log), or leave SERVICEHALL_LOG_FILE unset to log to standard output`,
    );
  }
}

/**
 * Whether pino-roll's file of the moment opened: it may not (hub.3.log made a folder, or left by a run as
 * another account), and logFolderUsable only looks at the folder.
 */
function opened(destination: DestinationStream): Promise<NodeJS.ErrnoException | undefined> {
  const stream = destination as DestinationStream & NodeJS.EventEmitter & { fd?: number };
  if (typeof stream.fd === 'number' && stream.fd >= 0) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const ready = () => (stream.off('error', failed), resolve(undefined));
    const failed = (error: NodeJS.ErrnoException) => (stream.off('ready', ready), resolve(error));
    stream.once('ready', ready);
    stream.once('error', failed);
  });
}

/** How much of the log is held in memory while its file cannot be written (a full disk), at most. */
export const LOG_HELD_BYTES = 16 * 1024 * 1024;

/** pino-roll's stream (sonic-boom): the file it writes now and the fd it writes to; `reopen` is how it rolls. */
type RollingStream = NodeJS.EventEmitter & { fd?: number; file?: string | null; reopen?: (file?: string) => void };

/**
 * A log file that cannot be written (its disk full or read-only, a file size limit) is said once on
 * standard error, in Chinese then English, and the hub serves on: its lines wait in memory (up to
 * LOG_HELD_BYTES) and are written once the file takes them again. Unheard, the file's error ended the
 * hub, at the moment its disk filled. A roll whose next file cannot be made (a read-only folder) leaves
 * the lines going into the file written, nothing held: that is said in its own words, once for each
 * problem until a roll opens its file again (pino-roll tries again at each roll), and then that it does.
 */
function keepServingWhenUnwritable(destination: DestinationStream, file: string, checkMs: number): void {
  const stream = destination as DestinationStream & RollingStream;
  // The file the lines go to (hub.3.log), where the operator looks. sonic-boom's `file` names a roll's next file
  // as the roll begins, before it is opened, and keeps naming it when it could not be (a read-only folder).
  let written = { fd: stream.fd ?? -1, file: stream.file ?? file };
  /** Why the last roll could not open its next file, until one does. */
  let rollProblem: string | undefined;
  stream.on('ready', () => {
    // The same file opened again by the look below (it was deleted): no new file was started, and the roll's problem
    // stands until a roll opens its next file (logBack says the file is written again). Before, this said logRollsAgain.
    const reopened = (stream.file ?? written.file) === written.file;
    written = { fd: stream.fd ?? -1, file: stream.file ?? written.file };
    if (rollProblem === undefined || reopened) return;
    rollProblem = undefined;
    process.stderr.write(`${opsText('logRollsAgain', { file: written.file })}\n`);
  });
  const gone = watchWhereItWrites(stream, () => written, checkMs);
  let failing = false;
  let dropped = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    // pino-roll's clean-up of old files could not list their folder (deleted under it, or made again): they go at its next roll.
    if (error.syscall === 'scandir') return;
    // A roll's next file not made or opened: the lines go on into the file written (a folder gone was said, with its lost lines, as such).
    if (error.syscall === 'open' || error.syscall === 'mkdir') {
      const problem = error.code ?? error.message;
      if (problem === rollProblem || gone()) return;
      rollProblem = problem;
      const next = error.syscall === 'open' && typeof error.path === 'string' ? error.path : (stream.file ?? written.file);
      process.stderr.write(`${opsText('logRollFailed', { file: next, dir: path.dirname(next), problem, written: written.file })}\n`);
      return;
    }
    if (failing) return;
    failing = true;
    process.stderr.write(`${opsText('logUnwritable', { file: written.file, problem: error.code ?? error.message })}\n`);
  });
  stream.on('drop', () => (dropped = true));
  stream.on('write', () => {
    if (!failing) return;
    failing = false;
    const held = dropped ? { 'zh-CN': '超出 16 MB 的日志已丢弃', en: 'those beyond 16 MB were dropped' } : { 'zh-CN': '暂存的日志已全部写入', en: 'every line held meanwhile is in it' };
    dropped = false;
    process.stderr.write(`${opsText('logWritableAgain', { file: written.file, held })}\n`);
  });
}

/** How often the hub looks whether its log file is still the file it writes to. */
export const LOG_CHECK_MS = 5_000;

/** Why the file by its name is not the one written (deleted, alone or with its folder; a folder or another file in its place), or undefined when it is. */
function notWritten(written: fs.Stats, named: fs.Stats | NodeJS.ErrnoException): string | undefined {
  if (named instanceof Error) return named.code ?? named.message;
  if (named.ino === written.ino && named.dev === written.dev) return undefined;
  return named.isDirectory() ? 'EISDIR' : 'ESTALE';
}

/** The file by its name, or why it is not there. */
function statOf(file: string): fs.Stats | NodeJS.ErrnoException {
  try {
    return fs.statSync(file);
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
}

/**
 * The log file's folder deleted (an installer cleaning up, a disk tool), the file deleted or replaced by a
 * folder while the hub runs: the hub went on writing into the removed file, its lines lost, unsaid, until
 * the next roll (10 MB or midnight). Now, every `checkMs` (LOG_CHECK_MS), the file by its name is compared with the one
 * written: one that is not there any more is said once on standard error, in Chinese then English, and the
 * file is opened again as soon as its folder is back (pino-roll's next roll opens a new file in any case).
 * A roll before the next look compares the file it leaves first: it makes the folder again, and the loss
 * of the lines written into the removed file went unsaid. The roll makes the folder itself, as the hub
 * does at start (LOG_FOLDER_MODE): sonic-boom's mkdir made it 0755, the logs readable by every local user.
 */
function watchWhereItWrites(stream: RollingStream, writing: () => { fd: number; file: string }, checkMs: number): () => boolean {
  let gone = false;
  let looking = false;
  const sayGone = (file: string, problem: string) => {
    if (gone) return;
    gone = true;
    process.stderr.write(`${opsText('logGone', { file, dir: path.dirname(file), problem })}\n`);
  };
  const look = async () => {
    const { fd, file } = writing();
    if (looking || fd < 0 || stream.fd !== fd) return;
    looking = true;
    try {
      const written = await promisify(fs.fstat)(fd);
      const named = await fs.promises.stat(file).catch((error: NodeJS.ErrnoException) => error);
      // A roll (or a reopen) in between: the next look compares the new file.
      if (writing().fd !== fd || stream.fd !== fd) return;
      const problem = notWritten(written, named);
      if (!problem) return;
      sayGone(file, problem);
      // Its folder back (or never gone, the file alone deleted): opened again, its lines written there from now on.
      const folder = await fs.promises.stat(path.dirname(file)).catch(() => undefined);
      // By its name: sonic-boom's own `file` names, after a roll that could not open its next file, that file (hub.2.log), not the one written.
      if (folder?.isDirectory() && named instanceof Error && named.code === 'ENOENT' && stream.fd === fd) reopenWritten(stream, file);
    } catch {
      // The file closed under the look (the hub stopping): nothing to say.
    } finally {
      looking = false;
    }
  };
  // sonic-boom leaves at each reopen a 'ready' listener that closes the fd written until then. One whose open failed (a read-only
  // folder, tried again at each roll) stayed, and at the first open that worked each closed that fd again: EBADF, said as a disk
  // that cannot be written, or another file that took its number meanwhile. Dropped as their open fails.
  let closers: ((...args: unknown[]) => void)[] = [];
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.syscall !== 'open' && error.syscall !== 'mkdir') return;
    for (const closer of closers) stream.off('ready', closer);
    closers = [];
  });
  stream.on('ready', () => (closers = []));
  // pino-roll rolls by reopen: the file it leaves is compared first.
  const reopen = stream.reopen;
  if (reopen)
    stream.reopen = (next?: string) => {
      const { fd, file } = writing();
      if (fd >= 0 && stream.fd === fd) {
        try {
          const problem = notWritten(fs.fstatSync(fd), statOf(file));
          if (problem) sayGone(file, problem);
        } catch {
          // The file closed under it: nothing to say.
        }
      }
      try {
        makeFolder(path.dirname(next ?? stream.file ?? file), LOG_FOLDER_MODE);
      } catch {
        // Not to be made (its parent read-only): sonic-boom's own mkdir fails the same way, and its error is said.
      }
      const before = new Set(stream.listeners('ready'));
      reopen.call(stream, next);
      closers.push(...(stream.listeners('ready') as ((...args: unknown[]) => void)[]).filter((l) => !before.has(l)));
    };
  const timer = setInterval(() => void look(), checkMs).unref();
  stream.once('close', () => clearInterval(timer));
  stream.on('ready', () => {
    if (!gone) return;
    gone = false;
    process.stderr.write(`${opsText('logBack', { file: stream.file ?? '' })}\n`);
  });
  return () => gone;
}

/**
 * The file written (hub.1.log) opened again by its name. pino-roll rolls by size only while sonic-boom's `file` is the name
 * it last rolled to: after a roll that could not open its next file, that name (hub.2.log). Left at hub.1.log, no roll by
 * size came any more until the daily one, and hub.1.log grew without bound for the rest of the day. Once it is open (and
 * everyone told of hub.1.log, the file it is), `file` names again what pino-roll expects: its next roll by size goes on to
 * the next number (hub.3.log). An open that fails leaves `file` as it was.
 */
function reopenWritten(stream: RollingStream, file: string): void {
  const expected = stream.file;
  if (!expected || expected === file) return stream.reopen?.(file);
  const mend = () => {
    stream.off('ready', mend);
    stream.off('error', failed);
    if (stream.file === file) stream.file = expected;
  };
  const failed = (error: NodeJS.ErrnoException) => {
    if (error.syscall !== 'open' && error.syscall !== 'mkdir') return;
    stream.off('ready', mend);
    stream.off('error', failed);
  };
  stream.reopen?.(file);
  // After every other listener of this open (the hub's own, which take `file` for the file written).
  stream.on('ready', mend);
  stream.on('error', failed);
}

/** Uses `logger` until the returned function is called (tests that read what the hub logs). */
export function useLogger(logger: Logger): () => void {
  const before = log;
  log = logger;
  return () => {
    log = before;
  };
}
