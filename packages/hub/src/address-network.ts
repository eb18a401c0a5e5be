import { isIP } from 'node:net';

/**
 * Whose requests a client address's limits count: an IPv4 address itself (in its IPv6 form too), an
 * IPv6 address by its first 64 bits, the block a carrier gives one subscriber, who may take any
 * address in it at every request (the public pages' rates and the phones' codes a day count by it).
 */
export function addressNetwork(address: string): string {
  const bare = address.replace(/%.*$/, '').toLowerCase();
  if (isIP(bare) !== 6 || bare.includes('.')) return address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  const [head = '', tail] = bare.split('::');
  const front = head ? head.split(':') : [];
  const back = tail ? tail.split(':') : [];
  const groups = tail === undefined ? front : [...front, ...Array<string>(8 - front.length - back.length).fill('0'), ...back];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
