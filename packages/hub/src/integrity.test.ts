import { demoCatalogue } from '@servicehall/fixtures';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { takeBackup } from './backup';
import Database from 'better-sqlite3';
import { DAMAGED_MARKER, DATABASE_FILE, HubRefusal, REFUSED_EXIT_CODE, RUNNING_MARKER, checkAtStart, checkInBackground, checkOnce } from './integrity';
import { createLogger, useLogger } from './log';
import { runOpsCommand } from './ops-cli';
import { restoreBackup } from './restore';
import { startHub } from './server';
import { makeHallDatabase } from './testing/hall-db';

/** A hall token the hub accepts (16 characters or more). */
const HUB_TOKEN = 'hall-token-for-operations';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-integrity-'));
  dirs.push(d);
  return d;
}

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** Writes garbage over pages 2 to 6 of the file: the b-trees of the first tables. */
function damage(file: string): void {
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.alloc(5 * 4096, 0xa5), 0, 5 * 4096, 4096);
  fs.closeSync(fd);
}

/** The pid of a process that has ended. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('the database check at start', () => {
  it('refuses a damaged database without changing a byte of it, and names the newest backup to restore', async () => {
    const data = tempDir();
    const backups = tempDir();
    makeHallDatabase(data, 200);
    const older = await takeBackup(path.join(data, DATABASE_FILE), backups, () => Date.parse('2026-11-26T18:00:00Z'));
    const newest = await takeBackup(path.join(data, DATABASE_FILE), backups, () => Date.parse('2026-11-27T18:00:00Z'));
    expect(older.path).not.toBe(newest.path);
    damage(path.join(data, DATABASE_FILE));
    const before = sha(path.join(data, DATABASE_FILE));

    const refused = await startHub({ dataDir: data, token: HUB_TOKEN, seed: demoCatalogue(), backup: { dir: backups, everyMs: 3_600_000, keepDaily: 7, keepWeekly: 8 } }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(HubRefusal);
    const message = (refused as HubRefusal).message;
    expect(message).toContain('已损坏');
    expect(message).toContain('is damaged');
    expect(message).toContain(`npm run hub -- restore ${newest.path}`);
    expect((refused as HubRefusal).exitCode).toBe(REFUSED_EXIT_CODE);
    expect(sha(path.join(data, DATABASE_FILE))).toBe(before);
    expect(fs.existsSync(path.join(data, RUNNING_MARKER))).toBe(false);
  });

  it('does not call a database it cannot open (its disk full or read-only) damaged, nor ask for a restore', async () => {
    const data = tempDir();
    makeHallDatabase(data, 5);
    // A log file SQLite cannot open stands for the disk a test cannot make full or read-only.
    const wal = path.join(data, `${DATABASE_FILE}-wal`);
    fs.mkdirSync(wal);
    const refused = (await checkAtStart(data).catch((error: unknown) => error)) as HubRefusal;
    expect(refused).toBeInstanceOf(HubRefusal);
    expect(refused.message).toMatch(/主机无法读取大厅数据库[^]*不需要恢复备份[^]*cannot read the hall database[^]*needs no restore/);
    expect(refused.message).not.toContain('已损坏');
    fs.rmdirSync(wal);
    expect((await checkAtStart(data)).kind).toBe('quick');
  });

  it('says where to find a backup when no backup folder is set', async () => {
    const data = tempDir();
    makeHallDatabase(data, 50);
    damage(path.join(data, DATABASE_FILE));
    await expect(checkAtStart(data)).rejects.toThrow(/SERVICEHALL_BACKUP_DIR/);
  });

  it('checks the whole database after a crash (the running marker was left), and quickly after a clean stop', async () => {
    const data = tempDir();
    makeHallDatabase(data, 20);
    fs.writeFileSync(path.join(data, RUNNING_MARKER), JSON.stringify({ pid: deadPid(), startedAt: '2026-11-27T01:00:00Z' }));
    const first = await startHub({ dataDir: data, token: HUB_TOKEN, seed: demoCatalogue() });
    expect(first.startCheck).toMatchObject({ kind: 'full', uncleanStop: { startedAt: '2026-11-27T01:00:00Z' } });
    expect(fs.existsSync(path.join(data, RUNNING_MARKER))).toBe(true);
    await first.close();
    expect(fs.existsSync(path.join(data, RUNNING_MARKER))).toBe(false);
    const second = await startHub({ dataDir: data, token: HUB_TOKEN, seed: demoCatalogue() });
    expect(second.startCheck.kind).toBe('quick');
    await second.close();
  });

  it('refuses to start a second hub on a data folder a live hub process uses: one writer', async () => {
    const data = tempDir();
    makeHallDatabase(data, 5);
    // The test runner's own parent stands for the other hub: alive, and not this process.
    fs.writeFileSync(path.join(data, RUNNING_MARKER), JSON.stringify({ pid: process.ppid, startedAt: '2026-11-27T01:00:00Z' }));
    await expect(startHub({ dataDir: data, token: HUB_TOKEN, seed: demoCatalogue() })).rejects.toThrow(/另一个主机进程[\s\S]*Another hub process/);
  });

  it('treats a marker cut short by the crash as a crash', async () => {
    const data = tempDir();
    makeHallDatabase(data, 5);
    fs.writeFileSync(path.join(data, RUNNING_MARKER), '{"pid":');
    expect((await checkAtStart(data)).kind).toBe('full');
  });

  it('checks a big database whole in the background: the hub serves at once, and closes when the check finds damage', async () => {
    const data = tempDir();
    const backups = tempDir();
    makeHallDatabase(data, 400);
    const backup = await takeBackup(path.join(data, DATABASE_FILE), backups);
    // Damage only pages of the event log, which the check before the start leaves to the background.
    const db = new Database(path.join(data, DATABASE_FILE), { readonly: true });
    const pages = (db.prepare("SELECT pageno FROM dbstat WHERE name = 'events' AND pagetype = 'leaf' ORDER BY pageno").all() as { pageno: number }[]).map((r) => r.pageno);
    db.close();
    expect(pages.length).toBeGreaterThan(4);
    const fd = fs.openSync(path.join(data, DATABASE_FILE), 'r+');
    for (const page of pages.slice(1, 4)) fs.writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, (page - 1) * 4096);
    fs.closeSync(fd);

    const logged: string[] = [];
    const restoreLog = useLogger(createLogger({ destination: { write: (line: string) => void logged.push(line) } }));
    const damagedSaid: string[] = [];
    const hub = await startHub({ dataDir: data, token: HUB_TOKEN, backup: { dir: backups, everyMs: 3_600_000, keepDaily: 7, keepWeekly: 8 }, wholeCheckUpToBytes: 0, onDatabaseDamaged: (m) => damagedSaid.push(m) });
    expect(hub.startCheck.kind).toBe('partial');
    expect(await hub.backgroundCheck).toBeTruthy();
    expect(damagedSaid).toHaveLength(1);
    expect(damagedSaid[0]).toContain('the hub has stopped taking commands');
    expect(damagedSaid[0]).toContain(`npm run hub -- restore ${backup.path}`);
    restoreLog();
    expect(logged.map((l) => JSON.parse(l))).toContainEqual(expect.objectContaining({ level: 'fatal', msg: damagedSaid[0] }));
    await expect(fetch(`${hub.url}/api/health`)).rejects.toThrow();
    // It stays refused at the next start, until the backup is restored.
    await expect(startHub({ dataDir: data, token: HUB_TOKEN, wholeCheckUpToBytes: 0 })).rejects.toThrow(/已损坏[\s\S]*is damaged/);
    expect(fs.existsSync(path.join(data, DAMAGED_MARKER))).toBe(true);
    await restoreBackup(backup.path, data);
    const restored = await startHub({ dataDir: data, token: HUB_TOKEN, wholeCheckUpToBytes: 0 });
    expect(await restored.backgroundCheck).toBeUndefined();
    await restored.close();
  });

  it('takes a background check that could not finish (the file gone for a while, an I/O error) for no damage: says so in both languages, asks for no restore, and checks again', async () => {
    const data = tempDir();
    makeHallDatabase(data, 20);
    const elsewhere = path.join(tempDir(), DATABASE_FILE);
    const logged: string[] = [];
    const restoreLog = useLogger(createLogger({ destination: { write: (line: string) => void logged.push(line) } }));
    try {
      const check = checkInBackground(elsewhere, 200);
      await vi.waitFor(() => expect(logged).toHaveLength(1), { timeout: 10_000 });
      fs.copyFileSync(path.join(data, DATABASE_FILE), elsewhere);
      expect(await check.result).toBeUndefined();
      const said = JSON.parse(logged[0]!) as { level: string; msg: string; attempt: number };
      expect(said).toMatchObject({ level: 'warn', attempt: 1 });
      expect(said.msg).toMatch(/完整检查没能做完[^]*不需要恢复备份[^\n]*\nThe whole check [^]*could not finish[^]*no restore is needed/);
      expect(said.msg).not.toMatch(/npm run hub -- restore|停止接受命令|stopped taking commands/);
      expect(logged.map((l) => JSON.parse(l).level)).not.toContain('fatal');
    } finally {
      restoreLog();
    }
  });

  it('takes its worker ended before it finished (killed, out of memory) for a check unfinished, and only SQLite’s verdict for damage', async () => {
    const data = tempDir();
    makeHallDatabase(data, 5);
    const killed = checkOnce(path.join(data, DATABASE_FILE));
    await killed.worker.terminate();
    expect(await killed.verdict).toMatchObject({ kind: 'unfinished', reason: expect.stringContaining('before it finished') });
    expect(await checkOnce(path.join(data, DATABASE_FILE)).verdict).toEqual({ kind: 'whole' });
    damage(path.join(data, DATABASE_FILE));
    expect(await checkOnce(path.join(data, DATABASE_FILE)).verdict).toMatchObject({ kind: 'damaged' });
  });

  it('lets a big, whole database serve while the background check passes', async () => {
    const data = tempDir();
    makeHallDatabase(data, 100);
    const hub = await startHub({ dataDir: data, token: HUB_TOKEN, wholeCheckUpToBytes: 0 });
    expect(hub.startCheck.kind).toBe('partial');
    expect(await hub.backgroundCheck).toBeUndefined();
    expect((await fetch(`${hub.url}/api/health`, { headers: { authorization: 'Bearer t' } })).status).toBe(200);
    await hub.close();
  });

  it.each([
    ['cut short in copying', (file: string) => fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2)), /文件已损坏或不完整/, /the file is damaged or cut short/],
    ['damaged in storage', (file: string) => damage(file), /文件已损坏或不完整/, /the file is damaged or cut short/],
    ['not a hall database at all', (file: string) => (fs.rmSync(file), new Database(file).exec('CREATE TABLE notes (x)').close()), /它不是大厅数据库，其中没有事件记录/, /it is not a hall database: no event log in it/],
  ])('refuses a backup %s, saying in Chinese then English what is wrong with it and which backup to use instead, changing nothing', async (_, spoil, zh, en) => {
    const here = tempDir();
    makeHallDatabase(here, 5);
    const backup = await takeBackup(path.join(here, DATABASE_FILE), tempDir());
    const copied = path.join(tempDir(), path.basename(backup.path));
    fs.copyFileSync(backup.path, copied);
    spoil(copied);
    const before = sha(path.join(here, DATABASE_FILE));
    const refused = await restoreBackup(copied, here).catch((e: unknown) => e as Error);
    expect(refused).toBeInstanceOf(HubRefusal);
    const [zhLine, enLine, ...more] = (refused as Error).message.split('\n');
    expect(more).toEqual([]);
    expect(zhLine).toMatch(zh);
    expect(zhLine).toContain(`${copied} 不能用来恢复`);
    expect(zhLine).toMatch(/数据文件夹没有被改动。请换用另一个备份（npm run hub -- backups 列出备份/);
    expect(enLine).toMatch(en);
    expect(enLine).toMatch(/The data folder was not changed\. Use another backup \(npm run hub -- backups lists them/);
    expect(sha(path.join(here, DATABASE_FILE))).toBe(before);
    expect(fs.readdirSync(here).filter((f) => f.startsWith('replaced-') || f.endsWith('.restoring'))).toEqual([]);
  });

  it('refuses to restore another hall’s backup (sealed with another hall key), changing nothing', async () => {
    const here = tempDir();
    const other = tempDir();
    makeHallDatabase(here, 5);
    makeHallDatabase(other, 3);
    const theirs = await takeBackup(path.join(other, DATABASE_FILE), tempDir());
    const before = sha(path.join(here, DATABASE_FILE));
    await expect(restoreBackup(theirs.path, here)).rejects.toThrow(/另一个大厅密钥[^]*数据文件夹没有被改动[^]*sealed with another hall key/);
    expect(sha(path.join(here, DATABASE_FILE))).toBe(before);
    expect(fs.readdirSync(here).filter((f) => f.startsWith('replaced-'))).toEqual([]);
    const ours = await takeBackup(path.join(here, DATABASE_FILE), tempDir());
    expect((await restoreBackup(ours.path, here)).seq).toBe(ours.seq);
  });

  it('syncs the data folder after the restored database is renamed into place and the markers are removed, and the folder keeping the replaced one before', async () => {
    const data = tempDir();
    makeHallDatabase(data, 5);
    const backup = await takeBackup(path.join(data, DATABASE_FILE), tempDir());
    fs.writeFileSync(path.join(data, RUNNING_MARKER), '');
    const folder = fs.statSync(data);
    const order: string[] = [];
    const { fsyncSync, renameSync, rmSync } = fs;
    onTestFinished(() => void vi.restoreAllMocks());
    vi.spyOn(fs, 'fsyncSync').mockImplementation((fd) => {
      const synced = fs.fstatSync(fd);
      if (synced.isDirectory()) order.push(synced.ino === folder.ino && synced.dev === folder.dev ? 'data folder synced' : 'other folder synced');
      fsyncSync(fd);
    });
    vi.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
      if (to === path.join(data, DATABASE_FILE)) order.push('restored into place');
      renameSync(from, to);
    });
    vi.spyOn(fs, 'rmSync').mockImplementation((file, options) => {
      if (file === path.join(data, RUNNING_MARKER) || file === path.join(data, DAMAGED_MARKER)) order.push('marker removed');
      rmSync(file, options);
    });
    const restored = await restoreBackup(backup.path, data);
    // Before, no folder was synced: a power cut soon after could bring back the old hall.db (or none) under the restored one's name.
    expect(order).toEqual(['other folder synced', 'restored into place', 'marker removed', 'marker removed', 'data folder synced']);
    expect(restored.kept).toBeDefined();
    expect(fs.existsSync(path.join(data, RUNNING_MARKER))).toBe(false);
  });

  it('never writes into nor removes the database an earlier restore put aside under the same name (two restores in one millisecond)', async () => {
    const data = tempDir();
    makeHallDatabase(data, 5);
    const first = sha(path.join(data, DATABASE_FILE));
    const backup = await takeBackup(path.join(data, DATABASE_FILE), tempDir());
    const sameMoment = () => Date.parse('2026-11-27T09:00:00Z');
    const kept = (await restoreBackup(backup.path, data, sameMoment)).kept!;
    expect(sha(path.join(kept, DATABASE_FILE))).toBe(first);
    const restored = sha(path.join(data, DATABASE_FILE));
    await expect(restoreBackup(backup.path, data, sameMoment)).rejects.toThrow(/EEXIST/);
    expect(sha(path.join(kept, DATABASE_FILE))).toBe(first);
    expect(sha(path.join(data, DATABASE_FILE))).toBe(restored);
    expect(fs.readdirSync(data).filter((f) => f.endsWith('.restoring'))).toEqual([]);
  });

  it.each([
    ['not JSON', () => 'this is no manifest', /不是完整的 JSON[^]*not whole JSON/],
    ['cut short', (m: string) => m.slice(0, m.length / 2), /不是完整的 JSON[^]*not whole JSON/],
    ['empty', () => '', /不是完整的 JSON[^]*not whole JSON/],
    ['of another shape', () => '[1, 2, 3]', /已损坏[^]*is damaged/],
    ['without its checksum', (m: string) => JSON.stringify({ ...JSON.parse(m), sha256: undefined }), /sha256 不对[^]*sha256 is wrong/],
    ['with a checksum that is no checksum', (m: string) => JSON.stringify({ ...JSON.parse(m), sha256: 42 }), /sha256 不对[^]*sha256 is wrong/],
  ])('refuses a backup whose manifest is there but %s, before the data folder changes', async (_, spoil, said) => {
    const data = tempDir();
    makeHallDatabase(data, 5);
    const backup = await takeBackup(path.join(data, DATABASE_FILE), tempDir());
    const manifest = backup.path.replace(/\.db$/, '.json');
    fs.writeFileSync(manifest, spoil(fs.readFileSync(manifest, 'utf8')));
    const before = sha(path.join(data, DATABASE_FILE));
    await expect(restoreBackup(backup.path, data)).rejects.toThrow(said);
    await expect(restoreBackup(backup.path, data)).rejects.toThrow(/清单记录着保护这个备份的校验值[^]*数据文件夹没有被改动[^]*holds the checksum that guards the backup[^]*The data folder was not changed/);
    expect(sha(path.join(data, DATABASE_FILE))).toBe(before);
    expect(fs.readdirSync(data).filter((f) => f.startsWith('replaced-') || f.endsWith('.restoring'))).toEqual([]);
    // Without a manifest at all (a backup copied alone) it is restored, checked whole.
    fs.rmSync(manifest);
    expect((await restoreBackup(backup.path, data)).checksum).toBe('no manifest');
  });

  it('refuses a restore the data folder’s disk cannot take (full, read-only), leaving the database there as it was and nothing begun', async () => {
    const data = tempDir();
    makeHallDatabase(data, 5);
    const backup = await takeBackup(path.join(data, DATABASE_FILE), tempDir());
    const before = sha(path.join(data, DATABASE_FILE));
    const files = fs.readdirSync(data).sort();
    // This process may write no file beyond its first 64 kB (RLIMIT_FSIZE: EFBIG, as ENOSPC on a full disk).
    const fsize = (limit: string) => execFileSync('prlimit', [`--pid=${process.pid}`, `--fsize=${limit}:unlimited`]);
    fsize('65536');
    try {
      await expect(restoreBackup(backup.path, data)).rejects.toThrow(
        new RegExp(`^无法把备份写入数据文件夹 ${data}（EFBIG）：它所在的磁盘可能已满或只读。没有恢复，原数据库没有改动[^]*\\nThe backup could not be written into the data folder ${data} \\(EFBIG\\)`),
      );
    } finally {
      fsize('unlimited');
    }
    expect(sha(path.join(data, DATABASE_FILE))).toBe(before);
    expect(fs.readdirSync(data).sort()).toEqual(files);
    // Once the disk has room, it is restored.
    expect((await restoreBackup(backup.path, data)).seq).toBe(backup.seq);
  });

  it('lifts the mark of damage when a whole check by hand passes', async () => {
    const data = tempDir();
    makeHallDatabase(data, 5);
    fs.writeFileSync(path.join(data, DAMAGED_MARKER), 'the hall database is damaged');
    await expect(checkAtStart(data)).rejects.toThrow('the hall database is damaged');
    const lines: string[] = [];
    expect(await runOpsCommand('check', [], { env: { SERVICEHALL_DATA: data }, out: (l) => lines.push(l) })).toBe(0);
    expect(lines.join('\n')).toContain('integrity_check ok');
    expect((await checkAtStart(data)).kind).toBe('quick');
  });
});
