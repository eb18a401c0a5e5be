import type { HallEvent } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import type { HubMessage } from '@servicehall/protocol';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventFanOut, type FanOutTerminal } from './fan-out';
import { startHub } from './server';
import { TestTerminal } from './testing/terminal';

const TOKEN = 'hall-token-for-tests';

/** The sequence numbers of each events message a terminal was written, one array a message. */
const writes = (t: TestTerminal) => t.messages.flatMap((m: HubMessage) => (m.type === 'events' ? [m.events.map((e) => e.seq)] : []));

describe('the events written to the terminals of a hub', () => {
  it('go at once to the terminal that sent the command and in a quiet hall; in a busy one, to the others together once the least time has passed', async () => {
    const own = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-fan-out-'));
    // A second between rounds (5 ms in a hall), so that the test does not depend on the machine's pace.
    const h = await startHub({ dataDir: own, token: TOKEN, seed: demoCatalogue({ allDay: true }), fanOutGapMs: 1000 });
    const linked: TestTerminal[] = [];
    try {
      const link = async (hello: Parameters<typeof TestTerminal.connect>[1]) => (linked.push(await TestTerminal.connect(h.wsUrl, hello)), linked.at(-1)!);
      const screen = await link({ role: 'display', terminal: 'screen-1', token: TOKEN });
      const kiosk = await link({ role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
      const issue = async () => {
        const answer = await kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' });
        expect(answer.ok).toBe(true);
        // The kiosk is written its events right behind its answer, whatever the round's time.
        await vi.waitFor(() => expect(writes(kiosk).at(-1)?.at(-1)).toBe(answer.ok ? answer.seq : -1), { timeout: 300, interval: 2 });
      };
      await issue();
      // Quiet: the screen too, at once.
      await vi.waitFor(() => expect(writes(screen)).toEqual([[h.store.seq]]), { timeout: 300, interval: 2 });
      const firstAt = performance.now();
      // Busy: three more, each the kiosk's at once; the screen is written the three in one message, a second after the first.
      for (let i = 0; i < 3; i++) await issue();
      const seq = h.store.seq;
      expect(writes(kiosk).slice(1)).toEqual([[seq - 2], [seq - 1], [seq]]);
      expect(writes(screen)).toHaveLength(1);
      await vi.waitFor(() => expect(writes(screen)).toHaveLength(2), { timeout: 3000, interval: 5 });
      expect(performance.now() - firstAt).toBeGreaterThanOrEqual(900);
      expect(writes(screen)[1]).toEqual([seq - 2, seq - 1, seq]);

      // An event of another (a window opened over HTTP) waits for the round; the kiosk is written it
      // with its next answer, before its own: a terminal is never written an event before one it lacks.
      const opened = await fetch(`${h.url}/api/windows/1/open`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{}' });
      expect(opened.status).toBe(200);
      await issue();
      expect(writes(kiosk).slice(-2)).toEqual([[seq + 1], [seq + 2]]);
      // A screen that links while the round waits starts from its snapshot; the round writes it nothing it has.
      const late = await link({ role: 'display', terminal: 'screen-2', token: TOKEN });
      expect(late.messages.find((m) => m.type === 'snapshot')).toMatchObject({ snapshot: { seq: seq + 2 } });
      await vi.waitFor(() => expect(writes(screen)).toHaveLength(3), { timeout: 3000, interval: 5 });
      expect(writes(screen)[2]).toEqual([seq + 1, seq + 2]);
      expect(writes(kiosk).flat()).toEqual([...new Set(writes(kiosk).flat())]);
      await issue();
      await vi.waitFor(() => expect(writes(late)).toEqual([[seq + 3]]), { timeout: 3000, interval: 5 });
    } finally {
      for (const t of linked) t.close();
      await h.close();
      fs.rmSync(own, { recursive: true, force: true });
    }
  });
});

/** A terminal for EventFanOut alone: what it was written, in order. */
class Written implements FanOutTerminal {
  subscribed = true;
  told = 0;
  readonly got: number[][] = [];
  constructor(readonly open = false) {}
}

const event = (seq: number) => ({ seq, type: 'ticket.issued', at: 0, ticket: { id: `t${seq}`, secret: 'x' } }) as unknown as HallEvent;

describe('EventFanOut', () => {
  const terminals: Written[] = [];
  const fanOut = () =>
    new EventFanOut<Written>({
      terminals: () => terminals,
      write: (t, bytes) => t.got.push((JSON.parse(bytes.toString()) as { events: { seq: number; ticket: { secret?: string } }[] }).events.map((e) => (t.open && e.ticket.secret ? -e.seq : e.seq))),
      isPublic: (t) => t.open,
      publicEvents: (events) => events.map((e) => ({ ...e, ticket: { id: (e as { ticket: { id: string } }).ticket.id } }) as unknown as HallEvent),
      gapMs: 1000,
    });
  afterEach(() => {
    terminals.length = 0;
    vi.useRealTimers();
  });

  it('writes an answer that came after its events (a sign-in, a batch the standby held) what it lacks at once', () => {
    vi.useFakeTimers();
    const [a, b] = [new Written(), new Written()];
    terminals.push(a, b);
    const f = fanOut();
    f.told([event(1)]);
    f.told([event(2), event(3)]);
    expect(a.got).toEqual([[1]]);
    f.answered(a, 3);
    expect(a.got).toEqual([[1], [2, 3]]);
    expect(b.got).toEqual([[1]]);
    vi.advanceTimersByTime(1000);
    expect(b.got).toEqual([[1], [2, 3]]);
    expect(a.got).toEqual([[1], [2, 3]]);
    f.close();
  });

  it('writes an answered terminal what it lacks at once and its events when they are told, the public ones without personal data', () => {
    vi.useFakeTimers();
    const [window, screen] = [new Written(), new Written(true)];
    terminals.push(window, screen);
    const f = fanOut();
    f.told([event(1)]);
    f.told([event(2)]);
    f.answered(window, 4);
    f.answered(screen, 4);
    f.told([event(3), event(4)]);
    // Answered: what was told before at once, its own events as soon as they are.
    expect(window.got).toEqual([[1], [2], [3, 4]]);
    expect(screen.got).toEqual([[1], [2], [3, 4]]);
    // Its events had, it waits for the round like the others.
    f.told([event(5)]);
    expect(window.got).toHaveLength(3);
    vi.advanceTimersByTime(1000);
    expect(window.got).toEqual([[1], [2], [3, 4], [5]]);
    f.close();
  });

  it('writes nothing to a terminal not yet following, and starts one where its snapshot left it', () => {
    vi.useFakeTimers();
    const [old, fresh] = [new Written(), new Written()];
    fresh.subscribed = false;
    terminals.push(old, fresh);
    const f = fanOut();
    f.told([event(1)]);
    f.told([event(2)]);
    fresh.subscribed = true;
    f.startsAt(fresh, 2);
    f.told([event(3)]);
    vi.advanceTimersByTime(1000);
    expect(old.got).toEqual([[1], [2, 3]]);
    expect(fresh.got).toEqual([[3]]);
    f.close();
  });
});
