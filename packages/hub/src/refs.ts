import { issuedTicket, type HallEvent, type HallView, type Ticket } from '@servicehall/core';
import { livePathOf, type LinkSigner } from './links';

/**
 * The public references of today's tickets and of the bookings: what a phone's address (and the
 * ticket's QR code) carries instead of a ticket id or a booking code. Made by the hub's LinkSigner,
 * so nothing is stored; the index is rebuilt from the view and kept up by the events (HallStore
 * feeds it), and a ticket's reference resolves only while the ticket is today's.
 */
export class PublicRefs {
  private readonly tickets = new Map<string, string>();
  private readonly refsOfTickets = new Map<string, string>();
  private readonly appointments = new Map<string, string>();

  constructor(
    private readonly links: LinkSigner,
    private readonly view: () => HallView,
  ) {
    this.rebuild();
  }

  ofTicket(id: string): string {
    return this.refsOfTickets.get(id) ?? this.links.ref('ticket', id);
  }

  /**
   * The path of the live page of a ticket just issued (in the view), its reference indexed now: the
   * event that follows finds it there and does not sign it again. A reference is its ticket id's
   * alone, so one kept for a ticket whose batch then failed resolves to no ticket, or to the same
   * number issued again.
   */
  livePathOfIssued(id: string): string {
    return livePathOf(this.refsOfTickets.get(id) ?? this.addTicket(id));
  }

  ofAppointment(code: string): string {
    return this.links.ref('appointment', code);
  }

  /** Today's ticket behind a reference. */
  ticket(ref: string): Ticket | undefined {
    const id = this.tickets.get(ref);
    return id ? this.view().tickets.get(id) : undefined;
  }

  /** The booking behind a reference (one of today or later). */
  appointmentCode(ref: string): string | undefined {
    return this.appointments.get(ref);
  }

  rebuild(): void {
    this.tickets.clear();
    this.refsOfTickets.clear();
    this.appointments.clear();
    const view = this.view();
    for (const id of view.tickets.keys()) this.addTicket(id);
    for (const code of view.appointments.keys()) this.appointments.set(this.ofAppointment(code), code);
  }

  private addTicket(id: string): string {
    const ref = this.links.ref('ticket', id);
    this.tickets.set(ref, id);
    this.refsOfTickets.set(id, ref);
    return ref;
  }

  /** Follows the events appended: a new day or catalogue rebuilds, a ticket or a booking is added. */
  follow(events: readonly HallEvent[]): void {
    for (const e of events) {
      if (e.type === 'day.opened' || e.type === 'catalogue.replaced') this.rebuild();
      else if (e.type === 'ticket.issued') {
        const id = issuedTicket(this.view(), e).id;
        if (!this.refsOfTickets.has(id)) this.addTicket(id);
      } else if (e.type === 'appointment.booked') this.appointments.set(this.ofAppointment(e.code), e.code);
    }
  }
}
