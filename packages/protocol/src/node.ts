import { createHmac } from 'node:crypto';

/**
 * Links printed as QR codes (on the ticket, on the rating pad) to the hub's public pages: the
 * ticket's progress and the phone rating page. The signature, made with the hall token, keeps
 * strangers from rating tickets they never held.
 */
export function linkSignature(secret: string, ticketId: string): string {
  return createHmac('sha256', secret).update(`servicehall:${ticketId}`).digest('base64url').slice(0, 16);
}

/** http://host:port of the hub, from its terminals' address ws://host:port/ws. */
export function hubHttpBase(hubWsUrl: string): string {
  return hubWsUrl.replace(/^ws/, 'http').replace(/\/ws$/, '');
}

export function progressLink(hubBase: string, secret: string, ticketId: string): string {
  return `${hubBase}/q/${encodeURIComponent(ticketId)}?s=${linkSignature(secret, ticketId)}`;
}

export function ratingLink(hubBase: string, secret: string, ticketId: string): string {
  return `${hubBase}/rate/${encodeURIComponent(ticketId)}?s=${linkSignature(secret, ticketId)}`;
}
