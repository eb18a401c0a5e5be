import type { HallWindow, QueuePolicy } from './catalogue';
import type { Ticket } from './ticket';

/** What a window remembers between calls for the interleave of the priority lane. */
export interface LaneMemory {
  /** Ordinary calls since this window last called a priority ticket. */
  ordinarySincePriority: number;
}

export interface QueueContext {
  now: number;
  policy: Pick<QueuePolicy, 'ordinaryPerPriority' | 'appointmentEarlyMinutes'>;
  memory: LaneMemory;
}

/** Whether this window may call this ticket at all: it serves the item, and a transfer did not send it elsewhere. */
export function servesTicket(window: HallWindow, t: Ticket): boolean {
  if (t.targetWindow !== undefined) return t.targetWindow === window.number;
  return window.serves.includes(t.serviceCode);
}

function inSlot(t: Ticket, ctx: Pick<QueueContext, 'now' | 'policy'>): boolean {
  const a = t.appointment;
  if (t.lane !== 'appointment' || !a) return false;
  return ctx.now >= a.slotStart - ctx.policy.appointmentEarlyMinutes * 60_000 && ctx.now <= a.slotEnd;
}

/**
 * Arrival: the issue time, then the place in line. The two agree for the hub's own tickets; an
 * emergency ticket reconciled later (应急取号) has an early time and a late place, and goes by its time.
 */
export const byArrival = (a: Ticket, b: Ticket) => a.issuedAt - b.issuedAt || a.place - b.place;
export const bySlot = (a: Ticket, b: Ticket) => (a.appointment!.slotStart - b.appointment!.slotStart) || byArrival(a, b);

/** The effective lane of a waiting ticket now: an appointment outside its slot waits like anyone else. */
function laneNow(t: Ticket, ctx: Pick<QueueContext, 'now' | 'policy'>): 'slot' | 'priority' | 'ordinary' {
  if (inSlot(t, ctx)) return 'slot';
  return t.lane === 'priority' ? 'priority' : 'ordinary';
}

/** The tickets a window may call, in its three lanes now, each in its own order. */
export interface QueueLanes {
  slot: Ticket[];
  priority: Ticket[];
  ordinary: Ticket[];
}

export function queueLanes(waiting: Iterable<Ticket>, window: HallWindow, ctx: Pick<QueueContext, 'now' | 'policy'>): QueueLanes {
  const mine: Ticket[] = [];
  for (const t of waiting) if (servesTicket(window, t)) mine.push(t);
  return splitLanes(mine, ctx);
}

/** Waiting tickets (those not `issued` are left out) in their three lanes now, each in its own order. */
export function splitLanes(tickets: Iterable<Ticket>, ctx: Pick<QueueContext, 'now' | 'policy'>): QueueLanes {
  const lanes: QueueLanes = { slot: [], priority: [], ordinary: [] };
  for (const t of tickets) if (t.state === 'issued') lanes[laneNow(t, ctx)].push(t);
  lanes.slot.sort(bySlot);
  lanes.priority.sort(byArrival);
  lanes.ordinary.sort(byArrival);
  return lanes;
}

/** An appointment waiting outside its slot now: when its slot opens it goes before everyone else. */
export function awaitsSlot(t: Ticket, ctx: Pick<QueueContext, 'now' | 'policy'>): boolean {
  return t.lane === 'appointment' && !!t.appointment && !inSlot(t, ctx) && ctx.now < t.appointment.slotEnd;
}

/**
 * The order in which `window` would call the waiting tickets now: appointments within their slot
 * first (by slot, then arrival), then ordinary and priority (绿色通道) tickets interleaved
 * N ordinary to 1 priority, each lane by arrival. One policy, used for calling and for display.
 */
export function queueOrder(waiting: readonly Ticket[], window: HallWindow, ctx: QueueContext): Ticket[] {
  const { slot, priority, ordinary } = queueLanes(waiting, window, ctx);
  const out = [...slot];
  let since = ctx.memory.ordinarySincePriority;
  const n = ctx.policy.ordinaryPerPriority;
  let p = 0;
  let o = 0;
  while (p < priority.length || o < ordinary.length) {
    const takePriority = p < priority.length && (since >= n || o >= ordinary.length);
    if (takePriority) {
      out.push(priority[p++]!);
      since = 0;
    } else {
      const t = ordinary[o++]!;
      out.push(t);
      // As rememberCall: an appointment out of its slot waits in this lane but does not count as an ordinary call.
      if (t.lane === 'ordinary') since += 1;
    }
  }
  return out;
}

/**
 * The first of queueOrder, in one pass and without sorting: the earliest in-slot appointment, else
 * the earliest priority ticket when its turn has come (or no ordinary one waits), else the earliest
 * ordinary one. Called on every callNext, over however many wait.
 */
export function nextTicket(waiting: Iterable<Ticket>, window: HallWindow, ctx: QueueContext): Ticket | undefined {
  return nextTicketIn([waiting], window, ctx);
}

/**
 * nextTicket over the lists the waiting tickets are kept in, read where they are (the hall's call
 * reads its items' lists so, without a copy or a generator's step for each ticket waiting). A ticket
 * in two lists counts once: each lane keeps its first, and a ticket is not before itself.
 */
export function nextTicketIn(lists: readonly Iterable<Ticket>[], window: HallWindow, ctx: QueueContext): Ticket | undefined {
  let slot: Ticket | undefined;
  let priority: Ticket | undefined;
  let ordinary: Ticket | undefined;
  for (const list of lists)
    for (const t of list) {
      if (t.state !== 'issued' || !servesTicket(window, t)) continue;
      const lane = laneNow(t, ctx);
      if (lane === 'slot') {
        if (!slot || bySlot(t, slot) < 0) slot = t;
      } else if (lane === 'priority') {
        if (!priority || byArrival(t, priority) < 0) priority = t;
      } else if (!ordinary || byArrival(t, ordinary) < 0) ordinary = t;
    }
  if (slot) return slot;
  if (priority && (ctx.memory.ordinarySincePriority >= ctx.policy.ordinaryPerPriority || !ordinary)) return priority;
  return ordinary ?? priority;
}

/** How a call changes the window's lane memory. */
export function rememberCall(memory: LaneMemory, called: Ticket): LaneMemory {
  if (called.lane === 'priority') return { ordinarySincePriority: 0 };
  if (called.lane === 'appointment') return memory;
  return { ordinarySincePriority: memory.ordinarySincePriority + 1 };
}
