/**
 * A list a page at a time (the waiting list, the notices): which rows go on which page, from the rows'
 * heights as laid out, and the page turner, whose clock the board's changes never reset.
 */

/**
 * The first row of each page. Rows fill the grid's lines left to right, `columns` to a line; a line is
 * as tall as its tallest row (a long name on two lines), and a page takes whole lines while they fit
 * in `room`. A line taller than the room alone still gets a page of its own.
 */
export function pageStarts(heights: readonly number[], columns: number, room: number): number[] {
  const starts = [0];
  let used = 0;
  for (let i = 0; i < heights.length; i += columns) {
    const line = Math.max(...heights.slice(i, i + columns));
    // Half a pixel for the browser's rounding of fractional heights.
    if (used > 0 && used + line > room + 0.5) {
      starts.push(i);
      used = 0;
    }
    used += line;
  }
  return starts;
}

/**
 * The page to show and its rows (from..to) from the pages as last measured. The list may have shrunk
 * since (a board with fewer rows, not yet measured): a page that no longer exists, or that would start
 * past the rows there are, gives way to the last one that still has rows, so that no page is ever blank.
 */
export function pageShown(starts: readonly number[], page: number, count: number): { at: number; from: number; to: number } {
  let at = Math.min(page, starts.length - 1);
  while (at > 0 && starts[at]! >= count) at--;
  return { at, from: starts[at]!, to: Math.min(starts[at + 1] ?? count, count) };
}

/**
 * Turns to the next page every `everyMs` while there is more than one, back to the first after the
 * last. A new page count (the board changed) keeps the page unless it no longer exists, in which case
 * the last page that does is shown; the turns keep their own pace.
 */
export class PageTurner {
  private page = 0;
  private count = 1;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private everyMs: number,
    private readonly onPage: (page: number) => void,
  ) {}

  get current(): number {
    return this.page;
  }

  setCount(count: number): void {
    this.count = Math.max(1, count);
    if (this.page >= this.count) this.show(this.count - 1);
    this.sync();
  }

  setEveryMs(everyMs: number): void {
    if (everyMs === this.everyMs) return;
    this.everyMs = everyMs;
    this.stop();
    this.sync();
  }

  /** Stops turning; a later setCount or setEveryMs starts again. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private sync(): void {
    if (this.count > 1 && this.timer === undefined) this.timer = setInterval(() => this.show((this.page + 1) % this.count), this.everyMs);
    if (this.count <= 1) this.stop();
  }

  private show(page: number): void {
    if (page === this.page) return;
    this.page = page;
    this.onPage(page);
  }
}
