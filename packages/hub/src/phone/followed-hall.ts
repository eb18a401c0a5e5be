import { applyEvent, type HallEvent, type HallView } from '@servicehall/core';
import type { LinkSigner } from '../links';
import { log } from '../log';
import { SharedWaits } from '../waits';
import type { WatchedHall } from './watch';

/** The hub's view, followed: a snapshot, then each batch of events in order (a gap asks for a snapshot again). */
export class FollowedHall implements WatchedHall {
  view: HallView;
  readonly refs: { ofTicket(id: string): string };
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
    this.refs = { ofTicket: (id) => this.refOf.get(id) ?? this.refOf.set(id, links.ref('ticket', id)).get(id)! };
  }

  /** The public references of the tickets followed today (an HMAC each, told at every change of their phones' state). */
  private readonly refOf = new Map<string, string>();

  /** What this process keeps for each followed ticket goes with the day: tickets no longer in the view are forgotten. */
  forgetPast(keep: (ticketId: string) => boolean): void {
    for (const id of this.refOf.keys()) if (!keep(id)) this.refOf.delete(id);
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
      log.warn({ err: error }, "the phones' copy of the hall is out of step; asking the hub for its view");
      this.resyncing = true;
      this.resync();
    }
    if (applied.length > 0) for (const listener of this.listeners) listener(applied);
  }
}
