/**
 * The phones' own process: the streams of the phones following their tickets (watchTicket), served
 * beside the hub so that thousands of them do not hold the terminals' commands on the hub's thread.
 * The hub forks it (phone/streams.ts), feeds it the hall's view and then every event once it is on
 * the disk, as a display follows the hall, and hands it each phone's connection once the hub has
 * checked the request (the ticket's reference, the rate limits). Its view is the hub's, a few
 * milliseconds later; it never writes the hall's database and sends no SMS (the hub does both).
 */
import { fromSnapshot, publicBaseOf, type HallView } from '@servicehall/core';
import type { Socket } from 'node:net';
import { LinkSigner } from '../links';
import { configureLog, log } from '../log';
import { opsText } from '../ops-strings';
import { FollowedHall } from './followed-hall';
import type { FromPhones, ToPhones } from './streams';
import { STREAM_HEADERS, TicketWatch } from './watch';

/** A stream handed over before this process's view has reached the hub's (its events are still being flushed) waits at most this long. */
const CATCH_UP_MS = 2000;

const send = (message: FromPhones) => {
  if (process.connected) process.send!(message);
};

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

/** A new day: yesterday's tickets' SMS flags go. */
function forgetPast(followed: FollowedHall): void {
  for (const id of sms.keys()) if (!followed.view.tickets.has(id)) sms.delete(id);
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
  hall = new FollowedHall(view, links, () => send({ kind: 'resync' }));
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
    // Not in this process's view even after CATCH_UP_MS: the connection is dropped, not answered, so
    // that the phone's EventSource asks again (it gives up on an error status) and the hub answers it.
    w.socket.destroy();
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
  // A phone's stream sends nothing after its request: anything it does is read and dropped, so that its close is heard.
  socket.resume();
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
    case 'ping':
      send({ kind: 'pong', n: message.n });
      return;
    case 'close':
      for (const w of waiting) {
        clearTimeout(w.timer);
        w.socket.destroy();
      }
      waiting.clear();
      watch?.close();
      // Not in this turn: messages that came before this process listened (a hub stopped as it
      // started) are handed to the listener in one loop of Node's, which fails if the channel is
      // gone when it ends (Node 20's child_process: "Cannot set properties of null").
      setImmediate(() => {
        if (process.connected) process.disconnect();
      });
      return;
  }
}

// This process's log lines go to the hub's log.
await configureLog({ level: process.env.SERVICEHALL_LOG_LEVEL, destination: { write: (line: string) => send({ kind: 'log', line }) } });
process.on('message', (message: ToPhones, socket: Socket | undefined) => {
  try {
    handle(message, socket);
  } catch (error) {
    log.error({ err: error }, opsText('phonesMessageFailed', { kind: message.kind }));
    socket?.destroy();
  }
});
// The hub gone (stopped, crashed): so is this process; its phones ask again and reach the hub that starts next.
process.on('disconnect', () => process.exit(0));
send({ kind: 'hello' });
