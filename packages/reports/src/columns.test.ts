import { describe, expect, it } from 'vitest';
import { formatDuration, MAX_REPORT_DAYS, reportPeriodProblem } from './columns';

describe('a duration in a report', () => {
  it.each([
    [0, '0:00:00'],
    [90, '0:01:30'],
    [3599.6, '1:00:00'],
    [3 * 3600 + 5 * 60 + 7, '3:05:07'],
    // A clock set back, or a ticket served before it was called: one sign in front, never "-1:-2:-30".
    [-90, '-0:01:30'],
    [-3725, '-1:02:05'],
    [-0.4, '0:00:00'],
    [undefined, ''],
    [Number.NaN, ''],
  ])('reads %s s as "%s"', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe("a report's period", () => {
  it.each([
    ['2026-02-28', '2026-03-01', undefined],
    ['2024-02-29', '2024-02-29', undefined],
    // Date.parse takes these (as 2026-03-02 and 2026-05-01): a supervisor's typing, not a day.
    ['2026-02-30', '2026-03-01', '统计期间的开始和结束日期应为日历上有的日子，写成 YYYY-MM-DD（如 2026-11-30）'],
    ['2026-04-01', '2026-04-31', '统计期间的开始和结束日期应为日历上有的日子，写成 YYYY-MM-DD（如 2026-11-30）'],
    ['2025-02-29', '2025-03-01', '统计期间的开始和结束日期应为日历上有的日子，写成 YYYY-MM-DD（如 2026-11-30）'],
    ['2026-13-45', '2026-14-01', '统计期间的开始和结束日期应为日历上有的日子，写成 YYYY-MM-DD（如 2026-11-30）'],
    ['2026-12-01', '2026-11-01', '开始日期（2026-12-01）晚于结束日期（2026-11-01）：请把开始日期改为不晚于结束日期'],
    ['2020-01-01', '2026-01-01', `一份报表最多统计 ${MAX_REPORT_DAYS} 天：请缩短统计期间`],
  ])('from %s to %s: %s', (from, to, zh) => {
    expect(reportPeriodProblem(from, to)?.zh).toBe(zh);
  });
});
