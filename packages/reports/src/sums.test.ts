import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FactSums, type FactIncrement } from './facts';
import { COUNTER_FAMILY, COUNTERS, FACT_TABLE_LIST, FACT_TABLES, MAX_COUNTERS, type Counter } from './schema';

const increment: fc.Arbitrary<FactIncrement> = fc.record({
  day: fc.constantFrom('2026-11-30', '2026-12-01'),
  month: fc.constant('2026-12'),
  hour: fc.integer({ min: 8, max: 17 }),
  serviceCode: fc.constantFrom('GA-SFZ-HL', 'SJ-QY-SL'),
  department: fc.constant('公安'),
  window: fc.integer({ min: 1, max: 3 }),
  clerk: fc.constantFrom('1001', '1002'),
  reason: fc.option(fc.constantFrom('会议', '午休'), { nil: undefined }),
  add: fc.dictionary(fc.constantFrom<Counter>(...COUNTERS), fc.integer({ min: 0, max: 900 }), { maxKeys: 6 }),
});

describe('fact increments summed per row (FactSums)', () => {
  it('sums each row as the increments one by one would, writing whole families of counters: few shapes of statement', () => {
    fc.assert(
      fc.property(fc.array(increment, { maxLength: 60 }), (increments) => {
        const sums = new FactSums();
        sums.add(increments);
        const rows = sums.take();
        const table = FACT_TABLES.deskHours;
        for (const row of rows.filter((r) => r.table === table)) {
          const keys = row.values.slice(0, table.keys.length);
          const mine = increments.filter((f) => JSON.stringify([f.day, f.hour, f.serviceCode, f.department, f.window, f.clerk]) === JSON.stringify(keys));
          const moved = new Set(mine.flatMap((f) => Object.entries(f.add).filter(([, v]) => v !== 0).map(([c]) => COUNTER_FAMILY.get(c))));
          // Every counter of a family moved, and none of another.
          expect(row.counters).toEqual(table.counters.filter((c) => moved.has(COUNTER_FAMILY.get(c))));
          row.counters.forEach((c, i) => {
            const values = mine.map((f) => f.add[c as Counter] ?? 0);
            const expected = MAX_COUNTERS.has(c) ? Math.max(0, ...values) : values.reduce((a, b) => a + b, 0);
            expect(row.values[table.keys.length + i], c).toBe(expected);
          });
        }
        // Each row once; nothing left after take.
        expect(new Set(rows.map((r) => `${r.table.name}|${r.values.slice(0, r.table.keys.length).join('|')}`)).size).toBe(rows.length);
        expect(sums.take()).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('makes at most one statement shape per table and set of families, however many counters a day moves', () => {
    const sums = new FactSums();
    // Every subset of a few counters from several families: 2^8 sets of counters.
    const some: Counter[] = ['called', 'wait_s', 'w3', 's5', 'rated', 'rated_satisfied', 'accepted', 'corrections'];
    for (let mask = 1; mask < 1 << some.length; mask++)
      sums.add([{ day: '2026-12-01', month: '2026-12', hour: 9, serviceCode: `I${mask}`, department: 'd', window: 1, clerk: 'c', add: Object.fromEntries(some.filter((_, i) => mask & (1 << i)).map((c) => [c, 1])) }]);
    const shapes = new Set(sums.take().map((r) => `${r.table.name}|${r.counters.join(',')}`));
    // Five families among them (tickets, waits, services, ratings, outcomes): 31 sets, in 4 tables.
    expect(shapes.size).toBe(31 * 4);
  });
  it('gives a table at a time the rows that all of them at once would give, and tells which tables have rows waiting (the hub writes one table a turn)', () => {
    fc.assert(
      fc.property(fc.array(increment, { maxLength: 60 }), fc.shuffledSubarray([...FACT_TABLE_LIST]), (increments, order) => {
        const all = new FactSums();
        all.add(increments);
        const whole = all.take();
        const byTable = new FactSums();
        byTable.add(increments);
        const parts = [];
        for (const table of order) {
          expect(byTable.has(table), table.name).toBe(whole.some((r) => r.table === table));
          const rows = byTable.take(table);
          expect(rows.every((r) => r.table === table)).toBe(true);
          expect(byTable.has(table)).toBe(false);
          parts.push(...rows);
        }
        const rest = byTable.take();
        const key = (r: (typeof whole)[number]) => JSON.stringify([r.table.name, r.counters, r.values]);
        expect([...parts, ...rest].map(key).sort()).toEqual(whole.map(key).sort());
        expect(byTable.has()).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('adds increments only to the tables asked (a fold that catches up tables written up to different events)', () => {
    const sums = new FactSums();
    const f: FactIncrement = { day: '2026-12-01', month: '2026-12', hour: 9, serviceCode: 'A', department: 'd', window: 1, clerk: 'c', add: { issued: 1 } };
    sums.add([f, f], (t) => t !== FACT_TABLES.deskHours);
    expect(sums.has(FACT_TABLES.deskHours)).toBe(false);
    expect(sums.has(FACT_TABLES.itemHours)).toBe(true);
    expect(sums.take(FACT_TABLES.deskDays).map((r) => r.values[r.table.keys.length + r.counters.indexOf('issued')])).toEqual([2]);
    expect(sums.take().map((r) => r.table.name).sort()).toEqual([FACT_TABLES.deskMonths.name, FACT_TABLES.itemHours.name]);
  });
});
