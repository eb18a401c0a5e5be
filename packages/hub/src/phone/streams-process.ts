/**
 * The phones' own process: the streams of the phones following their tickets (watchTicket), served
 * beside the hub so that thousands of them do not hold the terminals' commands on the hub's thread.
 * The hub forks it (phone/streams.ts), feeds it the hall's view and then every event once it is on
 * the disk, as a display follows the hall, and hands it each phone's connection once the hub has
 * checked the request (the ticket's reference, the rate limits). Its view is the hub's, a few
 * milliseconds later; it never writes the hall's database and sends no SMS (the hub does both).
 */
import { applyEvent, fromSnapshot, publicBaseOf, type HallEvent, type HallView } from '@servicehall/core';
import type { Socket } from 'node:net';
import { LinkSigner } from '../links';
import { configureLog, log } from '../log';
import { SharedWaits } from '../waits';
import type { FromPhones, ToPhones } from './streams';
import { STREAM_HEADERS, TicketWatch, type WatchedHall } from './watch';

/** A stream handed over before this process's view has reached the hub's (its events are still being flushed) waits at most this long. */
const CATCH_UP_MS = 2000;

const send = (message: FromPhones) => {
  if (process.connected) process.send!(message);
};

/** The hub's view, followed: a snapshot, then each batch of events in order (a gap asks for a snapshot again). */
class FollowedHall implements WatchedHall {
  view: HallView;
  readonly refs: { ofTicket(id: string): string };
  private readonly listeners = new Set<(events: readonly HallEvent[]) => void>();
  private readonly shared = new SharedWaits(() => this.view);
  private resyncing = false;

  constructor(
    view: HallView,
    private readonly links: LinkSigner,
  ) {
    this.view = view;
    this.refs = { ofTicket: (id) => this.refOf.get(id) ?? this.refOf.set(id, links.ref('ticket', id)).get(id)! };
  }

  /** The public references of the tickets followed today (an HMAC each, told at every change of their phones' state). */
  private readonly refOf = new Map<string, string>();

  /** What this process keeps for each followed ticket goes with the day: tickets no longer in the view are forgotten. */
  forgetPast(keep: (ticketId: string) => boolean): void {
    for (const id of this.refOf.keys()) if (!keep(id)) this.refOf.delete(id);
  }

  onEvents(listener: (events: readonly HallEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  waits(now: number) {
    return this.shared.at(now);
  }

  ratingLink(ticketId: string): string | undefined {
    return this.links.ratingPath(this.view, ticketId);
  }

  replace(view: HallView): void {
    this.view = view;
    this.resyncing = false;
  }

  apply(events: readonly HallEvent[]): void {
    if (this.resyncing) return;
    const applied: HallEvent[] = [];
    try {
      for (const e of events) {
        if (e.seq <= this.view.seq) continue;
        if (e.seq !== this.view.seq + 1) throw new Error(`event ${e.seq} after ${this.view.seq}`);
        applyEvent(this.view, e);
        this.shared.note(e);
        applied.push(e);
      }
    } catch (error) {
      // Never a guess at what was missed: the hub sends its view again.
      log.warn({ err: error }, "the phones' copy of the hall is out of step; asking the hub for its view");
      this.resyncing = true;
      send({ kind: 'resync' });
    }
    if (applied.length > 0) for (const listener of this.listeners) listener(applied);
  }
}

interface Waiting {
  id: number;
  ticketId: string;
  seq: number;
  socket: Socket;
  timer: NodeJS.Timeout;
}

let hall: FollowedHall | undefined;
let watch: TicketWatch | undefined;
let links: LinkSigner | undefined;
let ownUrl = '';
let heartbeatMs: number | undefined;
/** Whether each followed ticket's holder gets the SMS, as the hub said when it handed the stream over. */
const sms = new Map<string, boolean>();
/** Streams handed over before this process's view reached the hub's at that moment. */
const waiting = new Set<Waiting>();

/** A new day: yesterday's tickets' references and SMS flags go. */
function forgetPast(followed: FollowedHall): void {
  const today = (id: string) => followed.view.tickets.has(id);
  followed.forgetPast(today);
  for (const id of sms.keys()) if (!today(id)) sms.delete(id);
}

function startWatch(view: HallView): void {
  if (!links) return;
  if (hall && watch) {
    hall.replace(view);
    forgetPast(hall);
    // Events were missed, or the hub read its view again: every followed ticket is looked at again.
    watch.hallReplaced();
    return;
  }
  hall = new FollowedHall(view, links);
  const followed = hall;
  watch = new TicketWatch(followed, undefined, {
    publicBase: () => publicBaseOf(followed.view.catalogue.hall.publicUrl) ?? ownUrl,
    clock: Date.now,
    ...(heartbeatMs ? { heartbeatMs } : {}),
    smsOf: (ticketId) => sms.get(ticketId) ?? false,
    callsAtOnce: true,
  });
}

/** The phone's answer begins here: the hub read its request and wrote nothing. */
function open(socket: Socket): void {
  const head = Object.entries({ ...STREAM_HEADERS, connection: 'close' })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.setNoDelay(true);
  socket.write(`HTTP/1.1 200 OK\r\n${head}\r\n`);
}

function serve(w: Omit<Waiting, 'timer' | 'seq'>): void {
  if (w.socket.destroyed) return;
  const ticket = hall?.view.tickets.get(w.ticketId);
  if (!watch || !ticket) {
    // Not today's any more, or not in this process's view: the phone asks again (EventSource retries) and the hub answers.
    w.socket.end('HTTP/1.1 503 Service Unavailable\r\nretry-after: 3\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    return;
  }
  open(w.socket);
  watch.stream(ticket, w.socket);
}

function serveCaughtUp(): void {
  for (const w of waiting)
    if (hall && hall.view.seq >= w.seq) {
      waiting.delete(w);
      clearTimeout(w.timer);
      serve(w);
    }
}

function handOver(message: Extract<ToPhones, { kind: 'watch' }>, socket: Socket | undefined): void {
  if (!socket) return;
  const { id, ticketId, seq } = message;
  sms.set(ticketId, message.sms);
  // A phone gone (reset, closed) is forgotten; it never stops the process.
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    for (const w of waiting)
      if (w.socket === socket) {
        waiting.delete(w);
        clearTimeout(w.timer);
      }
    send({ kind: 'closed', id });
  });
  if (hall && hall.view.seq >= seq) return serve({ id, ticketId, socket });
  const w: Waiting = {
    id,
    ticketId,
    seq,
    socket,
    timer: setTimeout(() => {
      waiting.delete(w);
      serve(w);
    }, CATCH_UP_MS),
  };
  waiting.add(w);
}

function handle(message: ToPhones, socket: Socket | undefined): void {
  switch (message.kind) {
    case 'start':
      links = new LinkSigner(Buffer.from(message.linksKey, 'hex'));
      ownUrl = message.ownUrl;
      heartbeatMs = message.heartbeatMs;
      return;
    case 'view':
      startWatch(fromSnapshot(message.snapshot));
      send({ kind: 'ready', seq: hall!.view.seq });
      serveCaughtUp();
      return;
    case 'events':
      hall?.apply(message.events);
      if (hall && message.events.some((e) => e.type === 'day.opened')) forgetPast(hall);
      serveCaughtUp();
      return;
    case 'watch':
      return handOver(message, socket);
    case 'close':
      for (const w of waiting) {
        clearTimeout(w.timer);
        w.socket.destroy();
      }
      waiting.clear();
      watch?.close();
      process.disconnect();
      return;
  }
}

// This process's log lines go to the hub's log.
await configureLog({ level: process.env.SERVICEHALL_LOG_LEVEL, destination: { write: (line: string) => send({ kind: 'log', line }) } });
process.on('message', (message: ToPhones, socket: Socket | undefined) => {
  try {
    handle(message, socket);
  } catch (error) {
    log.error({ err: error }, `the phones' process could not handle a ${message.kind} message`);
    socket?.destroy();
  }
});
// The hub gone (stopped, crashed): so is this process; its phones ask again and reach the hub that starts next.
process.on('disconnect', () => process.exit(0));
send({ kind: 'hello' });
