import type { HallEvent } from '@servicehall/core';
import { describe, expect, it } from 'vitest';
import { eventsJson, eventsMessage, HubMessageSchema } from './index';

const at = Date.UTC(2026, 11, 3, 1, 0);
const first: HallEvent[] = [
  { seq: 1, at, type: 'day.opened', day: '2026-12-03' },
  { seq: 2, at, type: 'ticket.called', id: 't-1', window: 3, commandId: 'c-1' },
];
const second: HallEvent[] = [{ seq: 3, at: at + 1000, type: 'ticket.called', id: 't-2', window: 4, outOfOrderReason: '老人 "优先"' }];

describe('an events message built from runs made once', () => {
  it('is byte for byte the message JSON.stringify gives, and a valid hub message', () => {
    const text = eventsMessage([eventsJson(first), eventsJson(second)]);
    expect(text).toBe(JSON.stringify({ type: 'events', events: [...first, ...second] }));
    expect(HubMessageSchema.parse(JSON.parse(text))).toEqual({ type: 'events', events: [...first, ...second] });
  });

  it('leaves out empty runs and holds none when given none', () => {
    expect(JSON.parse(eventsMessage([eventsJson([]), eventsJson(second), eventsJson([])]))).toEqual({ type: 'events', events: second });
    expect(eventsMessage([])).toBe('{"type":"events","events":[]}');
  });
});
