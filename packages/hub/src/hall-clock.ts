import { performance } from 'node:perf_hooks';
import { log } from './log';
import { opsText } from './ops-strings';

/** A PC's clock further behind the hall's time than this is followed back after all (a date set wrong, not a clock put right). */
export const MAX_CARRY_MS = 12 * 3_600_000;

/**
 * How fast the hub's time runs while the PC's clock is behind it, against the machine's steady clock:
 * at half pace the PC's clock catches up after twice the step (an hour set back: two hours), so that
 * the hall's hours (an item's issuing hours, the day's end) are the PC's again within the morning, not
 * an hour early for the rest of the day. Times measured meanwhile (a service, a recall's cooldown) run
 * at half their length.
 */
export const CATCH_UP_PACE = 0.5;

/**
 * The hub's time: the PC's clock, followed forward, never back. A clock set back (by hand, by NTP
 * correcting a fast clock, a standby taking over from a hub whose PC ran ahead) would stamp new
 * tickets before those already waiting, so that they were called first, and make waits and service
 * times negative and a recall wait out its cooldown for as long as the step. From a step back the hub
 * goes on from the latest time it has given or recorded, at half the machine's steady pace
 * (CATCH_UP_PACE), until the PC's clock is past it again; but not past the end of the PC's hall
 * day (it waits there, in the night, for the PC's midnight: a clock put right after running hours
 * fast does not end the hall's day early, and the two are one again each midnight). Further behind
 * than MAX_CARRY_MS, the PC's clock is followed back, as a date set wrong, and said so.
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
    /** The last instant of the hall day that `at` is in (by the hall's time zone). */
    private readonly dayEnd: (at: number) => number = () => Number.POSITIVE_INFINITY,
  ) {
    this.latest = recorded;
    this.latestSteady = steady();
  }

  now(): number {
    const wall = this.wall();
    const steady = this.steady();
    const behindMs = this.latest - wall;
    if (behindMs <= 0 || behindMs > MAX_CARRY_MS) {
      if (behindMs > MAX_CARRY_MS) log.error({ behindMs: Math.round(behindMs) }, opsText('clockFarBehind', { hours: Math.round(behindMs / 3_600_000) }));
      else if (this.behind) log.info(opsText('clockCaughtUp'));
      this.behind = false;
      this.latest = wall;
      this.latestSteady = steady;
      return wall;
    }
    if (!this.behind) log.warn({ behindMs: Math.round(behindMs) }, opsText('clockBehind', { minutes: Math.max(1, Math.round(behindMs / 60_000)) }));
    this.behind = true;
    const carried = Math.max(this.latest, Math.min(this.latest + Math.max(0, steady - this.latestSteady) * CATCH_UP_PACE, this.dayEnd(wall)));
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
