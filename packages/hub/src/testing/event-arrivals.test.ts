import type { HallEvent } from '@servicehall/core';
import { eventsJson, eventsMessage, newCommandId } from '@servicehall/protocol';
import { describe, expect, it } from 'vitest';
import { commandIdsOfEvents, EventArrivals, isEventsMessage } from './event-arrivals';

const bytes = (text: string) => Buffer.from(text);
/** What the benches read before: the message decoded and parsed. */
const parsedIds = (text: string) => (JSON.parse(text) as { events: HallEvent[] }).events.flatMap((e) => (e.commandId ? [e.commandId] : []));

describe("the bench's terminals reading the hub's events from their bytes", () => {
  const a = newCommandId();
  const b = newCommandId();
  const c = newCommandId();
  // Values that hold the key's own words, quotes and Chinese: none of them is read as a command's id.
  const events = [
    { type: 'ticket.issued', seq: 1, at: 1, commandId: a, serviceCode: 'A', note: '"commandId":"not-an-id"' },
    { type: 'day.opened', seq: 2, at: 2, day: '2026-12-04' },
    { type: 'ticket.called', seq: 3, at: 3, commandId: b, id: 't1', window: 1, windowName: '1号窗口 "综合"' },
    { type: 'ticket.finished', seq: 4, at: 4, commandId: c, id: 't1' },
  ] as unknown as HallEvent[];

  it('finds every command id the parsed message holds, in order, and no other', () => {
    const text = eventsMessage([eventsJson(events.slice(0, 2)), eventsJson(events.slice(2))]);
    expect(commandIdsOfEvents(bytes(text))).toEqual(parsedIds(text));
    expect(commandIdsOfEvents(bytes(text))).toEqual([a, b, c]);
  });

  it('reads an events message of events without commands as holding none', () => {
    const text = eventsMessage([eventsJson(events.slice(1, 2))]);
    expect(isEventsMessage(bytes(text))).toBe(true);
    expect(commandIdsOfEvents(bytes(text))).toEqual([]);
  });

  it('leaves every other message alone, even one that names a command', () => {
    for (const other of [{ type: 'answer', commandId: a, answer: { ok: true, seq: 1 } }, { type: 'welcome', seq: 4 }, { type: 'snapshot', snapshot: {} }]) {
      const data = bytes(JSON.stringify(other));
      expect(isEventsMessage(data)).toBe(false);
      expect(commandIdsOfEvents(data)).toBeUndefined();
    }
    expect(commandIdsOfEvents(Buffer.alloc(0))).toBeUndefined();
    expect(commandIdsOfEvents(bytes('{"type":"ev'))).toBeUndefined();
  });
});

describe("the fan-out's arrivals, as the benches count them", () => {
  it('counts the terminals each command reached and keeps the latest time, from events messages only', () => {
    const [a, b] = [newCommandId(), newCommandId()];
    const message = (...ids: string[]) => bytes(eventsMessage([eventsJson(ids.map((commandId, i) => ({ type: 'ticket.finished', seq: i + 1, at: 1, commandId, id: 't' })) as unknown as HallEvent[])]));
    const arrivals = new EventArrivals();
    arrivals.heard(message(a, b), 10);
    arrivals.heard(bytes(JSON.stringify({ type: 'answer', commandId: a, answer: { ok: true, seq: 1 } })), 11);
    arrivals.heard(message(a), 12.5);
    arrivals.heard(message(a), 14);
    expect(new Map(arrivals.entries())).toEqual(
      new Map([
        [a, { terminals: 3, last: 14 }],
        [b, { terminals: 1, last: 10 }],
      ]),
    );
    arrivals.clear();
    expect([...arrivals.entries()]).toEqual([]);
  });
});
