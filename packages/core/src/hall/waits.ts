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
function playForward(plan: Plan, target: Ticket): { calls: Call[]; noWindowOpen: boolean } {
  const { view } = plan;
  const policy = view.catalogue.queue;
  const noWindowOpen = !plan.windows.some((w) => w.ready && servesTicket(w.window, target));
  const joining = !view.waiting.has(target.id);
  const runs: WindowRun[] = plan.windows
    .filter((w) => w.ready || (noWindowOpen && servesTicket(w.window, target)))
    .map((w) => ({
      window: w.window,
      lanes: joining && servesTicket(w.window, target) ? { ...w.lanes, ordinary: [...w.lanes.ordinary, target] } : w.lanes,
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
    if (t.id === target.id) break;
    run!.memory = rememberCall(run!.memory, t);
    run!.freeIn += plan.service(t.serviceCode).ms;
  }
  return { calls, noWindowOpen };
}

function caveatsFor(plan: Plan, target: Ticket): WaitCaveat[] {
  const { view, now } = plan;
  const windows = plan.windows.filter((w) => servesTicket(w.window, target));
  const ctx = { now, policy: view.catalogue.queue };
  const out: WaitCaveat[] = [];
  // An appointment outside its slot waits in the ordinary lane of the windows that may call it.
  const slotAhead =
    windows.some((w) => w.lanes.ordinary.some((t) => t.id !== target.id && awaitsSlot(t, ctx))) ||
    [...view.appointments.values()].some((a) => !a.ticketId && a.day === view.day && a.slotEnd >= now && windows.some((w) => w.window.serves.includes(a.serviceCode)));
  if (slotAhead) out.push('appointments');
  if (windows.some((w) => view.windows.get(w.window.number)?.open && view.windows.get(w.window.number)?.pausedSince !== undefined)) out.push('paused-window');
  return out;
}

function waitOf(plan: Plan, target: Ticket): Omit<QueueWait, 'waiting'> {
  const { view, now } = plan;
  const { calls, noWindowOpen } = playForward(plan, target);
  const index = calls.findIndex((c) => c.ticket.id === target.id);
  const own = calls[index];
  const mayCall = new Set(view.catalogue.windows.filter((w) => servesTicket(w, target)).map((w) => w.number));
  const ahead = calls.slice(0, Math.max(0, index)).filter((c) => mayCall.has(c.window)).length;
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
    caveats: caveatsFor(plan, target),
  };
}

/** The wait of a waiting ticket: its place in the policy's own calls, and the time until its call (H-09). */
export function ticketWait(view: HallView, ticket: Ticket, now: number): QueueWait {
  const plan = planOf(view, now);
  const waiting = view.waitingFor.get(ticket.serviceCode)?.size ?? 0;
  if (ticket.state !== 'issued') return { waiting, ahead: 0, minutes: 0, range: { low: 0, high: 0 }, basis: serviceOf(view, ticket.serviceCode).basis, noWindowOpen: false, caveats: [] };
  return { ...waitOf(plan, ticket), waiting };
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
