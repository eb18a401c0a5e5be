import type { Catalogue } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';

/** Windows the bench's hall has and works: every one is a terminal in the load. */
export const BENCH_WINDOWS = 50;

/**
 * The hall every bench hub runs, the year's included: the demo's items issued at any hour without
 * quotas, five-digit numbers, no recall cooldown, 50 windows each serving three items.
 */
export function benchCatalogue(): Catalogue {
  const c = demoCatalogue({ allDay: true });
  for (const item of c.items) delete item.dailyQuota;
  c.numbering = { digits: 5, first: 1, last: 99_999 };
  c.queue.recallCooldownSeconds = 0;
  const codes = c.items.map((i) => i.code);
  c.windows = Array.from({ length: BENCH_WINDOWS }, (_, i) => ({
    number: i + 1,
    name: `${i + 1}号窗口`,
    serves: [codes[i % codes.length]!, codes[(i + 7) % codes.length]!, codes[(i + 13) % codes.length]!],
  }));
  c.clerks = c.windows.map((w) => ({ number: String(3000 + w.number), name: `工作人员${w.number}`, department: c.departments[0]!.name }));
  return c;
}
