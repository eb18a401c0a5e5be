/**
 * The snapshot a terminal starts from, written once for every terminal that asks within a second.
 * At the end of a busy day it is about 11 MB and takes the hub 130 to 200 ms to write; sixty
 * terminals linking again at once (a switch restarted, the terminals' PCs turned on together) would
 * hold the hall's commands for ten seconds if each had its own. A terminal given one written a
 * moment earlier is sent the events since it with it (`seq` says which), as any terminal catching up.
 */
export class SnapshotCache<View extends object> {
  private readonly written = new Map<boolean, { view: View; seq: number; at: number; bytes: Buffer }>();
  private timer: NodeJS.Timeout | undefined;
  /** Snapshots written so far (each one a whole walk of the day's records and its JSON). */
  writes = 0;

  /**
   * `write(open)`: the snapshot message as it goes to a terminal, without personal data when `open`.
   * It holds while the hall's view is the same object, for `maxAgeMs`, and while no more than
   * `maxBehind` events have been appended since (those are sent after it).
   */
  constructor(
    private readonly write: (open: boolean) => unknown,
    private readonly now: () => { view: View; seq: number },
    private readonly options: { maxAgeMs?: number; maxBehind?: number; clock?: () => number } = {},
  ) {}

  get(open: boolean): { seq: number; bytes: Buffer } {
    const { view, seq } = this.now();
    const at = this.options.clock ? this.options.clock() : performance.now();
    const kept = this.written.get(open);
    if (kept && kept.view === view && kept.seq <= seq && seq - kept.seq <= (this.options.maxBehind ?? 250) && at - kept.at < (this.options.maxAgeMs ?? 1000)) return kept;
    const fresh = { view, seq, at, bytes: Buffer.from(JSON.stringify(this.write(open))) };
    this.writes += 1;
    this.written.set(open, fresh);
    // Megabytes are not kept for nobody: they go once no terminal can be given them any more.
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.written.clear(), this.options.maxAgeMs ?? 1000);
    this.timer.unref();
    return fresh;
  }

  clear(): void {
    clearTimeout(this.timer);
    this.written.clear();
  }
}
