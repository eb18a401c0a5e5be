import { demoCatalogue } from '@servicehall/fixtures';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GroupCommit } from './commit';
import { openDatabase } from './db';
import { createLogger, useLogger } from './log';
import { HallStore } from './store';
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

describe("a batch's increments of the reports' fact tables", () => {
  it('are written at its end, one change per row, without those of a command that was rolled back', () => {
    const s = store();
    const db = (s as unknown as { db: import('./db').Db }).db;
    const kiosk = { role: 'kiosk', terminal: 'kiosk-1' } as const;
    const issued = () => (db.prepare("SELECT COALESCE(SUM(issued), 0) AS n FROM report_item_hours WHERE service_code = 'GA-SFZ-HL'").get() as { n: number }).n;
    const desk = () => (db.prepare("SELECT COALESCE(SUM(issued), 0) AS n FROM report_desk_days WHERE service_code = 'GA-SFZ-HL'").get() as { n: number }).n;
    const issue = (id: string, within?: () => void) => ({ command: { id, type: 'issueTicket' as const, serviceCode: 'GA-SFZ-HL', lane: 'ordinary' as const }, actor: kiosk, ...(within ? { within } : {}) });
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
    // Two tickets in the tables, in every shape, as if each had been written alone.
    expect(s.view.tickets.size).toBe(2);
    expect(issued()).toBe(2);
    expect(desk()).toBe(2);
    s.execute({ id: 'facts-alone-1', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk);
    expect(issued()).toBe(3);
  });
});
