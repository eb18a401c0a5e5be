import { applyEvent, type HallEvent, type HallView } from '@servicehall/core';
import type { LinkSigner } from '../links';
import { log } from '../log';
import { opsText } from '../ops-strings';
import { PublicRefs } from '../refs';
import { SharedWaits } from '../waits';
import type { WatchedHall } from './watch';

/** The hub's view, followed: a snapshot, then each batch of events in order (a gap asks for a snapshot again). */
export class FollowedHall implements WatchedHall {
  view: HallView;
  /** The tickets' public references, kept as the hub's store keeps them (made once per ticket, not at every message). */
  readonly refs: PublicRefs;
  private readonly listeners = new Set<(events: readonly HallEvent[]) => void>();
  private readonly shared = new SharedWaits(() => this.view);
  private resyncing = false;

  constructor(
    view: HallView,
    private readonly links: LinkSigner,
    /** Asks the hub for its view again (events were missed). */
    private readonly resync: () => void,
  ) {
    this.view = view;
    this.refs = new PublicRefs(links, () => this.view);
  }

  onEvents(listener: (events: readonly HallEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  waits(now: number) {
    return this.shared.at(now);
  }

  ratingLink(ticketId: string): string | undefined {
    return this.links.ratingPath(this.view, ticketId);
  }

  replace(view: HallView): void {
    this.view = view;
    this.resyncing = false;
    this.refs.rebuild();
  }

  apply(events: readonly HallEvent[]): void {
    if (this.resyncing) return;
    const applied: HallEvent[] = [];
    try {
      for (const e of events) {
        // Already in the view the hub sent (its events reach this process once they are on the disk).
        if (e.seq <= this.view.seq) continue;
        // Not the next one (core's OutOfStep): something was missed.
        applyEvent(this.view, e);
        this.shared.note(e);
        applied.push(e);
      }
    } catch (error) {
      // Never a guess at what was missed: the hub sends its view again.
      log.warn({ err: error }, opsText('phonesOutOfStep'));
      this.resyncing = true;
      this.resync();
    }
    if (applied.length === 0) return;
    this.refs.follow(applied);
    for (const listener of this.listeners) listener(applied);
  }
}
