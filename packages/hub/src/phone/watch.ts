import { alertsDue, extended, findItem, findWindow, issuedTicket, phonePolicyOf, ticketWait, type HallEvent, type HallView, type PhoneAlert, type QueueWait, type Ticket, type WaitBoard } from '@servicehall/core';
import type { PhoneTicket } from '@servicehall/protocol/phone';
import type { ServerResponse } from 'node:http';
import type { HallNotifications } from '../notifications';
import type { AlertTarget, PhoneBook } from '../phones';
import { log } from '../log';
import { opsText, type Bilingual } from '../ops-strings';

/**
 * What a phone was told of its place when it first had the number (AlertTarget.firstAhead): how many
 * were ahead, or null while no window serves its item, when it was not told it was near (core's
 * isNear): its near alert then comes once a window opens for it, however few are ahead by then.
 */
export const toldAhead = (wait: { ahead: number; noWindowOpen: boolean }): number | null => (wait.noWindowOpen ? null : wait.ahead);

export interface WatchOptions {
  /** The hall's public address (known once the hub listens, when it is the hub's own). */
  publicBase: () => string;
  clock: () => number;
  /** A comment line this often keeps proxies and phones from closing a quiet stream. */
  heartbeatMs?: number;
  /**
   * A followed ticket's call is told as soon as its events are heard, not at the next turn of the
   * event loop: the phones' own process, which has no terminals' commands to let in first, and whose
   * events come in bursts (a call, its service begun and ended, heard together would tell the phone
   * only that it was served, and it would never ring).
   */
  callsAtOnce?: boolean;
  /** Without the alerts' side (the phones' own process): whether a ticket's holder gets the SMS, as the hub said when it handed the stream over. */
  smsOf?: (ticketId: string) => boolean;
}

/**
 * The hall as the phones follow it: the hub's store, or the phones' own process's copy of its view
 * (phone/streams-process.ts), fed the same events once they are on the disk.
 */
export interface WatchedHall {
  readonly view: HallView;
  onEvents(listener: (events: readonly HallEvent[]) => void): () => void;
  waits(now: number): WaitBoard;
  ratingLink(ticketId: string): string | undefined;
  readonly refs: { ofTicket(id: string): string };
}

/** The near and called SMS: only on the hub, which holds the phone numbers and the outbox. */
export interface WatchAlerts {
  phones: PhoneBook;
  notifications: HallNotifications;
  /** One transaction on the hall's database. */
  transaction(work: () => void): void;
  /**
   * Whether this hub is in charge: a standby sends no alert (its outbox would send it again when it
   * takes charge, after the primary did); the alerts the primary marked follow it here (tookCharge).
   */
  inCharge(): boolean;
}

/**
 * A phone's open stream, already answered with its head (openEventStream): a response of the hub's
 * HTTP server, or the socket the hub handed to the phones' process.
 */
export interface PhoneStream {
  write(text: string): unknown;
  end(): unknown;
  end(text: string): unknown;
  destroy(): unknown;
  readonly writableEnded: boolean;
  readonly destroyed: boolean;
  readonly writableLength: number;
  on(event: 'close', listener: () => void): unknown;
}

/** A phone's stream on the hub's own HTTP server: answered with the stream's head, written at once. */
export function openEventStream(res: ServerResponse): ServerResponse {
  res.writeHead(200, extended(STREAM_HEADERS, { connection: 'keep-alive' }));
  res.socket?.setNoDelay(true);
  return res;
}

/** The head of a phone's stream, as the hub's HTTP server writes it (and the phones' process, raw, after the hand-over). */
export const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store, no-transform',
  'x-accel-buffering': 'no',
} as const;

interface Poll {
  after: number;
  done(state: PhoneTicket | undefined): void;
}

/** A phone that reads no more than this is dropped (it reconnects and gets the state afresh). */
const MAX_UNREAD_BYTES = 64 * 1024;
/**
 * How long a change may wait before the phones hear of it, when it is only the expected wait, or
 * the place of a ticket still far from the front: such changes are told together, not one message
 * per call in a long line. Everything else (the call, the near ones' places) is told at once.
 */
const LAZY_MS = 2000;
/** How long the events of a moment are gathered before the phones they concern are looked at again. */
const FLUSH_MS = 100;
/** A ticket this near the front (or nearer than three times the hall's "near") hears every move at once. */
const LIVE_AHEAD = 10;
/** How near the front a ticket hears every move at once: LIVE_AHEAD, or three times the hall's "near" if more. */
const liveAhead = (state: PhoneTicket) => Math.max(LIVE_AHEAD, 3 * state.nearAhead);
/** An SMS alert as the operator's log names it. */
const SMS_ALERT_TEXT: Record<PhoneAlert, Bilingual> = { near: { 'zh-CN': '即将叫号', en: 'near' }, called: { 'zh-CN': '叫号', en: 'called' } };
/** The SMS alerts a look at the phones found due, sent together at its end. */
type DueAlerts = { target: AlertTarget; ticket: Ticket; due: PhoneAlert[] }[];
/**
 * How long one turn of the event loop looks at phones before it lets the terminals' commands in. A
 * command waits for a slice at each of the turns it takes (read, run, flushed, answered): with
 * 3,000 phones, slices of 4 ms made the terminals' p99 about 50 ms, of 1 ms about 34 ms, and the
 * call reached its phone sooner too (bench-phones).
 */
const SLICE_MS = 1;

/** Why a phone is looked at again: a pass of every phone (`all`), its own ticket moved, a pass that may leave it for later if far back, the far ones' pass. */
interface Pass {
  all: boolean;
  touched: boolean;
  skipFar: boolean;
  fromFar: boolean;
}

interface Cached {
  /** What the phones were last told. */
  state: PhoneTicket;
  /** What a phone sees that can change, but the place in line and the expected wait: a change here is told at once. */
  key: string;
  frame: string;
  /** The place and wait last worked out: told, or to be told with the others within LAZY_MS (see lazy). */
  seen: Seen | undefined;
  /** The tickets that had left the lines (this.departures) when the place was last worked out. */
  departures?: number;
  /** The hall's sequence the waits' board that worked out the place had: a pass never tells a phone a place older than that. */
  basis: number;
}

/** A waiting ticket's place and wait, as compared between looks. */
type Seen = Pick<QueueWait, 'ahead' | 'minutes' | 'noWindowOpen'> & { low: number; high: number };

const seenOf = (w: Pick<QueueWait, 'ahead' | 'minutes' | 'noWindowOpen' | 'range'>): Seen => ({ ahead: w.ahead, minutes: w.minutes, noWindowOpen: w.noWindowOpen, low: w.range.low, high: w.range.high });
/** The place and wait a phone was told, when its ticket was waiting. */
const seenIn = (told: PhoneTicket | undefined): Seen | undefined => (told?.state === 'issued' ? seenOf({ ahead: told.ahead, minutes: told.minutes, noWindowOpen: told.noWindowOpen, range: told.range ?? { low: 0, high: 0 } }) : undefined);
const sameSeen = (a: Seen | undefined, w: QueueWait) => a !== undefined && a.ahead === w.ahead && a.minutes === w.minutes && a.low === w.range.low && a.high === w.range.high && a.noWindowOpen === w.noWindowOpen;

/** What opens each stream: the reconnect delay for EventSource, and padding for proxies that hold the first kilobytes. */
const STREAM_PREAMBLE = `retry: 3000\n:${' '.repeat(2048)}\n\n`;

/**
 * The phones following their tickets, and the alerts their holders get. After each batch of events
 * the tickets followed are looked at again (every waiting ticket's place and wait at once, with
 * core's WaitBoard: the queue policy played forward, where a call at one window moves the lines
 * of every item its windows share), and a phone hears only when its own ticket changed: by server-sent events, or
 * by a long poll where a phone cannot keep a stream. Numbers taken by a verified phone also get
 * the near and called SMS, once each (core's alertsDue), recorded with the number's phone link.
 */
export class TicketWatch {
  private readonly cache = new Map<string, Cached>();
  /** Tickets whose expected wait (or far place) alone has changed: looked at again and told within LAZY_MS, together, not one message per service finished. */
  private lazy = new Set<string>();
  private lazyTimer: NodeJS.Timeout | undefined;
  private readonly streams = new Map<string, Set<PhoneStream>>();
  private readonly polls = new Map<string, Set<Poll>>();
  private targets = new Map<string, AlertTarget>();
  /** Something moved the lines (a ticket, a window, the clock): every followed ticket's place is looked at again. */
  private linesMoved = false;
  private dirtyTickets = new Set<string>();
  private dirtyAll = false;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  /** A followed ticket was called: look now, not at the end of the gathering. */
  private soon = false;
  /**
   * The followed tickets called (or called again) and not yet looked at: looked at before anything
   * else and whatever the slice, so that the call is told before the next events can move the ticket
   * on (the phones' process hears the hub's events in bursts: a call, then its service's start).
   */
  private readonly calls = new Set<string>();
  /**
   * Tickets that have left the lines today (called, held, voided, no-show): a place can drop by no
   * more than these since it was worked out, so a phone far back need not be looked at each pass.
   */
  private departures = 0;
  /** Something may have reordered the lines (a window, a transfer): this pass looks at every phone. */
  private reordered = false;
  /** Phones far back, looked at together every LAZY_MS instead of every pass. */
  private far = new Set<string>();
  private farTimer: NodeJS.Timeout | undefined;
  private streamCount = 0;
  /** Phones to look at again: those whose own ticket moved first, then the others (see drain). */
  private readonly urgentQueue = new Map<string, Pass>();
  private readonly queue = new Map<string, Pass>();
  private draining: NodeJS.Immediate | undefined;
  /**
   * The waits' board a pass began with: its slices go on with it while the terminals' commands run
   * between them (a board played again at each slice was most of the phones' cost in a busy hall).
   * What changed meanwhile is looked at in the next pass, FLUSH_MS later.
   */
  private passBoard: WaitBoard | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  /** The keep-alive lines still to write, at the next turn of the event loop (see beat). */
  private beating: NodeJS.Immediate | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly hall: WatchedHall,
    private readonly alerts: WatchAlerts | undefined,
    private readonly options: WatchOptions,
  ) {
    this.loadTargets();
    this.unsubscribe = hall.onEvents((events) => this.note(events));
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs ?? 20_000);
    this.heartbeat.unref();
    // Alerts that fell due while the hub was down go out now (their keys keep them once only).
    this.dirtyAll = true;
    this.schedule();
  }

  /** Streams open now. */
  get watching(): number {
    return this.streamCount;
  }

  /** Long polls waiting now (each for its ticket's next change, or its end). */
  get waitingPolls(): number {
    let n = 0;
    for (const set of this.polls.values()) n += set.size;
    return n;
  }

  /** The ticket as its phone sees it now (kept up to date only while someone follows it). */
  stateOf(ticket: Ticket): PhoneTicket {
    // Changes still being gathered are looked at now: an answer is never older than the hall.
    if (this.timer || this.immediate) this.run(false);
    const queued = this.urgentQueue.get(ticket.id) ?? this.queue.get(ticket.id);
    if (queued) {
      this.urgentQueue.delete(ticket.id);
      this.queue.delete(ticket.id);
      const alerts: DueAlerts = [];
      this.look(ticket.id, queued, alerts);
      if (alerts.length > 0) this.sendAlerts(alerts);
    }
    const followed = this.streams.has(ticket.id) || this.polls.has(ticket.id) || this.targets.has(ticket.id);
    // A phone far back is looked at every LAZY_MS, and a change of its wait alone told within it; one that asks is answered with its place now.
    if (followed && (this.far.has(ticket.id) || this.lazy.has(ticket.id))) return this.build(ticket);
    const cached = followed ? this.cache.get(ticket.id) : undefined;
    if (cached) return cached.state;
    const state = this.build(ticket);
    if (followed) this.remember(ticket.id, state);
    return state;
  }

  /** Follows a ticket on a stream answered with its head: the state now, then each change, until the phone goes. */
  stream(ticket: Ticket, res: PhoneStream): void {
    res.write(STREAM_PREAMBLE);
    let set = this.streams.get(ticket.id);
    if (!set) this.streams.set(ticket.id, (set = new Set()));
    set.add(res);
    this.streamCount += 1;
    res.on('close', () => {
      const s = this.streams.get(ticket.id);
      if (s?.delete(res)) this.streamCount -= 1;
      if (s && s.size === 0) {
        this.streams.delete(ticket.id);
        this.forget(ticket.id);
      }
    });
    this.stateOf(ticket);
    this.write(res, this.cache.get(ticket.id)!.frame);
  }

  /**
   * The long-poll fallback: answers at once if the state is newer than `after`, else at its next change or after `waitMs`,
   * or as soon as `gone` is aborted (the phone closed its connection): a gone phone's poll holds nothing till its end.
   */
  poll(ticket: Ticket, after: number, waitMs: number, gone?: AbortSignal): Promise<PhoneTicket | undefined> {
    const now = this.stateOf(ticket);
    if (now.version > after || waitMs <= 0 || gone?.aborted) return Promise.resolve(now);
    return new Promise((resolve) => {
      let set = this.polls.get(ticket.id);
      if (!set) this.polls.set(ticket.id, (set = new Set()));
      const poll: Poll = {
        after,
        done: (state) => {
          clearTimeout(timer);
          gone?.removeEventListener('abort', left);
          const s = this.polls.get(ticket.id);
          s?.delete(poll);
          if (s && s.size === 0) {
            this.polls.delete(ticket.id);
            this.forget(ticket.id);
          }
          resolve(state);
        },
      };
      const timer = setTimeout(() => poll.done(this.cache.get(ticket.id)?.state ?? now), waitMs);
      const left = () => poll.done(this.cache.get(ticket.id)?.state ?? now);
      gone?.addEventListener('abort', left, { once: true });
      set.add(poll);
      if (!this.cache.has(ticket.id)) this.remember(ticket.id, now);
    });
  }

  /** The hall's view was replaced whole (the phones' process given the hub's view again): every followed ticket is looked at again. */
  hallReplaced(): void {
    this.passBoard = undefined;
    this.dirtyAll = true;
    this.schedule();
  }

  /**
   * This hub took charge (a standby promoted): the numbers with a phone behind them are read again,
   * with the alerts already sent, from the links the hub in charge before it wrote (they followed it
   * here), and every one is looked at: those taken before the failover get their near and called SMS.
   */
  tookCharge(): void {
    this.loadTargets();
    this.dirtyAll = true;
    this.schedule();
  }

  /** A number now has a phone behind it (taken by phone, or a booking's check-in): it gets the SMS alerts. */
  addTarget(target: AlertTarget): void {
    this.targets.set(target.ticketId, target);
    this.dirtyTickets.add(target.ticketId);
    this.schedule();
  }

  close(): void {
    this.passBoard = undefined;
    clearInterval(this.heartbeat);
    if (this.beating) clearImmediate(this.beating);
    clearTimeout(this.lazyTimer);
    clearTimeout(this.farTimer);
    clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    if (this.draining) clearImmediate(this.draining);
    this.urgentQueue.clear();
    this.queue.clear();
    this.calls.clear();
    this.unsubscribe();
    for (const set of this.streams.values()) for (const res of set) res.end();
    for (const set of this.polls.values()) for (const p of [...set]) p.done(undefined);
    this.streams.clear();
  }

  private loadTargets(): void {
    this.targets = new Map((this.alerts?.phones.alertTargets(this.hall.view.day) ?? []).map((t) => [t.ticketId, t]));
  }

  /** Whether the ticket's holder gets the near and called SMS (a number given, and a channel that carries them). */
  smsFor(ticketId: string): boolean {
    return this.hasPhone(ticketId) && (this.alerts ? this.alerts.notifications.smsCarries('ticket-called') : true);
  }

  /** Whether the ticket's holder gave a phone number for its SMS (the hub's targets, or what it told the phones' process). */
  private hasPhone(ticketId: string): boolean {
    return this.alerts ? !!this.targets.get(ticketId)?.sealed : (this.options.smsOf?.(ticketId) ?? false);
  }

  /** Which tickets and lines a batch of events concerns; the work is done once the event loop is free. */
  private note(events: readonly HallEvent[]): void {
    try {
      this.mark(events);
    } catch (error) {
      log.error({ err: error }, opsText('phonesFollowFailed'));
      this.dirtyAll = true;
    }
    this.schedule();
  }

  private mark(events: readonly HallEvent[]): void {
    const view = this.hall.view;
    for (const e of events) {
      switch (e.type) {
        case 'ticket.issued': {
          this.linesMoved = true;
          // The event carries what the kiosk chose; the view holds the ticket it made.
          const t = view.tickets.get(issuedTicket(view, e).id);
          if (t?.appointment) this.linkBookingTicket(t);
          break;
        }
        case 'ticket.called':
        case 'ticket.recalled':
        case 'ticket.started':
        case 'ticket.finished':
        case 'ticket.noShow':
        case 'ticket.held':
        case 'ticket.voided': {
          if ((e.type === 'ticket.called' || e.type === 'ticket.recalled') && this.cache.has(e.id)) {
            this.soon = true;
            this.calls.add(e.id);
          }
          if (e.type === 'ticket.called' || e.type === 'ticket.held' || e.type === 'ticket.voided') this.departures += 1;
          this.dirtyTickets.add(e.id);
          const t = view.tickets.get(e.id);
          if (t) this.linesMoved = true;
          break;
        }
        case 'window.opened':
        case 'window.closed':
        case 'window.paused':
        case 'window.resumed':
          this.linesMoved = true;
          this.reordered = true;
          break;
        case 'rating.recorded':
          this.dirtyTickets.add(e.rating.ticketId);
          break;
        case 'case.recorded': {
          const ticketId = view.cases.get(e.case.number)?.ticketId;
          if (ticketId) this.dirtyTickets.add(ticketId);
          break;
        }
        case 'day.opened':
          // Yesterday's numbers are done with: their phones are forgotten, their holders' hashes stay for the no-show rule.
          // By the hub in charge only: a standby is sent the links as its primary forgot them (replication.ts).
          if (this.alerts?.inCharge()) this.alerts.phones.forget(this.options.clock(), e.day);
          this.loadTargets();
          this.dirtyAll = true;
          break;
        case 'ticket.transferred':
        case 'catalogue.replaced':
          this.dirtyAll = true;
          break;
      }
    }
  }

  /** A booking made by phone checked in at the kiosk: its number gets the alerts of the phone that booked it. */
  private linkBookingTicket(t: Ticket): void {
    if (!this.alerts) return;
    const { phones } = this.alerts;
    const booking = phones.linkOf('appointment', t.appointment!.code);
    if (!booking?.sealed) return;
    const ahead = toldAhead(ticketWait(this.hall.view, t, this.options.clock()));
    phones.link('ticket', t.id, { holder: booking.holder, sealed: booking.sealed }, t.day, false, this.options.clock(), ahead);
    this.targets.set(t.id, { ticketId: t.id, sealed: booking.sealed, firstAhead: ahead, alerts: new Set() });
  }

  /**
   * The events of the next few milliseconds are looked at together: in a busy hall one pass serves
   * many calls. A call of a followed ticket is looked at at once, that ticket's phone only: the call
   * itself is never late, and the other phones' places follow in the pass a few milliseconds later
   * (with thousands of phones, a pass for everyone at every call would fall behind the hall).
   */
  private schedule(): void {
    if (this.soon) {
      if (this.options.callsAtOnce) this.run(true);
      else this.immediate ??= setImmediate(() => this.run(true));
      return;
    }
    this.timer ??= setTimeout(() => this.run(false), FLUSH_MS);
  }

  private run(touchedOnly: boolean): void {
    if (touchedOnly) this.immediate = undefined;
    else {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.soon = false;
    this.safely(() => this.flush(touchedOnly));
    // What the pass for the touched tickets left (every other phone's place) goes in the next one.
    if (this.dirtyAll || this.linesMoved || this.dirtyTickets.size > 0) this.timer ??= setTimeout(() => this.run(false), FLUSH_MS);
  }

  private flush(touchedOnly = false): void {
    const all = touchedOnly ? false : this.dirtyAll;
    const moved = touchedOnly ? false : this.linesMoved;
    const reordered = !touchedOnly && this.reordered;
    const touched = this.dirtyTickets;
    if (!touchedOnly) {
      this.dirtyAll = false;
      this.linesMoved = false;
      this.reordered = false;
      // The pass looks at the hall as it is now.
      this.passBoard = undefined;
    }
    this.dirtyTickets = new Set();
    // A pass that only tickets moved leaves the phones far back to the pass every LAZY_MS: their
    // place cannot have come near (it drops by one at most for each ticket that left the lines).
    const skipFar = !all && !reordered;
    // A change in any line may move every followed ticket (the windows share items): all places are
    // worked out, and only the phones whose view changed hear of it.
    const concerned = all || moved ? new Set([...this.streams.keys(), ...this.polls.keys(), ...this.targets.keys()]) : touched;
    // The touched tickets (a call) first, then the rest.
    for (const id of touched) this.enqueue(this.urgentQueue, id, { all, touched: true, skipFar, fromFar: false });
    for (const id of concerned) if (!touched.has(id)) this.enqueue(this.queue, id, { all, touched: false, skipFar, fromFar: false });
    this.drain();
  }

  /**
   * The phones left for later (far back, or a change of their wait alone) looked at again with the
   * hall as it is now, and told whatever changed. The passes' own marks (what moved since the last
   * pass) are left to the next pass.
   */
  private lookAgain(ids: ReadonlySet<string>): void {
    this.passBoard = undefined;
    for (const id of ids) this.enqueue(this.queue, id, { all: false, touched: false, skipFar: false, fromFar: true });
    this.drain();
  }

  private enqueue(queue: Map<string, Pass>, id: string, pass: Pass): void {
    const was = queue.get(id);
    queue.set(id, was ? { all: was.all || pass.all, touched: was.touched || pass.touched, skipFar: was.skipFar && pass.skipFar, fromFar: was.fromFar || pass.fromFar } : pass);
  }

  /**
   * Looks at the queued phones, those of a call first, a few milliseconds at a time: with thousands
   * of phones a pass would otherwise hold the terminals' commands for tens of milliseconds. What is
   * left goes on at the next turn of the event loop, after the commands that came meanwhile; each
   * phone is looked at with the hall as it is then (the waits are played once per change, see SharedWaits).
   */
  private drain(): void {
    if (this.draining) clearImmediate(this.draining);
    this.draining = undefined;
    const alerts: DueAlerts = [];
    for (const id of this.calls) {
      const pass = this.urgentQueue.get(id);
      // Not queued yet (the pass for the touched tickets queues it, and drains at once).
      if (!pass) continue;
      this.calls.delete(id);
      this.urgentQueue.delete(id);
      this.look(id, pass, alerts);
    }
    const until = performance.now() + SLICE_MS;
    slice: for (const queue of [this.urgentQueue, this.queue])
      for (const [id, pass] of queue) {
        queue.delete(id);
        this.look(id, pass, alerts);
        if (performance.now() > until && (this.urgentQueue.size > 0 || this.queue.size > 0)) {
          this.draining = setImmediate(() => this.safely(() => this.drain()));
          break slice;
        }
      }
    if (!this.draining) this.passBoard = undefined;
    if (alerts.length > 0) this.sendAlerts(alerts);
    if (this.far.size > 0)
      this.farTimer ??= setTimeout(() => {
        this.farTimer = undefined;
        const ids = this.far;
        this.far = new Set();
        this.safely(() => this.lookAgain(ids));
      }, LAZY_MS);
  }

  /** Work for the phones that fails is said in the log; the hall's own work goes on. */
  private safely(work: () => void): void {
    try {
      work();
    } catch (error) {
      log.error({ err: error }, opsText('phonesTellFailed'));
    }
  }

  /** One followed ticket looked at again: its phones told if their view changed, its SMS alerts gathered. */
  private look(id: string, pass: Pass, alerts: DueAlerts): void {
    if (!this.streams.has(id) && !this.polls.has(id) && !this.targets.has(id)) return;
    const view = this.hall.view;
    const t = view.tickets.get(id);
    if (!t) {
      if (pass.all) this.gone(id);
      return;
    }
    // A ticket no longer waiting changes only by its own events (a call, a service, a rating, a case),
    // which touch it, or with the whole hall (a new day, a new catalogue): a pass for the lines leaves
    // its phone alone (by the end of a busy day most phones follow a ticket already served).
    if (t.state !== 'issued' && !pass.touched && !pass.all && !pass.fromFar && this.cache.has(id)) return;
    if (!pass.fromFar && pass.skipFar && t.state === 'issued' && !pass.touched && this.isFar(id)) {
      this.far.add(id);
      return;
    }
    // One play-forward of the queue for all of them (core's WaitBoard, the one this pass began with), each ticket's wait read from it.
    let wait: QueueWait | undefined;
    let basis = view.seq;
    if (t.state === 'issued') {
      let board = this.passBoardOf(view);
      wait = board.held(t);
      // A ticket that came to the lines after the pass began: the hall as it is now.
      if (!wait) wait = (board = this.hall.waits(this.options.clock())).of(t);
      basis = board.seq;
      // The phone was told a place worked out later than this pass's board (it asked meanwhile): the next pass looks again.
      if (basis < (this.cache.get(id)?.basis ?? 0)) return;
    }
    const { state, changed } = this.update(t, wait, basis, pass.all || pass.touched || pass.fromFar);
    if (changed) {
      this.lazy.delete(id);
      this.tell(id, state);
    }
    const target = this.targets.get(id);
    if (target) {
      const first = target.firstAhead === null ? undefined : { state: 'issued' as const, ahead: target.firstAhead };
      const due = alertsDue(first, { state: t.state, ahead: state.ahead, noWindowOpen: state.noWindowOpen }, target.alerts as Set<PhoneAlert>, phonePolicyOf(view.catalogue));
      if (due.length > 0) alerts.push({ target, ticket: t, due });
    }
  }

  /** The waits' board this pass looks with: the one it began with, while the hall's view is the same object (not one read again after a batch rolled back). */
  private passBoardOf(view: HallView): WaitBoard {
    if (this.passBoard?.view !== view) this.passBoard = this.hall.waits(this.options.clock());
    return this.passBoard;
  }

  /** Whether a followed ticket's place is so far back that it cannot have come near since it was last worked out. */
  private isFar(id: string): boolean {
    const c = this.cache.get(id);
    if (!c?.seen || c.state.state !== 'issued' || c.departures === undefined) return false;
    return c.seen.ahead - (this.departures - c.departures) > liveAhead(c.state) + 1;
  }

  /** The near and called SMS, queued with the record that they were sent, in one transaction. */
  private sendAlerts(list: DueAlerts): void {
    if (!this.alerts?.inCharge()) return;
    const { phones, notifications } = this.alerts;
    const now = this.options.clock();
    let queued = false;
    this.alerts.transaction(() => {
      for (const { target, ticket, due } of list) {
        const phone = target.sealed ? phones.vault.open(target.sealed) : undefined;
        for (const alert of due) {
          target.alerts.add(alert);
          if (!phone) continue;
          const ahead = this.cache.get(ticket.id)?.state.ahead ?? 0;
          const notice =
            alert === 'near'
              ? { kind: 'ticket-near' as const, ticket: ticket.number, ahead }
              : { kind: 'ticket-called' as const, ticket: ticket.number, window: ticket.window ?? 0 };
          if (!notifications.smsCarries(notice.kind)) continue;
          // Not worth sending late: a near alert once the number may have been called, a call once it is over.
          const r = notifications.toCitizen(notice, `${notice.kind}:${ticket.id}`, phone, now + (alert === 'near' ? 15 : 10) * 60_000);
          if (r.ok && r.queued.length > 0) queued = true;
          else if (!r.ok) log.error({ ticket: ticket.number, alert, code: r.code }, opsText('smsRefused', { ticket: ticket.number, alert: SMS_ALERT_TEXT[alert], code: r.code, problem: r.message }));
        }
        phones.markAlerts(ticket.id, target.alerts);
      }
    });
    if (queued) notifications.wake();
  }

  private build(t: Ticket, wait?: Pick<QueueWait, 'ahead' | 'minutes' | 'range' | 'noWindowOpen'>): PhoneTicket {
    const view = this.hall.view;
    const item = findItem(view.catalogue, t.serviceCode);
    const waiting = t.state === 'issued' ? (wait ?? this.hall.waits(this.options.clock()).of(t)) : undefined;
    const atWindow = t.state === 'called' || t.state === 'serving' || t.state === 'held';
    const w = atWindow && t.window !== undefined ? findWindow(view.catalogue, t.window) : undefined;
    // The hub-signed rating link of this service (used once), while it waits for its rating.
    const rateLink = t.state === 'done' && !view.ratings.has(t.id) ? this.hall.ratingLink(t.id) : undefined;
    const cases = t.state === 'done' || t.state === 'serving' ? this.casesOf(t.id) : [];
    return {
      ref: this.hall.refs.ofTicket(t.id),
      number: t.number,
      day: t.day,
      serviceCode: t.serviceCode,
      itemName: item?.name ?? t.serviceCode,
      ...(item?.nameEn ? { itemNameEn: item.nameEn } : {}),
      lane: t.lane,
      remote: t.remote === true,
      state: t.state,
      ahead: waiting?.ahead ?? 0,
      minutes: waiting?.minutes ?? 0,
      ...(waiting ? { range: waiting.range } : {}),
      noWindowOpen: waiting?.noWindowOpen ?? false,
      ...(atWindow && t.window !== undefined ? { window: t.window, windowName: w?.name ?? `${t.window}` } : {}),
      issuedAt: t.issuedAt,
      ...(t.lastCalledAt !== undefined ? { calledAt: t.lastCalledAt } : {}),
      nearAhead: phonePolicyOf(view.catalogue).nearAhead,
      sms: this.smsFor(t.id),
      ...(rateLink ? { rateUrl: `${this.options.publicBase()}${rateLink}` } : {}),
      cases,
      version: view.seq,
    };
  }

  private remember(id: string, state: PhoneTicket): Cached {
    const t = this.hall.view.tickets.get(id);
    const key = t ? this.keyOf(t, state.state === 'issued' ? { noWindowOpen: state.noWindowOpen } : undefined) : '';
    const entry: Cached = { state, key, frame: frame(state), seen: seenIn(state), basis: state.version };
    this.cache.set(id, entry);
    return entry;
  }

  /**
   * What a phone sees of a ticket that can change, as one short string: compared before anything is
   * built, so that a change in a line touches only the phones whose view of it changed.
   */
  private keyOf(t: Ticket, wait?: Pick<QueueWait, 'noWindowOpen'>): string {
    const view = this.hall.view;
    const after = t.state === 'done' || t.state === 'serving';
    const rated = after ? `${view.ratings.has(t.id)}|${view.ratingRequests.has(t.id)}|${this.casesOf(t.id).length}` : '';
    return `${t.serviceCode}|${t.state}|${wait ? `${wait.noWindowOpen}` : ''}|${t.window ?? ''}|${t.lastCalledAt ?? ''}|${this.hasPhone(t.id) ? 1 : 0}|${rated}`;
  }

  /**
   * The ticket as its phone would see it now, built and `changed` when the phone is to hear of it now:
   * a change of anything but the place and the wait, a move near the front, or any change when
   * `now` (the ticket itself moved, or a look at what was left for later). A change of the expected
   * wait alone, or of a place far back, is left for the look at the lazy ones within LAZY_MS: one
   * message, built once, for many services finished.
   */
  private update(t: Ticket, wait: QueueWait | undefined, basis: number, now: boolean): { state: PhoneTicket; changed: boolean } {
    const cached = this.cache.get(t.id);
    // The common case, a ticket further down a line that did not move for it: nothing to build.
    if (cached && wait && !now && cached.state.state === 'issued' && cached.state.serviceCode === t.serviceCode && sameSeen(cached.seen, wait)) {
      cached.departures = this.departures;
      cached.basis = basis;
      return { state: cached.state, changed: false };
    }
    const key = this.keyOf(t, wait);
    const told = cached?.state;
    const moved = told !== undefined && wait !== undefined && told.ahead !== wait.ahead && Math.min(told.ahead, wait.ahead) <= liveAhead(told);
    // Nothing the phone sees but its wait (or a far place) changed: noted, told with the others later
    // or, back to what the phone was told (a change left for later undone meanwhile), not at all.
    const backToTold = !wait || sameSeen(seenIn(told), wait);
    if (cached && cached.key === key && (backToTold || (!now && !moved))) {
      cached.seen = wait && seenOf(wait);
      cached.departures = this.departures;
      cached.basis = basis;
      if (backToTold) this.lazy.delete(t.id);
      else this.tellLater(t.id);
      return { state: cached.state, changed: false };
    }
    const next = this.build(t, wait);
    this.cache.set(t.id, { state: next, key, frame: frame(next), seen: wait && seenOf(wait), departures: this.departures, basis });
    return { state: next, changed: true };
  }

  /** A change of the wait alone (or of a far place): the phone is looked at again, and told, within LAZY_MS, with the others. */
  private tellLater(id: string): void {
    this.lazy.add(id);
    this.lazyTimer ??= setTimeout(() => {
      this.lazyTimer = undefined;
      const ids = this.lazy;
      this.lazy = new Set();
      this.safely(() => this.lookAgain(ids));
    }, LAZY_MS);
    this.lazyTimer.unref();
  }

  /** The ticket's cases of today, from the view's index (not a walk of every case: this runs at each look at a served ticket). */
  private casesOf(ticketId: string): string[] {
    return [...(this.hall.view.casesOfTicket.get(ticketId) ?? [])];
  }

  private tell(id: string, state: PhoneTicket): void {
    const streams = this.streams.get(id);
    if (streams) {
      const text = this.cache.get(id)?.frame ?? frame(state);
      for (const res of streams) this.write(res, text);
    }
    const polls = this.polls.get(id);
    if (polls) for (const p of [...polls]) if (state.version > p.after) p.done(state);
  }

  /** The ticket is no longer today's: its phones are told, and let go. */
  private gone(id: string): void {
    for (const res of this.streams.get(id) ?? []) res.end('event: gone\ndata: {}\n\n');
    for (const p of [...(this.polls.get(id) ?? [])]) p.done(undefined);
    this.cache.delete(id);
    this.targets.delete(id);
  }

  private forget(id: string): void {
    if (this.streams.has(id) || this.polls.has(id) || this.targets.has(id)) return;
    this.cache.delete(id);
  }

  private write(res: PhoneStream, text: string): void {
    if (res.writableEnded || res.destroyed) return;
    if (res.writableLength > MAX_UNREAD_BYTES) {
      res.destroy();
      return;
    }
    res.write(text);
  }

  private beat(): void {
    // A slice at a time, like a pass: a line to each of 3,000 streams at once is 3,000 system calls
    // in one turn of the event loop, which the terminals' commands would wait behind every 20 s.
    if (!this.beating) this.beatSlice([...this.streams.values()].flatMap((set) => [...set]), 0);
    // The expected waits move with the clock too (a service runs on), without any event.
    if (this.cache.size > 0) {
      this.linesMoved = true;
      this.schedule();
    }
  }

  /** The keep-alive lines from `from` on, for SLICE_MS; the rest at the next turn of the event loop. */
  private beatSlice(list: readonly PhoneStream[], from: number): void {
    this.beating = undefined;
    const until = performance.now() + SLICE_MS;
    let i = from;
    while (i < list.length) {
      this.write(list[i++]!, ':\n\n');
      if (performance.now() > until) break;
    }
    if (i < list.length) this.beating = setImmediate(() => this.safely(() => this.beatSlice(list, i)));
  }
}

function frame(state: PhoneTicket): string {
  return `id: ${state.version}\nevent: ticket\ndata: ${JSON.stringify(state)}\n\n`;
}
