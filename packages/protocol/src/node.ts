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

export function progressLink(hubBase: string, key: string, ticketId: string): string {
  return `${hubBase}/q/${encodeURIComponent(ticketId)}?s=${linkSignature(key, ticketId)}`;
}

export function ratingLink(hubBase: string, key: string, ticketId: string): string {
  return `${hubBase}/rate/${encodeURIComponent(ticketId)}?s=${linkSignature(key, ticketId)}`;
}

/** Who a terminal is: what a terminal token is bound to. */
export interface TerminalIdentity {
  role: 'kiosk' | 'window' | 'rating-pad' | 'display';
  terminal: string;
  window?: number;
}

/**
 * A token for one terminal, bound to its role, id and window: a kiosk's token cannot say hello as
 * a window, nor window 3's as window 4. Made from the hall token, so the hub keeps no list.
 */
export function terminalToken(hallToken: string, who: TerminalIdentity): string {
  const mac = createHmac('sha256', hallToken).update(`servicehall-terminal:${who.role}:${who.terminal}:${who.window ?? ''}`).digest('base64url');
  return `t1.${mac.slice(0, 32)}`;
}
