import type { Actor, Command } from '@servicehall/core';
import type { HallStore } from './store';

const HUB: Actor = { role: 'admin', terminal: 'hub' };
const HUB_SCOPE = ':hub';

export interface Swept {
  /** Default ratings given, correction cases lapsed and complaints escalated. */
  commands: number;
  /** Command answers dropped for being older than the window they are kept for. */
  pruned: number;
}

/**
 * What the hub does by itself on every sweep (and the history generator at the same moments of its
 * clock): it opens the new hall day after midnight, gives services left unrated the hall's default
 * level (N-04), lapses correction cases past their deadline, sends complaints overdue to the supervisor, and drops command answers older than
 * their window. Each step is a command with a stable id in the hub's own scope, so that doing it
 * twice does it once. At most `max` commands a call: the hub's sweep goes through a backlog (default
 * ratings due by the thousand after the hub was down) a chunk at a time, its terminals' commands in between.
 */
/**
 * How much longer a service keeps its time to be rated while its window's rating pad is off its link: the
 * citizen's press may wait in the pad's outbox, and the default level recorded first would refuse it.
 */
export const PAD_AWAY_GRACE_MS = 60 * 60_000;

export function housekeep(store: HallStore, now: number, max = Infinity, padAway: (window: number) => boolean = () => false): Swept {
  store.openDayIfDue();
  // On a full disk nothing is tried until the hub can write again (it says so itself).
  if (store.isDiskFull) return { commands: 0, pruned: 0 };
  const due = now - store.view.catalogue.rating.defaultAfterMinutes * 60_000;
  const commands: Command[] = [];
  for (const r of store.view.ratingRequests.values())
    if (r.finishedAt <= due && !(r.finishedAt > due - PAD_AWAY_GRACE_MS && padAway(r.window)))
      commands.push({ id: `default-rating:${r.ticketId}`, type: 'defaultRating', ticketId: r.ticketId });
  for (const caseNumber of store.correctionsDue(store.view.day)) commands.push({ id: `lapse:${caseNumber}`, type: 'lapseCase', caseNumber });
  // A complaint past its deadline without a reply goes to the hall's supervisor, once (H-15).
  for (const complaintId of store.casework.overdueComplaints(store.view.day)) commands.push({ id: `escalate:${complaintId}`, type: 'escalateComplaint', complaintId });
  // The hub's own ids, in its own namespace (no terminal or token can send into it), stable so that a second sweep is answered by the first.
  const chunk = commands.slice(0, max);
  if (chunk.length > 0) store.executeBatch(chunk.map((command) => ({ command, actor: HUB, scope: HUB_SCOPE })));
  return { commands: chunk.length, pruned: store.pruneAnswers() };
}
