import { createHmac } from 'node:crypto';

/** http://host:port of the hub, from its terminals' address ws://host:port/ws. */
export function hubHttpBase(hubWsUrl: string): string {
  return hubWsUrl.replace(/^ws/, 'http').replace(/\/ws$/, '');
}

/**
 * A citizen's link (a progress page, a phone rating page) as printed or shown: the terminal's public
 * address of the hub before the path the hub signed. Terminals never sign links themselves.
 */
export function publicLink(hubBase: string, signedPath: string): string {
  return `${hubBase.replace(/\/$/, '')}${signedPath}`;
}

/** Who a terminal is: what a terminal's credential is bound to. */
export interface TerminalIdentity {
  role: 'kiosk' | 'window' | 'rating-pad' | 'display';
  terminal: string;
  window?: number;
}
