import { demoCatalogue } from '@servicehall/fixtures';
import { newCommandId } from '@servicehall/protocol';
import type Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HallEvent } from '@servicehall/core';
import { FLUSHES_AT_ONCE, GroupCommit } from './commit';
import { openDatabase } from './db';
import { createLogger, useLogger } from './log';
import { answerKey, HallStore, idOfAnswerKey } from './store';
import { hallKeyOf } from './testing/hall-db';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function store(): HallStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-commit-'));
  dirs.push(dir);
  const db = openDatabase(dir);
  const now = Date.parse('2026-11-27T09:00:00+08:00');
  HallStore.seed(db, demoCatalogue({ allDay: true }), now);
  return new HallStore(db, () => now, hallKeyOf(dir));
}

describe('the group commit', () => {
  it('runs the commands of one turn, whichever way they came, in one transaction, each with its own answer', async () => {
    const s = store();
    const batches = vi.spyOn(s, 'executeBatch');
    const commits = new GroupCommit(s);
    const kiosk = { role: 'kiosk', terminal: 'kiosk-1' } as const;
    const answers = await Promise.all([
      commits.submit({ id: 'turn-one-issue-1', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk),
      commits.submit({ id: 'turn-one-refused', type: 'issueTicket', serviceCode: 'NO-SUCH-ITEM', lane: 'ordinary' }, { role: 'admin', terminal: 'http' }),
      commits.submit({ id: 'turn-one-issue-2', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk),
    ]);
    expect(batches).toHaveBeenCalledTimes(1);
    expect(batches.mock.calls[0]![0]).toHaveLength(3);
    expect(answers.map((r) => (r.answer.ok ? r.answer.ticket?.number : r.answer.code))).toEqual(['A001', 'not-found', 'A002']);
    // Each sender's ids are its own: the same id from another kiosk is another command, in the same batch or not.
    const other = { role: 'kiosk', terminal: 'kiosk-2' } as const;
    const [mine, theirs] = await Promise.all([
      commits.submit({ id: 'turn-one-issue-1', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk),
      commits.submit({ id: 'turn-one-issue-1', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, other),
    ]);
    expect([mine!.repeated, mine!.answer.ok && mine!.answer.ticket?.number]).toEqual([true, 'A001']);
    expect([theirs!.repeated, theirs!.answer.ok && theirs!.answer.ticket?.number]).toEqual([false, 'A003']);
    // A scope named for the batch (an HTTP token's) is kept apart from the actor's own.
    const viaToken = await commits.submit({ id: 'turn-one-issue-1', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk, ':http/some-token');
    expect(viaToken.answer.ok && viaToken.answer.ticket?.number).toBe('A004');
    // The next turn is the next batch.
    await commits.submit({ id: 'turn-two-issue-3', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk);
    expect(batches).toHaveBeenCalledTimes(4);
  });

  it("says how long each command waited for its answer, from its submission to the standby's word", async () => {
    const s = store();
    // A standby in step that takes 60 ms to hold the batch: the answer waits for it, and so does the time told.
    const commits = new GroupCommit(s, () => new Promise((resolve) => setTimeout(resolve, 60)));
    const heard: { type: string; seconds: number }[] = [];
    const stop = commits.onAnswered((type, seconds) => heard.push({ type, seconds }));
    const kiosk = { role: 'kiosk', terminal: 'kiosk-1' } as const;
    const started = performance.now();
    await Promise.all([
      commits.submit({ id: 'timed-issue', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk),
      commits.submit({ id: 'timed-refused', type: 'issueTicket', serviceCode: 'NO-SUCH-ITEM', lane: 'ordinary' }, kiosk),
      commits.submit({ id: 'timed-open', type: 'openWindow', window: 1 }, { role: 'admin', terminal: 'http' }),
    ]);
    const waited = (performance.now() - started) / 1000;
    expect(heard.map((h) => h.type)).toEqual(['issueTicket', 'issueTicket', 'openWindow']);
    for (const { seconds } of heard) {
      expect(seconds).toBeGreaterThanOrEqual(0.059);
      expect(seconds).toBeLessThanOrEqual(waited);
    }
    stop();
    await commits.submit({ id: 'not-heard', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk);
    expect(heard).toHaveLength(3);
  });

  it('answers every command of a batch that could not be written, so that each may be sent again', async () => {
    const s = store();
    vi.spyOn(s, 'executeBatch').mockImplementation(() => {
      throw new Error('disk I/O error');
    });
    const lines: string[] = [];
    const restore = useLogger(createLogger({ destination: { write: (line: string) => void lines.push(line) } }));
    const commits = new GroupCommit(s);
    const answers = await Promise.all([1, 2].map((n) => commits.submit({ id: `failing-batch-${n}`, type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, { role: 'kiosk', terminal: 'k' })));
    restore();
    expect(answers.map((r) => r.answer)).toEqual([1, 2].map(() => expect.objectContaining({ ok: false, code: 'internal' })));
    // Said once, in the hub's log.
    expect(lines.filter((l) => l.includes('a batch of commands failed'))).toHaveLength(1);
  });
});

describe("the group commit's flush, off the event loop", () => {
  const kiosk = { role: 'kiosk', terminal: 'kiosk-1' } as const;
  const issue = (id: string) => ({ id, type: 'issueTicket' as const, serviceCode: 'GA-SFZ-HL', lane: 'ordinary' as const });
  const turn = () => new Promise((resolve) => setImmediate(resolve));

  /** fs.fdatasync held: each flush waits until the test lets it end (with an error, if given), the first begun unless told which. */
  function heldFlushes() {
    const waiting: { fd: number; done: (error: NodeJS.ErrnoException | null) => void }[] = [];
    const spy = vi.spyOn(fs, 'fdatasync').mockImplementation(((fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void waiting.push({ fd, done })) as never);
    return {
      get waiting() {
        return waiting.length;
      },
      /** The descriptors of the flushes under way, in the order they began. */
      get fds() {
        return waiting.map((w) => w.fd);
      },
      end(error: NodeJS.ErrnoException | null = null, which = 0) {
        waiting.splice(which, 1)[0]!.done(error);
      },
      restore: () => spy.mockRestore(),
    };
  }

  it('tells nothing of a batch before a flush that holds it has ended, runs what came meanwhile at once, and flushes it beside the first', async () => {
    const s = store();
    const flushes = heldFlushes();
    const told: number[][] = [];
    s.onEvents((events) => told.push(events.map((e) => e.seq)));
    const batches = vi.spyOn(s, 'executeBatch');
    const commits = new GroupCommit(s);
    const answered: string[] = [];
    const note = (p: ReturnType<GroupCommit['submit']>) => p.then((r) => (answered.push(r.answer.ok ? r.answer.ticket!.number : r.answer.code), r));
    const first = [commits.submit(issue('held-1'), kiosk), commits.submit(issue('held-2'), kiosk)].map(note);
    await turn();
    // Committed (the view has both) and on its way to the disk: no answer, no event told yet.
    expect(batches).toHaveBeenCalledTimes(1);
    expect(batches.mock.calls[0]![1]).toBe('later');
    // Only the batch's own commit left the flush for later: every other commit flushes on its own (FULL).
    expect((s as unknown as { db: import('./db').Db }).db.pragma('synchronous', { simple: true })).toBe(2);
    expect(s.view.tickets.size).toBe(2);
    expect(flushes.waiting).toBe(1);
    expect(told).toEqual([]);
    expect(answered).toEqual([]);
    // What a standby may be sent stops before the batch.
    expect(s.durableSeq).toBe(s.seq - 2);
    expect(s.eventRowsSince(0).at(-1)?.seq).toBe(s.durableSeq);
    // A command that arrives meanwhile runs at once (committed, not flushed), and its flush begins
    // beside the first, through a descriptor of its own; two more in two turns wait for a flush to end.
    const second = note(commits.submit(issue('held-3'), kiosk));
    await turn();
    expect(flushes.waiting).toBe(2);
    expect(new Set(flushes.fds).size).toBe(2);
    const third = note(commits.submit(issue('held-4'), kiosk));
    await turn();
    const fourth = note(commits.submit(issue('held-5'), kiosk));
    await turn();
    expect(batches).toHaveBeenCalledTimes(4);
    expect(s.view.tickets.size).toBe(5);
    expect(flushes.waiting).toBe(FLUSHES_AT_ONCE);
    expect(s.durableSeq).toBe(s.seq - 5);
    // The first flush ends: its batch is answered, then its events told; the next flush begins at
    // once for the two batches no flush held.
    flushes.end();
    await Promise.all(first);
    expect(answered).toEqual(['A001', 'A002']);
    // The answers go first, on the disk already (a standby may be sent the batch); the events right after them.
    const seq = s.seq;
    expect(s.durableSeq).toBe(seq - 3);
    expect(told).toEqual([]);
    await turn();
    expect(told).toEqual([[seq - 4, seq - 3]]);
    expect(flushes.waiting).toBe(2);
    // The last flush ends before the one under way beside it: it holds every batch committed before it
    // began, the second's too, which are answered in order.
    flushes.end(null, 1);
    expect((await second).answer).toMatchObject({ ok: true, ticket: { number: 'A003' } });
    expect((await third).answer).toMatchObject({ ok: true, ticket: { number: 'A004' } });
    expect((await fourth).answer).toMatchObject({ ok: true, ticket: { number: 'A005' } });
    expect(answered).toEqual(['A001', 'A002', 'A003', 'A004', 'A005']);
    expect(s.durableSeq).toBe(seq);
    await turn();
    expect(told).toEqual([
      [seq - 4, seq - 3],
      [seq - 2, seq - 1, seq],
    ]);
    // The second's own flush ends later: nothing is left for it to tell.
    flushes.end();
    await turn();
    expect(told).toHaveLength(2);
    expect(flushes.waiting).toBe(0);
    flushes.restore();
    await commits.close();
  });

  it('answers as not recorded every batch not yet answered when a flush fails, even one another flush under way holds', async () => {
    const s = store();
    const flushes = heldFlushes();
    const told: number[] = [];
    s.onEvents((events) => told.push(...events.map((e) => e.seq)));
    const commits = new GroupCommit(s);
    const first = commits.submit(issue('failing-beside-1'), kiosk);
    await turn();
    const second = commits.submit(issue('failing-beside-2'), kiosk);
    await turn();
    expect(flushes.waiting).toBe(2);
    const seq = s.seq;
    // The first flush fails: Linux may have told it of a failed write-back that concerned the second
    // batch too (once to each descriptor), so neither is said to be done.
    flushes.end(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    expect((await first).answer).toMatchObject({ ok: false, code: 'internal' });
    expect((await second).answer).toMatchObject({ ok: false, code: 'internal' });
    // The first batch's events are told (the hub holds them); the second's wait for its own flush.
    await turn();
    expect(told).toEqual([seq - 1]);
    expect(s.durableSeq).toBe(seq - 1);
    flushes.end();
    await turn();
    expect(told).toEqual([seq - 1, seq]);
    // Sent again, the second gets what was done.
    const again = commits.submit(issue('failing-beside-2'), kiosk);
    await turn();
    flushes.end();
    expect(await again).toMatchObject({ repeated: true, answer: { ok: true, ticket: { number: 'A002' } } });
    flushes.restore();
    await commits.close();
  });

  it('closes only once the batches run during a flush have had theirs', async () => {
    const s = store();
    const flushes = heldFlushes();
    const commits = new GroupCommit(s);
    const first = commits.submit(issue('closing-1'), kiosk);
    await turn();
    const second = commits.submit(issue('closing-2'), kiosk);
    await turn();
    let closed = false;
    const closing = commits.close().then(() => (closed = true));
    flushes.end();
    expect((await first).answer.ok).toBe(true);
    await turn();
    // The second batch's flush is under way: the log's file stays open for it.
    expect(flushes.waiting).toBe(1);
    expect(closed).toBe(false);
    flushes.end();
    expect((await second).answer.ok).toBe(true);
    await closing;
    expect(closed).toBe(true);
    flushes.restore();
  });

  it('tells the events of a batch still flushing first when another write flushes the log itself', async () => {
    const s = store();
    const flushes = heldFlushes();
    const told: HallEvent[][] = [];
    s.onEvents((events) => told.push(events));
    const commits = new GroupCommit(s);
    const pending = commits.submit(issue('before-the-admin'), kiosk);
    await turn();
    expect(told).toEqual([]);
    // A command run on its own commits with its flush (synchronous = FULL): the batch before it is on the disk too.
    s.execute(issue('the-admins-own'), { role: 'admin', terminal: 'http' });
    expect(told.map((events) => events.map((e) => e.seq))).toEqual([[s.seq - 1, s.seq]]);
    flushes.end();
    expect((await pending).answer.ok).toBe(true);
    // Told once.
    expect(told.flat()).toHaveLength(2);
    flushes.restore();
    await commits.close();
  });

  it('answers a batch whose flush failed as not recorded, and a command sent again gets what was done', async () => {
    const s = store();
    const flushes = heldFlushes();
    const lines: string[] = [];
    const restore = useLogger(createLogger({ destination: { write: (line: string) => void lines.push(line) } }));
    const told: number[] = [];
    s.onEvents((events) => told.push(...events.map((e) => e.seq)));
    const commits = new GroupCommit(s);
    const pending = commits.submit(issue('flush-fails'), kiosk);
    await turn();
    flushes.end(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    expect((await pending).answer).toMatchObject({ ok: false, code: 'internal' });
    expect(lines.join('')).toContain('could not be flushed');
    // The hub holds the ticket, and its terminals are told of it.
    await turn();
    expect(told).toEqual([s.seq]);
    const again = commits.submit(issue('flush-fails'), kiosk);
    await turn();
    flushes.end();
    expect(await again).toMatchObject({ repeated: true, answer: { ok: true, ticket: { number: 'A001' } } });
    restore();
    flushes.restore();
    await commits.close();
  });

  it('flushes for real: the answer comes once the disk has the batch', async () => {
    const s = store();
    const flush = vi.spyOn(fs, 'fdatasync');
    const commits = new GroupCommit(s);
    const answers = await Promise.all([1, 2, 3].map((n) => commits.submit(issue(`real-flush-${n}`), kiosk)));
    expect(answers.map((r) => r.answer.ok && r.answer.ticket?.number)).toEqual(['A001', 'A002', 'A003']);
    expect(flush).toHaveBeenCalledTimes(1);
    flush.mockRestore();
    await commits.close();
  });
});

describe("the reports' fact tables beside the commands", () => {
  const kiosk = { role: 'kiosk', terminal: 'kiosk-1' } as const;
  const dbOf = (s: HallStore) => (s as unknown as { db: import('./db').Db }).db;
  const sum = (s: HallStore, table: string, counter = 'issued') => (dbOf(s).prepare(`SELECT COALESCE(SUM(${counter}), 0) AS n FROM ${table}`).get() as { n: number }).n;
  /** The last event every fact table holds (the earliest of the tables'). */
  const writtenSeq = (s: HallStore) => Math.min(...(dbOf(s).prepare("SELECT value FROM hall WHERE key GLOB 'facts_seq:*'").all() as { value: string }[]).map((r) => Number(r.value)));
  const issue = (id: string, within?: () => void) => ({ command: { id, type: 'issueTicket' as const, serviceCode: 'GA-SFZ-HL', lane: 'ordinary' as const }, actor: kiosk, ...(within ? { within } : {}) });

  it("hold a batch's increments until its end, without those of a command rolled back, and write them together when asked (with the last event they hold)", () => {
    const s = store();
    const lines: string[] = [];
    const restore = useLogger(createLogger({ destination: { write: (line: string) => void lines.push(line) } }));
    const results = s.executeBatch([
      issue('facts-batch-1'),
      issue('facts-batch-2', () => {
        throw new Error('a bug after the ticket was decided');
      }),
      issue('facts-batch-3'),
    ]);
    restore();
    expect(lines.join('')).toContain('a command failed');
    expect(results.map((r) => r.answer.ok)).toEqual([true, false, true]);
    expect(s.view.tickets.size).toBe(2);
    // Not written with the batch: in memory until the hub's timer, a report or the hub's stop writes them.
    expect(sum(s, 'report_item_hours')).toBe(0);
    s.writeFacts();
    // Two tickets in the tables, in every shape, as if each had been written alone.
    expect(sum(s, 'report_item_hours')).toBe(2);
    expect(sum(s, 'report_desk_days')).toBe(2);
    expect(writtenSeq(s)).toBe(s.seq);
    s.execute({ id: 'facts-alone-1', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk);
    s.writeFacts();
    expect(sum(s, 'report_item_hours')).toBe(3);
    expect(writtenSeq(s)).toBe(s.seq);
  });

  const admin = { role: 'admin', terminal: 'console' } as const;
  const window = { role: 'window', terminal: 'window-1', window: 1 } as const;
  const must = (r: { answer: { ok: boolean } }) => expect(r.answer, JSON.stringify(r.answer)).toMatchObject({ ok: true });
  /**
   * The same morning in several halls: four tickets, their facts written, two served, a fifth
   * taken. `midway` runs after the first service (a hub's timer, say), `dropped` stops without
   * writing the rest (its store is simply dropped).
   */
  const morning = (dir: string, midway?: (s: HallStore) => void): { store: HallStore; clock: { now: number } } => {
    const db = openDatabase(dir);
    const clock = { now: Date.parse('2026-11-27T09:00:00+08:00') };
    HallStore.seed(db, demoCatalogue({ allDay: true }), clock.now);
    const s = new HallStore(db, () => clock.now, hallKeyOf(dir));
    must(s.execute({ id: 'open-1', type: 'openWindow', window: 1, clerk: '1001' }, admin));
    for (let i = 1; i <= 4; i++) must(s.execute({ id: `issue-${i}`, type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk));
    s.writeFacts();
    // Served after the tables' last event: the fold must know from earlier that day when they were issued (their waits).
    for (let i = 1; i <= 2; i++) {
      for (const type of ['callNext', 'startService', 'finishService'] as const) {
        clock.now += 7 * 60_000;
        must(s.execute({ id: `${type}-${i}`, type, window: 1 }, window));
      }
      if (i === 1) midway?.(s);
    }
    must(s.execute({ id: 'issue-5', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk));
    return { store: s, clock };
  };
  const folder = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-facts-'));
    dirs.push(dir);
    return dir;
  };
  const TABLES = ['report_item_hours', 'report_desk_hours', 'report_desk_days', 'report_desk_months', 'report_pauses'];
  const rows = (s: HallStore) => TABLES.map((t) => dbOf(s).prepare(`SELECT * FROM ${t} ORDER BY 1, 2, 3, 4, 5`).all());
  /** The last event each table holds, by the hall's keys. */
  const seqs = (s: HallStore) => Object.fromEntries(TABLES.map((t) => [t, Number((dbOf(s).prepare('SELECT value FROM hall WHERE key = ?').get(`facts_seq:${t}`) as { value: string } | undefined)?.value)]));
  /** A hall that wrote its facts to the end, and what its tables hold. */
  const wroteAll = () => {
    const s = morning(folder()).store;
    s.writeFacts();
    expect(sum(s, 'report_item_hours')).toBe(5);
    expect(sum(s, 'report_item_hours', 'called')).toBe(2);
    expect(sum(s, 'report_item_hours', 'served')).toBe(2);
    expect(sum(s, 'report_item_hours', 'wait_s')).toBeGreaterThan(0);
    return rows(s);
  };

  it('are made again from the log when a hub stopped without writing them: the same rows as a hub that wrote them, none counted twice', () => {
    const wrote = wroteAll();
    const dir = folder();
    const dropped = morning(dir);
    expect(sum(dropped.store, 'report_item_hours', 'called')).toBe(0);
    const reopened = new HallStore(dbOf(dropped.store), () => dropped.clock.now, hallKeyOf(dir));
    expect(rows(reopened)).toEqual(wrote);
    expect(writtenSeq(reopened)).toBe(reopened.seq);
    expect(Object.values(seqs(reopened))).toEqual(TABLES.map(() => reopened.seq));
    // Opened again, nothing is folded twice.
    const again = new HallStore(dbOf(dropped.store), () => dropped.clock.now, hallKeyOf(dir));
    expect(rows(again)).toEqual(wrote);
  });

  it("are written a table a turn by the hub's timer; a hub stopped between turns makes again each table's own missing events, none counted twice", () => {
    const wrote = wroteAll();
    const dir = folder();
    let midway: Record<string, number> = {};
    const turned = morning(dir, (s) => {
      const before = seqs(s);
      // One turn: the first table's rows, not the others' (those with rows waiting keep their last event).
      s.writeNextFacts();
      midway = seqs(s);
      expect(midway.report_item_hours).toBe(s.seq);
      expect(sum(s, 'report_item_hours', 'called')).toBe(1);
      expect(midway.report_desk_hours).toBe(before.report_desk_hours);
      expect(sum(s, 'report_desk_hours', 'called')).toBe(0);
      // No pause was taken: the pauses' table has nothing waiting and holds every event.
      expect(midway.report_pauses).toBe(s.seq);
      s.writeNextFacts();
      expect(seqs(s).report_desk_hours).toBe(s.seq);
      expect(seqs(s).report_desk_days).toBe(before.report_desk_days);
      midway = seqs(s);
    });
    expect(midway.report_item_hours).toBeGreaterThan(midway.report_desk_days!);
    const reopened = new HallStore(dbOf(turned.store), () => turned.clock.now, hallKeyOf(dir));
    expect(rows(reopened)).toEqual(wrote);
    expect(Object.values(seqs(reopened))).toEqual(TABLES.map(() => reopened.seq));
    // Five turns write every table.
    const more = morning(folder()).store;
    for (let i = 0; i < TABLES.length; i++) more.writeNextFacts();
    expect(rows(more)).toEqual(wrote);
  });

  it('keep the last event of a hall written before the tables had one each (one for all of them): made again from there, then one each', () => {
    const wrote = wroteAll();
    const dir = folder();
    const old = morning(dir);
    const db = dbOf(old.store);
    // As a hub before 2026-12-03 left it: one key for all the tables, at the four tickets' facts.
    const at = seqs(old.store).report_item_hours!;
    db.prepare("DELETE FROM hall WHERE key GLOB 'facts_seq:*'").run();
    db.prepare("INSERT INTO hall (key, value) VALUES ('facts_seq', ?)").run(String(at));
    const reopened = new HallStore(db, () => old.clock.now, hallKeyOf(dir));
    expect(rows(reopened)).toEqual(wrote);
    expect(Object.values(seqs(reopened))).toEqual(TABLES.map(() => reopened.seq));
    expect(db.prepare("SELECT 1 FROM hall WHERE key = 'facts_seq'").get()).toBeUndefined();
  });

  it('keep those of the batches before a batch refused on a full disk, and none of its own', () => {
    const s = store();
    s.executeBatch([issue('before-full-1'), issue('before-full-2')]);
    s.limitSize(s.sizeBytes());
    let refused = 0;
    for (let i = 0; i < 200 && refused === 0; i++) refused += s.executeBatch([issue(`full-${i}-a`), issue(`full-${i}-b`)]).filter((r) => !r.answer.ok).length;
    expect(refused).toBeGreaterThan(0);
    s.limitSize(undefined);
    s.writeFacts();
    expect(sum(s, 'report_item_hours')).toBe(s.view.tickets.size);
  });
});

describe("a command's answer, kept under its id and its sender", () => {
  const issue = (id: string) => ({ id, type: 'issueTicket' as const, serviceCode: 'GA-SFZ-HL', lane: 'ordinary' as const });

  it('is added at the end of the index when the ids follow the clock, whichever of sixty terminals sent them', async () => {
    const s = store();
    const commits = new GroupCommit(s);
    const sent: string[] = [];
    for (let turn = 0; turn < 3; turn++)
      await Promise.all(
        Array.from({ length: 60 }, (_, i) => {
          const id = newCommandId();
          sent.push(id);
          return commits.submit(issue(id), { role: 'kiosk', terminal: `kiosk-${i + 1}` });
        }),
      );
    const db = (s as unknown as { db: Database.Database }).db;
    const byKey = (db.prepare("SELECT id FROM commands WHERE type = 'issueTicket' ORDER BY id").all() as { id: string }[]).map((r) => r.id);
    const byTime = (db.prepare("SELECT id FROM commands WHERE type = 'issueTicket' ORDER BY rowid").all() as { id: string }[]).map((r) => r.id);
    expect(byKey).toHaveLength(180);
    // The order of the keys is the order the answers were given in: each is added after the last.
    expect(byKey).toEqual(byTime);
    expect(byKey.map(idOfAnswerKey)).toEqual(sent);
  });

  it("keeps every sender's ids apart, whatever they hold, and the events name each id as it was sent", async () => {
    const s = store();
    const commits = new GroupCommit(s);
    const kiosk = (terminal: string) => ({ role: 'kiosk', terminal }) as const;
    // A namespace may hold a '|' (a staff member's id is the hall's to choose); an id may hold anything.
    const first = await commits.submit(issue('abcdefgh'), kiosk('kiosk-1'), ':staff/x|y');
    const reaching = await commits.submit(issue('abcdefgh|:staff/x'), kiosk('y'), 'y');
    const percent = await commits.submit(issue('50%7Coff|%25'), kiosk('kiosk-3'));
    expect([first, reaching, percent].map((r) => [r.repeated, r.answer.ok && r.answer.ticket?.number])).toEqual([
      [false, 'A001'],
      [false, 'A002'],
      [false, 'A003'],
    ]);
    expect(s.answerOf(':staff/x|y', 'abcdefgh')).toMatchObject({ ok: true, ticket: { number: 'A001' } });
    expect(s.answerOf('y', 'abcdefgh|:staff/x')).toMatchObject({ ok: true, ticket: { number: 'A002' } });
    const issued = s.eventsSince(0, 1000).filter((e) => e.type === 'ticket.issued');
    expect(issued.map((e) => e.commandId)).toEqual(['abcdefgh', 'abcdefgh|:staff/x', '50%7Coff|%25']);
    // Each key turns back into its id.
    for (const [scope, id] of [
      ['kiosk-1', '50%7Coff|%25'],
      [':http/abc', '%|%|'],
    ] as const)
      expect(idOfAnswerKey(answerKey(scope, id))).toBe(id);
  });
});
