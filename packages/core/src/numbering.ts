import type { NumberingConfig } from './catalogue';
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

/** Parses "A012" back into prefix and sequence; undefined when it is not a ticket number. */
export function parseTicketNumber(text: string): { prefix: string; sequence: number } | undefined {
  const m = /^([A-Z]{1,2})(\d{1,5})$/.exec(text.trim().toUpperCase());
  if (!m) return undefined;
  return { prefix: m[1]!, sequence: Number(m[2]) };
}
