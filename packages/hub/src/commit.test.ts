import { demoCatalogue } from '@servicehall/fixtures';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GroupCommit } from './commit';
import { openDatabase } from './db';
import { HallStore } from './store';

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
  return new HallStore(db, () => now);
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
    // The next turn is the next batch.
    await commits.submit({ id: 'turn-two-issue-3', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk);
    expect(batches).toHaveBeenCalledTimes(2);
  });

  it('answers every command of a batch that could not be written, so that each may be sent again', async () => {
    const s = store();
    vi.spyOn(s, 'executeBatch').mockImplementation(() => {
      throw new Error('disk I/O error');
    });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const commits = new GroupCommit(s);
    const answers = await Promise.all([1, 2].map((n) => commits.submit({ id: `failing-batch-${n}`, type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, { role: 'kiosk', terminal: 'k' })));
    expect(answers.map((r) => r.answer)).toEqual([1, 2].map(() => expect.objectContaining({ ok: false, code: 'internal' })));
    errors.mockRestore();
  });
});
