import { demoCatalogue } from '@servicehall/fixtures';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { ArchiveRefusal, ArchiveVacuumFailed, archiveYear } from './archive';
import { openDatabase } from './db';
import { KEY_FILE, REFUSED_EXIT_CODE, USAGE_EXIT_CODE } from './files';
import { createLogger, useLogger } from './log';
import { startHub, type RunningHub } from './server';
import { freePort, hubCommandLine, spawnHub } from './testing/hub-process';
import { generateHistory } from './testing/year';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A hall whose history runs from the last days of 2025 into January 2026 (元旦 skipped). */
function hallAcrossNewYear(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-archive-'));
  dirs.push(dir);
  generateHistory({ dataDir: dir, days: 5, ticketsPerDay: 200, lastDay: '2026-01-06', catalogue: demoCatalogue({ allDay: true }) });
  return dir;
}

const count = (dir: string, file: string, sql: string) => {
  const db = openDatabase(dir, file);
  const n = (db.prepare(sql).get() as { n: number }).n;
  db.close();
  return n;
};

function runCli(args: string[], dataDir: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...hubCommandLine(), ...args], { cwd: root, env: { ...process.env, SERVICEHALL_DATA: dataDir } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('archiving a past year', () => {
  it('moves the year into its own file, keeps what is still open, and leaves a hall that starts and serves', async () => {
    const dir = hallAcrossNewYear();
    const ticketsBefore = count(dir, 'hall.db', 'SELECT COUNT(*) AS n FROM tickets');
    const old = count(dir, 'hall.db', "SELECT COUNT(*) AS n FROM tickets WHERE day < '2026-01-01'");
    expect(old).toBeGreaterThan(300);
    const waiting = count(dir, 'hall.db', "SELECT COUNT(*) AS n FROM cases WHERE day < '2026-01-01' AND state = 'correction'");

    const done = archiveYear(dir, 2025, Date.parse('2026-01-07T20:00:00+08:00'));
    expect(done.file).toBe(path.join(dir, 'hall-2025.db'));
    expect(done.moved.tickets).toBe(old);
    expect(count(dir, 'hall-2025.db', 'SELECT COUNT(*) AS n FROM tickets')).toBe(old);
    expect(count(dir, 'hall.db', 'SELECT COUNT(*) AS n FROM tickets')).toBe(ticketsBefore - old);
    // The log now begins with 2026; the archive holds 2025's from its first event on.
    expect(count(dir, 'hall-2025.db', 'SELECT MIN(seq) AS n FROM events')).toBe(1);
    expect(count(dir, 'hall-2025.db', 'SELECT MAX(seq) AS n FROM events')).toBe(done.lastSeq);
    expect(count(dir, 'hall.db', 'SELECT MIN(seq) AS n FROM events')).toBe(done.lastSeq + 1);
    expect(count(dir, 'hall.db', "SELECT COUNT(*) AS n FROM events WHERE type = 'day.opened' AND json_extract(body, '$.day') < '2026-01-01'")).toBe(0);
    // A case still waiting for its corrections stays with the hall.
    expect(count(dir, 'hall.db', "SELECT COUNT(*) AS n FROM cases WHERE state = 'correction' AND day < '2026-01-01'")).toBe(waiting);
    expect(done.bytesAfter).toBeLessThan(done.bytesBefore);
    // The log is append-only again.
    const db = openDatabase(dir);
    expect(() => db.prepare('DELETE FROM events WHERE seq = ?').run(done.lastSeq + 1)).toThrow(/append-only/);
    db.close();

    const now = Date.parse('2026-01-07T09:00:00+08:00');
    const hub = await startHub({ dataDir: dir, token: 'archive-test-hall-token', seed: demoCatalogue(), clock: () => now, ratingSweepMs: 60_000 });
    try {
      expect(hub.store.view.day).toBe('2026-01-07');
      expect(hub.store.eventsSince(0, 1)[0]!.seq).toBe(done.lastSeq + 1);
      const res = await fetch(`${hub.url}/api/tickets`, { method: 'POST', headers: { authorization: 'Bearer archive-test-hall-token', 'content-type': 'application/json' }, body: JSON.stringify({ serviceCode: 'GA-CS-DJ' }) });
      expect(res.status).toBe(201);
    } finally {
      await hub.close();
    }
  });

  it('moves closed complaints, finished routes, deliveries, unreferenced evidence and ended alerts with their year, and keeps what is still open', { timeout: 60_000 }, () => {
    const dir = hallAcrossNewYear();
    const db = openDatabase(dir, 'hall.db');
    const caseNumber = (db.prepare("SELECT number FROM cases WHERE day < '2026-01-01' AND state = 'accepted' LIMIT 1").get() as { number: string }).number;
    const complaint = db.prepare('INSERT INTO complaints (id, state, due, department, received_on, body) VALUES (?, ?, ?, NULL, ?, ?)');
    complaint.run('TS202512300001', 'closed', '2026-01-07', '2025-12-30', '{}');
    complaint.run('TS202512310001', 'assigned', '2026-01-08', '2025-12-31', '{}');
    db.prepare('INSERT INTO case_routes (case_number, state, department, due, body) VALUES (?, ?, NULL, NULL, ?)').run(caseNumber, 'done', '{}');
    db.prepare('INSERT INTO deliveries (case_number, body) VALUES (?, ?)').run(caseNumber, '{}');
    const file = db.prepare('INSERT INTO evidence_files (hash, type, size, data, stored_at, stored_by) VALUES (?, ?, 1, ?, ?, ?)');
    const [kept, gone] = ['a'.repeat(64), 'b'.repeat(64)];
    file.run(kept, 'image/png', Buffer.from('x'), Date.parse('2025-12-30T10:00:00+08:00'), 'li');
    file.run(gone, 'image/png', Buffer.from('y'), Date.parse('2025-12-30T10:00:00+08:00'), 'li');
    // A follow-up of 2025 still open names the first file: it stays with it.
    db.prepare('INSERT INTO follow_ups (id, closed, body, day) VALUES (?, 0, ?, ?)').run('FU-open', JSON.stringify({ openedOn: '2025-12-30', done: [{ evidence: [{ hash: kept }] }] }), '2025-12-30');
    // The supervisors' alerts: one of 2025 that ended, one of 2025 still standing, one of 2026.
    const alert = db.prepare('INSERT INTO alerts (id, day, kind, raised_at, standing, body) VALUES (?, ?, ?, ?, ?, ?)');
    alert.run('wait:GA-CS-DJ@1', '2025-12-30', 'wait-threshold', Date.parse('2025-12-30T10:00:00+08:00'), 0, '{}');
    alert.run('overdue:follow-up:FU-open@2', '2025-12-31', 'overdue', Date.parse('2025-12-31T09:00:00+08:00'), 1, '{}');
    alert.run('pause:3@3', '2026-01-05', 'long-pause', Date.parse('2026-01-05T11:00:00+08:00'), 0, '{}');
    db.close();

    const done = archiveYear(dir, 2025, Date.parse('2026-01-07T20:00:00+08:00'));
    expect(done.moved).toMatchObject({ complaints: 1, case_routes: 1, deliveries: 1, evidence_files: 1, alerts: 1 });
    expect(count(dir, 'hall-2025.db', "SELECT COUNT(*) AS n FROM alerts WHERE id = 'wait:GA-CS-DJ@1'")).toBe(1);
    expect(count(dir, 'hall.db', "SELECT COUNT(*) AS n FROM alerts WHERE id IN ('overdue:follow-up:FU-open@2', 'pause:3@3')")).toBe(2);
    expect(count(dir, 'hall.db', 'SELECT COUNT(*) AS n FROM alerts')).toBe(2);
    expect(count(dir, 'hall.db', "SELECT COUNT(*) AS n FROM complaints WHERE id = 'TS202512310001'")).toBe(1);
    expect(count(dir, 'hall.db', `SELECT COUNT(*) AS n FROM evidence_files WHERE hash = '${kept}'`)).toBe(1);
    expect(count(dir, 'hall-2025.db', `SELECT COUNT(*) AS n FROM evidence_files WHERE hash = '${gone}'`)).toBe(1);
    expect(count(dir, 'hall-2025.db', 'SELECT COUNT(*) AS n FROM deliveries')).toBe(1);
  });

  it('refuses a year not ended, a year not the oldest, a year archived already, and a year the hall does not hold', () => {
    const dir = hallAcrossNewYear();
    expect(() => archiveYear(dir, 2025, Date.parse('2025-12-31T20:00:00+08:00'))).toThrow(ArchiveRefusal);
    expect(() => archiveYear(dir, 2026, Date.parse('2027-01-02T09:00:00+08:00'))).toThrow(/还有 2025 年的记录[^]*oldest year first/);
    expect(() => archiveYear(dir, 2024, Date.parse('2026-01-07T09:00:00+08:00'))).toThrow(/nothing of 2024/);
    expect(() => archiveYear(dir, 25, Date.parse('2026-01-07T09:00:00+08:00'))).toThrow(/four digits/);
    archiveYear(dir, 2025, Date.parse('2026-01-07T20:00:00+08:00'));
    expect(() => archiveYear(dir, 2025, Date.parse('2026-01-07T20:00:00+08:00'))).toThrow(/archived/);
  });

  it('loses nothing when stopped after the copy, as by a power cut, and runs again to the same archive', { timeout: 120_000 }, () => {
    const dir = hallAcrossNewYear();
    const tables = ['events', 'tickets', 'ratings', 'cases', 'personal_data_access'];
    const counts = (folder: string, file: string) => Object.fromEntries(tables.map((t) => [t, count(folder, file, `SELECT COUNT(*) AS n FROM ${t}`)]));
    const before = counts(dir, 'hall.db');
    const old = count(dir, 'hall.db', "SELECT COUNT(*) AS n FROM tickets WHERE day < '2026-01-01'");
    // What the disks hold at a power cut there: hall.db with its WAL (synchronous=FULL), the archive's file without its WAL,
    // which nothing synced (an attached file keeps SQLite's WAL default, synchronous=NORMAL).
    const cut = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-archive-cut-'));
    dirs.push(cut);
    const powerCut = () => {
      for (const name of fs.readdirSync(dir)) if (!name.endsWith('-shm') && name !== 'hall-2025.db-wal') fs.cpSync(path.join(dir, name), path.join(cut, name), { recursive: true });
      throw new Error('power cut');
    };
    expect(() => archiveYear(dir, 2025, Date.parse('2026-01-07T20:00:00+08:00'), { copied: powerCut })).toThrow('power cut');
    // Every row is still in hall.db, on the disk as the cut left it and in the folder the run stopped in.
    expect(counts(cut, 'hall.db')).toEqual(before);
    expect(counts(dir, 'hall.db')).toEqual(before);

    // Run again (on either), it moves the year once: the archive holds what left hall.db, no row twice.
    for (const folder of [dir, cut]) {
      const done = archiveYear(folder, 2025, Date.parse('2026-01-07T20:00:00+08:00'));
      expect(done.moved.tickets).toBe(old);
      const archived = counts(folder, 'hall-2025.db');
      const kept = counts(folder, 'hall.db');
      for (const t of tables) {
        expect(archived[t], t).toBe(done.moved[t]);
        expect(kept[t]! + archived[t]!, t).toBe(before[t]);
      }
      expect(count(folder, 'hall-2025.db', 'SELECT MAX(seq) AS n FROM events')).toBe(done.lastSeq);
      expect(() => archiveYear(folder, 2025, Date.parse('2026-01-07T20:00:00+08:00'))).toThrow(/archived/);
    }
  });

  it("syncs the data folder, where the archive's name is, after the copy and before any row leaves hall.db", () => {
    const dir = hallAcrossNewYear();
    const folder = fs.statSync(dir);
    const order: string[] = [];
    const fsync = fs.fsyncSync;
    const prepare = Database.prototype.prepare;
    onTestFinished(() => void vi.restoreAllMocks());
    vi.spyOn(fs, 'fsyncSync').mockImplementation((fd) => {
      const synced = fs.fstatSync(fd);
      if (synced.isDirectory() && synced.ino === folder.ino && synced.dev === folder.dev) order.push('folder synced');
      fsync(fd);
    });
    vi.spyOn(Database.prototype, 'prepare').mockImplementation(function (this: Database.Database, sql: string) {
      if (sql.startsWith('INSERT INTO archive.')) order.push('copied');
      if (sql.startsWith('DELETE FROM main.')) order.push('deleted from hall.db');
      return prepare.call(this, sql);
    } as never);
    archiveYear(dir, 2025, Date.parse('2026-01-07T20:00:00+08:00'));
    const once = order.filter((step, i) => step !== order[i - 1]);
    // Before, the folder was never synced: a power cut after the deletes could lose hall-2025.db's name, and with it the year.
    expect(once).toEqual(['copied', 'folder synced', 'deleted from hall.db']);
    expect(count(dir, 'hall-2025.db', 'SELECT COUNT(*) AS n FROM events')).toBeGreaterThan(0);
  });

  it('says a VACUUM that failed (a disk without room for the copy) as the year archived, and does it when the same command runs again', { timeout: 120_000 }, async () => {
    const dir = hallAcrossNewYear();
    const now = Date.parse('2026-01-07T20:00:00+08:00');
    const exec = Database.prototype.exec;
    const full = vi.spyOn(Database.prototype, 'exec').mockImplementation(function (this: Database.Database, sql: string) {
      if (sql === 'VACUUM') throw new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
      return exec.call(this, sql);
    } as never);
    onTestFinished(() => void vi.restoreAllMocks());
    expect(() => archiveYear(dir, 2025, now)).toThrow(ArchiveVacuumFailed);
    let said = '';
    try {
      archiveYear(dir, 2025, now);
    } catch (error) {
      said = (error as Error).message;
    }
    full.mockRestore();
    // Before, the second run was refused as archived already (and said the archive had not finished, all its rows still in hall.db).
    const [zh, en] = said.split('\n');
    expect(zh).toMatch(/^2025 年已归档到 .*hall-2025\.db，并已核对后从大厅数据库移出（事件 \d+ 到 \d+），没有记录丢失；但随后整理大厅数据库（VACUUM）没有完成（SQLITE_FULL: database or disk is full）[^]*再运行同一条命令，它会完成整理，收回空间。$/);
    expect(en).toMatch(/^2025 is archived to .*hall-2025\.db[^]*\(SQLITE_FULL: database or disk is full\)[^]*run the same command again; it finishes the compacting and reclaims the space\.$/);
    expect(count(dir, 'hall.db', "SELECT COUNT(*) AS n FROM tickets WHERE day < '2026-01-01'")).toBe(0);
    const archived = count(dir, 'hall-2025.db', 'SELECT COUNT(*) AS n FROM tickets');
    expect(archived).toBeGreaterThan(0);
    const unvacuumed = fs.statSync(path.join(dir, 'hall.db')).size;

    const again = await runCli(['archive', '2025'], dir);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/2025 年早已归档到 .*hall-2025\.db（事件 \d+ 到 \d+）；上次没有完成的整理（VACUUM）现在已经完成：hall\.db 由 .+ 变为 .+。\n2025 was archived to .*hall-2025\.db already \(events \d+ to \d+\); the compacting \(VACUUM\) left unfinished last time is done now/);
    expect(again.out).toMatch(/备用主机[^]*npm run hub -- archive 2025/);
    expect(fs.statSync(path.join(dir, 'hall.db')).size).toBeLessThan(unvacuumed);
    // Nothing moved twice, and the year is archived once: the next run is refused.
    expect(count(dir, 'hall-2025.db', 'SELECT COUNT(*) AS n FROM tickets')).toBe(archived);
    expect(() => archiveYear(dir, 2025, now)).toThrow(/archived/);
  });

  it('removes nothing from hall.db when the archive does not hold what would leave it, and keeps a file it did not write', { timeout: 120_000 }, () => {
    const dir = hallAcrossNewYear();
    const now = Date.parse('2026-01-07T20:00:00+08:00');
    const tickets = count(dir, 'hall.db', 'SELECT COUNT(*) AS n FROM tickets');
    // A ticket of the year written into hall.db after the copy (a process the running marker did not show).
    const writeBehind = () => {
      const db = openDatabase(dir);
      const row = db.prepare("SELECT * FROM tickets WHERE day = '2025-12-31' LIMIT 1").get() as Record<string, unknown>;
      db.prepare(`INSERT INTO tickets (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row).map(() => '?').join(', ')})`).run(...Object.values(row).map((v, i) => (Object.keys(row)[i] === 'id' ? `${String(v)}9` : v)));
      db.close();
    };
    expect(() => archiveYear(dir, 2025, now, { copied: writeBehind })).toThrow(/tickets[^]*hall database was not changed/);
    expect(count(dir, 'hall.db', 'SELECT COUNT(*) AS n FROM tickets')).toBe(tickets + 1);
    expect(count(dir, 'hall.db', "SELECT COUNT(*) AS n FROM hall WHERE key = 'archived:2025'")).toBe(0);

    // An archive file holding an event hall.db has not is not a stopped run's: neither file is changed.
    const archive = openDatabase(dir, 'hall-2025.db');
    archive.prepare("INSERT INTO events (seq, at, type, body) VALUES (999999, 0, 'day.opened', '{}')").run();
    archive.close();
    const events = count(dir, 'hall.db', 'SELECT COUNT(*) AS n FROM events');
    expect(() => archiveYear(dir, 2025, now)).toThrow(/从第 999999 个起[^]*not left by an archive that stopped part way/);
    expect(count(dir, 'hall-2025.db', 'SELECT COUNT(*) AS n FROM events WHERE seq = 999999')).toBe(1);
    expect(count(dir, 'hall.db', 'SELECT COUNT(*) AS n FROM events')).toBe(events);
  });

  it('runs as `npm run hub -- archive YEAR`, and refuses while the hub runs on the folder', { timeout: 60_000 }, async () => {
    const dir = hallAcrossNewYear();
    const hub = await spawnHub(dir);
    const refused = await runCli(['archive', '2025'], dir);
    await hub.kill('SIGTERM');
    // Refused (78): the same command helps only once the hub is stopped; typed wrong (64), with how it is typed.
    expect(refused.code).toBe(REFUSED_EXIT_CODE);
    expect(refused.out).toMatch(/主机正在数据文件夹 .* 上运行[^]*The hub is running/);
    for (const wrong of [['２０２５年'], ['1999'], []]) {
      const typo = await runCli(['archive', ...wrong], dir);
      expect(typo.code, wrong.join(' ')).toBe(USAGE_EXIT_CODE);
      expect(typo.out).toContain(`而不是“${wrong[0] ?? ''}”。用法：npm run hub -- archive 年份`);
      expect(typo.out).toContain('Usage: npm run hub -- archive YEAR');
    }
    const done = await runCli(['archive', '2025'], dir);
    expect(done.code).toBe(0);
    expect(done.out).toMatch(/2025 archived to .*hall-2025\.db/);
    // The standby does not follow: the operator is told to archive there too, and how.
    expect(done.out).toMatch(/备用主机[^]*npm run hub -- archive 2025[^]*standby hub[^]*npm run hub -- archive 2025/);
    expect(fs.existsSync(path.join(dir, 'hall-2025.db'))).toBe(true);
  });

  it('says an archive that failed on its way (not a refusal) in Chinese then English, with nothing of hall.db lost', { timeout: 60_000 }, async () => {
    const dir = hallAcrossNewYear();
    const tickets = () => {
      const db = openDatabase(dir);
      try {
        return (db.prepare('SELECT COUNT(*) AS n FROM tickets').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    const before = tickets();
    // Where the archive file should be, a folder: SQLite cannot open it (as a disk that fails would stop it).
    fs.mkdirSync(path.join(dir, 'hall-2025.db'));
    const failed = await runCli(['archive', '2025'], dir);
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(/2025 年的归档没有完成（.+）。大厅数据库中的记录没有丢失[^]*Archiving 2025 did not finish \(.+\)\. No record of the hall database is lost/);
    // The database's own words end with what to do for this command, not for the hub's start.
    expect(failed.out).toMatch(/关闭占用它的程序，再运行同一条命令。）[^]*close that program, then run the same command again\.\)/);
    expect(failed.out).not.toMatch(/再启动主机|start the hub/);
    expect(tickets()).toBe(before);
  });
});

describe('archiving a past year in a hall with a standby hub', () => {
  it("tells the standby's operator that the primary archived a year the standby still holds, with the command; archived there too, it follows on and says nothing", { timeout: 120_000 }, async () => {
    const token = 'archive-test-hall-token';
    const now = Date.parse('2026-01-07T09:00:00+08:00');
    const logged: string[] = [];
    onTestFinished(useLogger(createLogger({ destination: { write: (line: string) => void logged.push(line) } })));
    const warned = () => logged.map((l) => JSON.parse(l) as { msg: string; year?: number }).filter((r) => r.year !== undefined && r.msg.includes('archive 2025'));
    const primaryDir = hallAcrossNewYear();
    const standbyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-archive-standby-'));
    dirs.push(standbyDir);
    fs.copyFileSync(path.join(primaryDir, KEY_FILE), path.join(standbyDir, KEY_FILE));
    const [primaryPort, standbyPort] = [await freePort(), await freePort()];
    const hubs: RunningHub[] = [];
    onTestFinished(async () => {
      for (const hub of hubs.splice(0).reverse()) await hub.close();
    });
    const start = async (which: 'primary' | 'standby') => {
      const hub =
        which === 'primary'
          ? await startHub({ dataDir: primaryDir, port: primaryPort, token, clock: () => now, ratingSweepMs: 60_000 })
          : await startHub({ dataDir: standbyDir, port: standbyPort, token, peer: { url: `http://127.0.0.1:${primaryPort}`, token }, standby: true, clock: () => now, ratingSweepMs: 60_000 });
      hubs.push(hub);
      return hub;
    };
    const stop = async (hub: RunningHub) => {
      hubs.splice(hubs.indexOf(hub), 1);
      await hub.close();
    };
    const firstSeq = (dir: string) => count(dir, 'hall.db', 'SELECT MIN(seq) AS n FROM events');

    let primary = await start('primary');
    let standby = await start('standby');
    await expect.poll(() => primary.replication.status().standby, { timeout: 10_000 }).toBe('in-step');
    expect(warned()).toEqual([]);
    await stop(standby);
    await stop(primary);

    const done = archiveYear(primaryDir, 2025, now);
    primary = await start('primary');
    standby = await start('standby');
    await expect.poll(() => primary.replication.status().standby, { timeout: 10_000 }).toBe('in-step');
    await expect.poll(() => warned().length, { timeout: 5_000 }).toBe(1);
    const [zh, en] = warned()[0]!.msg.split('\n');
    expect(zh).toContain(`当前主机已把 2025 年的记录归档移出（到第 ${done.lastSeq} 个事件）`);
    expect(zh).toContain('在它的数据文件夹运行 npm run hub -- archive 2025');
    expect(en).toContain('stop this hub’s service, run npm run hub -- archive 2025 on its data folder');
    expect(firstSeq(standbyDir)).toBe(1);

    // The standby archived as the command says: the same events leave it, and it follows on.
    await stop(standby);
    expect(archiveYear(standbyDir, 2025, now)).toMatchObject({ firstSeq: 1, lastSeq: done.lastSeq, moved: { tickets: done.moved.tickets, events: done.moved.events } });
    standby = await start('standby');
    await expect.poll(() => primary.replication.status().standby, { timeout: 10_000 }).toBe('in-step');
    const res = await fetch(`${primary.url}/api/tickets`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ serviceCode: 'GA-CS-DJ' }) });
    expect(res.status).toBe(201);
    await expect.poll(() => standby.store.seq, { timeout: 5_000 }).toBe(primary.store.seq);
    expect(firstSeq(standbyDir)).toBe(done.lastSeq + 1);
    expect(warned()).toHaveLength(1);
  });
});
