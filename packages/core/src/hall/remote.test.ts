import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import demo from '../../../../fixtures/catalogue/demo-hall.json' with { type: 'json' };
import { checkCatalogue, type Catalogue, type CatalogueInput } from '../catalogue';
import type { Actor, CommandBody } from '../commands';
import type { Result } from '../result';
import { refusalTextOf } from '../strings';
import { alertsDue, applyEvent, isNear, dayChange, decide, emptyView, ticketWait, ticketWaits, waitingTickets, type Decision, type HallView, type HolderHistory, type PhoneAlert } from '.';

const DAY = '2026-11-27';
const at = (time: string, day = DAY) => Date.parse(`${day}T${time}:00+08:00`);
const phone: Actor = { role: 'admin', terminal: 'phone' };
const kiosk: Actor = { role: 'kiosk', terminal: 'kiosk-1' };
const ITEM = 'GA-SFZ-HL';

function catalogue(change?: (c: CatalogueInput) => void): Catalogue {
  const input = JSON.parse(JSON.stringify(demo)) as CatalogueInput;
  change?.(input);
  const r = checkCatalogue(input);
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r.catalogue;
}

function run(view: HallView, command: CommandBody, now: number, actor: Actor = phone, holder?: HolderHistory): Result<Decision> {
  for (const e of dayChange(view, now)) applyEvent(view, { ...e, seq: view.seq + 1, at: now });
  const r = decide(view, command, { now, actor, ...(holder ? { holder } : {}) });
  if (r.ok) for (const e of r.value.events) applyEvent(view, { ...e, seq: view.seq + 1, at: now });
  return r;
}
const code = (r: Result<unknown>) => (r.ok ? 'accepted' : r.code);
const take = (serviceCode = ITEM): CommandBody => ({ type: 'takeRemoteTicket', serviceCode });
const none = (): HolderHistory => ({ tickets: [], appointments: [] });

describe('a number taken on the phone (扫码取号)', () => {
  it('is an ordinary ticket in the same line as the kiosk, marked remote', () => {
    const view = emptyView(catalogue(), DAY);
    run(view, { type: 'issueTicket', serviceCode: ITEM, lane: 'ordinary' }, at('09:00'), kiosk);
    const r = run(view, take(), at('09:01'), phone, none());
    expect(r.ok && r.value.ticket).toMatchObject({ number: 'A002', lane: 'ordinary', remote: true, place: 2, state: 'issued' });
    expect(r.ok && r.value.events[0]).toMatchObject({ type: 'ticket.issued', by: 'phone' });
  });

  it('keeps to the issuing hours and the daily quota of the kiosk', () => {
    const view = emptyView(catalogue((c) => (c.items[0]!.dailyQuota = 2)), DAY);
    expect(code(run(view, take(), at('12:00'), phone, none()))).toBe('outside-issuing-hours');
    run(view, { type: 'issueTicket', serviceCode: ITEM, lane: 'ordinary' }, at('09:00'), kiosk);
    expect(code(run(view, take(), at('09:01'), phone, none()))).toBe('accepted');
    expect(code(run(view, take(), at('09:02'), phone, none()))).toBe('daily-quota-reached');
  });

  it('gives one verified phone two numbers a day, not counting a voided one, and none to a phone not verified', () => {
    const view = emptyView(catalogue(), DAY);
    const holder: HolderHistory = { tickets: [{ day: '2026-11-26', state: 'done' }, { day: DAY, state: 'done' }, { day: DAY, state: 'voided' }], appointments: [] };
    expect(code(run(view, take(), at('09:00'), phone, holder))).toBe('accepted');
    holder.tickets.push({ day: DAY, state: 'issued' });
    const refused = run(view, take(), at('09:01'), phone, holder);
    expect(refused).toMatchObject({ ok: false, code: 'phone-limit' });
    // The limit itself, in the citizen's words.
    expect(!refused.ok && refusalTextOf(refused)).toBe('抱歉，同一手机号每天可在线取号 2 个，本手机号今天已取满。您可以到大厅取号机取号，或咨询服务台。');
    expect(!refused.ok && refusalTextOf(refused, 'en')).toBe('Sorry, one phone number may take 2 numbers online a day, and this one has taken them all today. Please use the kiosk in the hall, or ask at the service desk.');
    const one = emptyView(catalogue((c) => (c.phone = { ticketsPerPersonPerDay: 1 })), DAY);
    const once = run(one, take(), at('09:01'), phone, { tickets: [{ day: DAY, state: 'issued' }], appointments: [] });
    expect(!once.ok && refusalTextOf(once, 'en')).toBe('Sorry, one phone number may take 1 number online a day, and this one has taken it today. Please use the kiosk in the hall, or ask at the service desk.');
    expect(code(run(view, take(), at('09:01'), phone))).toBe('phone-unverified');
  });

  it('is refused where the hall gives no numbers by phone, and cannot be sent by a kiosk', () => {
    const view = emptyView(catalogue((c) => (c.phone = { remoteTickets: false })), DAY);
    expect(code(run(view, take(), at('09:00'), phone, none()))).toBe('remote-closed');
  });
});

describe('the alerts a phone gets (无声叫号): near once, called once', () => {
  const policy = { nearAhead: 3 };
  const seen = (state: 'issued' | 'called' | 'serving' | 'done', ahead: number, noWindowOpen = false) => ({ state, ahead, noWindowOpen });
  const due = (first: ReturnType<typeof seen> | undefined, now: ReturnType<typeof seen>, sent: PhoneAlert[] = []) => alertsDue(first, now, new Set(sent), policy);

  it.each([
    ['far away', seen('issued', 9), seen('issued', 5), [], []],
    ['three ahead', seen('issued', 9), seen('issued', 3), [], ['near']],
    ['near, told already', seen('issued', 9), seen('issued', 2), ['near'], []],
    ['near when the number was taken', seen('issued', 2), seen('issued', 1), [], []],
    ['called', seen('issued', 9), seen('called', 0), ['near'], ['called']],
    ['called straight from far away', seen('issued', 9), seen('called', 0), [], ['called']],
    ['called again (a recall)', seen('issued', 9), seen('called', 0), ['near', 'called'], []],
    ['being served after the call', seen('issued', 9), seen('serving', 0), ['called'], []],
    ['after a restart, nothing remembered', undefined, seen('issued', 1), [], ['near']],
    ['two ahead while no window serves the item', seen('issued', 9), seen('issued', 2, true), [], []],
    ['a window opens for it, two ahead', seen('issued', 2, true), seen('issued', 2), [], ['near']],
  ] as const)('%s', (_story, first, now, sent, expected) => {
    expect(due(first, now, [...sent])).toEqual(expected);
  });

  it('is not near, for the page, while no window serves the item: nobody is being called', () => {
    expect(isNear(seen('issued', 2), policy)).toBe(true);
    expect(isNear(seen('issued', 2, true), policy)).toBe(false);
  });
});

describe('the places of all waiting tickets at once', () => {
  it('agrees with ticketWait for every waiting ticket, whatever has happened', () => {
    const items = ['GA-SFZ-HL', 'GA-HK-QR', 'CRJ-HZ-SL'];
    const stepArb = fc.oneof(
      fc.record({ kind: fc.constant('issue' as const), item: fc.constantFrom(...items), priority: fc.boolean(), remote: fc.boolean() }),
      fc.record({ kind: fc.constant('call' as const), window: fc.constantFrom(1, 2, 3, 4) }),
      fc.record({ kind: fc.constant('open' as const), window: fc.constantFrom(1, 2, 3, 4) }),
    );
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 60 }), (steps) => {
        const view = emptyView(catalogue(), DAY);
        let now = at('09:00');
        for (const s of steps) {
          now += 30_000;
          if (s.kind === 'issue')
            run(view, s.remote ? take(s.item) : { type: 'issueTicket', serviceCode: s.item, lane: s.priority ? 'priority' : 'ordinary', priorityReason: s.priority ? 'elderly' : undefined }, now, s.remote ? phone : kiosk, none());
          else if (s.kind === 'open') run(view, { type: 'openWindow', window: s.window }, now, phone);
          else {
            const w = { role: 'window' as const, terminal: `w${s.window}`, window: s.window };
            run(view, { type: 'finishService', window: s.window }, now, w);
            run(view, { type: 'startService', window: s.window }, now, w);
            run(view, { type: 'callNext', window: s.window }, now, w);
          }
        }
        const all = ticketWaits(view, now);
        const waiting = waitingTickets(view);
        expect(all.size).toBe(waiting.length);
        for (const t of waiting) expect(all.get(t.id)).toEqual(ticketWait(view, t, now));
        const some = ticketWaits(view, now, new Set([items[0]!]));
        expect([...some.keys()].sort()).toEqual(waiting.filter((t) => t.serviceCode === items[0]).map((t) => t.id).sort());
      }),
      { numRuns: 60 },
    );
  });
});
