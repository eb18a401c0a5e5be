import { findItem, type HallWindow } from '../catalogue';
import { awaitsSlot, queueLanes, rememberCall, servesTicket, type LaneMemory, type QueueLanes } from '../queue';
import type { Ticket } from '../ticket';
import { serviceMinutes, waitRange, type QueueWait, type WaitCaveat } from '../wait';
import { currentTicket, isWindowReady, waitingTickets, windowState, type HallView } from './view';

// Waits that are true (H-09): a ticket's place and wait come from the queue policy itself, played
// forward with nobody else arriving: every open window calls as the policy would (appointments in
// their slot, the priority interleave with each window's own memory, transfers, the items it
// serves), the windows taking turns as they become free, each service taking the item's expected
// time. What that cannot know (appointments whose slot opens later, a paused window) is said.

const MINUTE = 60_000;

interface WindowRun {
  window: HallWindow;
  lanes: QueueLanes;
  /** How far into each lane the window has looked (tickets before are called). */
  next: [number, number, number];
  memory: LaneMemory;
  /** Milliseconds from now until the window is free to call. */
  freeIn: number;
}

/** One call as the play-forward makes it. */
interface Call {
  ticket: Ticket;
  window: number;
  /** Milliseconds from now. */
  in: number;
}

/** Milliseconds one service of an item is expected to take, and what that figure rests on. */
function serviceOf(view: HallView, code: string): { ms: number; basis: 'recent' | 'typical' } {
  const item = findItem(view.catalogue, code);
  const s = serviceMinutes(view.serviceTimes.get(code) ?? [], item?.typicalServiceMinutes ?? 8);
  return { ms: s.minutes * MINUTE, basis: s.basis };
}

/** The next ticket a window calls, as queueOrder would put it first, skipping those called already. */
function pick(run: WindowRun, called: ReadonlySet<string>, ordinaryPerPriority: number): Ticket | undefined {
  const lanes = [run.lanes.slot, run.lanes.priority, run.lanes.ordinary] as const;
  const first = (i: 0 | 1 | 2): Ticket | undefined => {
    const lane = lanes[i];
    while (run.next[i] < lane.length && called.has(lane[run.next[i]]!.id)) run.next[i] += 1;
    return lane[run.next[i]];
  };
  const slot = first(0);
  if (slot) return slot;
  const priority = first(1);
  const ordinary = first(2);
  if (priority && (run.memory.ordinarySincePriority >= ordinaryPerPriority || !ordinary)) return priority;
  return ordinary;
}

/**
 * Plays the queue forward from `now`, nobody arriving, until `target` is called. The windows that
 * may call are the open ones; when none of them may call the target, those that serve it are taken
 * as open and free (the wait then assumes one opens).
 */
function playForward(view: HallView, now: number, pool: readonly Ticket[], target: Ticket): { calls: Call[]; noWindowOpen: boolean } {
  const policy = view.catalogue.queue;
  const ready = view.catalogue.windows.filter((w) => isWindowReady(view.windows.get(w.number)));
  const noWindowOpen = !ready.some((w) => servesTicket(w, target));
  const windows = noWindowOpen ? [...ready, ...view.catalogue.windows.filter((w) => !ready.includes(w) && servesTicket(w, target))] : ready;
  const runs: WindowRun[] = windows.map((w) => {
    const current = currentTicket(view, w.number);
    let freeIn = 0;
    if (current) {
      const { ms } = serviceOf(view, current.serviceCode);
      // A service past its expected time is taken as ending now; a citizen only called has all of it ahead.
      freeIn = current.state === 'serving' ? Math.max(0, ms - (now - (current.servingAt ?? now))) : ms;
    }
    return { window: w, lanes: queueLanes(pool, w, { now, policy }), next: [0, 0, 0], memory: { ...windowState(view, w.number).memory }, freeIn };
  });
  const called = new Set<string>();
  const calls: Call[] = [];
  const active = new Set(runs);
  while (active.size > 0) {
    let run: WindowRun | undefined;
    for (const r of active) if (!run || r.freeIn < run.freeIn || (r.freeIn === run.freeIn && r.window.number < run.window.number)) run = r;
    const t = pick(run!, called, policy.ordinaryPerPriority);
    if (!t) {
      // Nothing this window may call is left, and nobody arrives.
      active.delete(run!);
      continue;
    }
    called.add(t.id);
    calls.push({ ticket: t, window: run!.window.number, in: run!.freeIn });
    if (t.id === target.id) break;
    run!.memory = rememberCall(run!.memory, t);
    run!.freeIn += serviceOf(view, t.serviceCode).ms;
  }
  return { calls, noWindowOpen };
}

function caveatsFor(view: HallView, target: Ticket, pool: readonly Ticket[], now: number): WaitCaveat[] {
  const windows = view.catalogue.windows.filter((w) => servesTicket(w, target));
  const ctx = { now, policy: view.catalogue.queue };
  const out: WaitCaveat[] = [];
  const slotAhead =
    pool.some((t) => t.id !== target.id && awaitsSlot(t, ctx) && windows.some((w) => servesTicket(w, t))) ||
    [...view.appointments.values()].some((a) => !a.ticketId && a.day === view.day && a.slotEnd >= now && windows.some((w) => w.serves.includes(a.serviceCode)));
  if (slotAhead) out.push('appointments');
  if (windows.some((w) => view.windows.get(w.number)?.open && view.windows.get(w.number)?.pausedSince !== undefined)) out.push('paused-window');
  return out;
}

function waitOf(view: HallView, now: number, pool: readonly Ticket[], target: Ticket): Omit<QueueWait, 'waiting'> {
  const { calls, noWindowOpen } = playForward(view, now, pool, target);
  const index = calls.findIndex((c) => c.ticket.id === target.id);
  const own = calls[index];
  const mayCall = new Set(view.catalogue.windows.filter((w) => servesTicket(w, target)).map((w) => w.number));
  const ahead = calls.slice(0, Math.max(0, index)).filter((c) => mayCall.has(c.window)).length;
  const basis = serviceOf(view, target.serviceCode).basis;
  const inMs = own?.in ?? 0;
  const next = ahead === 0 && inMs === 0;
  const minutes = next ? 0 : Math.max(1, Math.round(inMs / MINUTE));
  return {
    ahead,
    minutes,
    range: waitRange(inMs / MINUTE, basis, next),
    ...(own ? { window: own.window } : {}),
    basis,
    noWindowOpen,
    caveats: caveatsFor(view, target, pool, now),
  };
}

/** The wait of a waiting ticket: its place in the policy's own calls, and the time until its call (H-09). */
export function ticketWait(view: HallView, ticket: Ticket, now: number): QueueWait {
  const pool = waitingTickets(view);
  const waiting = pool.filter((t) => t.serviceCode === ticket.serviceCode).length;
  if (ticket.state !== 'issued') return { waiting, ahead: 0, minutes: 0, range: { low: 0, high: 0 }, basis: serviceOf(view, ticket.serviceCode).basis, noWindowOpen: false, caveats: [] };
  return { ...waitOf(view, now, pool, ticket), waiting };
}

/** The wait of an ordinary ticket taken now for an item, and the people waiting for it (H-09). */
export function itemWait(view: HallView, code: string, now: number): QueueWait {
  const pool = waitingTickets(view);
  const waiting = pool.filter((t) => t.serviceCode === code).length;
  const hypothetical: Ticket = { id: '\u0000next', number: '', day: view.day, serviceCode: code, lane: 'ordinary', state: 'issued', issuedAt: now, place: view.nextPlace, recalls: 0, transfers: [] };
  return { ...waitOf(view, now, [...pool, hypothetical], hypothetical), waiting };
}
