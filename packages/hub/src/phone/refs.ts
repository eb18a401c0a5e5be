import type { HallEvent, Ticket } from '@servicehall/core';
import { appointmentRef, ticketRef } from '@servicehall/protocol/node';
import type { HallStore } from '../store';

/**
 * The public references of today's tickets and of the bookings still to come: what a phone's
 * address carries instead of a ticket id or a booking code. Derived (an HMAC under the hall's link
 * key), so nothing is stored; the index is rebuilt from the view and kept up by the events.
 */
export class PublicRefs {
  private readonly tickets = new Map<string, string>();
  private readonly refsOfTickets = new Map<string, string>();
  private readonly appointments = new Map<string, string>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly key: string,
    private readonly store: HallStore,
  ) {
    this.rebuild();
    this.unsubscribe = store.onEvents((events) => this.follow(events));
  }

  ofTicket(id: string): string {
    return this.refsOfTickets.get(id) ?? ticketRef(this.key, id);
  }

  ofAppointment(code: string): string {
    return appointmentRef(this.key, code);
  }

  /** Today's ticket behind a reference. */
  ticket(ref: string): Ticket | undefined {
    const id = this.tickets.get(ref);
    return id ? this.store.view.tickets.get(id) : undefined;
  }

  /** The booking behind a reference (one of today or later). */
  appointmentCode(ref: string): string | undefined {
    return this.appointments.get(ref);
  }

  close(): void {
    this.unsubscribe();
  }

  private rebuild(): void {
    this.tickets.clear();
    this.refsOfTickets.clear();
    this.appointments.clear();
    for (const id of this.store.view.tickets.keys()) this.addTicket(id);
    for (const code of this.store.view.appointments.keys()) this.appointments.set(this.ofAppointment(code), code);
  }

  private addTicket(id: string): void {
    const ref = ticketRef(this.key, id);
    this.tickets.set(ref, id);
    this.refsOfTickets.set(id, ref);
  }

  private follow(events: readonly HallEvent[]): void {
    for (const e of events) {
      if (e.type === 'day.opened' || e.type === 'catalogue.replaced') this.rebuild();
      else if (e.type === 'ticket.issued') this.addTicket(e.ticket.id);
      else if (e.type === 'appointment.booked') this.appointments.set(this.ofAppointment(e.code), e.code);
    }
  }
}
