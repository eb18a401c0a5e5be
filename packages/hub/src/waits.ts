import { issuedTicket, WaitBoard, type HallEvent, type HallView, type Ticket } from '@servicehall/core';

/**
 * The calls a waits' board may have played and still be made again each second: about a busy hall's
 * longest queue. A board that played more is kept longer in proportion (boardLifeMs).
 */
export const BOARD_CALLS_A_SECOND = 2000;
/** The longest a waits' board is kept while the hall changes only by tickets issued. */
export const BOARD_LIFE_MAX_MS = 15_000;

/**
 * How long a waits' board is used while the hall changes only by tickets issued (or not at all): a
 * second, or, where its plays made more calls than BOARD_CALLS_A_SECOND, longer in proportion (up
 * to BOARD_LIFE_MAX_MS), so that playing the queue again takes a bounded share of the hub's thread
 * however long the queue. A play of 29,000 waiting tickets (a load test's, not a hall's) took 60
 * to 90 ms; made again every second it held the commands behind it each time. What it costs: the
 * expected wait of a ticket at the end of such a queue is told from a play up to 15 s old, and
 * any call, service or window change makes the board again at once.
 */
export function boardLifeMs(calls: number): number {
  return Math.min(BOARD_LIFE_MAX_MS, Math.max(1000, (calls / BOARD_CALLS_A_SECOND) * 1000));
}

/**
 * The waiting tickets' waits (core's WaitBoard), played forward once for the hall as it is and
 * shared until it changes or its time is up (boardLifeMs): by the hub's store (the answers of a
 * batch of tickets issued together, the ticket pages, the phones) and by the phones' own process,
 * which follows the same events.
 */
export class SharedWaits {
  private board: WaitBoard | undefined;
  /** Tickets issued since the board was made, while nothing else has happened (then undefined): the board follows them. */
  private joined: Ticket[] | undefined = [];

  constructor(private readonly view: () => HallView) {}

  /** The board for the hall as it is at `now`: the one kept, or a new play. */
  at(now: number): WaitBoard {
    const b = this.board;
    const view = this.view();
    // The same view (not one read again after a batch rolled back) within the board's time, at the
    // same sequence or moved on only by tickets issued, which join the board's plays where they could be called.
    if (b && b.view === view && now >= b.now && now - b.now < boardLifeMs(b.calls)) {
      if (b.seq === view.seq) return b;
      if (this.joined && b.follow(this.joined, view.seq)) {
        this.joined = [];
        return b;
      }
    }
    this.joined = [];
    return (this.board = new WaitBoard(view, now));
  }

  /** An event just applied to the view: a ticket issued joins the board; anything else makes a new board when next asked. */
  note(event: HallEvent): void {
    if (!this.board || !this.joined) return;
    const view = this.view();
    const t = event.type === 'ticket.issued' ? view.tickets.get(issuedTicket(view, event).id) : undefined;
    // Many issued since the board was last asked: a new one costs less than following them all.
    if (t && this.joined.length < 500) this.joined.push(t);
    else this.joined = undefined;
  }
}
