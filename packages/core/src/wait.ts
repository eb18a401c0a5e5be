/**
 * What a citizen is told about the wait (H-09): the figures come from the queue policy itself
 * (hall/waits.ts); here the service time they rest on, the range around them and the form in
 * which a screen says them.
 */

/** How many recent services count, and how few make a figure worth trusting over the typical time. */
export const RECENT_SERVICES = 20;
export const MIN_RECENT_SERVICES = 3;

/** Minutes one service of an item takes: the mean of its newest services once three are known, else its typical time. */
export function serviceMinutes(recentServiceMs: readonly number[], typicalServiceMinutes: number): { minutes: number; basis: 'recent' | 'typical' } {
  const recent = recentServiceMs.slice(-RECENT_SERVICES);
  if (recent.length < MIN_RECENT_SERVICES) return { minutes: typicalServiceMinutes, basis: 'typical' };
  return { minutes: recent.reduce((a, b) => a + b, 0) / recent.length / 60_000, basis: 'recent' };
}

/** What the figure cannot know, said beside it. */
export type WaitCaveat =
  /** An appointment checked in or booked for these windows has its slot ahead: it will be served first then. */
  | 'appointments'
  /** A window that serves the item is paused: it may resume and shorten the wait. */
  | 'paused-window';

/** The wait of one ticket, or of a ticket taken now for an item. */
export interface QueueWait {
  /** Tickets of the item waiting now (a plain count, for boards). */
  waiting: number;
  /** The people the windows that may call this ticket will call before it, if nobody else arrives. */
  ahead: number;
  /** Expected minutes until the call; 0 only for the one next at a free window. */
  minutes: number;
  /** The honest range around it; never 0 at its low end for someone who is not next. */
  range: { low: number; high: number };
  /** The window expected to call it, the open windows taking turns as they become free. */
  window?: number;
  /** Where the service time came from: the hall's recent services, or the item's typical time. */
  basis: 'recent' | 'typical';
  /** No window that may call it is open now: the figures assume one opens. */
  noWindowOpen: boolean;
  caveats: WaitCaveat[];
}

/** The range around an expected wait: wider on the typical time than on the hall's own figures. */
export function waitRange(minutes: number, basis: 'recent' | 'typical', next: boolean): { low: number; high: number } {
  if (next) return { low: 0, high: 0 };
  const [down, up] = basis === 'recent' ? [0.8, 1.25] : [0.6, 1.5];
  const low = Math.max(1, Math.floor(minutes * down));
  return { low, high: Math.max(low, Math.ceil(minutes * up)) };
}

/** How a screen says the wait: "即将叫号", "约 N 分钟", "N–M 分钟", or that no window is open yet. */
export type WaitPhrase = { kind: 'next' } | { kind: 'about'; minutes: number } | { kind: 'between'; low: number; high: number } | { kind: 'no-window' };

export function waitPhrase(w: Pick<QueueWait, 'minutes' | 'range' | 'noWindowOpen'>): WaitPhrase {
  if (w.noWindowOpen) return { kind: 'no-window' };
  if (w.minutes === 0) return { kind: 'next' };
  if (w.range.high - w.range.low <= 2) return { kind: 'about', minutes: Math.max(1, w.minutes) };
  return { kind: 'between', low: w.range.low, high: w.range.high };
}
