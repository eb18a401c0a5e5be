import { describe, expect, it } from 'vitest';
import demo from '../../../../fixtures/catalogue/demo-hall.json' with { type: 'json' };
import { CatalogueSchema } from '../catalogue';
import type { Actor, CommandBody } from '../commands';
import type { HallEvent } from '../events';
import { applyEvent, askedRating, decide, emptyView, type HallView } from '.';

// Events written before they were slimmed carry whole tickets, ratings and cases, and name clerks
// and windows that follow from the view: the fold still applies them, to the same hall.

const DAY = '2026-09-28';
const at = (time: string) => Date.parse(`${DAY}T${time}:00+08:00`);
const kiosk: Actor = { role: 'kiosk', terminal: 'kiosk-1' };
const win7: Actor = { role: 'window', terminal: 'win-7', window: 7 };
const pad7: Actor = { role: 'rating-pad', terminal: 'pad-7', window: 7 };

/** A visit today: its events as this version writes them, and each as an earlier version wrote it. */
function visit(): { now: HallEvent[]; before: HallEvent[]; view: HallView } {
  const view = emptyView(CatalogueSchema.parse(demo), DAY);
  const now: HallEvent[] = [];
  const before: HallEvent[] = [];
  const step = (command: CommandBody, actor: Actor, time: string) => {
    const r = decide(view, command, { now: at(time), actor });
    if (!r.ok) throw new Error(`${command.type}: ${r.message}`);
    for (const body of r.value.events) {
      const e = { ...body, seq: view.seq + 1, at: at(time) } as HallEvent;
      applyEvent(view, e);
      now.push(e);
      // What an earlier version would have written, read off the hall as it now stands.
      switch (e.type) {
        case 'ticket.issued':
          before.push({ ...e, ticket: view.tickets.get(`${DAY}-${e.ticket.number}`)! });
          break;
        case 'ticket.called':
          before.push({ ...e, clerk: view.tickets.get(e.id)!.clerk });
          break;
        case 'ticket.started':
        case 'ticket.finished':
          before.push({ ...e, window: view.tickets.get(e.id)!.window });
          break;
        case 'case.recorded':
          before.push({ ...e, case: view.cases.get(e.case.number)! });
          break;
        case 'rating.recorded':
          before.push({ ...e, rating: view.ratings.get(e.rating.ticketId)!.at(-1)! });
          break;
        default:
          before.push(e);
      }
    }
  };
  step({ type: 'openWindow', window: 7, clerk: '1011' }, win7, '08:30');
  step({ type: 'issueTicket', serviceCode: 'SJ-QY-SL', lane: 'priority', priorityReason: 'elderly' }, kiosk, '09:00');
  step({ type: 'issueTicket', serviceCode: 'SJ-QY-SL', lane: 'ordinary' }, kiosk, '09:01');
  step({ type: 'callNext', window: 7 }, win7, '09:02');
  step({ type: 'startService', window: 7 }, win7, '09:03');
  step({ type: 'recordOutcome', window: 7, serviceCode: 'SJ-QY-SL', outcome: 'correction', materials: ['m2'] }, win7, '09:10');
  step({ type: 'recordOutcome', window: 7, serviceCode: 'SJ-GT-SL', outcome: 'accepted' }, win7, '09:11');
  // Amendments carry what they change (an outcome's case whole, a rating's additions): written the same before and now.
  step({ type: 'amendOutcome', window: 7, caseNumber: 'SL202609280001', outcome: 'correction', materials: ['m2', 'm5'], amendReason: '漏列了一项材料' }, win7, '09:11');
  step({ type: 'finishService', window: 7 }, win7, '09:12');
  const rated = askedRating(view, 7)!.ticketId;
  step({ type: 'rate', ticketId: rated, level: 'very-dissatisfied', aspects: {}, reasons: ['等候时间长'], channel: 'window-pad' }, pad7, '09:13');
  step({ type: 'amendRating', ticketId: rated, aspects: { attitude: 'dissatisfied' }, reasons: ['等候时间长', '态度生硬'] }, pad7, '09:13');
  step({ type: 'callNext', window: 7 }, win7, '09:14');
  step({ type: 'startService', window: 7 }, win7, '09:15');
  step({ type: 'finishService', window: 7 }, win7, '09:20');
  return { now, before, view };
}

describe('events written by earlier versions', () => {
  it('fold into the same hall as the events written now', () => {
    const { now, before, view } = visit();
    // The earlier ones are bigger: whole records, named clerks and windows (amendments aside, the same in both).
    const slimmed = (events: HallEvent[]) => JSON.stringify(events.filter((e) => !e.type.endsWith('.amended'))).length;
    expect(slimmed(before)).toBeGreaterThan(slimmed(now) * 1.5);
    expect(now.filter((e) => e.type.endsWith('.amended')).map((e) => e.type)).toEqual(['case.amended', 'rating.amended']);
    const again = emptyView(CatalogueSchema.parse(demo), DAY);
    for (const e of before) applyEvent(again, JSON.parse(JSON.stringify(e)) as HallEvent);
    expect(again).toEqual(view);
  });
});
