import { localTime } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BackupSchedule, backupFailure, backupFolderUsable, backupPolicyFromEnv, backupsToKeep, inspectBackup, listBackups, pruneBackups, readBackups, takeBackup } from './backup';
import { initTls } from './init-tls';
import { DATABASE_FILE, HubRefusal } from './integrity';
import { runOpsCommand } from './ops-cli';
import { KEY_FILE } from './files';
import { createLogger, useLogger } from './log';
import { restoreBackup } from './restore';
import { startHub } from './server';
import { issueTickets, makeHallDatabase } from './testing/hall-db';
import { TestTerminal } from './testing/terminal';

/** A hall token the hub accepts (16 characters or more). */
const HUB_TOKEN = 'hall-token-for-operations';

const dirs: string[] = [];
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-backup-'));
  dirs.push(d);
  return d;
}

const HOUR = 3_600_000;
const SHANGHAI = 'Asia/Shanghai';

describe('an online backup', () => {
  // In one step (the test's database is far under a step), and in steps of 16 KB with the kiosk's commits between them.
  it.each([
    ['in one step', undefined],
    ['in many small steps', 16 * 1024],
  ])('is one consistent moment of the log while kiosks keep issuing, %s: checked, with its last event in its manifest', async (_, stepBytes) => {
    const data = tempDir();
    const backups = tempDir();
    // The kiosk keeps issuing throughout, beyond a kiosk's pace (whose refusals would make the loop below spin without writing).
    const hub = await startHub({ dataDir: data, token: HUB_TOKEN, seed: demoCatalogue({ allDay: true }), limits: { commands: 'off' } });
    cleanups.push(() => hub.close());
    issueTickets(hub.store, 300);
    const seqBefore = hub.store.seq;
    const kiosk = await TestTerminal.connect(hub.wsUrl, { role: 'kiosk', terminal: 'kiosk-1', token: HUB_TOKEN });
    cleanups.push(() => kiosk.close());
    const items = hub.store.view.catalogue.items.filter((i) => i.dailyQuota === undefined);
    let issuing = true;
    let issuedMeanwhile = 0;
    const load = (async () => {
      for (let i = 0; issuing; i++) {
        if ((await kiosk.command({ type: 'issueTicket', serviceCode: items[i % items.length]!.code, lane: 'ordinary' })).ok) issuedMeanwhile++;
        // A press every few milliseconds: the hub (and the backup's worker) get their turns.
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    // Between small steps, commits of the hub's own as well, every millisecond or so.
    const writer = stepBytes ? setInterval(() => issueTickets(hub.store, 1), 1) : undefined;
    const backup = await takeBackup(path.join(data, DATABASE_FILE), backups, Date.now, undefined, stepBytes);
    clearInterval(writer);
    issuing = false;
    await load;
    if (stepBytes) {
      expect(backup.steps).toBeGreaterThan(10);
      // Never started over: SQLite restarts a backup whose source changed between its steps (114 steps here when it did).
      expect(backup.steps).toBeLessThanOrEqual(Math.ceil(backup.bytes / stepBytes) + 1);
    }

    expect(issuedMeanwhile).toBeGreaterThan(0);
    expect(backup.seq).toBeGreaterThanOrEqual(seqBefore);
    expect(backup).toMatchObject({ integrity: 'ok', hall: '滨江区政务服务中心', file: path.basename(backup.path) });
    expect(backup.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.statSync(backup.path).size).toBe(backup.bytes);
    const manifest = JSON.parse(fs.readFileSync(backup.path.replace(/\.db$/, '.json'), 'utf8'));
    expect(manifest).toEqual({ ...backup, path: undefined, steps: undefined, ms: backup.ms });
    // One file on its own (no -wal beside it), holding exactly the tickets of the events up to its last one.
    expect(fs.readdirSync(backups).sort()).toEqual([path.basename(backup.path), path.basename(backup.path).replace(/\.db$/, '.json')].sort());
    const copy = new Database(backup.path, { readonly: true });
    const inCopy = (copy.prepare('SELECT COUNT(*) AS n FROM tickets').get() as { n: number }).n;
    const issuedUpTo = (copy.prepare("SELECT COUNT(*) AS n FROM events WHERE type = 'ticket.issued' AND seq <= ?").get(backup.seq) as { n: number }).n;
    expect((copy.prepare('SELECT MAX(seq) AS s FROM events').get() as { s: number }).s).toBe(backup.seq);
    copy.close();
    expect(inCopy).toBe(issuedUpTo);
  });

  it('of a damaged database fails and leaves no backup behind', async () => {
    const data = tempDir();
    const backups = tempDir();
    makeHallDatabase(data, 200);
    const fd = fs.openSync(path.join(data, DATABASE_FILE), 'r+');
    fs.writeSync(fd, Buffer.alloc(4 * 4096, 0x5a), 0, 4 * 4096, 2 * 4096);
    fs.closeSync(fd);
    await expect(takeBackup(path.join(data, DATABASE_FILE), backups)).rejects.toThrow(/未通过检查[\s\S]*failed its check/);
    expect(fs.readdirSync(backups)).toEqual([]);
    expect(await listBackups(backups)).toEqual([]);
  });

  it('whose manifest cannot be written (the share full or gone at that moment) leaves no copy behind that no list offers and no retention removes', async () => {
    const data = tempDir();
    const backups = tempDir();
    makeHallDatabase(data, 20);
    const at = Date.parse('2026-11-27T02:00:00.000Z');
    // Where its manifest is written first, something the disk will not write a file over.
    fs.mkdirSync(path.join(backups, 'hall-20261127-020000-000.json.partial'));
    await expect(takeBackup(path.join(data, DATABASE_FILE), backups, () => at)).rejects.toThrow(/EISDIR/);
    expect(fs.readdirSync(backups)).toEqual(['hall-20261127-020000-000.json.partial']);
  });

  it('of a damaged database is logged by the schedule in Chinese then English once each, not Chinese and English inside each other', async () => {
    const data = tempDir();
    makeHallDatabase(data, 200);
    const fd = fs.openSync(path.join(data, DATABASE_FILE), 'r+');
    fs.writeSync(fd, Buffer.alloc(4 * 4096, 0x5a), 0, 4 * 4096, 2 * 4096);
    fs.closeSync(fd);
    const lines: string[] = [];
    cleanups.push(useLogger(createLogger({ destination: { write: (line: string) => void lines.push(line) } })));
    const schedule = new BackupSchedule(path.join(data, DATABASE_FILE), { dir: tempDir(), everyMs: HOUR, keepDaily: 7, keepWeekly: 8 }, () => SHANGHAI);
    expect(await schedule.runNow()).toBeUndefined();
    const msg = (JSON.parse(lines[0]!) as { msg: string }).msg.split('\n');
    expect(msg).toHaveLength(2);
    expect(msg[0]).toMatch(/^备份文件 \S+ 未通过检查（/);
    expect(msg[1]).toMatch(/^The backup file \S+ failed its check \(/);
    await schedule.stop();
  });

  it.each([
    ['SQLITE_FULL', 'database or disk is full', '所在的磁盘已满（database or disk is full）', 'is full (database or disk is full)'],
    ['ENOSPC', "ENOSPC: no space left on device, open '/mnt/nas/hall/hall-x.db.partial'", '所在的磁盘已满（ENOSPC', 'is full (ENOSPC'],
    ['EROFS', "EROFS: read-only file system, mkdir '/mnt/nas/hall'", '所在的磁盘或网络共享是只读的（EROFS', 'is read-only (EROFS'],
    ['SQLITE_READONLY', 'attempt to write a readonly database', '所在的磁盘或网络共享是只读的（attempt', 'is read-only (attempt'],
  ])('that its folder’s disk refuses (%s) says so, with the room a backup needs and what to do, in Chinese then English', (code, problem, zh, en) => {
    const [zhLine, enLine, ...more] = backupFailure({ problem, code }, '/mnt/nas/hall', () => 5_300_000).message.split('\n');
    expect(more).toEqual([]);
    expect(zhLine).toMatch(/^备份没有完成：备份文件夹 \/mnt\/nas\/hall /);
    expect(zhLine).toContain(zh);
    expect(zhLine).toMatch(/换一个.*文件夹（SERVICEHALL_BACKUP_DIR 或 --to），再备份。$/);
    expect(enLine).toMatch(/^The backup was not finished: the disk (or network share )?of the backup folder \/mnt\/nas\/hall /);
    expect(enLine).toContain(en);
    if (code === 'SQLITE_FULL' || code === 'ENOSPC') expect(`${zhLine}\n${enLine}`).toMatch(/约需 5\.3 MB[^]*about 5\.3 MB/);
  });

  it('to a folder on a disk or share mounted read-only is refused as such, saying what to do, not as this account’s rights (which root has)', async () => {
    const data = tempDir();
    makeHallDatabase(data, 2);
    const share = tempDir();
    // As the kernel answers on a read-only mount, whoever asks (root too).
    const access = fs.accessSync;
    const spy = vi.spyOn(fs, 'accessSync').mockImplementation((file, mode) => {
      if (String(file) === share && mode !== undefined && (mode & fs.constants.W_OK) !== 0) throw Object.assign(new Error(`EROFS: read-only file system, access '${share}'`), { code: 'EROFS' });
      return access(file, mode);
    });
    cleanups.push(() => spy.mockRestore());
    for (const dir of [share, path.join(share, 'servicehall')]) {
      const refused = await runOpsCommand('backup', ['--to', dir], { env: { SERVICEHALL_DATA: data }, out: () => undefined }).catch((e: unknown) => e as Error);
      expect(refused).toBeInstanceOf(HubRefusal);
      const [zh, en] = (refused as Error).message.split('\n');
      expect(zh).toBe(`备份没有完成：备份文件夹 ${dir} 所在的磁盘或网络共享是只读的（EROFS: read-only file system, access '${share}'）。已有的备份未受影响。请让它可写（检查挂载选项，或网络共享是否已满、已断开后重新挂载），或换一个文件夹（SERVICEHALL_BACKUP_DIR 或 --to），再备份。`);
      expect(en).toMatch(/^The backup was not finished: the disk or network share of the backup folder \S+ is read-only/);
    }
    expect(fs.readdirSync(share)).toEqual([]);
  });

  it('that fails otherwise says the worker’s reason in the words of a failed backup', () => {
    expect(backupFailure({ problem: 'the backup worker stopped (1)' }, '/mnt/nas/hall', () => 1).message).toBe(
      '备份失败，已有的备份未受影响：the backup worker stopped (1)\nThe backup failed; the backups already made are untouched: the backup worker stopped (1)',
    );
  });

  it('is stopped when the hub closes before it is done, and offers nothing half-made as a backup', async () => {
    const data = tempDir();
    const backups = tempDir();
    makeHallDatabase(data, 300);
    const stop = new AbortController();
    const taking = takeBackup(path.join(data, DATABASE_FILE), backups, Date.now, stop.signal);
    stop.abort();
    await expect(taking).rejects.toThrow(/stopped/);
    expect(await listBackups(backups)).toEqual([]);
  });

  it('and the database restored from it are for the hub’s account alone (mode 600), as the data folder’s files are', async () => {
    const data = tempDir();
    makeHallDatabase(data, 3);
    const backup = await takeBackup(path.join(data, DATABASE_FILE), tempDir());
    const mode = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);
    expect([mode(backup.path), mode(backup.path.replace(/\.db$/, '.json'))]).toEqual(['600', '600']);
    // Restored from one an earlier release made by the umask (644), too.
    fs.chmodSync(backup.path, 0o644);
    await restoreBackup(backup.path, data);
    expect(mode(path.join(data, DATABASE_FILE))).toBe('600');
  });

  it('restored onto a new PC whose data folder holds no database says so, not that the previous one was kept in "-"', async () => {
    const data = tempDir();
    makeHallDatabase(data, 2);
    const backup = await takeBackup(path.join(data, DATABASE_FILE), tempDir());
    const fresh = tempDir();
    fs.copyFileSync(path.join(data, KEY_FILE), path.join(fresh, KEY_FILE));
    const lines: string[] = [];
    expect(await runOpsCommand('restore', [backup.path], { env: { SERVICEHALL_DATA: fresh }, out: (l) => lines.push(l) })).toBe(0);
    // Taken at the hall's time as `backups` lists it, not UTC.
    const local = localTime(backup.takenAtMs, SHANGHAI);
    expect(lines[0]).toBe(
      `已恢复：${backup.path}（事件序号 ${backup.seq}，备份时间 ${local.day} ${local.time}）到 ${fresh}，那里原先没有大厅数据库。\nRestored ${backup.path} (event ${backup.seq}, taken ${local.day} ${local.time}) into ${fresh}, which held no hall database before.`,
    );
  });

  it('restored without its manifest says its time is not known, not "?"', async () => {
    const data = tempDir();
    makeHallDatabase(data, 2);
    const backup = await takeBackup(path.join(data, DATABASE_FILE), tempDir());
    const bare = path.join(tempDir(), path.basename(backup.path));
    fs.copyFileSync(backup.path, bare);
    const lines: string[] = [];
    expect(await runOpsCommand('restore', [bare], { env: { SERVICEHALL_DATA: data }, out: (l) => lines.push(l) })).toBe(0);
    expect(lines[0]).toMatch(new RegExp(`^已恢复：${bare}（事件序号 ${backup.seq}，备份时间不明（它旁边没有清单））。原数据库已保留在 \\S+。\\nRestored ${bare} \\(event ${backup.seq}, taken unknown \\(no manifest beside it\\)\\)\\.`));
  });

  it('is found wanting when its file is not a hall database', async () => {
    const file = path.join(tempDir(), 'notes.db');
    const db = new Database(file);
    db.exec('CREATE TABLE notes (text TEXT)');
    db.close();
    expect(await inspectBackup(file)).toEqual({ ok: false, problem: 'not a hall database: no event log in it' });
  });
});

// Only root may give files to another account: the installer's sudo, which this test stands for.
describe.skipIf(process.getuid?.() !== 0)("an operator's commands run as root (sudo) on the service account's folders", () => {
  const SERVICE = 64_123;
  const giveAll = (dir: string) => {
    for (const f of [dir, ...fs.readdirSync(dir, { recursive: true }).map((f) => path.join(dir, String(f)))]) fs.lchownSync(f, SERVICE, SERVICE);
  };
  const owners = (dir: string) => [...new Set([dir, ...fs.readdirSync(dir, { recursive: true }).map((f) => path.join(dir, String(f)))].map((f) => fs.lstatSync(f).uid))];

  it('leave the backup, the restored database and the TLS files to that account, which the hub runs as', async () => {
    const data = tempDir();
    makeHallDatabase(data, 3);
    const backups = tempDir();
    giveAll(data);
    giveAll(backups);
    const backup = await takeBackup(path.join(data, DATABASE_FILE), backups);
    expect(owners(backups)).toEqual([SERVICE]);
    const restored = await restoreBackup(backup.path, data);
    expect(restored.kept).toBeDefined();
    // hall.db, and the folder the replaced one was put in: a root-owned hall.db (600) the hub, as its account, could not open.
    expect(owners(data)).toEqual([SERVICE]);
    await initTls(data, { names: ['127.0.0.1'] });
    expect(owners(data)).toEqual([SERVICE]);
    expect(fs.statSync(path.join(data, 'tls', 'hub.key')).mode & 0o777).toBe(0o600);
  });

  it("leave root's own folders root's", async () => {
    const data = tempDir();
    makeHallDatabase(data, 1);
    const backup = await takeBackup(path.join(data, DATABASE_FILE), tempDir());
    await restoreBackup(backup.path, data);
    expect(owners(data)).toEqual([0]);
  });
});

describe('the backups offered', () => {
  it.each([
    ['without its checksum', ['sha256']],
    ['without the time it was taken', ['takenAt']],
    ['without either', ['takenAt', 'sha256']],
  ])('are only those restore would take: one whose manifest is %s is named with the reason, not listed', async (_, missing) => {
    const data = tempDir();
    const backups = tempDir();
    makeHallDatabase(data, 5);
    const whole = await takeBackup(path.join(data, DATABASE_FILE), backups, () => Date.parse('2026-12-01T02:00:00Z'));
    const lacking = await takeBackup(path.join(data, DATABASE_FILE), backups, () => Date.parse('2026-12-02T02:00:00Z'));
    const manifest = lacking.path.replace(/\.db$/, '.json');
    const fields = JSON.parse(fs.readFileSync(manifest, 'utf8')) as Record<string, unknown>;
    for (const name of missing) delete fields[name];
    fs.writeFileSync(manifest, JSON.stringify(fields));

    const { backups: listed, unlisted } = await readBackups(backups);
    expect(listed.map((b) => b.file)).toEqual([whole.file]);
    expect(unlisted).toHaveLength(1);
    expect(unlisted[0]!.manifest).toBe(manifest);
    for (const name of missing) {
      expect(unlisted[0]!.problem['zh-CN']).toContain(`${name} 不对`);
      expect(unlisted[0]!.problem.en).toContain(`${name} is wrong`);
    }
    expect(unlisted[0]!.problem['zh-CN']).toContain('恢复时会被拒绝');
    expect(unlisted[0]!.problem.en).toContain('restore would refuse it');
    // And restore refuses it, for the same reason.
    await expect(restoreBackup(lacking.path, tempDir())).rejects.toThrow(new RegExp(`${missing[0]} 不对[^]*${missing[0]} is wrong`));
    expect((await restoreBackup(whole.path, tempDir())).checksum).toBe('matched');
  });
});

describe('the retention of backups', () => {
  // Every four hours for six weeks, ending on Wednesday 2026-11-25 at 20:00 in the hall.
  const end = Date.parse('2026-11-25T20:00:00+08:00');
  const all = Array.from({ length: 6 * 42 }, (_, i) => ({ file: `b${i}`, takenAtMs: end - i * 4 * HOUR }));
  const day = (b: { takenAtMs: number }) => new Date(b.takenAtMs + 8 * HOUR).toISOString().slice(0, 10);

  it.each([
    { keepDaily: 7, keepWeekly: 0, days: ['2026-11-25', '2026-11-24', '2026-11-23', '2026-11-22', '2026-11-21', '2026-11-20', '2026-11-19'] },
    { keepDaily: 1, keepWeekly: 4, days: ['2026-11-25', '2026-11-22', '2026-11-15', '2026-11-08'] },
    { keepDaily: 3, keepWeekly: 8, days: ['2026-11-25', '2026-11-24', '2026-11-23', '2026-11-22', '2026-11-15', '2026-11-08', '2026-11-01', '2026-10-25', '2026-10-18'] },
  ])('keeps the newest of the last $keepDaily days and of the last $keepWeekly weeks', ({ keepDaily, keepWeekly, days }) => {
    const kept = backupsToKeep(all, { keepDaily, keepWeekly }, SHANGHAI);
    const keptBackups = all.filter((b) => kept.has(b.file));
    expect(keptBackups.map(day)).toEqual(days);
    // Each kept one is the newest of its day: 20:00 in the hall.
    for (const b of keptBackups) expect(new Date(b.takenAtMs + 8 * HOUR).toISOString().slice(11, 16)).toBe('20:00');
  });

  it('always keeps the newest backup', () => {
    expect(backupsToKeep(all, { keepDaily: 0, keepWeekly: 0 }, SHANGHAI)).toEqual(new Set(['b0']));
  });

  it('removes what it does not keep, and copies left half-made a day ago, from the folder', async () => {
    const data = tempDir();
    const backups = tempDir();
    makeHallDatabase(data, 5);
    const taken = [];
    for (const at of ['2026-11-23T10:00:00+08:00', '2026-11-24T10:00:00+08:00', '2026-11-24T16:00:00+08:00', '2026-11-25T10:00:00+08:00'])
      taken.push(await takeBackup(path.join(data, DATABASE_FILE), backups, () => Date.parse(at)));
    fs.writeFileSync(path.join(backups, 'hall-old.db.partial'), 'x');
    fs.utimesSync(path.join(backups, 'hall-old.db.partial'), new Date('2026-11-20'), new Date('2026-11-20'));
    fs.writeFileSync(path.join(backups, 'hall-now.db.partial'), 'x');
    fs.writeFileSync(path.join(backups, 'someone-else.db'), 'x');
    const removed = await pruneBackups(backups, { keepDaily: 2, keepWeekly: 0 }, SHANGHAI, Date.parse('2026-11-25T12:00:00+08:00'));
    expect(removed.sort()).toEqual([taken[0]!.file, taken[1]!.file].sort());
    expect((await listBackups(backups)).map((b) => b.file)).toEqual([taken[3]!.file, taken[2]!.file]);
    expect(fs.existsSync(path.join(backups, 'hall-old.db.partial'))).toBe(false);
    expect(fs.existsSync(path.join(backups, 'hall-now.db.partial'))).toBe(true);
    expect(fs.existsSync(path.join(backups, 'someone-else.db'))).toBe(true);
  });
});

describe('scheduled backups', () => {
  it('take the first backup at start when none is recent, go on at each interval, and keep to the policy', async () => {
    const data = tempDir();
    const backups = tempDir();
    makeHallDatabase(data, 30);
    const schedule = new BackupSchedule(path.join(data, DATABASE_FILE), { dir: backups, everyMs: 40, keepDaily: 1, keepWeekly: 0 }, () => SHANGHAI);
    cleanups.push(() => schedule.stop());
    await schedule.start();
    const deadline = Date.now() + 15_000;
    const made = new Set<string>();
    while (made.size < 3 && Date.now() < deadline) {
      if (schedule.status.last) made.add(schedule.status.last.file);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(made.size).toBeGreaterThanOrEqual(3);
    await schedule.stop();
    const left = await listBackups(backups);
    expect(left.map((b) => b.file)).toEqual([schedule.status.last!.file]);
    expect(schedule.status.failures).toBe(0);
  });

  it('wait for the interval when the newest backup is recent', async () => {
    const data = tempDir();
    const backups = tempDir();
    makeHallDatabase(data, 5);
    const recent = await takeBackup(path.join(data, DATABASE_FILE), backups);
    const schedule = new BackupSchedule(path.join(data, DATABASE_FILE), { dir: backups, everyMs: HOUR, keepDaily: 7, keepWeekly: 8 }, () => SHANGHAI);
    cleanups.push(() => schedule.stop());
    await schedule.start();
    await new Promise((r) => setTimeout(r, 200));
    expect(schedule.status.last?.file).toBe(recent.file);
    expect((await listBackups(backups)).length).toBe(1);
  });

  it('count a failure and keep the hub going when the backup folder cannot be written', async () => {
    const data = tempDir();
    makeHallDatabase(data, 5);
    const blocked = path.join(tempDir(), 'a-file-not-a-folder');
    fs.writeFileSync(blocked, 'x');
    const lines: string[] = [];
    cleanups.push(useLogger(createLogger({ destination: { write: (line: string) => void lines.push(line) } })));
    const schedule = new BackupSchedule(path.join(data, DATABASE_FILE), { dir: blocked, everyMs: HOUR, keepDaily: 7, keepWeekly: 8 }, () => SHANGHAI);
    expect(await schedule.runNow()).toBeUndefined();
    expect(schedule.status.failures).toBe(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error', dir: blocked, msg: expect.stringContaining('The backup failed; the backups already made are untouched') });
    await schedule.stop();
  });

  it('take no backup, make no folder and say so in Chinese then English while the share the folder is on is not mounted, and take it at a later turn once it is', async () => {
    const data = tempDir();
    makeHallDatabase(data, 5);
    const mountPoint = path.join(tempDir(), 'nas');
    const dir = path.join(mountPoint, 'servicehall');
    const lines: string[] = [];
    cleanups.push(useLogger(createLogger({ destination: { write: (line: string) => void lines.push(line) } })));
    const schedule = new BackupSchedule(path.join(data, DATABASE_FILE), { dir, everyMs: 300, keepDaily: 7, keepWeekly: 8 }, () => SHANGHAI);
    cleanups.push(() => schedule.stop());
    await schedule.start();
    await expect.poll(() => schedule.status.failures, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect(fs.existsSync(mountPoint)).toBe(false);
    expect(schedule.status.last).toBeUndefined();
    const said = lines.map((l) => JSON.parse(l) as { level: number | string; msg: string; dir?: string; missing?: string }).filter((l) => l.msg.includes(mountPoint));
    expect(said.length).toBeGreaterThanOrEqual(2);
    expect(said[0]).toMatchObject({ level: 'error', dir, missing: mountPoint });
    const [zh, en] = said[0]!.msg.split('\n');
    expect(zh).toBe(`定时备份没有进行：备份文件夹 ${dir} 所在的 ${mountPoint} 不存在，网络共享或备份磁盘可能没有挂载；主机不会在本机磁盘上建立这条路径。请挂载它（如写入 /etc/fstab），或在 SERVICEHALL_BACKUP_DIR 中写明已有文件夹中的一个文件夹。已有的备份未受影响；0.005 分钟后按时再试。`);
    expect(en).toMatch(/^The scheduled backup was not taken: .* does not exist; .* Mount it \(e\.g\. in \/etc\/fstab\)/);

    // The share is mounted: the next turn makes the folder's last level in it and backs up there.
    fs.mkdirSync(mountPoint);
    await expect.poll(() => schedule.status.last?.path, { timeout: 10_000 }).toMatch(new RegExp(`^${dir}/hall-`));
    expect((await listBackups(dir)).length).toBeGreaterThanOrEqual(1);
  });

  it('are set from the environment, with a clear error for a wrong number', () => {
    expect(backupPolicyFromEnv({})).toBeUndefined();
    expect(backupPolicyFromEnv({ SERVICEHALL_BACKUP_DIR: '/mnt/nas/hall', SERVICEHALL_BACKUP_EVERY_MINUTES: '60' })).toEqual({
      dir: '/mnt/nas/hall',
      everyMs: HOUR,
      keepDaily: 7,
      keepWeekly: 8,
    });
    expect(() => backupPolicyFromEnv({ SERVICEHALL_BACKUP_DIR: '/b', SERVICEHALL_BACKUP_KEEP_DAILY: 'seven' })).toThrow('SERVICEHALL_BACKUP_KEEP_DAILY must be a whole number of days from 1 to 3660, not "seven"');
  });

  it('refuses a backup folder that is a file or lies under one, naming SERVICEHALL_BACKUP_DIR; one not there yet waits for its share', () => {
    const place = tempDir();
    const aFile = path.join(place, 'backups');
    fs.writeFileSync(aFile, '');
    for (const dir of [aFile, path.join(aFile, 'hall')]) {
      expect(() => backupFolderUsable(dir)).toThrow(new RegExp(`^SERVICEHALL_BACKUP_DIR: the backup folder ${dir} cannot be used, as it is not a folder or no file can be made in it \\(ENOTDIR\\)`));
      expect(() => backupFolderUsable(dir)).toThrow(expect.objectContaining({ zh: expect.stringMatching(new RegExp(`^SERVICEHALL_BACKUP_DIR 的备份文件夹 ${dir} 无法使用`)) }));
    }
    expect(() => backupFolderUsable(path.join(place, 'share-not-mounted', 'hall'))).not.toThrow();
    expect(() => backupFolderUsable(place)).not.toThrow();
    expect(fs.readdirSync(place)).toEqual(['backups']);
  });
});
