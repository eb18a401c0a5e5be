import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addCalendarDays } from './calendar';
import { checkCatalogue, type Catalogue, type CatalogueInput } from './catalogue';
import type { Actor, CommandBody } from './commands';
import { applyEvent, dayChange, decide, emptyView, type Decision, type HallView } from './hall';
import { counterKey, formatTicketNumber, nextSequence, parseTicketNumber } from './numbering';
import type { Result } from './result';

const kiosk: Actor = { role: 'kiosk', terminal: 'kiosk-1' };

function catalogue(input: CatalogueInput): Catalogue {
  const r = checkCatalogue(input);
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r.catalogue;
}

function run(view: HallView, command: CommandBody, actor: Actor, now: number): Result<Decision> {
  const r = decide(view, command, { now, actor });
  if (r.ok) for (const e of r.value.events) applyEvent(view, { ...e, seq: view.seq + 1, at: now });
  return r;
}

function openDay(view: HallView, now: number): void {
  for (const e of dayChange(view, now)) applyEvent(view, { ...e, seq: view.seq + 1, at: now });
}

describe('ticket numbers', () => {
  it.each([
    ['A', 1, 3, 'A001'],
    ['A', 12, 3, 'A012'],
    ['BC', 7, 2, 'BC07'],
    ['Z', 999, 3, 'Z999'],
    ['H', 0, 4, 'H0000'],
    ['Q', 12345, 5, 'Q12345'],
  ])('shows prefix %s sequence %i in %i digits as %s', (prefix, sequence, digits, shown) => {
    expect(formatTicketNumber(prefix, sequence, digits)).toBe(shown);
    expect(parseTicketNumber(shown)).toEqual({ prefix, sequence });
  });

  it.each(['', 'A', '001', 'ABC001', 'A123456', 'A-01', '甲001'])('does not read %j as a ticket number', (text) => {
    expect(parseTicketNumber(text)).toBeUndefined();
  });

  it('reads a number typed in lower case with spaces around it', () => {
    expect(parseTicketNumber(' a012 ')).toEqual({ prefix: 'A', sequence: 12 });
  });

  it('reads back every number it formats', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z]{1,2}$/),
        fc.integer({ min: 2, max: 5 }).chain((digits) => fc.tuple(fc.constant(digits), fc.integer({ min: 0, max: 10 ** digits - 1 }))),
        (prefix, [digits, sequence]) => {
          expect(parseTicketNumber(formatTicketNumber(prefix, sequence, digits))).toEqual({ prefix, sequence });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('starts the day at first, counts up by one and refuses numbers-exhausted past last', () => {
    const config = { digits: 3, first: 5, last: 7 };
    expect(nextSequence(undefined, config)).toEqual({ ok: true, value: 5 });
    expect(nextSequence(5, config)).toEqual({ ok: true, value: 6 });
    expect(nextSequence(6, config)).toEqual({ ok: true, value: 7 });
    expect(nextSequence(7, config)).toMatchObject({ ok: false, code: 'numbers-exhausted' });
  });

  it('keys counters by day and prefix', () => {
    expect(counterKey('2026-11-27', 'A')).not.toBe(counterKey('2026-11-28', 'A'));
    expect(counterKey('2026-11-27', 'A')).not.toBe(counterKey('2026-11-27', 'B'));
  });
});

describe('numbering through the hall', () => {
  const FIRST_DAY = '2026-11-27';
  const at = (day: string, seconds: number) => Date.parse(`${day}T10:00:00+08:00`) + seconds * 1000;

  /** Two items share prefix A, so they share one sequence; B and CD run on their own. */
  const items = [
    { code: 'A1', prefix: 'A' },
    { code: 'A2', prefix: 'A' },
    { code: 'B1', prefix: 'B' },
    { code: 'CD1', prefix: 'CD' },
  ];
  const hall = (first: number, last: number) =>
    catalogue({
      hall: { name: '测试大厅' },
      departments: [{ name: '综合' }],
      items: items.map((i) => ({ ...i, name: i.code, department: '综合', legalLimitDays: 1, promisedLimitDays: 1 })),
      windows: [{ number: 1, name: '1号窗口', serves: items.map((i) => i.code) }],
      numbering: { digits: 2, first, last },
    });

  type Step = { kind: 'issue'; item: number; priority: boolean } | { kind: 'void'; pick: number } | { kind: 'nextDay' };
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 8, arbitrary: fc.record({ kind: fc.constant('issue' as const), item: fc.integer({ min: 0, max: items.length - 1 }), priority: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('void' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'nextDay' as const }) },
  );

  it('never gives a number twice on a day and runs each prefix gap-free from first, restarting each day', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(step, { maxLength: 80 }),
        (first, size, steps) => {
          const last = first + size;
          const view = emptyView(hall(first, last), FIRST_DAY);
          let day = FIRST_DAY;
          /** Sequences issued, by counterKey(day, prefix), in issue order. */
          const issued = new Map<string, number[]>();
          const numbersOfDay = new Map<string, string[]>();
          steps.forEach((s, i) => {
            if (s.kind === 'nextDay') {
              day = addCalendarDays(day, 1);
              openDay(view, at(day, i));
              expect(view.day).toBe(day);
              return;
            }
            if (s.kind === 'void') {
              const open = [...view.tickets.values()].filter((t) => t.state === 'issued');
              if (open.length === 0) return;
              const r = run(view, { type: 'voidTicket', ticketId: open[s.pick % open.length]!.id, reason: '打印失败' }, kiosk, at(day, i));
              expect(r.ok).toBe(true);
              return;
            }
            const item = items[s.item]!;
            const key = counterKey(day, item.prefix);
            const sequences = issued.get(key) ?? [];
            const r = run(view, { type: 'issueTicket', serviceCode: item.code, lane: s.priority ? 'priority' : 'ordinary' }, kiosk, at(day, i));
            if (!r.ok) {
              expect(r.code).toBe('numbers-exhausted');
              expect(sequences.length).toBe(last - first + 1);
              return;
            }
            const t = r.value.ticket!;
            expect(t.day).toBe(day);
            expect(view.tickets.get(t.id)).toEqual(t);
            const parsed = parseTicketNumber(t.number);
            expect(parsed?.prefix).toBe(item.prefix);
            issued.set(key, [...sequences, parsed!.sequence]);
            numbersOfDay.set(day, [...(numbersOfDay.get(day) ?? []), t.number]);
          });
          for (const numbers of numbersOfDay.values()) expect(new Set(numbers).size).toBe(numbers.length);
          for (const sequences of issued.values()) expect(sequences).toEqual(sequences.map((_, i) => first + i));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('starts again at A001 on the next day, after the day.opened event', () => {
    const view = emptyView(hall(1, 99), FIRST_DAY);
    expect(run(view, { type: 'issueTicket', serviceCode: 'A1', lane: 'ordinary' }, kiosk, at(FIRST_DAY, 0))).toMatchObject({ ok: true, value: { ticket: { number: 'A01' } } });
    expect(run(view, { type: 'issueTicket', serviceCode: 'A2', lane: 'ordinary' }, kiosk, at(FIRST_DAY, 1))).toMatchObject({ ok: true, value: { ticket: { number: 'A02' } } });
    const nextMorning = Date.parse('2026-11-28T08:45:00+08:00');
    // The day's two tickets, still waiting, end with it (ticket.dayEnded); then the new day opens.
    expect(dayChange(view, nextMorning)).toEqual([
      { type: 'ticket.dayEnded', id: `${FIRST_DAY}-A01`, happenedAt: expect.any(Number) },
      { type: 'ticket.dayEnded', id: `${FIRST_DAY}-A02`, happenedAt: expect.any(Number) },
      { type: 'day.opened', day: '2026-11-28' },
    ]);
    openDay(view, nextMorning);
    expect(dayChange(view, nextMorning)).toEqual([]);
    const r = run(view, { type: 'issueTicket', serviceCode: 'A2', lane: 'ordinary' }, kiosk, nextMorning);
    expect(r).toMatchObject({ ok: true, value: { ticket: { number: 'A01', day: '2026-11-28', id: '2026-11-28-A01', place: 1 } } });
    expect(view.tickets.size).toBe(1);
  });
});
