import { findItem, type HallWindow } from '../catalogue';
import { extended } from '../copy';
import { awaitsSlot, byArrival, bySlot, rememberCall, servesTicket, splitLanes, type LaneMemory, type QueueLanes } from '../queue';
import type { Ticket } from '../ticket';
import { serviceMinutes, waitRange, type QueueWait, type WaitCaveat } from '../wait';
import { currentTicket, isWindowReady, windowState, type HallView } from './view';

// Waits that are true (H-09): a ticket's place and wait come from the queue policy itself, played
// forward with nobody else arriving: every open window calls as the policy would (appointments in
// their slot, the priority interleave with each window's own memory, transfers, the items it
// serves), the windows taking turns as they become free, each service taking the item's expected
// time. What that cannot know (appointments whose slot opens later, a paused window) is said.

const MINUTE = 60_000;

interface WindowRun {
  window: HallWindow;
  /** The lanes the window calls from: each item's it serves (shared with the other windows serving it), and those of the tickets sent to it. */
  parts: readonly QueueLanes[];
  /** How far into each part's lanes the window has looked (tickets before are called): part × 3 + lane. */
  next: Int32Array;
  /** A ticket taken now, for the window's ordinary lane after everyone in it (see playForward). */
  joining: Ticket | undefined;
  memory: LaneMemory;
  /** Milliseconds from now until the window is free to call. */
  freeIn: number;
  /** The step of the play at which the window first found nobody left in its ordinary lane; -1 until then. */
  ordinaryOut: number;
  /** The window's time at that step: when an ordinary ticket joining the end of the lane is its to call. */
  outIn: number;
  /** The window left the play at that very step: nobody was left in any of its lanes (see WaitBoard.follow). */
  leftEmpty: boolean;
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

const LANES = ['slot', 'priority', 'ordinary'] as const;

/** Each window's lanes, memory and time until it is free, made once for a view at a moment and shared by every wait asked of it. */
interface Plan {
  view: HallView;
  now: number;
  /** Each item's service time, worked out once. */
  service: (code: string) => { ms: number; basis: 'recent' | 'typical' };
  /** Each item's waiting tickets in their lanes, shared by the windows serving it (only items some window serves). */
  itemLanes: Map<string, QueueLanes>;
  /** The last to arrive of the tickets in the priority and ordinary lanes: a ticket issued after it joins the end of a lane. */
  latest: Ticket | undefined;
  windows: { window: HallWindow; ready: boolean; parts: QueueLanes[]; memory: LaneMemory; freeIn: number }[];
}

function planOf(view: HallView, now: number): Plan {
  const policy = view.catalogue.queue;
  const ctx = { now, policy };
  const known = new Map<string, { ms: number; basis: 'recent' | 'typical' }>();
  const service = (code: string) => {
    let s = known.get(code);
    if (!s) known.set(code, (s = serviceOf(view, code)));
    return s;
  };
  // Each item's waiting tickets in their lanes, sorted once and shared by every window serving the
  // item (a ticket a transfer sent to one window is in that window's lanes only).
  const itemLanes = new Map<string, QueueLanes>();
  const lanesOfItem = (code: string): QueueLanes => {
    let lanes = itemLanes.get(code);
    if (!lanes) {
      const open: Ticket[] = [];
      for (const t of view.waitingFor.get(code)?.values() ?? []) if (t.targetWindow === undefined) open.push(t);
      itemLanes.set(code, (lanes = splitLanes(open, ctx)));
    }
    return lanes;
  };
  const windows = view.catalogue.windows.map((w) => {
    const current = currentTicket(view, w.number);
    let freeIn = 0;
    if (current) {
      const { ms } = service(current.serviceCode);
      // A service past its expected time is taken as ending now; a citizen only called has all of it ahead.
      freeIn = current.state === 'serving' ? Math.max(0, ms - (now - (current.servingAt ?? now))) : ms;
    }
    const parts = [...new Set(w.serves)].map(lanesOfItem);
    const sent = view.waitingAt.get(w.number);
    if (sent && sent.size > 0) parts.push(splitLanes(sent.values(), ctx));
    return { window: w, ready: isWindowReady(view.windows.get(w.number)), parts, memory: windowState(view, w.number).memory, freeIn };
  });
  let latest: Ticket | undefined;
  for (const w of windows)
    for (const part of w.parts)
      for (const list of [part.priority, part.ordinary]) {
        const last = list[list.length - 1];
        if (last && (!latest || byArrival(last, latest) > 0)) latest = last;
      }
  return { view, now, service, itemLanes, latest, windows };
}

/**
 * The queue played forward from the plan's moment, nobody arriving: the open windows take turns as
 * they become free, each calling what the policy puts first for it.
 */
class Play {
  readonly calls: Call[] = [];
  private readonly free: WindowHeap;
  private readonly called = new Set<string>();
  private steps = 0;

  constructor(
    private readonly plan: Plan,
    readonly runs: WindowRun[],
  ) {
    this.free = new WindowHeap(runs);
  }

  /** Plays until `target` is called, or until no window has anything left it may call. */
  run(target?: Ticket): void {
    const ordinaryPerPriority = this.plan.view.catalogue.queue.ordinaryPerPriority;
    const { free, called, calls } = this;
    for (let run = free.first(); run; run = free.first()) {
      const step = this.steps++;
      const t = this.pick(run, ordinaryPerPriority);
      if (!t) {
        // Nothing this window may call is left, and nobody arrives.
        run.leftEmpty = run.ordinaryOut === step;
        free.removeFirst();
        continue;
      }
      called.add(t.id);
      calls.push({ ticket: t, window: run.window.number, in: run.freeIn });
      if (t.id === target?.id) break;
      run.memory = rememberCall(run.memory, t);
      run.freeIn += this.plan.service(t.serviceCode).ms;
      free.firstMoved();
    }
  }

  /** The next ticket a window calls, as queueOrder would put it first, skipping those called already. */
  private pick(run: WindowRun, ordinaryPerPriority: number): Ticket | undefined {
    const slot = this.firstIn(run, 0);
    if (slot) return slot;
    const priority = this.firstIn(run, 1);
    const ordinary = this.firstIn(run, 2);
    if (!ordinary && run.ordinaryOut === -1) {
      run.ordinaryOut = this.steps - 1;
      run.outIn = run.freeIn;
    }
    if (priority && (run.memory.ordinarySincePriority >= ordinaryPerPriority || !ordinary)) return priority;
    return ordinary;
  }

  /**
   * The first ticket of a lane not called yet, over the window's parts (each in the lane's order, so
   * the first of their first ones), its place in each part moved on past those called.
   */
  private firstIn(run: WindowRun, lane: 0 | 1 | 2): Ticket | undefined {
    const name = LANES[lane];
    const order = lane === 0 ? bySlot : byArrival;
    const called = this.called;
    let best: Ticket | undefined;
    for (let p = 0; p < run.parts.length; p++) {
      const list = run.parts[p]![name];
      const at = p * 3 + lane;
      let k = run.next[at]!;
      while (k < list.length && called.has(list[k]!.id)) k += 1;
      run.next[at] = k;
      const t = list[k];
      if (t && (!best || order(t, best) < 0)) best = t;
    }
    if (!best && lane === 2 && run.joining && !called.has(run.joining.id)) return run.joining;
    return best;
  }
}

function runsOf(plan: Plan, opened: Ticket | undefined, joining: Ticket | undefined): WindowRun[] {
  return plan.windows
    .filter((w) => w.ready || (!!opened && servesTicket(w.window, opened)))
    .map((w) => ({
      window: w.window,
      parts: w.parts,
      next: new Int32Array(w.parts.length * 3),
      joining: joining && servesTicket(w.window, joining) ? joining : undefined,
      memory: { ...w.memory },
      freeIn: w.freeIn,
      ordinaryOut: -1,
      outIn: 0,
      leftEmpty: false,
    }));
}

/**
 * Plays the queue forward from the plan's moment, nobody arriving, until `target` is called. The
 * windows that may call are the open ones; when none of them may call the target, those that serve
 * it are taken as open and free (the wait then assumes one opens). A target not yet waiting (a
 * ticket taken now) joins the ordinary lane last: it has the day's next place.
 */
function playForward(plan: Plan, target: Ticket): { calls: Call[]; noWindowOpen: boolean } {
  const noWindowOpen = noOpenWindowFor(plan, target);
  const joining = !plan.view.waiting.has(target.id);
  const play = new Play(plan, runsOf(plan, noWindowOpen ? target : undefined, joining ? target : undefined));
  play.run(target);
  return { calls: play.calls, noWindowOpen };
}

/** A binary heap of the windows in a play-forward, the one free first (then the lowest number) on top. */
class WindowHeap {
  private readonly runs: WindowRun[];

  constructor(runs: WindowRun[]) {
    this.runs = [...runs];
    for (let i = (this.runs.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  first(): WindowRun | undefined {
    return this.runs[0];
  }

  removeFirst(): void {
    const last = this.runs.pop()!;
    if (this.runs.length > 0) {
      this.runs[0] = last;
      this.down(0);
    }
  }

  /** The first window's time moved on: it goes down to its place. */
  firstMoved(): void {
    this.down(0);
  }

  private before(a: WindowRun, b: WindowRun): boolean {
    return a.freeIn < b.freeIn || (a.freeIn === b.freeIn && a.window.number < b.window.number);
  }

  private down(i: number): void {
    const runs = this.runs;
    const n = runs.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.before(runs[l]!, runs[m]!)) m = l;
      if (r < n && this.before(runs[r]!, runs[m]!)) m = r;
      if (m === i) return;
      const x = runs[i]!;
      runs[i] = runs[m]!;
      runs[m] = x;
      i = m;
    }
  }
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
  for (const w of windows) for (const part of w.parts) for (const t of part.ordinary) if (awaitsSlot(t, ctx)) slotTickets.add(t.id);
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
 * an open window may call it). `known` gives what a WaitBoard works out once for many targets: the
 * target's call, the people ahead and the caveats.
 */
function waitIn(
  plan: Plan,
  target: Ticket,
  calls: readonly Call[],
  noWindowOpen: boolean,
  known?: { own: Call | undefined; ahead: number; caveats: WaitCaveat[] },
): Omit<QueueWait, 'waiting'> {
  const { view } = plan;
  const index = known ? -1 : calls.findIndex((c) => c.ticket.id === target.id);
  const own = known ? known.own : calls[index];
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
  if (ticket.state !== 'issued') return notWaiting(plan, ticket, waiting);
  return extended(waitOf(plan, ticket), { waiting });
}

/** The wait of a ticket no longer waiting (called, served, held...): nothing ahead, nothing to wait. */
function notWaiting(plan: Plan, t: Ticket, waiting: number): QueueWait {
  return { waiting, ahead: 0, minutes: 0, range: { low: 0, high: 0 }, basis: plan.service(t.serviceCode).basis, noWindowOpen: false, caveats: [] };
}

/**
 * ticketWait of every waiting ticket at once (of the given items, or all): what the phones following
 * their tickets are told after each change. See WaitBoard.
 */
export function ticketWaits(view: HallView, now: number, serviceCodes?: ReadonlySet<string>): Map<string, QueueWait> {
  const out = new Map<string, QueueWait>();
  let board: WaitBoard | undefined;
  for (const [code, waiting] of view.waitingFor) {
    if (serviceCodes && !serviceCodes.has(code)) continue;
    for (const t of waiting.values()) out.set(t.id, (board ??= new WaitBoard(view, now)).of(t));
  }
  return out;
}

/**
 * The waits of the waiting tickets as one play-forward of the queue gives them, for a view at a
 * moment, asked of as often as needed while the view stays as it was (its `seq`): the hub keeps one
 * for the answers of a batch of issued tickets and for the phones following theirs, where a play of
 * its own for each ticket would play the whole queue again each time. A ticket an open window may
 * call has the wait ticketWait gives it (its calls up to it are those its own play would make);
 * one no open window may call, or one not waiting yet, gets its own play, as ticketWait gives it.
 */
export class WaitBoard {
  /** The view's sequence the board holds for: it holds while the view has not moved on, or has moved on only by tickets it followed. */
  get seq(): number {
    return this.at;
  }
  private at: number;
  private readonly plan: Plan;
  private readonly played = new Map<string, Played>();
  /** Tickets the same windows may call (those of an item, or those sent to one window) share their play and caveats' basis: worked out once for them. */
  private readonly ofItem = new Map<string, Group>();
  private readonly ofWindow = new Map<number, Group>();

  constructor(
    readonly view: HallView,
    readonly now: number,
  ) {
    this.at = view.seq;
    this.plan = planOf(view, now);
  }

  /** The calls its plays have made so far: the work the board holds, which a board made again would do again. */
  get calls(): number {
    let n = 0;
    for (const played of this.played.values()) n += played.play.calls.length;
    return n;
  }

  of(t: Ticket): QueueWait {
    const { view, plan } = this;
    const waiting = view.waitingFor.get(t.serviceCode)?.size ?? 0;
    if (t.state !== 'issued') return notWaiting(plan, t, waiting);
    if (!view.waiting.has(t.id)) return extended(waitOf(plan, t), { waiting });
    return this.waitAt(t, this.placeOf(t), waiting);
  }

  /**
   * The wait of a waiting ticket as the board holds it, the hall as it was when the board was made,
   * even after the hall has moved on (the phones' pass that began with this board goes on with it
   * while the terminals' commands run between its slices). Undefined when the board has no call for
   * the ticket: it came to the lines after the board was made (or came back to them), or no window
   * serves its item; the caller then asks a board of the hall as it is.
   */
  held(t: Ticket): QueueWait | undefined {
    if (t.state !== 'issued') return undefined;
    const place = this.placeOf(t);
    const then = place.own?.ticket;
    // Sent to another item or window since, or come back to another lane: not the ticket the board played.
    if (!then || then.serviceCode !== t.serviceCode || then.targetWindow !== t.targetWindow || then.lane !== t.lane) return undefined;
    return this.waitAt(t, place, this.view.waitingFor.get(t.serviceCode)?.size ?? 0);
  }

  private waitAt(t: Ticket, place: Place, waiting: number): QueueWait {
    return extended(waitIn(this.plan, t, place.calls, place.closed, place), { waiting });
  }

  /** A waiting ticket's call in the board's play (made once for the windows that may call it), the people ahead and the caveats. */
  private placeOf(t: Ticket): Place {
    const shared = this.groupOf(t);
    const { closed } = shared;
    // No open window may call it: the play of its own takes those that may as open; it is the same
    // for every ticket they may call (an item's, or those sent to one window), played once for them.
    const played = this.play(closed ? shared.key : '', closed ? t : undefined);
    const own = played.callOf.get(t.id);
    // The people ahead: the calls before this one by the windows that may call it (the play calls in
    // the order of time, then of window number, and each window in its own order).
    let ahead = 0;
    if (own)
      for (const w of shared.windows) {
        const n = w.window.number;
        ahead += n === own.call.window ? own.k : countBelow(played.timesAt.get(n), own.call.in, n < own.call.window);
      }
    return { own: own?.call, ahead, caveats: caveatsOf(shared.basis, t), calls: played.play.calls, closed };
  }

  private groupOf(t: Ticket): Group {
    const sent = t.targetWindow;
    let group = sent !== undefined ? this.ofWindow.get(sent) : this.ofItem.get(t.serviceCode);
    if (!group) {
      const windows = this.plan.windows.filter((w) => servesTicket(w.window, t));
      group = { key: sent !== undefined ? `window ${sent}` : `item ${t.serviceCode}`, closed: noOpenWindowFor(this.plan, t), windows, basis: caveatBasis(this.plan, windows) };
      if (sent !== undefined) this.ofWindow.set(sent, group);
      else this.ofItem.set(t.serviceCode, group);
    }
    return group;
  }

  /**
   * Takes in tickets issued since the board was made (in the order they were issued; the view is now
   * at `seq`) when nothing else has changed. An ordinary ticket that arrived after everyone waiting
   * joins the end of its lane: the first window that may call it and finds its ordinary lane empty
   * calls it then. When that window had nobody left at all (no priority ticket either), nothing else
   * in the play changes, and the call is added as it stands; otherwise that play is made again when
   * next asked for. False when a ticket does not simply join the end of a lane (an appointment, one
   * sent to a window, one that arrived before others waiting): the board no longer holds.
   */
  follow(joined: readonly Ticket[], seq: number): boolean {
    const { plan, view } = this;
    const joins: { lanes: QueueLanes; ticket: Ticket }[] = [];
    let latest = plan.latest;
    for (const t of joined) {
      if (t.state !== 'issued' || !view.waiting.has(t.id) || t.targetWindow !== undefined || t.appointment || (t.lane !== 'ordinary' && t.lane !== 'priority')) return false;
      if (latest && byArrival(latest, t) >= 0) return false;
      latest = t;
      const lanes = plan.itemLanes.get(t.serviceCode);
      // No window serves its item: it is in none of the plays.
      if (lanes) joins.push({ lanes, ticket: t });
    }
    plan.latest = latest;
    for (const { lanes, ticket } of joins) lanes[ticket.lane === 'priority' ? 'priority' : 'ordinary'].push(ticket);
    for (const [key, played] of this.played)
      for (const { ticket } of joins) {
        if (ticket.lane === 'priority' || !this.joinEnd(played, ticket)) {
          this.played.delete(key);
          break;
        }
      }
    this.at = seq;
    return true;
  }

  /** An ordinary ticket joins the end of its lane in a play: false when that changes more than its own call. */
  private joinEnd(played: Played, t: Ticket): boolean {
    let first: WindowRun | undefined;
    for (const run of played.play.runs)
      if (servesTicket(run.window, t) && (!first || run.outIn < first.outIn || (run.outIn === first.outIn && run.window.number < first.window.number))) first = run;
    // No window of this play may call it.
    if (!first) return true;
    // The window found its ordinary lane empty but still had someone to call (a priority ticket): the rest of the play moves.
    if (!first.leftEmpty) return false;
    const call: Call = { ticket: t, window: first.window.number, in: first.outIn };
    played.play.calls.push(call);
    this.index(played, call);
    // Its next turn, after this citizen, finds nobody again.
    first.outIn += this.plan.service(t.serviceCode).ms;
    return true;
  }

  /** The play of the open windows (key ''), or with those that may call `assumeOpenFor` taken as open too (its key). */
  private play(key: string, assumeOpenFor?: Ticket): Played {
    let played = this.played.get(key);
    if (!played) {
      const play = new Play(this.plan, runsOf(this.plan, assumeOpenFor, undefined));
      play.run();
      played = { play, callOf: new Map(), timesAt: new Map() };
      for (const c of play.calls) this.index(played, c);
      this.played.set(key, played);
    }
    return played;
  }

  private index(played: Played, call: Call): void {
    const times = played.timesAt.get(call.window);
    if (times) times.push(call.in);
    else played.timesAt.set(call.window, [call.in]);
    played.callOf.set(call.ticket.id, { call, k: (times?.length ?? 1) - 1 });
  }
}

/** The tickets the same windows may call: the key of their play when no open window may, and their caveats' basis. */
interface Group {
  key: string;
  closed: boolean;
  windows: Plan['windows'];
  basis: CaveatBasis;
}

/** A ticket's call in a board's play (none: the play has none for it), the people ahead, and what its wait rests on. */
interface Place {
  own: Call | undefined;
  ahead: number;
  caveats: WaitCaveat[];
  calls: readonly Call[];
  closed: boolean;
}

/** A play a board keeps, and its calls by ticket and by window. */
interface Played {
  play: Play;
  /** Each ticket's call, and how many calls its window makes before it. */
  callOf: Map<string, { call: Call; k: number }>;
  /** Each window's calls' times (from the plan's moment), ascending. */
  timesAt: Map<number, number[]>;
}

/** How many of the ascending numbers are below `limit` (or equal to it, when `orEqual`). */
function countBelow(ascending: readonly number[] | undefined, limit: number, orEqual = false): number {
  if (!ascending) return 0;
  let lo = 0;
  let hi = ascending.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ascending[mid]! < limit || (orEqual && ascending[mid] === limit)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
  return new Map(codes.map((code) => [code, extended(waitOf(plan, takenNow(view, code, now)), { waiting: view.waitingFor.get(code)?.size ?? 0 })]));
}
