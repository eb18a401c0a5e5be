/** How bad a device's state is: a fault over a warning over anything else (ok, absent). */
function rank(state: { kind: string }): number {
  return state.kind === 'fault' ? 2 : state.kind === 'warning' ? 1 : 0;
}

/**
 * A device's state as the hall is told it (the hub's device board, the log): a change for the worse
 * at once, a change for the better only once it has held for `holdMs`. A printer whose sensor
 * flaps (ok, fault, ok, ...) is then told once as in fault, not at every poll, and once as ready
 * when it has stayed so.
 */
export class SteadyState<S extends { kind: string }> {
  private told: { state: S; key: string } | undefined;
  private pending: { key: string; timer: NodeJS.Timeout } | undefined;

  constructor(
    private readonly holdMs: number,
    private readonly tell: (state: S) => void,
  ) {}

  /** Takes the state as last seen; tells it now, later (when it has held) or not at all. */
  see(state: S): void {
    const key = JSON.stringify(state);
    if (this.told?.key === key) return this.cancel();
    if (!this.told || rank(state) >= rank(this.told.state) || this.holdMs === 0) return this.say(state, key);
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
