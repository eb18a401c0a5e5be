import { findItem, type HallWindow } from '../catalogue';
import { awaitsSlot, queueLanes, rememberCall, servesTicket, type LaneMemory, type QueueLanes } from '../queue';
import type { Ticket } from '../ticket';
import { serviceMinutes, waitRange, type QueueWait, type WaitCaveat } from '../wait';
import { currentTicket, isWindowReady, waitingForWindow, windowState, type HallView } from './view';

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

/** Each window's lanes, memory and time until it is free, made once for a view at a moment and shared by every wait asked of it. */
interface Plan {
  view: HallView;
  now: number;
  /** Each item's service time, worked out once. */
  service: (code: string) => { ms: number; basis: 'recent' | 'typical' };
  windows: { window: HallWindow; ready: boolean; lanes: QueueLanes; memory: LaneMemory; freeIn: number }[];
}

function planOf(view: HallView, now: number): Plan {
  const policy = view.catalogue.queue;
  const known = new Map<string, { ms: number; basis: 'recent' | 'typical' }>();
  const service = (code: string) => {
    let s = known.get(code);
    if (!s) known.set(code, (s = serviceOf(view, code)));
    return s;
  };
  const windows = view.catalogue.windows.map((w) => {
    const current = currentTicket(view, w.number);
    let freeIn = 0;
    if (current) {
      const { ms } = service(current.serviceCode);
      // A service past its expected time is taken as ending now; a citizen only called has all of it ahead.
      freeIn = current.state === 'serving' ? Math.max(0, ms - (now - (current.servingAt ?? now))) : ms;
    }
    // Each window's lanes from the view's index of what waits for its items (and was sent to it), not from every waiting ticket.
    const lanes = queueLanes([...waitingForWindow(view, w)], w, { now, policy });
    return { window: w, ready: isWindowReady(view.windows.get(w.number)), lanes, memory: windowState(view, w.number).memory, freeIn };
  });
  return { view, now, service, windows };
}

/**
 * Plays the queue forward from the plan's moment, nobody arriving, until `target` is called. The
 * windows that may call are the open ones; when none of them may call the target, those that serve
 * it are taken as open and free (the wait then assumes one opens). A target not yet waiting (a
 * ticket taken now) joins the ordinary lane last: it has the day's next place.
 */
function playForward(plan: Plan, target: Ticket): { calls: Call[]; noWindowOpen: boolean };
/** Without a target: the open windows' calls of every waiting ticket they may call, in order. */
function playForward(plan: Plan): { calls: Call[]; noWindowOpen: false };
function playForward(plan: Plan, target?: Ticket): { calls: Call[]; noWindowOpen: boolean } {
  const { view } = plan;
  const policy = view.catalogue.queue;
  const noWindowOpen = !!target && noOpenWindowFor(plan, target);
  const joining = !!target && !view.waiting.has(target.id);
  const runs: WindowRun[] = plan.windows
    .filter((w) => w.ready || (noWindowOpen && servesTicket(w.window, target!)))
    .map((w) => ({
      window: w.window,
      lanes: joining && servesTicket(w.window, target!) ? { ...w.lanes, ordinary: [...w.lanes.ordinary, target!] } : w.lanes,
      next: [0, 0, 0],
      memory: { ...w.memory },
      freeIn: w.freeIn,
    }));
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
    if (t.id === target?.id) break;
    run!.memory = rememberCall(run!.memory, t);
    run!.freeIn += plan.service(t.serviceCode).ms;
  }
  return { calls, noWindowOpen };
}

const noOpenWindowFor = (plan: Plan, target: Ticket) => !plan.windows.some((w) => w.ready && servesTicket(w.window, target));

/** What the caveats of the tickets the same windows may call rest on: worked out once for them all. */
interface CaveatBasis {
  /** Tickets in these windows' ordinary lanes that wait for their slot (an appointment outside it waits there). */
  slotTickets: Set<string>;
  /** Appointments of today not checked in yet whose slot has not ended, for an item these windows serve. */
  appointmentsLater: boolean;
  paused: boolean;
}

function caveatBasis(plan: Plan, windows: Plan['windows']): CaveatBasis {
  const { view, now } = plan;
  const ctx = { now, policy: view.catalogue.queue };
  const slotTickets = new Set<string>();
  for (const w of windows) for (const t of w.lanes.ordinary) if (awaitsSlot(t, ctx)) slotTickets.add(t.id);
  return {
    slotTickets,
    appointmentsLater: [...view.appointments.values()].some((a) => !a.ticketId && a.day === view.day && a.slotEnd >= now && windows.some((w) => w.window.serves.includes(a.serviceCode))),
    paused: windows.some((w) => view.windows.get(w.window.number)?.open && view.windows.get(w.window.number)?.pausedSince !== undefined),
  };
}

function caveatsOf(basis: CaveatBasis, target: Ticket): WaitCaveat[] {
  const out: WaitCaveat[] = [];
  const slotAhead = basis.slotTickets.size > (basis.slotTickets.has(target.id) ? 1 : 0) || basis.appointmentsLater;
  if (slotAhead) out.push('appointments');
  if (basis.paused) out.push('paused-window');
  return out;
}

function caveatsFor(plan: Plan, target: Ticket): WaitCaveat[] {
  return caveatsOf(caveatBasis(plan, plan.windows.filter((w) => servesTicket(w.window, target))), target);
}

function waitOf(plan: Plan, target: Ticket): Omit<QueueWait, 'waiting'> {
  const { calls, noWindowOpen } = playForward(plan, target);
  return waitIn(plan, target, calls, noWindowOpen);
}

/**
 * A target's wait from a play-forward's calls (the target's own, or one of every waiting ticket when
 * an open window may call it). `known` gives what ticketWaits works out once for many targets: the
 * people ahead and the caveats.
 */
function waitIn(
  plan: Plan,
  target: Ticket,
  calls: readonly Call[],
  noWindowOpen: boolean,
  index = calls.findIndex((c) => c.ticket.id === target.id),
  known?: { ahead: number; caveats: WaitCaveat[] },
): Omit<QueueWait, 'waiting'> {
  const { view } = plan;
  const own = calls[index];
  let ahead = known?.ahead;
  if (ahead === undefined) {
    const mayCall = new Set(view.catalogue.windows.filter((w) => servesTicket(w, target)).map((w) => w.number));
    ahead = calls.slice(0, Math.max(0, index)).filter((c) => mayCall.has(c.window)).length;
  }
  const basis = plan.service(target.serviceCode).basis;
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
    caveats: known?.caveats ?? caveatsFor(plan, target),
  };
}

/** The wait of a waiting ticket: its place in the policy's own calls, and the time until its call (H-09). */
export function ticketWait(view: HallView, ticket: Ticket, now: number): QueueWait {
  const plan = planOf(view, now);
  const waiting = view.waitingFor.get(ticket.serviceCode)?.size ?? 0;
  if (ticket.state !== 'issued') return { waiting, ahead: 0, minutes: 0, range: { low: 0, high: 0 }, basis: serviceOf(view, ticket.serviceCode).basis, noWindowOpen: false, caveats: [] };
  return { ...waitOf(plan, ticket), waiting };
}

/**
 * ticketWait of every waiting ticket at once (of the given items, or all): what the phones following
 * their tickets are told after each change. One play-forward serves every ticket an open window may
 * call (its calls up to a ticket are those the ticket's own play would make); a ticket no open window
 * may call gets its own, as ticketWait gives it.
 */
export function ticketWaits(view: HallView, now: number, serviceCodes?: ReadonlySet<string>): Map<string, QueueWait> {
  const plan = planOf(view, now);
  const out = new Map<string, QueueWait>();
  const targets: Ticket[] = [];
  for (const [code, waiting] of view.waitingFor) if (!serviceCodes || serviceCodes.has(code)) targets.push(...waiting.values());
  if (targets.length === 0) return out;
  const { calls } = playForward(plan);
  const index = new Map(calls.map((c, i) => [c.ticket.id, i]));
  // Each window's calls before each call: a ticket's people ahead are summed over the windows that may call it.
  const before = new Map(view.catalogue.windows.map((w) => [w.number, new Int32Array(calls.length + 1)]));
  calls.forEach((c, i) => {
    for (const [n, counts] of before) counts[i + 1] = counts[i]! + (c.window === n ? 1 : 0);
  });
  // Tickets the same windows may call (those of an item, or sent to one window) share their caveats' basis.
  const bases = new Map<string, { windows: Plan['windows']; basis: CaveatBasis }>();
  for (const t of targets) {
    const waiting = view.waitingFor.get(t.serviceCode)?.size ?? 0;
    if (noOpenWindowFor(plan, t)) {
      out.set(t.id, { ...waitOf(plan, t), waiting });
      continue;
    }
    const key = t.targetWindow !== undefined ? `window ${t.targetWindow}` : `item ${t.serviceCode}`;
    let shared = bases.get(key);
    if (!shared) {
      const windows = plan.windows.filter((w) => servesTicket(w.window, t));
      bases.set(key, (shared = { windows, basis: caveatBasis(plan, windows) }));
    }
    const i = index.get(t.id) ?? -1;
    let ahead = 0;
    for (const w of shared.windows) ahead += before.get(w.window.number)![Math.max(0, i)]!;
    out.set(t.id, { ...waitIn(plan, t, calls, false, i, { ahead, caveats: caveatsOf(shared.basis, t) }), waiting });
  }
  return out;
}

function takenNow(view: HallView, code: string, now: number): Ticket {
  return { id: `\u0000next-${code}`, number: '', day: view.day, serviceCode: code, lane: 'ordinary', state: 'issued', issuedAt: now, place: view.nextPlace, recalls: 0, transfers: [] };
}

/** The wait of an ordinary ticket taken now for an item, and the people waiting for it (H-09). */
export function itemWait(view: HallView, code: string, now: number): QueueWait {
  return itemWaits(view, now, [code]).get(code)!;
}

/** itemWait for many items at once (a kiosk's home, the hall screen), the windows' lanes made once. */
export function itemWaits(view: HallView, now: number, codes: readonly string[] = view.catalogue.items.map((i) => i.code)): Map<string, QueueWait> {
  const plan = planOf(view, now);
  return new Map(codes.map((code) => [code, { ...waitOf(plan, takenNow(view, code, now)), waiting: view.waitingFor.get(code)?.size ?? 0 }]));
}
