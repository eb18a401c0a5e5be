import { createHmac } from 'node:crypto';

/**
 * Links printed as QR codes (on the ticket, on the rating pad) to the hub's public pages: the
 * ticket's progress and the phone rating page. The signature keeps strangers from rating tickets
 * they never held. It is made with the hall's link key, which the hub derives from the hall token
 * and hands to every terminal it welcomes: a terminal can sign links without holding the token.
 */
export function linkKey(hallToken: string): string {
  return createHmac('sha256', hallToken).update('servicehall-links').digest('base64url');
}

export function linkSignature(key: string, ticketId: string): string {
  return createHmac('sha256', key).update(`servicehall:${ticketId}`).digest('base64url').slice(0, 16);
}

/** http://host:port of the hub, from its terminals' address ws://host:port/ws. */
export function hubHttpBase(hubWsUrl: string): string {
  return hubWsUrl.replace(/^ws/, 'http').replace(/\/ws$/, '');
}

/**
 * A ticket's public reference: opaque and not guessable (an HMAC of its id under the link key),
 * so that a phone's address names no ticket, no day and no person.
 */
export function ticketRef(key: string, ticketId: string): string {
  return createHmac('sha256', key).update(`servicehall-ticket:${ticketId}`).digest('base64url').slice(0, 22);
}

/** An appointment's public reference, made as a ticket's. */
export function appointmentRef(key: string, code: string): string {
  return createHmac('sha256', key).update(`servicehall-appointment:${code}`).digest('base64url').slice(0, 22);
}

/** The phone's live page of a ticket: what the QR code on the ticket opens. */
export function progressLink(hubBase: string, key: string, ticketId: string): string {
  return `${hubBase}/m/t/${ticketRef(key, ticketId)}`;
}

/** The address of the older progress page (/q/), still answered for tickets printed before the live page. */
export function legacyProgressLink(hubBase: string, key: string, ticketId: string): string {
  return `${hubBase}/q/${encodeURIComponent(ticketId)}?s=${linkSignature(key, ticketId)}`;
}

export function ratingLink(hubBase: string, key: string, ticketId: string): string {
  return `${hubBase}/rate/${encodeURIComponent(ticketId)}?s=${linkSignature(key, ticketId)}`;
}

/** Who a terminal is: what a terminal's credential is bound to. */
export interface TerminalIdentity {
  role: 'kiosk' | 'window' | 'rating-pad' | 'display';
  terminal: string;
  window?: number;
}
