import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKSTOP_PAGES, startCheckpointer, type Checkpoint } from './checkpoints';
import { openDatabase } from './db';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const until = async (check: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('not in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('the checkpoint worker', () => {
  it('copies the WAL into the database beside the hub, whose own commits no longer do it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-checkpoints-'));
    dirs.push(dir);
    const db = openDatabase(dir);
    const seen: Checkpoint[] = [];
    const checkpointer = startCheckpointer(db, path.join(dir, 'hall.db'), { everyMs: 20, onCheckpoint: (c) => seen.push(c) });
    try {
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKSTOP_PAGES);
      db.exec('CREATE TABLE filler (n INTEGER PRIMARY KEY, text TEXT)');
      const put = db.prepare('INSERT INTO filler (text) VALUES (?)');
      // Far more than SQLite's own 1,000 pages: commits of their own, as the hub's batches are.
      for (let i = 0; i < 300; i++) db.transaction(() => { for (let j = 0; j < 10; j++) put.run('页'.repeat(400)); })();
      await until(() => seen.some((c) => c.checkpointed > 1000 && c.checkpointed === c.log));
      expect(checkpointer.last()).toMatchObject({ busy: 0 });
      // Everything written is in the database file itself: another connection that reads no WAL sees it.
      await checkpointer.stop();
      db.close();
      fs.rmSync(path.join(dir, 'hall.db-wal'), { force: true });
      fs.rmSync(path.join(dir, 'hall.db-shm'), { force: true });
      const again = openDatabase(dir);
      expect(again.prepare('SELECT count(*) AS n FROM filler').get()).toEqual({ n: 3000 });
      again.close();
    } finally {
      await checkpointer.stop();
      if (db.open) db.close();
    }
  });

  it('leaves checkpoints to the hub again when its worker cannot run', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-checkpoints-'));
    dirs.push(dir);
    const db = openDatabase(dir);
    const warnings: string[] = [];
    const checkpointer = startCheckpointer(db, path.join(dir, 'no-such.db'), { everyMs: 20, warn: (m) => warnings.push(m) });
    try {
      await until(() => db.pragma('wal_autocheckpoint', { simple: true }) === 1000);
      expect(warnings).toEqual([expect.stringMatching(/后台线程停止了[\s\S]*\nThe thread that copies the write-ahead log/)]);
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });

  it('starts its worker again after it stopped, and leaves checkpoints to it again once it works, saying so once each', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-checkpoints-'));
    dirs.push(dir);
    const db = openDatabase(dir);
    const warnings: string[] = [];
    // The worker's file is not there at first (a disk not yet back): it stops, and is tried again.
    const later = path.join(dir, 'later.db');
    const checkpointer = startCheckpointer(db, later, { everyMs: 20, restartMs: 20, warn: (m) => warnings.push(m) });
    try {
      await until(() => db.pragma('wal_autocheckpoint', { simple: true }) === 1000);
      // Tried again and again meanwhile, said once.
      await new Promise((r) => setTimeout(r, 200));
      expect(warnings).toHaveLength(1);
      fs.symlinkSync(path.join(dir, 'hall.db'), later);
      await until(() => db.pragma('wal_autocheckpoint', { simple: true }) === BACKSTOP_PAGES);
      expect(warnings).toHaveLength(2);
      expect(warnings[1]).toMatch(/又在运行了[\s\S]*\nThe thread that copies the write-ahead log back into the hall database runs again/);
      // And it checkpoints: the hub's commits leave it the WAL.
      db.exec('CREATE TABLE filler (n INTEGER PRIMARY KEY, text TEXT)');
      const put = db.prepare('INSERT INTO filler (text) VALUES (?)');
      for (let i = 0; i < 50; i++) db.transaction(() => { for (let j = 0; j < 10; j++) put.run('页'.repeat(400)); })();
      await until(() => (checkpointer.last()?.checkpointed ?? 0) > 0);
    } finally {
      await checkpointer.stop();
      db.close();
    }
  });
});
