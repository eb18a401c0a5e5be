// Which halls the city's operator should look at first: shared by the city's server (the list's order) and its view (the words).

/** A hub speaks to the city every minute while caught up: one not heard from for five has gone away (its network, its PC). */
export const SILENT_S = 5 * 60;

/** Why a hall is listed first: not heard from beyond SILENT_S, or alerts it left unhandled. */
export type AttentionReason = 'silent' | 'alerts';

export interface HallAttention {
  hall: string;
  seenAt?: string;
  unheardSeconds?: number;
  unhandledAlerts: number;
}

/** Whether the hall has gone silent: it was heard from once, and not for longer than SILENT_S. */
export const isSilent = (h: Pick<HallAttention, 'seenAt' | 'unheardSeconds'>) => h.seenAt !== undefined && (h.unheardSeconds ?? 0) > SILENT_S;

export function attentionOf(h: HallAttention): AttentionReason[] {
  return [...(isSilent(h) ? (['silent'] as const) : []), ...(h.unhandledAlerts > 0 ? (['alerts'] as const) : [])];
}

/**
 * The halls that need attention first (the silent ones, the longest silent first; then those with alerts unhandled,
 * the most first), then the rest by code; a tie by code.
 */
export function byAttention<H extends HallAttention>(halls: readonly H[]): H[] {
  const rank = (h: H) => (isSilent(h) ? 0 : h.unhandledAlerts > 0 ? 1 : 2);
  return [...halls].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (rank(a) === 0 ? (b.unheardSeconds ?? 0) - (a.unheardSeconds ?? 0) : 0) ||
      (rank(a) === 1 ? b.unhandledAlerts - a.unhandledAlerts : 0) ||
      (a.hall < b.hall ? -1 : a.hall > b.hall ? 1 : 0),
  );
}
