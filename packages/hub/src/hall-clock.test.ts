import type { Answer } from '@servicehall/protocol';
import type { CommandBody, Ticket } from '@servicehall/core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './db';
import { createLogger, useLogger } from './log';
import { CATCH_UP_PACE } from './hall-clock';
import { HallStore } from './store';
import { hallKeyOf, hallWithTicketsWaiting } from './testing/hall-db';

const MINUTE = 60_000;
const KIOSK = { role: 'kiosk', terminal: 'kiosk-1' } as const;
const windowOf = (window: number) => ({ role: 'window', terminal: `window-${window}`, window }) as const;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** The demo hall at 09:00, windows 1 and 2 open serving every item, and what the hub logs. */
function hall() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-clock-'));
  const lines: { level: string; msg: string }[] = [];
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  cleanups.push(useLogger(createLogger({ destination: { write: (line: string) => void lines.push(JSON.parse(line)) } })));
  const { db, store, clock } = hallWithTicketsWaiting(dir, 0, { serveEveryItem: true });
  cleanups.push(() => db.open && db.close());
  const code = store.view.catalogue.items.find((i) => i.dailyQuota === undefined)!.code;
  let n = 0;
  const run = (body: CommandBody, actor: Parameters<HallStore['execute']>[1]): Answer => store.execute({ ...body, id: `c-${++n}` } as never, actor).answer;
  const issue = (): Ticket => {
    const answer = run({ type: 'issueTicket', serviceCode: code, lane: 'ordinary' }, KIOSK);
    if (!answer.ok || !answer.ticket) throw new Error(`not issued: ${JSON.stringify(answer)}`);
    return answer.ticket as Ticket;
  };
  return { dir, db, store, clock, lines, run, issue };
}

describe("the hub's time when the PC's clock is set back", () => {
  it('calls the citizens in the order they came, lets a recall wait its 20 s, and never counts a wait or a service backwards', () => {
    const { store, clock, lines, run, issue } = hall();
    const first = issue();
    clock.now += 30 * MINUTE;
    const second = issue();
    // 09:30: the PC's clock is set back an hour (NTP correcting a fast clock, or by hand).
    clock.now -= 60 * MINUTE;
    const third = issue();

    const call1 = run({ type: 'callNext', window: 1 }, windowOf(1));
    const call2 = run({ type: 'callNext', window: 2 }, windowOf(2));
    expect([call1.ok && call1.ticket?.number, call2.ok && call2.ticket?.number]).toEqual([first.number, second.number]);
    expect(third.issuedAt).toBeGreaterThanOrEqual(second.issuedAt);

    // Behind the hall's time the hub's runs at half pace (CATCH_UP_PACE): 30 s of the PC's clock are 15 s of the cooldown's 20.
    expect(run({ type: 'recall', window: 1 }, windowOf(1))).toMatchObject({ ok: false, code: 'recall-cooldown' });
    clock.now += 30_000;
    expect(run({ type: 'recall', window: 1 }, windowOf(1))).toMatchObject({ ok: false, code: 'recall-cooldown' });
    clock.now += 15_000;
    expect(run({ type: 'recall', window: 1 }, windowOf(1))).toMatchObject({ ok: true });

    expect(run({ type: 'startService', window: 1 }, windowOf(1)).ok).toBe(true);
    clock.now += 5 * MINUTE;
    expect(run({ type: 'finishService', window: 1 }, windowOf(1)).ok).toBe(true);
    const served = store.view.tickets.get(first.id)!;
    expect(served.finishedAt! - served.servingAt!).toBe(CATCH_UP_PACE * 5 * MINUTE);
    for (const t of store.view.tickets.values()) {
      if (t.calledAt !== undefined) expect(t.calledAt - t.issuedAt).toBeGreaterThanOrEqual(0);
    }
    const third2 = store.view.tickets.get(third.id)!;
    expect(store.waits().of(third2).ahead).toBe(0);

    // Said once, Chinese first, for all the commands run behind the PC's clock.
    const said = lines.filter((l) => l.msg.includes('NTP'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatchObject({ level: 'warn' });
    expect(said[0]!.msg).toMatch(/^这台电脑的时钟比大厅已记录的时间慢了约 60 分钟.*\nThis PC’s clock is about 60 min behind/s);

    // The PC's clock catches up after about twice the step (the hub's time at half pace meanwhile):
    // an hour on, the hub's time is still ahead of it; another hour, and the hub follows it, and says so.
    // (The hub asks the time every few seconds, as its timers do; here once a minute.)
    const passing = (minutes: number) => {
      for (let m = 0; m < minutes; m++) {
        clock.now += MINUTE;
        store.openDayIfDue();
      }
    };
    passing(60);
    expect(issue().issuedAt).toBeGreaterThan(clock.now);
    passing(60);
    expect(issue().issuedAt).toBe(clock.now);
    expect(lines.at(-1)!.msg).toMatch(/^这台电脑的时钟已追上大厅已记录的时间.*\nThis PC’s clock has caught up/s);
  });

  it('does not end the hall’s day early when a clock run 8 hours fast (the PC’s clock read as UTC) is put right: it waits for the PC’s midnight', () => {
    const { store, clock, issue } = hall();
    issue();
    clock.now += 8 * 60 * MINUTE;
    const late = issue();
    // Put right at 17:30 by the hub's time, 09:30 by the PC's.
    clock.now -= 8 * 60 * MINUTE - 30 * MINUTE;
    // To 20:00 by the PC's clock, the hub asking the time as its timers do: its own, carried on from
    // 17:30, would pass its midnight at 16:00.
    const passing = (minutes: number) => {
      for (let m = 0; m < minutes; m += 10) {
        clock.now += 10 * MINUTE;
        store.openDayIfDue();
      }
    };
    passing(10 * 60 + 30);
    const evening = issue();
    expect(evening.day).toBe(late.day);
    expect(evening.number).toBe('A003');
    expect(evening.issuedAt).toBeGreaterThanOrEqual(late.issuedAt);
    // The PC's midnight: the next day, numbers from 1, the hub on the PC's clock again.
    passing(4 * 60 + 10);
    const next = issue();
    expect([next.day, next.number, next.issuedAt]).toEqual(['2026-11-28', 'A001', clock.now]);
    expect(store.view.day).toBe('2026-11-28');
  });

  it('follows a clock set back further than 12 hours (a date set wrong), and says to check it', () => {
    const { clock, lines, issue } = hall();
    issue();
    clock.now -= 3 * 24 * 60 * MINUTE;
    expect(issue().issuedAt).toBe(clock.now);
    expect(lines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([expect.stringMatching(/^这台电脑的时钟比大厅已记录的时间慢了约 72 小时.*\nThis PC’s clock is about 72 h behind/s)]);
  });

  it('starts no earlier than the last thing the hall recorded when the hub starts again on a clock still behind', () => {
    const { dir, db, clock, issue } = hall();
    clock.now += 60 * MINUTE;
    const before = issue();
    db.close();
    clock.now -= 30 * MINUTE;
    const reopened = openDatabase(dir);
    cleanups.push(() => reopened.close());
    const store = new HallStore(reopened, () => clock.now, hallKeyOf(dir), () => clock.now);
    const code = store.view.catalogue.items.find((i) => i.dailyQuota === undefined)!.code;
    const answer = store.execute({ id: 'after-restart', type: 'issueTicket', serviceCode: code, lane: 'ordinary' }, KIOSK).answer;
    expect(answer.ok && (answer.ticket as Ticket).issuedAt).toBeGreaterThanOrEqual(before.issuedAt);
    clock.now += MINUTE;
    const called = store.execute({ id: 'call', type: 'callNext', window: 1 }, windowOf(1)).answer;
    expect(called.ok && called.ticket?.number).toBe(before.number);
  });
});
