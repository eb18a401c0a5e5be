#!/usr/bin/env -S npx tsx
import { fill } from '@servicehall/notify/strings';
import type { FeedTarget } from '@servicehall/upstream';
import pg from 'pg';
import { AccountRefused, checkPassword, createAccount, MIN_PASSWORD } from './accounts';

/**
 * The city's server (`npm run city`): CITY_DATABASE_URL (the city's PostgreSQL, where the halls
 * ship), CITY_PORT (default 8700), CITY_HOST (default 127.0.0.1; behind the city's TLS proxy, with
 * CITY_SECURE_COOKIE=1). The 好差评 feed when CITY_FEED_URL (the provincial platform's interface,
 * with CITY_FEED_TOKEN) or CITY_FEED_DIR (its upload files) is set; CITY_FEED_LEVELS is national
 * (1 = 非常满意) or provincial-reversed (1 = 非常不满意).
 * `npm run city -- create-account ID NAME city|hall [HALL]` makes an account, its password from CITY_ACCOUNT_PASSWORD;
 * `npm run city -- resend-ratings [HALL]` sends again the ratings the platform refused FEED_ATTEMPTS times.
 */
const env = process.env;

/** What the city's operator reads on the command line: Chinese first, English second, each saying what to do next. */
const TEXT = {
  noDatabase: [
    '没有设置 CITY_DATABASE_URL：请设为全市 PostgreSQL 的地址，如 postgres://city@127.0.0.1:5432/city。',
    'CITY_DATABASE_URL is needed: the city PostgreSQL, e.g. postgres://city@127.0.0.1:5432/city',
  ],
  badDatabase: ['CITY_DATABASE_URL 不是有效的 PostgreSQL 地址（应如 postgres://city@127.0.0.1:5432/city）。', 'CITY_DATABASE_URL is not a PostgreSQL address (e.g. postgres://city@127.0.0.1:5432/city).'],
  badPort: ['CITY_PORT 应为 1 到 65535 之间的端口号，现为 “{port}”。', 'CITY_PORT is a port number from 1 to 65535, not "{port}".'],
  badFeedLevels: [
    'CITY_FEED_LEVELS 应为 national（1 = 非常满意）或 provincial-reversed（1 = 非常不满意），现为 “{levels}”：按错的一种上报，省平台收到的评价会好坏颠倒。请照省平台接口说明改正后再启动。',
    'CITY_FEED_LEVELS is national (1 = very satisfied) or provincial-reversed (1 = very dissatisfied), not "{levels}": sent the wrong way, the province would read every rating upside down. Set it as the provincial interface says and start again.',
  ],
  feedRefused: [
    '省级好差评平台（{where}）没有接收本市报送的评价：{problem}。评价仍留在全市数据库中，稍后自动重报（每条最多 {attempts} 次，约 5 小时，每次的答复见 rating_feed_attempts；仍未报出的暂停上报，问题解决后运行 npm run city -- resend-ratings 重新上报）。请检查 CITY_FEED_URL、CITY_FEED_TOKEN，或请省平台查看。',
    "The provincial 好差评 platform ({where}) did not take the city's ratings: {problem}. They stay in the city's database and are tried again later ({attempts} times each at most, about 5 hours; every answer in rating_feed_attempts; those still not taken then wait until, the problem put right, npm run city -- resend-ratings sends them again). Check CITY_FEED_URL and CITY_FEED_TOKEN, or ask the province to look.",
  ],
  feedTaking: ['省级好差评平台（{where}）又在接收本市报送的评价了。', "The provincial 好差评 platform ({where}) takes the city's ratings again."],
  usage: [
    '用法：npm run city -- create-account 账号 姓名 city|hall [大厅编码]（大厅账号须写它的大厅编码，全市账号不写），密码取自 CITY_ACCOUNT_PASSWORD。',
    'Usage: npm run city -- create-account ID NAME city|hall [HALL] (a hall account names its hall, a city account none); the password comes from CITY_ACCOUNT_PASSWORD.',
  ],
  unknownCommand: [
    '没有 “{command}” 这个命令。可用的：npm run city（启动市级服务器）、npm run city -- create-account 账号 姓名 city|hall [大厅编码]、npm run city -- resend-ratings [大厅编码]。',
    'There is no command "{command}". There are: npm run city (starts the city server), npm run city -- create-account ID NAME city|hall [HALL], npm run city -- resend-ratings [HALL].',
  ],
  resent: [
    '已把{hallZh} {count} 条评价重新排入好差评上报（它们曾被省平台拒收 {attempts} 次）：运行中的市级服务器会在下一轮（10 秒内）报出，每条再试最多 {attempts} 次。',
    'Put {count} ratings{hallEn} back to be sent to the 好差评 platform (it had refused them {attempts} times): the running city server sends them at its next turn (within 10 s), {attempts} tries each at most.',
  ],
  noneToResend: ['{hallNone}没有未能报出的评价，无需重新上报。', 'There is no rating{hallEn} the platform refused: nothing to send again.'],
  shortPassword: [
    '账号 {id} 没有建立：密码至少要 {min} 个字符（取自 CITY_ACCOUNT_PASSWORD）。请换一个更长的密码再试。',
    'Account {id} was not made: its password needs at least {min} characters (from CITY_ACCOUNT_PASSWORD). Try again with a longer one.',
  ],
  idTaken: ['账号 {id} 没有建立：已有同一账号名的账号。请换一个账号名。', 'Account {id} was not made: there is an account with that id already. Choose another id.'],
  madeCity: ['全市账号 {id} 已建立：可查看所有大厅。', 'City account {id} made: it sees every hall.'],
  madeHall: ['大厅账号 {id} 已建立：只可查看大厅 {hall}。', 'Hall account {id} made: it sees hall {hall} only.'],
  unreachable: [
    '连接不上全市数据库 {where}（{reason}）。请检查 CITY_DATABASE_URL、数据库是否在运行、账号和密码。没有做任何改动。',
    "The city's database {where} cannot be reached ({reason}). Check CITY_DATABASE_URL, that the database runs, and its account and password. Nothing was changed.",
  ],
  databaseAway: [
    '暂时连接不上全市数据库 {where}（{reason}）：市级服务器照常启动，页面显示“市级数据库暂时无法连接”，数据库可用后自动恢复，不必重启。若数据库已在运行，请检查 CITY_DATABASE_URL 中的地址和端口。',
    "The city's database {where} cannot be reached yet ({reason}): the city server starts all the same, its view says the database cannot be reached for now, and it goes on by itself once the database is there, without a restart. Should the database be running, check the address and port in CITY_DATABASE_URL.",
  ],
  portInUse: ['端口 {port} 已被占用：请停止占用它的程序，或用 CITY_PORT 换一个端口。', 'Port {port} is in use: stop what holds it, or choose another with CITY_PORT.'],
  failed: ['没有完成：{reason}', 'Not done: {reason}'],
  feedWaiting: [
    '好差评上报在等待全市数据库 {where}（{reason}）：评价都留在数据库中，数据库可用后自动上报，不必重启；恢复时会再说一次。若数据库已在运行，请检查 CITY_DATABASE_URL 中的地址和端口。',
    "The 好差评 (rating) feed waits for the city's database {where} ({reason}): the ratings stay in it and go once it is there, without a restart; it is said again when it is back. Should the database be running, check the address and port in CITY_DATABASE_URL.",
  ],
  databaseBack: ['全市数据库 {where} 已可以连接，好差评上报照常进行。', "The city's database {where} is there again: the 好差评 feed goes on."],
  feedFailed: [
    '好差评上报本轮没有完成（{reason}）：没有报出的评价仍留在全市数据库中，{seconds} 秒后的下一轮自动再报，不会丢失。若一再出现，请检查全市数据库是否在运行（CITY_DATABASE_URL）{checkZh}。',
    "The 好差评 (rating) feed did not finish this turn ({reason}): the ratings not yet sent stay in the city's database, to be sent at the next turn in {seconds} s; none is lost. Should this keep happening, check that the city's database runs (CITY_DATABASE_URL){checkEn}.",
  ],
} as const;

/** How often the 好差评 feed sends what is due; a turn that fails is tried again at the next. */
const FEED_EVERY_MS = 10_000;

/** Says `key` (both languages) on stderr and ends the process with `code` (2: the setup is wrong). */
function fail(key: keyof typeof TEXT, values: Record<string, string | number> = {}, code = 2): never {
  for (const line of TEXT[key]) console.error(fill(line, values));
  process.exit(code);
}

/** Errors of reaching the database (the network, the server, its account) rather than of what was asked of it. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET', '28P01', '28000', '3D000', '57P03']);

/** The database's address as it may be shown: without its password. */
function where(url: string): string {
  const u = new URL(url);
  u.password = '';
  return u.toString();
}

const url = env.CITY_DATABASE_URL;
if (!url) fail('noDatabase');
try {
  if (!/^postgres(ql)?:$/.test(new URL(url).protocol)) fail('badDatabase');
} catch {
  fail('badDatabase');
}
const refusedByDatabase = (error: unknown): never => {
  const e = error as { code?: string; message?: string };
  if (e.code && UNREACHABLE.has(e.code)) fail('unreachable', { where: where(url), reason: e.message ?? e.code });
  fail('failed', { reason: e.message ?? String(error) }, 1);
};

const [command, ...args] = process.argv.slice(2);
if (command !== undefined && command !== 'create-account' && command !== 'resend-ratings') fail('unknownCommand', { command });
if (command === 'resend-ratings') {
  const { FEED_ATTEMPTS, migrateCity, sendFailedAgain } = await import('@servicehall/upstream');
  const hall = args[0];
  const where = hall ? { hallZh: `大厅 ${hall} 的`, hallNone: `大厅 ${hall} `, hallEn: ` of hall ${hall}` } : { hallZh: '', hallNone: '', hallEn: '' };
  const pool = new pg.Pool({ connectionString: url });
  pool.on('error', () => undefined);
  let count = 0;
  try {
    const c = await pool.connect();
    try {
      await migrateCity(c);
    } finally {
      c.release();
    }
    count = await sendFailedAgain(pool, hall);
  } catch (error) {
    await pool.end().catch(() => undefined);
    refusedByDatabase(error);
  }
  await pool.end();
  for (const line of TEXT[count > 0 ? 'resent' : 'noneToResend']) console.log(fill(line, { count, attempts: FEED_ATTEMPTS, ...where }));
  process.exit(0);
}
if (command === 'create-account') {
  const [id, name, role, hall] = args;
  if (!id || !name || (role !== 'city' && role !== 'hall') || (role === 'hall') !== !!hall) fail('usage');
  const password = env.CITY_ACCOUNT_PASSWORD ?? '';
  const pool = new pg.Pool({ connectionString: url });
  pool.on('error', () => undefined);
  try {
    // Refused before the database is asked (the pool connects at its first use): nothing is written, not even the city's tables, for a password that will not do.
    checkPassword(password);
    const { migrateCity } = await import('@servicehall/upstream');
    const c = await pool.connect();
    try {
      await migrateCity(c);
    } finally {
      c.release();
    }
    await createAccount(pool, { id, name, role, ...(hall ? { hall } : {}) }, password);
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (error instanceof AccountRefused) fail(error.code === 'id-taken' ? 'idTaken' : 'shortPassword', { id, min: MIN_PASSWORD });
    refusedByDatabase(error);
  }
  await pool.end();
  for (const line of TEXT[role === 'city' ? 'madeCity' : 'madeHall']) console.log(fill(line, { id, hall: hall ?? '' }));
  process.exit(0);
}

const port = Number(env.CITY_PORT ?? '8700');
if (!Number.isInteger(port) || port < 1 || port > 65535) fail('badPort', { port: env.CITY_PORT ?? '' });
// A word that is neither would have sent every rating the other way round, 1 for 5.
const levels = env.CITY_FEED_LEVELS || 'national';
if (levels !== 'national' && levels !== 'provincial-reversed') fail('badFeedLevels', { levels });
// Loaded only to serve: a command refused above, or create-account, starts without the server and the feed (half its start).
const [{ startCity, databaseWait }, { startRatingFeed, FEED_ATTEMPTS }] = await Promise.all([import('./server'), import('@servicehall/upstream')]);
// Said at the start: the feed's wait for the database is that same wait, not said again.
let databaseAwayAtStart = false;
const city = await startCity({
  databaseUrl: url,
  port,
  host: env.CITY_HOST || '127.0.0.1',
  secureCookie: env.CITY_SECURE_COOKIE === '1',
  // Not running yet (the city's servers starting after a power cut): the server starts and waits for it; a wrong account, password or name still stops it.
  databaseAway: (error) => {
    databaseAwayAtStart = true;
    for (const line of TEXT.databaseAway) console.error(fill(line, { where: where(url), reason: (error as Error).message ?? String(error) }));
  },
}).catch((error: unknown) => {
  if ((error as { code?: string }).code === 'EADDRINUSE') fail('portInUse', { port });
  return refusedByDatabase(error);
});
const target: FeedTarget | undefined = env.CITY_FEED_URL
  ? { kind: 'http', url: env.CITY_FEED_URL, ...(env.CITY_FEED_TOKEN ? { token: env.CITY_FEED_TOKEN } : {}), levels }
  : env.CITY_FEED_DIR
    ? { kind: 'file', dir: env.CITY_FEED_DIR, levels }
    : undefined;
// A turn that fails is said as the city's other lines are, Chinese then English, with when it is tried again and what to check.
const feedCheck = target?.kind === 'file' ? { checkZh: `，以及上报文件夹 ${target.dir} 能否建立和写入`, checkEn: `, and that the upload folder ${target.dir} can be made and written` } : { checkZh: '', checkEn: '' };
const feedFailed = (e: unknown) => {
  for (const line of TEXT.feedFailed) console.error(fill(line, { reason: e instanceof Error ? e.message : String(e), seconds: FEED_EVERY_MS / 1000, ...feedCheck }));
};
// The database not there yet (the city's servers starting after a power cut) is a wait, said once, and once when it ends: not a failed turn every 10 s.
// Its turns connect through the server's tables made (a database new at the start has none until then).
const feedWait = databaseWait(
  {
    away: (e) => {
      for (const line of TEXT.feedWaiting) console.error(fill(line, { where: where(url), reason: e instanceof Error ? e.message : String(e) }));
    },
    back: () => {
      for (const line of TEXT.databaseBack) console.log(fill(line, { where: where(url) }));
    },
    failed: feedFailed,
  },
  databaseAwayAtStart,
);
const feed = target ? startRatingFeed(() => city.connect(), target, FEED_EVERY_MS, (e) => feedWait.failed(e), () => feedWait.done()) : undefined;
console.log(JSON.stringify({ msg: 'ServiceHall city server started', url: city.url, feed: target ? (target.kind === 'http' ? target.url : `file:${target.dir}`) : null }));
const stop = async () => {
  await feed?.stop();
  await city.close();
  process.exit(0);
};
// The platform refusing what it is sent (a wrong address or token, its errors, no answer) is said once, and when it takes them again.
feed?.platformSaid((taking, problem) => {
  const where = target?.kind === 'http' ? target.url : '';
  if (taking) for (const line of TEXT.feedTaking) console.log(fill(line, { where }));
  else for (const line of TEXT.feedRefused) console.error(fill(line, { where, problem: problem ?? '', attempts: FEED_ATTEMPTS }));
});
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
