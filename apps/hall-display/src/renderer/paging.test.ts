import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PageTurner, pageShown, pageStarts } from './paging';

// Heights as Chromium lays the panel out at 1920×1080 (styles.css): a row of one line, a row whose name is
// on two, and the room for the rows.
const ONE = 40;
const TWO = 55;
const ROOM = 215;

describe('which waiting rows go on which page', () => {
  it.each([
    ['nothing waiting', [], 200, [0]],
    ['a few rows on one page', [ONE, ONE, ONE], 200, [0]],
    ['27 one-line rows, four lines of two a page', Array(27).fill(ONE), 4 * ONE, [0, 8, 16, 24]],
    // Two long names in lines of their own make those lines taller: the fourth line moves to the next page.
    ['two two-line names on one page', [TWO, ONE, ONE, TWO, ONE, ONE, ONE, ONE, ONE], 4 * ONE, [0, 6]],
    // Two long names side by side cost one line's difference, not two.
    ['two two-line names side by side', [TWO, TWO, ONE, ONE, ONE, ONE, ONE], TWO + 2 * ONE, [0, 6]],
    ['a line taller than the room still has a page', [TWO, ONE, ONE], ONE, [0, 2]],
    ['ten rows, one with a name on two lines, fill one page of the panel', [ONE, TWO, ...Array(8).fill(ONE), ONE], ROOM, [0, 10]],
    ['two names on two lines in different lines: eight rows a page', [TWO, ONE, ONE, ONE, TWO, ...Array(5).fill(ONE)], ROOM, [0, 8]],
    ['fractional heights rounded by the browser', Array(8).fill(ONE + 0.1), 4 * ONE, [0]],
  ])('%s', (_, heights, room, starts) => {
    expect(pageStarts(heights, 2, room)).toEqual(starts);
  });

  it('never puts more on a page than its room holds', () => {
    const heights = Array.from({ length: 40 }, (_, i) => (i % 7 === 3 || i % 11 === 5 ? TWO : ONE));
    const starts = pageStarts(heights, 2, 200);
    for (const [p, start] of starts.entries()) {
      const end = starts[p + 1] ?? heights.length;
      let used = 0;
      for (let i = start; i < end; i += 2) used += Math.max(...heights.slice(i, Math.min(i + 2, end)));
      expect(used, `page ${p + 1}`).toBeLessThanOrEqual(200);
    }
    expect(starts.every((s) => s % 2 === 0)).toBe(true);
  });
});

describe('which page is shown', () => {
  it.each([
    ['page 2 of 3', [0, 10, 20], 1, 27, { at: 1, from: 10, to: 20 }],
    ['the last page', [0, 10, 20], 2, 27, { at: 2, from: 20, to: 27 }],
    // The list fell to 3 rows while page 2 or 3 was shown, and is measured again as one page.
    ['page 2 once the list is one page', [0], 1, 3, { at: 0, from: 0, to: 3 }],
    ['page 3 once the list is one page', [0], 2, 3, { at: 0, from: 0, to: 3 }],
    // The same, before the smaller list is measured: the old pages start past the rows there are.
    ['page 3 of the old pages when 3 rows are left', [0, 10, 20], 2, 3, { at: 0, from: 0, to: 3 }],
    ['page 3 of the old pages when 15 rows are left', [0, 10, 20], 2, 15, { at: 1, from: 10, to: 15 }],
    ['page 2 when nobody waits any more', [0, 10, 20], 1, 0, { at: 0, from: 0, to: 0 }],
  ])('%s', (_, starts, page, count, shown) => {
    expect(pageShown(starts, page, count)).toEqual(shown);
  });
});

describe('the page turner', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function turner(everyMs = 8000) {
    const shown: number[] = [];
    const t = new PageTurner(everyMs, (p) => shown.push(p));
    return { t, shown };
  }

  it('turns every 8 s through three pages and back to the first', () => {
    const { t, shown } = turner();
    t.setCount(3);
    vi.advanceTimersByTime(7999);
    expect(shown).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(shown).toEqual([1]);
    vi.advanceTimersByTime(16_000);
    expect(shown).toEqual([1, 2, 0]);
    t.stop();
  });

  it('never turns a single page', () => {
    const { t, shown } = turner();
    t.setCount(1);
    vi.advanceTimersByTime(60_000);
    expect(shown).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps the page, and the pace, when the board changes', () => {
    const { t, shown } = turner();
    t.setCount(3);
    vi.advanceTimersByTime(8000);
    expect(t.current).toBe(1);
    // The board changes every 3 s (a busy hall): the page stays, and the turn still comes 8 s after the last.
    vi.advanceTimersByTime(3000);
    t.setCount(3);
    vi.advanceTimersByTime(3000);
    t.setCount(4);
    expect(t.current).toBe(1);
    vi.advanceTimersByTime(2000);
    expect(shown).toEqual([1, 2]);
    t.stop();
  });

  it('shows the last page left when the one shown no longer exists, and stops turning at one page', () => {
    const { t, shown } = turner();
    t.setCount(3);
    vi.advanceTimersByTime(16_000);
    expect(t.current).toBe(2);
    t.setCount(2);
    expect(t.current).toBe(1);
    t.setCount(1);
    expect(t.current).toBe(0);
    expect(shown).toEqual([1, 2, 1, 0]);
    vi.advanceTimersByTime(60_000);
    expect(shown).toEqual([1, 2, 1, 0]);
    // More people come: turning starts again, a full page's time after.
    t.setCount(2);
    vi.advanceTimersByTime(7999);
    expect(t.current).toBe(0);
    vi.advanceTimersByTime(1);
    expect(t.current).toBe(1);
    t.stop();
  });

  it('goes back to the first page and stops when the list falls from three pages to one on page 2', () => {
    const { t, shown } = turner();
    t.setCount(3);
    vi.advanceTimersByTime(8000);
    expect(t.current).toBe(1);
    t.setCount(1);
    expect(t.current).toBe(0);
    expect(shown).toEqual([1, 0]);
    expect(vi.getTimerCount()).toBe(0);
    // Nobody waits at all: still the one page.
    t.setCount(0);
    expect(t.current).toBe(0);
    // The hall fills again: page 1 stays a full page's time.
    t.setCount(3);
    vi.advanceTimersByTime(7999);
    expect(shown).toEqual([1, 0]);
    vi.advanceTimersByTime(1);
    expect(shown).toEqual([1, 0, 1]);
    t.stop();
  });

  it("follows the hall screen's setting once the agent tells it", () => {
    const { t, shown } = turner(8000);
    t.setCount(2);
    vi.advanceTimersByTime(5000);
    t.setEveryMs(15_000);
    vi.advanceTimersByTime(14_999);
    expect(shown).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(shown).toEqual([1]);
    t.stop();
  });
});
