#!/usr/bin/env -S npx tsx
import { hallSetupWarnings, isConfigured, StaffRoleSchema } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import fs from 'node:fs';
import path from 'node:path';
import { backupFolderUsable, backupPolicyFromEnv } from './backup';
import { DatabaseDenied, HallKey, KEY_FILE, prepareDataFolder, TOKEN_FILE, UsageMistake } from './files';
import { DATABASE_FILE, HubRefusal, REFUSED_EXIT_CODE } from './integrity';
import { proxyTrustFrom } from './proxy-trust';
import { limitsFrom } from './limits';
import { formatBytes, opsText, THEN_RUN_AGAIN } from './ops-strings';
import { configureLog, log, logFile } from './log';
import { readNotifyInput } from './notifications';
import { hostSetting, hubNumber, hubSwitch, SettingProblem } from './setting';
import { upstreamFromEnv } from '@servicehall/upstream/hub';
import type { HubOptions, RunningHub } from './server';
import { CA_CERT, TLS_DIR } from './tls';

/**
 * The hub of one hall. SERVICEHALL_DATA (default ./data), SERVICEHALL_PORT (default 8600),
 * SERVICEHALL_HOST (default 127.0.0.1), SERVICEHALL_TOKEN (default: stored in the data folder),
 * SERVICEHALL_KEY_FILE, SERVICEHALL_TLS_CERT and SERVICEHALL_TLS_KEY, SERVICEHALL_ALLOW_INSECURE,
 * SERVICEHALL_LIMITS, SERVICEHALL_MAX_DB_MB, SERVICEHALL_NOTIFY_CONFIG or SERVICEHALL_NOTIFY (the
 * notification channels: citizens' SMS), SERVICEHALL_TRUST_PROXY (the addresses of the proxies that set
 * X-Forwarded-For), SERVICEHALL_PHONE_STREAMS (`process`, the default: the phones' streams in a
 * process of the hub's own; `inline`: on the hub's thread), SERVICEHALL_PUBLIC_PORT (the citizens'
 * pages and API on this machine's loopback, for a reverse proxy with the hall's public
 * certificate), SERVICEHALL_UPSTREAM_URL and SERVICEHALL_UPSTREAM_HALL (the city's PostgreSQL
 * and this hall's code there: the log is shipped to it). A new hall starts unconfigured and is set up in the console (/console);
 * SERVICEHALL_SEED=demo seeds it with the demo hall instead, and SERVICEHALL_DEMO_ALL_DAY=1 issues
 * at any hour.
 * Operations: SERVICEHALL_LOG_LEVEL, SERVICEHALL_LOG_FILE, SERVICEHALL_METRICS_TOKEN,
 * SERVICEHALL_BACKUP_DIR and its schedule (backup.ts).
 * A standby hub (replication.ts): SERVICEHALL_PEER (the other hub's address, on both PCs),
 * SERVICEHALL_PEER_CA (default the hall CA in the data folder's tls/), SERVICEHALL_STANDBY=1 (on
 * the standby: its first start copies the primary's database), SERVICEHALL_PROMOTE_AFTER_S (a
 * follower takes charge by itself after this much silence of its leader; off by default),
 * SERVICEHALL_SEMI_SYNC_TIMEOUT_MS; `promote` makes the hub on this machine take charge. With an argument it runs an operator's
 * command instead: create-admin, init-tls (the hall's CA and the hub's certificate), or backup,
 * backups, restore FILE, check, install-service (ops-cli.ts).
 */
export function hubOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): HubOptions {
  const port = hubNumber(env, 'SERVICEHALL_PORT') ?? 8600;
  const seed = env.SERVICEHALL_SEED ?? '';
  if (seed !== '' && seed !== 'demo') throw new SettingProblem(`SERVICEHALL_SEED 应为 demo（演示大厅）或不设（在管理控制台中设置的新大厅），而不是“${seed}”`, `SERVICEHALL_SEED is "demo" (the demo hall) or empty (a new hall set up in the console), not "${seed}"`);
  const cert = env.SERVICEHALL_TLS_CERT || undefined;
  const key = env.SERVICEHALL_TLS_KEY || undefined;
  if (!!cert !== !!key) throw new SettingProblem('SERVICEHALL_TLS_CERT 和 SERVICEHALL_TLS_KEY 要一起设置：证书文件和它的私钥文件', 'SERVICEHALL_TLS_CERT and SERVICEHALL_TLS_KEY go together: the certificate file and its key file');
  const maxMb = hubNumber(env, 'SERVICEHALL_MAX_DB_MB');
  const notify = readNotifyInput(env);
  if (!notify.ok) throw new SettingProblem(notify.zh ?? '通知渠道的设置（SERVICEHALL_NOTIFY_CONFIG 或 SERVICEHALL_NOTIFY）不能使用：它应是 README 所述的 JSON，具体问题见下面的英文', notify.message);
  const phoneStreams = env.SERVICEHALL_PHONE_STREAMS || 'process';
  if (phoneStreams !== 'process' && phoneStreams !== 'inline')
    throw new SettingProblem(
      `SERVICEHALL_PHONE_STREAMS 应为 process（手机的实时连接由主机自己的一个进程服务）或 inline（由主机的主线程服务），而不是“${phoneStreams}”`,
      `SERVICEHALL_PHONE_STREAMS is "process" (the phones' streams in a process of the hub's own) or "inline" (on the hub's thread), not "${phoneStreams}"`,
    );
  const publicPort = hubNumber(env, 'SERVICEHALL_PUBLIC_PORT');
  const demoAllDay = hubSwitch(env, 'SERVICEHALL_DEMO_ALL_DAY');
  return {
    dataDir: env.SERVICEHALL_DATA || './data',
    port,
    host: hostSetting(env),
    // An empty SERVICEHALL_TOKEN means "not given" (the stored one is used); any other value is checked.
    token: env.SERVICEHALL_TOKEN === '' ? undefined : env.SERVICEHALL_TOKEN,
    seed: seed === 'demo' ? demoCatalogue({ allDay: demoAllDay }) : undefined,
    demoPin: env.SERVICEHALL_DEMO_PIN || undefined,
    keyFile: env.SERVICEHALL_KEY_FILE || undefined,
    ...(cert && key ? { tls: { cert, key } } : {}),
    allowInsecure: hubSwitch(env, 'SERVICEHALL_ALLOW_INSECURE'),
    limits: inChinese('SERVICEHALL_LIMITS 的写法有误：它应是一个 JSON 对象，限制的名称和数值见 README 的设置表，具体问题见下面的英文', () => limitsFrom(env.SERVICEHALL_LIMITS)),
    ...(maxMb !== undefined ? { maxDatabaseBytes: maxMb * 1024 * 1024 } : {}),
    backup: backupPolicyFromEnv(env),
    metricsToken: env.SERVICEHALL_METRICS_TOKEN || undefined,
    wholeCheckUpToBytes: wholeCheckLimit(env),
    notify: notify.input as never,
    trustProxy: inChinese('SERVICEHALL_TRUST_PROXY 应为代理服务器的地址，多个用逗号隔开（如 192.168.1.2,::1）', () => proxyTrustFrom(env.SERVICEHALL_TRUST_PROXY)),
    phoneStreams,
    ...(publicPort !== undefined ? { publicPort } : {}),
    upstream: inChinese('上报市级平台的设置（SERVICEHALL_UPSTREAM_*）有误：SERVICEHALL_UPSTREAM_URL 和 SERVICEHALL_UPSTREAM_HALL 要一起设置，SERVICEHALL_UPSTREAM_BATCH 为 1 到 20000，具体问题见下面的英文', () => upstreamFromEnv(env)),
    ...standbyOptions(env),
  };
}

/** A setting read by another module, whose problem is said in English: the Chinese line says what the setting should be. */
function inChinese<T>(zh: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof SettingProblem || !(error instanceof Error)) throw error;
    throw new SettingProblem(zh, error.message);
  }
}

function standbyOptions(env: NodeJS.ProcessEnv): Pick<HubOptions, 'peer' | 'standby' | 'promoteAfterMs' | 'semiSyncTimeoutMs'> {
  const standby = hubSwitch(env, 'SERVICEHALL_STANDBY');
  const peerUrl = env.SERVICEHALL_PEER || undefined;
  if (standby && !peerUrl)
    throw new SettingProblem('SERVICEHALL_STANDBY=1 需要 SERVICEHALL_PEER：主用主机的地址，如 https://192.168.1.10:8600', 'SERVICEHALL_STANDBY=1 needs SERVICEHALL_PEER: the address of the hub in charge, e.g. https://192.168.1.10:8600');
  const seconds = hubNumber(env, 'SERVICEHALL_PROMOTE_AFTER_S');
  const timeout = hubNumber(env, 'SERVICEHALL_SEMI_SYNC_TIMEOUT_MS');
  if (!peerUrl) return {};
  if (!/^https?:\/\/[^/\s]+\/?$/.test(peerUrl))
    throw new SettingProblem(`SERVICEHALL_PEER 应为另一台主机的地址 http(s)://主机:端口，而不是“${peerUrl}”`, `SERVICEHALL_PEER is the other hub's address, http(s)://host:port, not "${peerUrl}"`);
  const dataDir = env.SERVICEHALL_DATA || './data';
  const token = env.SERVICEHALL_TOKEN || readIfThere(path.join(dataDir, TOKEN_FILE));
  if (!token)
    throw new SettingProblem('设置了 SERVICEHALL_PEER 的主机需要对方的大厅令牌：请把 SERVICEHALL_TOKEN 设为主用主机的令牌（两台主机共用一个）', 'a hub with SERVICEHALL_PEER needs the hall token of its peer: set SERVICEHALL_TOKEN to the primary’s (both hubs share one)');
  const caFile = env.SERVICEHALL_PEER_CA || path.join(dataDir, TLS_DIR, CA_CERT);
  const ca = peerUrl.startsWith('https:') ? readIfThere(caFile) : undefined;
  if (peerUrl.startsWith('https:') && !ca)
    throw new SettingProblem(`对方主机经 HTTPS 连接：请把大厅的 CA 证书（ca.crt）复制到 ${caFile}，或在 SERVICEHALL_PEER_CA 中写明它的位置`, `the peer is reached over HTTPS: copy the hall CA (ca.crt) to ${caFile}, or name it in SERVICEHALL_PEER_CA`);
  return {
    peer: { url: peerUrl.replace(/\/$/, ''), token, ...(ca ? { ca } : {}) },
    standby,
    ...(seconds !== undefined ? { promoteAfterMs: Math.round(seconds * 1000) } : {}),
    ...(timeout !== undefined ? { semiSyncTimeoutMs: timeout } : {}),
  };
}

function readIfThere(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function argument(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/**
 * `npm run hub -- create-admin [--id admin] [--name 管理员] [--role administrator] [--department 科室]`:
 * makes a staff account on this machine's hall database and prints its one-time password, to be
 * changed at the first sign-in in the console. It refuses what the console's account form refuses,
 * in the same words (Chinese, then English), with exit code 78.
 */
async function createAdmin(args: string[]) {
  const { dataDir, keyFile } = hubOptionsFromEnv();
  const role = StaffRoleSchema.safeParse(argument(args, 'role') ?? 'administrator');
  if (!role.success)
    throw new HubRefusal('--role 应为 administrator（管理员）、supervisor（值班主任）或 department-head（科室负责人）。\n--role is administrator, supervisor or department-head');
  const department = argument(args, 'department');
  prepareDataFolder(dataDir, (m) => console.warn(`  warning    ${m}`));
  // A disk that refuses hall.db is said with what to do for this command: run it again, not start the hub.
  const [{ openDatabase }, { HallStore }, { Staff }] = await Promise.all([import('./db'), import('./store'), import('./staff')]);
  const db = openDatabase(dataDir, DATABASE_FILE, THEN_RUN_AGAIN);
  try {
    const store = new HallStore(db, Date.now, HallKey.load(keyFile ?? path.join(dataDir, KEY_FILE)));
    const staff = new Staff(db, store.pins, () => store.view.catalogue, Date.now);
    const made = await staff.createFromCommandLine({ id: argument(args, 'id') ?? 'admin', name: argument(args, 'name') ?? '管理员', role: role.data, ...(department ? { department } : {}) });
    if (!made.ok) throw made.text ? new HubRefusal(`${made.text['zh-CN']}\n${made.text.en}`) : new Error(made.message);
    console.log(`已创建账号 ${made.value.member.id}（${made.value.member.name}，${made.value.member.role}）`);
    console.log(`  一次性密码 one-time password:  ${made.value.password}`);
    console.log('  请在管理控制台 /console 登录，首次登录后须设置自己的密码。Sign in at /console and choose your own password.');
  } finally {
    db.close();
  }
}

/** `hub init-tls [--name NAME]... [--days N]`: the hall's CA (made once) and a certificate for the hub. */
async function initTlsMain(args: string[]) {
  const names: string[] = [];
  let days: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--name' && args[i + 1]) names.push(args[++i]!);
    // 0 days would make a certificate already expired, which every terminal refuses.
    else if (a === '--days' && /^\d{1,4}$/.test(args[i + 1] ?? '') && Number(args[i + 1]) >= 1 && Number(args[i + 1]) <= 3650) days = Number(args[++i]);
    else throw new HubRefusal(opsText('initTlsArgument', { arg: a === '--days' ? `--days ${args[i + 1] ?? ''}`.trim() : a }));
  }
  const dataDir = process.env.SERVICEHALL_DATA || './data';
  const { initTls } = await import('./init-tls');
  const made = await initTls(dataDir, { names, days });
  // The port the hub will serve on, as its start reads it (8600 unless set; 0 would be any free one).
  const port = hubNumber(process.env, 'SERVICEHALL_PORT') || 8600;
  console.log(
    opsText('initTlsMade', {
      dir: made.dir,
      ca: made.caCreated ? { 'zh-CN': '新建', en: 'new' } : { 'zh-CN': '沿用原有的', en: 'kept' },
      names: made.names.join(', '),
      sha1: made.caFingerprint.sha1,
      sha256: made.caFingerprint.sha256,
      name: made.names.find((n) => n !== 'localhost' && n !== '127.0.0.1') ?? made.names[0]!,
      port,
    }),
  );
}

function wholeCheckLimit(env: NodeJS.ProcessEnv): number | undefined {
  const mb = hubNumber(env, 'SERVICEHALL_START_CHECK_WHOLE_MB');
  return mb === undefined ? undefined : mb * 1024 * 1024;
}

const flushed = () => new Promise<void>((resolve) => log.flush(() => resolve()));

/** A setting the hub cannot start with: said in both languages, and not restarted in a loop by its service (restarting cannot mend it). */
async function settings(): Promise<{ options: HubOptions; stopWithParent: boolean }> {
  try {
    await configureLog({ level: process.env.SERVICEHALL_LOG_LEVEL, file: process.env.SERVICEHALL_LOG_FILE || undefined });
    const options = hubOptionsFromEnv();
    if (options.backup) backupFolderUsable(options.backup.dir);
    return { options, stopWithParent: hubSwitch(process.env, 'SERVICEHALL_STOP_WITH_PARENT') };
  } catch (error) {
    if (error instanceof HubRefusal) throw error;
    const problem = error instanceof SettingProblem ? { 'zh-CN': error.zh, en: error.message } : error instanceof Error ? error.message : String(error);
    throw new HubRefusal(opsText('badSetting', { problem }));
  }
}

async function main() {
  const { options, stopWithParent } = await settings();
  const [{ startHub }, { copyFromPeer }] = await Promise.all([import('./server'), import('./replication')]);
  if (options.trustProxy === true) log.warn(opsText('anyProxy', { example: '127.0.0.1' }));
  let rebuilding = false;
  const start = (): Promise<RunningHub> =>
    startHub({
      ...options,
      // The whole check in the background found damage: the hub has closed; its service must not start it again.
      onDatabaseDamaged: () => void flushed().then(() => process.exit(REFUSED_EXIT_CODE)),
      // Its log parted from the leader's (it was the primary, and events it took were never handed over):
      // the database is kept aside and copied again from the hub in charge, and the hub starts on the copy.
      onRebuild: (why) => {
        if (rebuilding || !options.peer) return;
        rebuilding = true;
        log.warn({ why }, opsText('copyingAgain'));
        void (async () => {
          await hub.close();
          for (let tries = 1; ; tries++) {
            try {
              const copied = await copyFromPeer(options.peer!, options.dataDir);
              log.warn({ seq: copied.seq, keptAs: copied.keptAs }, opsText('copiedAgain', { seq: copied.seq, keptAs: String(copied.keptAs) }));
              break;
            } catch (error) {
              log.error({ err: error instanceof Error ? error.message : error, tries }, opsText('copyAgainFailed', { tries }));
              await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * tries)));
            }
          }
          hub = await start();
          rebuilding = false;
          log.info({ url: hub.url, seq: hub.store.seq, inCharge: hub.store.role.inCharge }, opsText('restartedOnCopy', { seq: hub.store.seq }));
        })().catch(async (error: unknown) => {
          log.fatal({ err: error }, opsText('restartOnCopyFailed'));
          await flushed();
          process.exit(1);
        });
      },
    });
  let hub = await start();
  // Stoppable before it says it serves: whoever started it may stop it as soon as it reads that line.
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ why }, opsText('hubStopping', { why }));
    await hub.close();
    log.info({ seq: hub.store.seq }, opsText('hubStopped', { seq: hub.store.seq }));
    await flushed();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // The Windows service's wrapper (node-windows) asks for a clean stop with a message: Windows has no SIGTERM.
  process.on('message', (message) => {
    if (message === 'shutdown') void stop('service shutdown');
  });
  // A hub a test or a bench started (SERVICEHALL_STOP_WITH_PARENT=1/yes/…, over an IPC channel) stops when
  // that process is gone, however it ended: not left serving and checkpointing on its own.
  if (stopWithParent && process.channel) process.once('disconnect', () => void stop('the process that started it is gone'));
  const name = hub.store.view.catalogue.hall.name;
  log.info(
    {
      hall: name || null,
      url: hub.url,
      console: `${hub.url}/console/`,
      api: `${hub.url}/api/`,
      openapi: `${hub.url}/api/openapi.json`,
      terminals: hub.wsUrl,
      // With TLS, terminals trust the hall's own CA only (init-tls made it).
      ...(hub.tls ? { ca: path.join(options.dataDir, TLS_DIR, CA_CERT) } : {}),
      metrics: `${hub.url}/metrics`,
      database: path.join(options.dataDir, DATABASE_FILE),
      hallKey: options.keyFile ?? path.join(options.dataDir, KEY_FILE),
      seq: hub.store.seq,
      // The one in charge, or a follower of its peer (a standby).
      inCharge: hub.store.role.inCharge,
      epoch: hub.store.role.epoch,
      ...(options.peer ? { peer: options.peer.url } : {}),
      // Milliseconds since the process began, and of them the database opened and today's view loaded.
      startedMs: Math.round(performance.now()),
      loadMs: hub.loadMs,
      check: hub.startCheck,
      backups: options.backup ? { dir: options.backup.dir, everyMinutes: options.backup.everyMs / 60_000 } : null,
      // The citizens' phone pages and the door's QR poster; the SMS channels that carry their codes and alerts.
      phones: `${hub.publicUrl()}/m/`,
      door: `${hub.publicUrl()}/m/door`,
      // The citizens' listener, where the hall's reverse proxy sends the phones (SERVICEHALL_PUBLIC_PORT).
      ...(hub.publicPort !== undefined ? { citizens: `http://127.0.0.1:${hub.publicPort}` } : {}),
      sms: hub.notifications.notifier.channels().filter((c) => c.kind.endsWith('sms')).map((c) => c.id),
    },
    name ? opsText('hubStarted', { hall: name, console: `${hub.url}/console/` }) : opsText('hubStartedUnset', { console: `${hub.url}/console/` }),
  );
  // The hall token is a secret: never in a log. A person installing the hub at a terminal sees it once, when it is made.
  if (hub.tokenCreated) {
    log.info({ file: path.join(options.dataDir, TOKEN_FILE) }, opsText('tokenMade', { file: path.join(options.dataDir, TOKEN_FILE) }));
    if (process.stdout.isTTY) process.stdout.write(`\n  hall token (shown this once; also in ${path.join(options.dataDir, TOKEN_FILE)}): ${hub.token}\n\n`);
  }
  if (isConfigured(hub.store.view.catalogue)) for (const warning of hallSetupWarnings(hub.store.view.catalogue)) log.warn(warning);
  // The setup code is logged: a service's first start has no terminal to show it on, and it opens
  // nothing once the first administrator exists (create-admin on this machine is the other way).
  if (hub.setupCode)
    log.warn({ setupCode: hub.setupCode }, opsText('setupCode', { console: `${hub.url}/console/` }));
}

/** `npm run hub -- promote`: the standby hub on this machine takes charge of the hall now (its primary is gone). */
async function promote() {
  const env = process.env;
  // The hub's own range (NUMBER_SETTINGS): 99999 was tried as a port and failed as an unreachable hub.
  let port: number;
  try {
    port = hubNumber(env, 'SERVICEHALL_PORT') ?? 8600;
  } catch (error) {
    const problem = error instanceof SettingProblem ? { 'zh-CN': error.zh, en: error.message } : error instanceof Error ? error.message : String(error);
    throw new HubRefusal(opsText('promoteSetting', { problem }));
  }
  // 0 lets the system choose a port when a hub starts (the tests' hubs); the hub to promote serves on a port of its own.
  if (port === 0)
    throw new HubRefusal(
      opsText('promoteSetting', {
        problem: {
          'zh-CN': 'SERVICEHALL_PORT=0 只在主机启动时让系统自选端口，接管要用本机主机实际服务的端口（通常为 8600）',
          en: 'SERVICEHALL_PORT=0 only lets the system choose a port as a hub starts; promote needs the port the hub on this machine serves on (usually 8600)',
        },
      }),
    );
  const dataDir = env.SERVICEHALL_DATA || './data';
  const tls = fs.existsSync(path.join(dataDir, TLS_DIR, 'hub.crt'));
  const token = env.SERVICEHALL_TOKEN || readIfThere(path.join(dataDir, TOKEN_FILE));
  if (!token) throw new HubRefusal(opsText('promoteNoToken', { file: path.join(dataDir, TOKEN_FILE) }));
  const ca = tls ? readIfThere(path.join(dataDir, TLS_DIR, CA_CERT)) : undefined;
  const url = `${tls ? 'https' : 'http'}://${tls ? 'localhost' : '127.0.0.1'}:${port}`;
  const { promoteLocal, promotedText } = await import('./replication');
  // No hub there (stopped, or another port): said with the address tried, not as a bare ECONNREFUSED.
  const done = await promoteLocal({ url, token, ...(ca ? { ca } : {}) }).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === 'EHOSTUNREACH') throw new Error(opsText('promoteNoAnswer', { url, problem: code }));
    throw error;
  });
  console.log(promotedText(done));
}

/** `npm run hub -- archive 2025`: moves a past year into data/hall-2025.db and vacuums; the hub must be stopped. */
async function archive(year: string | undefined): Promise<void> {
  const dataDir = hubOptionsFromEnv().dataDir;
  const { archiveYear, ArchiveRefusal, ArchiveVacuumFailed } = await import('./archive');
  try {
    // "abc" is said as typed, not as the NaN it would make; a year typed wrong is a command typed wrong (exit 64).
    if (!/^\d{4}$/.test(year ?? '') || Number(year) < 2000) throw new UsageMistake(opsText('archiveYear', { year: year ?? '' }));
    const done = archiveYear(dataDir, Number(year));
    if (done.vacuumOnly)
      console.log(opsText('archiveVacuumDone', { year: done.year, file: done.file, firstSeq: done.firstSeq, lastSeq: done.lastSeq, before: formatBytes(done.bytesBefore), after: formatBytes(done.bytesAfter) }));
    else {
      console.log(`ServiceHall: ${done.year} archived to ${done.file}`);
      console.log(`  events     ${done.firstSeq} to ${done.lastSeq}`);
      for (const [table, n] of Object.entries(done.moved)) console.log(`  ${table.padEnd(22)} ${n}`);
      console.log(`  hall.db    ${(done.bytesBefore / 1024 / 1024).toFixed(1)} MB before, ${(done.bytesAfter / 1024 / 1024).toFixed(1)} MB after`);
    }
    console.log(opsText('archiveStandbyToo', { year: done.year }));
  } catch (error) {
    // A refusal says itself in both languages; anything else (a disk full or failing, a folder not ours to write) is said with what it left.
    const reason = error instanceof Error ? error.message : String(error);
    // A reason already said Chinese then English (the database's own, one line each) is given each half in its language.
    const [zh, ...en] = reason.split('\n');
    const halves = en.length > 0 && /^[^\n]*[\u4e00-\u9fff]/.test(zh!) ? { 'zh-CN': zh!, en: en.join(' ') } : reason;
    // A VACUUM that failed says itself: the year is archived, and the same command reclaims the space.
    // So does a hall.db this account may not write: whose file it is and what to do, exit 78 as every refusal.
    if (error instanceof DatabaseDenied || error instanceof UsageMistake) {
      console.error(reason);
      process.exit(error.exitCode);
    }
    if (error instanceof ArchiveVacuumFailed) console.error(reason);
    else console.error(error instanceof ArchiveRefusal ? `ServiceHall could not archive ${year ?? '(no year given)'}: ${reason}` : opsText('archiveFailed', { year: year ?? '', reason: halves }));
    // The operator's commands' codes (README, Operating): refused 78 (the same command cannot help until something
    // else is done: the hub stopped, the year ended), failed 1.
    process.exit(error instanceof ArchiveRefusal ? REFUSED_EXIT_CODE : 1);
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('cli.ts')) {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'promote') {
    promote().catch((error: unknown) => {
      // A refusal says itself in both languages; its exit code (78) tells a script that trying again cannot mend it.
      // So does a hub that did not answer (promoteNoAnswer), said Chinese first.
      if (error instanceof HubRefusal || (error instanceof Error && /^[\u4e00-\u9fff]/.test(error.message))) console.error(error.message);
      else console.error(`ServiceHall hub could not promote: ${error instanceof Error ? error.message : error}`);
      process.exitCode = error instanceof HubRefusal ? error.exitCode : 1;
    });
  } else if (command === 'create-admin' || command === 'init-tls') {
    const what = command === 'create-admin' ? 'could not make the account' : 'could not make its certificates';
    (command === 'create-admin' ? createAdmin(args) : initTlsMain(args)).catch((error: unknown) => {
      // A refusal (an account the console would refuse, a wrong name or CA for init-tls) says itself, Chinese first, then English.
      if (error instanceof HubRefusal) console.error(error.message);
      else console.error(`ServiceHall hub ${what}: ${error instanceof Error ? error.message : error}`);
      process.exitCode = error instanceof HubRefusal ? error.exitCode : 1;
    });
  } else if (command === 'archive') {
    void archive(args[0]);
  } else if (command) {
    // Loaded only for a command: the hub's own start does without restore and the service installers.
    import('./ops-cli').then(({ runOpsCommand }) => runOpsCommand(command, args)).then(
      (code) => (process.exitCode = code),
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        console.error(message);
        process.exitCode = error instanceof HubRefusal ? error.exitCode : 1;
      },
    );
  } else {
    main().catch(async (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      // A problem the hub has already put in words (opsText: a Chinese line, then English; a port taken, a peer
      // not answering): each half in its own line, without a stack trace. Anything else is a fault, with its stack for support.
      const [zh, ...en] = message.split('\n');
      const trim = (text: string) => text.replace(/[。.]$/, '');
      const worded = /^[\u4e00-\u9fff]/.test(message) && en.length > 0;
      const problem = worded ? { 'zh-CN': trim(zh!), en: trim(en.join('\n')) } : message;
      if (error instanceof HubRefusal) log.fatal(error.message);
      else if (worded) log.fatal(opsText('hubCouldNotStart', { problem }));
      else log.fatal({ err: error }, opsText('hubCouldNotStart', { problem }));
      // With its log in a file, the service manager's journal and an installer at the console saw nothing of why it stopped.
      if (logFile) process.stderr.write(`${error instanceof HubRefusal ? error.message : opsText('hubCouldNotStart', { problem })}\n`);
      await flushed();
      process.exit(error instanceof HubRefusal ? error.exitCode : 1);
    });
  }
}
