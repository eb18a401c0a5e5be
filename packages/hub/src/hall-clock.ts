import { performance } from 'node:perf_hooks';
import { log } from './log';
import { opsText } from './ops-strings';

/**
 * The hub's time: the PC's clock, followed forward, never back. A clock set back (by hand, by NTP
 * correcting a fast clock, a standby taking over from a hub whose PC ran ahead) would stamp new
 * tickets before those already waiting, so that they were called first, and make waits and service
 * times negative and a recall wait out its cooldown for as long as the step. From a step back the hub
 * goes on from the latest time it has given or recorded, at the machine's steady pace, until the
 * PC's clock is past it again.
 */
export class HallClock {
  /** The latest time given or recorded, and the steady clock's reading then. */
  private latest: number;
  private latestSteady: number;
  private behind = false;

  constructor(
    private readonly wall: () => number,
    recorded = Number.NEGATIVE_INFINITY,
    private readonly steady: () => number = () => performance.now(),
  ) {
    this.latest = recorded;
    this.latestSteady = steady();
  }

  now(): number {
    const wall = this.wall();
    const steady = this.steady();
    if (wall >= this.latest) {
      if (this.behind) log.info(opsText('clockCaughtUp'));
      this.behind = false;
      this.latest = wall;
      this.latestSteady = steady;
      return wall;
    }
    const carried = this.latest + Math.max(0, steady - this.latestSteady);
    if (!this.behind) log.warn({ behindMs: Math.round(this.latest - wall) }, opsText('clockBehind', { minutes: Math.max(1, Math.round((this.latest - wall) / 60_000)) }));
    this.behind = true;
    this.latest = carried;
    this.latestSteady = steady;
    return Math.floor(carried);
  }

  /** A time the hall has recorded elsewhere (its leader's events): the hub's time does not go back before it either. */
  recorded(at: number): void {
    if (at <= this.latest) return;
    this.latest = at;
    this.latestSteady = this.steady();
  }
}
