import { isIP } from 'node:net';

/**
 * Who may say in X-Forwarded-For whom it speaks for (SERVICEHALL_TRUST_PROXY): the proxies named, by
 * their addresses; `true` any client at all, so that anyone on the hall's network could claim a new
 * address at each request and pass every limit kept per address (the hub warns of it at start); none.
 */
export type ProxyTrust = boolean | readonly string[];

/** An address as the hub compares it: IPv4 as such, not in its IPv6 form (::ffff:10.0.0.5). */
export const plainAddress = (address: string) => address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');

/** Whether a connection from `address` is a proxy whose X-Forwarded-For is believed. */
export function trustedProxy(trust: ProxyTrust | undefined, address: string | undefined): boolean {
  if (trust === true) return true;
  if (!trust || trust.length === 0 || address === undefined) return false;
  return trust.includes(plainAddress(address));
}

/** SERVICEHALL_TRUST_PROXY: `1` (any client: warned of at start), or the proxies' addresses separated by commas. */
export function proxyTrustFrom(text: string | undefined): ProxyTrust {
  if (text === undefined || text.trim() === '' || text.trim() === '0') return false;
  if (text.trim() === '1') return true;
  const addresses = text.split(',').map((a) => a.trim());
  const wrong = addresses.find((a) => isIP(a) === 0);
  if (wrong !== undefined) throw new Error(`SERVICEHALL_TRUST_PROXY must be 1 or the proxies' addresses separated by commas (e.g. 192.168.1.2,::1), not "${wrong}"`);
  return addresses.map(plainAddress);
}
