import type { Role } from '@servicehall/protocol';
import { jsonSyntaxProblem } from '@servicehall/core';
import { SettingProblem } from './setting';
import { addressNetwork } from './address-network';

/** A rate: so many a minute on average, up to `burst` at once. */
export interface Rate {
  perMinute: number;
  burst: number;
}

/**
 * The citizen's phone pages, per client address: a hall's Wi-Fi (or the proxy in front of the hub)
 * puts many phones behind one address, so reads are generous, and what costs (an SMS, a number) is not.
 */
export interface PhoneLimits {
  read: Rate;
  watch: Rate;
  code: Rate;
  write: Rate;
  cases: Rate;
  /**
   * Streams and long polls open at once from one address (an IPv6 one by its /64), and streams in all.
   * An address's are kept to its share of the hub's connections (addressShare) whatever is given:
   * else one address could hold every connection of the citizens' port.
   */
  streamsPerAddress: number;
  streams: number;
  /** How long a long poll waits for a change. */
  pollMs: number;
}

export const DEFAULT_PHONE_LIMITS: PhoneLimits = {
  read: { perMinute: 20_000, burst: 5_000 },
  watch: { perMinute: 20_000, burst: 5_000 },
  code: { perMinute: 30, burst: 20 },
  write: { perMinute: 60, burst: 30 },
  cases: { perMinute: 60, burst: 20 },
  // A quarter of the connections (addressShare): room for a hall's Wi-Fi that puts its phones behind one address.
  streamsPerAddress: 1_024,
  streams: 20_000,
  pollMs: 25_000,
};


/** What the hub allows one party before it refuses politely: connections, silence, commands. */
export interface HubLimits {
  /** A WebSocket that has not said hello with a good token within this long is closed. */
  helloTimeoutMs: number;
  /** Open connections (HTTP and WebSocket) from one address, and in all. */
  connectionsPerAddress: number;
  connections: number;
  /** A connection that has not sent its request's headers within this long is dropped. */
  headersTimeoutMs: number;
  /**
   * Commands per terminal, by role: a kiosk issues at the pace people press, a window at a clerk's.
   * "admin" is the hall token over HTTP or WebSocket. "off" only for load tests and benchmarks.
   */
  commands: Record<Role, Rate> | 'off';
  /** Messages of any kind on one WebSocket: beyond it the connection is closed. */
  messages: Rate;
  /** Requests to the citizens' pages (/q/, /rate/) from one address. */
  pages: Rate;
  /** Complaints sent from the citizens' complaint page (/complain) from one address: each is a supervisor's case with a deadline (H-15). */
  complaints: Rate;
  /** The phone's API (/api/phone/...) and its live streams. */
  phone: PhoneLimits;
}

export const DEFAULT_LIMITS: HubLimits = {
  helloTimeoutMs: 5_000,
  connectionsPerAddress: 64,
  // Phones following their tickets hold a stream each (3,000 measured on one hub: see npm run bench).
  connections: 4_096,
  headersTimeoutMs: 10_000,
  commands: {
    kiosk: { perMinute: 60, burst: 20 },
    window: { perMinute: 120, burst: 30 },
    'rating-pad': { perMinute: 30, burst: 10 },
    display: { perMinute: 12, burst: 6 },
    admin: { perMinute: 6_000, burst: 600 },
  },
  messages: { perMinute: 1_200, burst: 200 },
  pages: { perMinute: 300, burst: 60 },
  complaints: { perMinute: 1, burst: 5 },
  phone: DEFAULT_PHONE_LIMITS,
};

/**
 * One address's part of the hub's connections (an IPv6 one's by its /64): a quarter, so that one
 * client, or the NAT of a hall's Wi-Fi with its phones behind it, never holds them all.
 */
export const addressShare = (connections: number) => Math.max(1, Math.floor(connections / 4));

/**
 * The phones' streams and long polls of one address within its share of the connections: each holds
 * a connection of the citizens' port while the hub serves it. `lowered` when the cap given was above it.
 */
export function phonesWithinShare(limits: HubLimits): { limits: HubLimits; lowered?: { from: number; to: number } } {
  const most = addressShare(limits.connections);
  const from = limits.phone.streamsPerAddress;
  if (from <= most) return { limits };
  return { limits: { ...limits, phone: { ...limits.phone, streamsPerAddress: most } }, lowered: { from, to: most } };
}

/**
 * Limits from SERVICEHALL_LIMITS (JSON over the defaults), e.g. '{"connectionsPerAddress":200}' or
 * '{"commands":"off"}' for a load test. A wrong value stops the hub with a message naming it.
 */
export function limitsFrom(json: string | undefined, base: HubLimits = DEFAULT_LIMITS): HubLimits {
  if (!json) return base;
  let given: Record<string, unknown>;
  try {
    given = JSON.parse(json) as Record<string, unknown>;
    if (!given || typeof given !== 'object' || Array.isArray(given)) throw new Error('not an object');
  } catch {
    const at = jsonSyntaxProblem(json);
    if (at) throw new SettingProblem(`SERVICEHALL_LIMITS 不是有效的 JSON，${at.zh}。它应是一个 JSON 对象，如 {"connectionsPerAddress":128}`, `SERVICEHALL_LIMITS is not valid JSON, ${at.en}. It is a JSON object, e.g. {"connectionsPerAddress":128}`);
    throw new Error(`SERVICEHALL_LIMITS must be a JSON object, e.g. {"connectionsPerAddress":128}; it is ${JSON.stringify(json.slice(0, 80))}`);
  }
  // A key misspelt would leave its limit as it was without a word: each is one the hub knows.
  const unknown = (keys: string[], known: object, at: string) => {
    const wrong = keys.find((k) => !Object.hasOwn(known, k));
    if (wrong !== undefined) throw new Error(`SERVICEHALL_LIMITS${at} has no limit "${wrong}"; it knows ${Object.keys(known).join(', ')}`);
  };
  unknown(Object.keys(given), DEFAULT_LIMITS, '');
  if (given.phone && typeof given.phone === 'object') unknown(Object.keys(given.phone), DEFAULT_PHONE_LIMITS, '.phone');
  if (given.commands && typeof given.commands === 'object') unknown(Object.keys(given.commands), DEFAULT_LIMITS.commands as Record<Role, Rate>, '.commands');
  const out = { ...base, ...given } as HubLimits;
  for (const key of ['helloTimeoutMs', 'connectionsPerAddress', 'connections', 'headersTimeoutMs'] as const)
    if (!Number.isInteger(out[key]) || out[key] < 1) throw new Error(`SERVICEHALL_LIMITS.${key} must be a whole number, 1 or more`);
  if (given.commands !== 'off' && given.commands && typeof given.commands === 'object') {
    const from = (base.commands === 'off' ? DEFAULT_LIMITS.commands : base.commands) as Record<Role, Rate>;
    out.commands = { ...from, ...(given.commands as Partial<Record<Role, Rate>>) };
  } else if (given.commands !== undefined && given.commands !== 'off') throw new Error('SERVICEHALL_LIMITS.commands must be "off" or rates by role');
  if (given.phone !== undefined) {
    if (!given.phone || typeof given.phone !== 'object' || Array.isArray(given.phone)) throw new Error('SERVICEHALL_LIMITS.phone must be an object over the phone limits');
    out.phone = { ...base.phone, ...(given.phone as Partial<PhoneLimits>) };
  }
  for (const key of ['streamsPerAddress', 'streams', 'pollMs'] as const)
    if (!Number.isInteger(out.phone[key]) || out.phone[key] < 1) throw new Error(`SERVICEHALL_LIMITS.phone.${key} must be a whole number, 1 or more`);
  const rates: [string, unknown][] = [
    ['messages', out.messages],
    ['pages', out.pages],
    ['complaints', out.complaints],
    ...(['read', 'watch', 'code', 'write', 'cases'] as const).map((k) => [`phone.${k}`, out.phone[k]] as [string, unknown]),
    ...(out.commands === 'off' ? [] : Object.entries(out.commands).map(([role, r]) => [`commands.${role}`, r] as [string, unknown])),
  ];
  for (const [name, r] of rates) {
    const rate = r as Rate;
    if (!rate || !(rate.perMinute > 0) || !Number.isInteger(rate.burst) || rate.burst < 1) throw new Error(`SERVICEHALL_LIMITS.${name} must be { "perMinute": > 0, "burst": 1 or more }`);
  }
  return out;
}

/**
 * Token buckets by key: each key may take `burst` at once and earns `perMinute` back a minute.
 * Full buckets are forgotten, so that the map holds only those who spent lately.
 */
export class Buckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /**
   * The size at which full buckets are next looked for: twice what the last look left. Many keys
   * spending at once (thousands of addresses) would else have every take look through them all.
   */
  private sweepAt = 10_000;

  constructor(private readonly rate: Rate) {}

  /** Takes one for `key`: 0 when allowed, else how many milliseconds until one is earned. */
  take(key: string, now: number): number {
    const perMs = this.rate.perMinute / 60_000;
    const b = this.buckets.get(key) ?? { tokens: this.rate.burst, at: now };
    b.tokens = Math.min(this.rate.burst, b.tokens + Math.max(0, now - b.at) * perMs);
    b.at = now;
    if (b.tokens < 1) {
      this.buckets.set(key, b);
      return Math.ceil((1 - b.tokens) / perMs);
    }
    b.tokens -= 1;
    this.buckets.set(key, b);
    if (this.buckets.size > this.sweepAt) {
      this.forgetFull(now);
      this.sweepAt = Math.max(10_000, 2 * this.buckets.size);
    }
    return 0;
  }

  private forgetFull(now: number): void {
    const perMs = this.rate.perMinute / 60_000;
    for (const [key, b] of this.buckets) if (b.tokens + (now - b.at) * perMs >= this.rate.burst) this.buckets.delete(key);
  }
}

/** Commands per terminal by role; a refusal says how long to wait. */
export class CommandRates {
  private readonly byRole = new Map<Role, Buckets>();

  constructor(private readonly limits: HubLimits['commands']) {}

  /** 0 when `who` (of `role`) may send a command now, else the milliseconds to wait. */
  take(role: Role, who: string, now: number): number {
    if (this.limits === 'off') return 0;
    let buckets = this.byRole.get(role);
    if (!buckets) this.byRole.set(role, (buckets = new Buckets(this.limits[role])));
    return buckets.take(who, now);
  }
}

export const rateLimited = (waitMs: number) =>
  ({ ok: false, code: 'rate-limited', message: `too many commands from this terminal: the next is taken in ${Math.max(1, Math.ceil(waitMs / 1000))} s`, retryAfterMs: Math.max(0, Math.ceil(waitMs)) }) as const;

/**
 * What becomes of a new connection: `open` within the caps; `over` beyond one, answered 503 at its
 * first request; `drop` beyond twice one, a flood, closed at once without an answer, so that it holds
 * no descriptor of the hub's. `inAll`: whether it counts against the cap in all.
 */
export interface Admission {
  verdict: 'open' | 'over' | 'drop';
  inAll: boolean;
}

/**
 * Open connections by address, with the hall's caps: `connectionsPerAddress` each address, and an
 * IPv6 address's /64 (addressNetwork, as the rates count it) at most its share of all (addressShare),
 * so that a client taking a new address in its block for each connection cannot fill the hub. The /64
 * is not held to an address's cap: a hall's IPv6 LAN puts all its terminals in one.
 */
/** Counts by key, a count of none forgotten: what each address holds open now. */
export class Tally {
  private readonly counts = new Map<string, number>();

  of(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Adds `by` to the count of `key` and gives it back (never below none). */
  add(key: string, by: 1 | -1): number {
    const n = this.of(key) + by;
    if (n <= 0) this.counts.delete(key);
    else this.counts.set(key, n);
    return Math.max(0, n);
  }
}

export class ConnectionCount {
  /** By address, and by IPv6 network (a key ending in /64, which no address has). */
  private readonly byAddress = new Tally();
  private total = 0;

  /**
   * `perAddress` false, or false for an address: a proxy's connections all come from its address, so
   * only the cap in all holds for them (the proxy caps its clients).
   */
  constructor(
    private readonly limits: Pick<HubLimits, 'connections' | 'connectionsPerAddress'>,
    private readonly perAddress: boolean | ((address: string) => boolean) = true,
  ) {}

  /**
   * Counts a new connection until it closes (`close` with its admission). One beyond its address's
   * cap is not counted in all: one address's flood cannot shut the hall's other terminals out.
   */
  open(address: string): Admission {
    const n = this.byAddress.add(address, 1);
    const network = addressNetwork(address);
    const inNetwork = network === address ? n : this.byAddress.add(network, 1);
    const capped = typeof this.perAddress === 'function' ? this.perAddress(address) : this.perAddress;
    const share = Math.max(this.limits.connectionsPerAddress, addressShare(this.limits.connections));
    if (capped && (n > this.limits.connectionsPerAddress || inNetwork > share))
      return { verdict: n > 2 * this.limits.connectionsPerAddress || inNetwork > 2 * share ? 'drop' : 'over', inAll: false };
    this.total += 1;
    const verdict = this.total <= this.limits.connections ? 'open' : this.total > 2 * this.limits.connections ? 'drop' : 'over';
    return { verdict, inAll: true };
  }

  close(address: string, admission: Admission): void {
    this.byAddress.add(address, -1);
    const network = addressNetwork(address);
    if (network !== address) this.byAddress.add(network, -1);
    if (admission.inAll) this.total = Math.max(0, this.total - 1);
  }

  get size(): number {
    return this.total;
  }
}
