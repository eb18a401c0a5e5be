/** How bad a device's state is: a fault over a warning over anything else (ok, absent). */
function rank(state: { kind: string }): number {
  return state.kind === 'fault' ? 2 : state.kind === 'warning' ? 1 : 0;
}

/** How long a device's changes for the worse are remembered: two within it and the device flaps. */
export const FLAP_WINDOW_MS = 60_000;

/**
 * A device's state as the hall is told it (the hub's device board, the log): a change for the worse
 * at once; a change for the better at once too, unless the device has gone worse twice within
 * FLAP_WINDOW_MS, when it is told only once it has held for `holdMs`. A printer out of paper and
 * refilled is thus ready on the board at once, while one whose sensor flaps (ok, fault, ok, ...) is
 * told twice as in fault, not at every poll, and as ready once it has stayed so.
 */
export class SteadyState<S extends { kind: string }> {
  private told: { state: S; key: string } | undefined;
  private pending: { key: string; timer: NodeJS.Timeout } | undefined;
  /** When changes for the worse were told, within the window. */
  private worse: number[] = [];

  constructor(
    private readonly holdMs: number,
    private readonly tell: (state: S) => void,
    /** The steady clock the window is counted by: a PC's clock set by an hour neither forgets nor keeps a device's flaps. */
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes the state as last seen; tells it now, later (when it has held) or not at all. */
  see(state: S): void {
    const key = JSON.stringify(state);
    const now = this.now();
    this.worse = this.worse.filter((at) => now - at < FLAP_WINDOW_MS);
    if (this.told?.key === key) {
      // Back to the state told before a change for the better had held: the device went worse again.
      if (this.pending) this.worse.push(now);
      return this.cancel();
    }
    if (!this.told || rank(state) >= rank(this.told.state)) {
      if (this.told && rank(state) > rank(this.told.state)) this.worse.push(now);
      return this.say(state, key);
    }
    if (this.holdMs === 0 || this.worse.length < 2) return this.say(state, key);
    if (this.pending?.key === key) return;
    this.cancel();
    const timer = setTimeout(() => {
      this.pending = undefined;
      this.say(state, key);
    }, this.holdMs);
    timer.unref?.();
    this.pending = { key, timer };
  }

  /** Stops a change waiting to be told. */
  close(): void {
    this.cancel();
  }

  private say(state: S, key: string): void {
    this.cancel();
    this.told = { state, key };
    this.tell(state);
  }

  private cancel(): void {
    if (this.pending) clearTimeout(this.pending.timer);
    this.pending = undefined;
  }
}
