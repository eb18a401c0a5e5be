import type { NumberingConfig } from './catalogue';
import type { NumberLease } from './events';
import { ok, refuse, type Result } from './result';

/**
 * Ticket numbers run per prefix per hall day: items that share a prefix share one sequence, so a
 * displayed number is never given twice on one day. The next day starts again at `first`.
 */
export function counterKey(day: string, prefix: string): string {
  return `${day}|${prefix}`;
}

export function formatTicketNumber(prefix: string, sequence: number, digits: number): string {
  return prefix + String(sequence).padStart(digits, '0');
}

/** The sequence after `last` (undefined: none issued yet today), or a refusal when the range is spent. */
export function nextSequence(last: number | undefined, config: NumberingConfig): Result<number> {
  const next = last === undefined ? config.first : last + 1;
  if (next > config.last) return refuse('numbers-exhausted', `all numbers up to ${config.last} have been issued today`);
  return ok(next);
}

/** The leases of `prefix` on `day`, which the hub's own numbering skips. */
type Leased = Pick<NumberLease, 'day' | 'prefix' | 'first' | 'last'>;

/** The lease that holds number `sequence` of `prefix` on `day`, if one does. */
export function leaseOf<L extends Leased>(leases: readonly L[], day: string, prefix: string, sequence: number): L | undefined {
  return leases.find((l) => l.day === day && l.prefix === prefix && sequence >= l.first && sequence <= l.last);
}

/** As nextSequence, skipping every number a kiosk holds in a lease: no number is given twice. */
export function nextFreeSequence(last: number | undefined, config: NumberingConfig, leases: readonly Leased[], day: string, prefix: string): Result<number> {
  let next = nextSequence(last, config);
  for (let lease = next.ok ? leaseOf(leases, day, prefix, next.value) : undefined; next.ok && lease; lease = next.ok ? leaseOf(leases, day, prefix, next.value) : undefined)
    next = nextSequence(lease.last, config);
  return next;
}

/**
 * The block a new lease of `size` takes: from the top of the range down (below the leases already
 * granted), so that the hub's own numbers run on unbroken from the bottom; smaller when less is left,
 * refused when nothing above the numbers already given is free.
 */
export function leaseBlock(last: number | undefined, config: NumberingConfig, leases: readonly Leased[], day: string, prefix: string, size: number): Result<{ first: number; last: number }> {
  const mine = leases.filter((l) => l.day === day && l.prefix === prefix);
  const top = Math.min(config.last, ...mine.map((l) => l.first - 1));
  const floor = Math.max(last ?? config.first - 1, config.first - 1, ...mine.filter((l) => l.last < top).map((l) => l.last));
  const first = Math.max(top - size + 1, floor + 1);
  if (first > top) return refuse('numbers-exhausted', `no numbers of ${prefix} are left to lease today`);
  return ok({ first, last: top });
}

/** Parses "A012" back into prefix and sequence; undefined when it is not a ticket number. */
export function parseTicketNumber(text: string): { prefix: string; sequence: number } | undefined {
  const m = /^([A-Z]{1,2})(\d{1,5})$/.exec(text.trim().toUpperCase());
  if (!m) return undefined;
  return { prefix: m[1]!, sequence: Number(m[2]) };
}
