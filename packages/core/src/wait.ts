/**
 * Expected wait for the next citizen of a service item (H-09): the people ahead, times the recent
 * mean service time, shared among the windows open for the item.
 */
export interface WaitInput {
  /** Tickets waiting ahead for this item now. */
  waiting: number;
  /** Recent service durations of this item in ms, newest last. */
  recentServiceMs: readonly number[];
  /** Minutes one service takes when the hall has no recent figures yet. */
  typicalServiceMinutes: number;
  /** Windows signed in, not paused, that serve this item. */
  openWindows: number;
}

export interface ExpectedWait {
  waiting: number;
  minutes: number;
  /** Where the service time came from. */
  basis: 'recent' | 'typical';
  /** No window is open for the item: the figure assumes one opens. */
  noWindowOpen: boolean;
}

/** How many recent services count, and how few make a figure worth trusting over the typical time. */
export const RECENT_SERVICES = 20;
const MIN_RECENT = 3;

export function expectedWait(input: WaitInput): ExpectedWait {
  const recent = input.recentServiceMs.slice(-RECENT_SERVICES);
  const useRecent = recent.length >= MIN_RECENT;
  const perServiceMin = useRecent ? recent.reduce((a, b) => a + b, 0) / recent.length / 60_000 : input.typicalServiceMinutes;
  const windows = Math.max(1, input.openWindows);
  return {
    waiting: input.waiting,
    minutes: input.waiting === 0 ? 0 : Math.max(1, Math.round((input.waiting * perServiceMin) / windows)),
    basis: useRecent ? 'recent' : 'typical',
    noWindowOpen: input.openWindows === 0,
  };
}
