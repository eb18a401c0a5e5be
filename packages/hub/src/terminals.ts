import { changed, extended, isConfigured, mayCommand, type Actor, type Case, type CaseGiven, type HallEvent, type HallSnapshot } from '@servicehall/core';
import {
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  TerminalMessageSchema,
  parseMessage,
  type Answer,
  type Hello,
  type HubMessage,
  type Question,
  type Reply,
} from '@servicehall/protocol';
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { GroupCommit } from './commit';
import type { HallTokenTerminals, Pairings, PairingRequest, TerminalCredentials } from './enrolment';
import { EventFanOut } from './fan-out';
import { epochProof } from './fencing';
import { Buckets, CommandRates, rateLimited, type HubLimits } from './limits';
import { continuesLog, type Lineage } from './lineage';
import { log } from './log';
import { opsText } from './ops-strings';
import { commandScope, type HallStore } from './store';
import { SnapshotCache } from './snapshots';
import { textFrame } from './ws-frame';

/** A terminal further behind than this gets a snapshot instead of the events it missed. */
export const MAX_CATCH_UP_EVENTS = 500;
/** A terminal that cannot keep up with this much unsent data is dropped; it reconnects and catches up. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/** How often the hub pings its linked terminals: a link silent since the last beat is dropped, and one whose credential ran out is shut out. */
const HEARTBEAT_MS = 15_000;
/**
 * How often the hub writes down that its linked terminals are heard now (最近联系 on the board and the Terminals page).
 * Written only at link and at goodbye before, a hub that crashed left a terminal that never came back as last heard
 * when it linked, perhaps hours before it went; now at most this much before.
 */
export const LAST_HEARD_MS = 60_000;
/**
 * A terminal gone this long ago still counts among those this hub serves (servedRecently): one whose
 * link is between two tries, or a PC restarting, is not left out; a PC switched off at lunch is.
 */
export const SERVED_RECENTLY_MS = 120_000;
/**
 * What a link may send in one message before it has said who it is: a hello, a pairing request or a
 * ping is under a few hundred bytes; a malformed message of some hundred KB still gets its answer (the
 * bad-input tests), but nobody may have the hub hold a 4 MB message per connection.
 */
export const MAX_MESSAGE_BEFORE_HELLO_BYTES = 1024 * 1024;

/**
 * ws takes one message size for the whole server (4 MB here, so that an oversized message gets an
 * answer) and copies it into each link's receiver, which checks every frame's declared length against
 * it as the frame's header arrives: a link that has not said hello gets a smaller one there, so that a
 * client on the hall's network cannot have the hub hold 4 MB of a message per connection.
 */
export function limitMessages(ws: WebSocket, bytes: number | undefined): number | undefined {
  const receiver = (ws as unknown as { _receiver?: { _maxPayload?: unknown } })._receiver;
  if (!receiver || typeof receiver._maxPayload !== 'number') return undefined;
  const before = receiver._maxPayload;
  if (bytes !== undefined) receiver._maxPayload = bytes;
  return before;
}

interface Session {
  ws: WebSocket;
  /** The connection under it, where messages framed once for many terminals are written as they are. */
  socket: Duplex;
  actor?: Actor;
  /** The credential the terminal said hello with (none for the hall token), and when it runs out. */
  credentialId?: string;
  credentialExpiresAt?: number;
  pairing?: PairingRequest;
  address?: string;
  since: number;
  subscribed: boolean;
  /** The last sequence number its view has (see EventFanOut). */
  told: number;
  alive: boolean;
  helloTimer?: NodeJS.Timeout;
  /** The server's message size, given back to the link once it has said hello (see limitMessages). */
  fullMessages?: number;
  /** The log the terminal's view came from, as its hello said. */
  log?: string;
  /** Commands in its outbox, as it last reported. */
  waiting?: number;
  /** Its hello said it tries the hall's other hub when refused or cut off here. */
  triesOtherHubs?: boolean;
}

/** A terminal on its link now, for the console's terminal list. */
export interface LinkedTerminal {
  terminal: string;
  role: string;
  window?: number;
  credentialId?: string;
  since: number;
  address?: string;
  /** Commands in its outbox, as it last reported. */
  waiting?: number;
}

/** Commands that record what the hall did while no hub answered (emergency mode): outside a terminal's pace of commands. */
const RECORDS_OF_THE_HALL_WITHOUT_A_HUB: ReadonlySet<string> = new Set(['recordEmergencyTicket', 'recordEmergencyCall']);

export interface TerminalLinks {
  count(): number;
  /** Who is linked now. */
  linked(): LinkedTerminal[];
  /** Closes the links of every credential revoked meanwhile, by whichever way (the console, an installer's POST /api/terminal-tokens replacing one). */
  dropRevoked(): void;
  /**
   * The terminals, by id, linked here now or within SERVED_RECENTLY_MS, that try the other hub when
   * they lose this one: those whose looks a standby counts before it takes charge (replication.ts).
   */
  servedRecently(): string[];
  /**
   * Whether window `window`'s rating pad was linked here and is off its link now, or is back and says its outbox
   * still holds commands: a press made in time may be among them, so the hub waits with the default level (housekeep).
   */
  padAway(window: number): boolean;
  close(): void;
}

export interface TerminalAccess {
  credentials: TerminalCredentials;
  /** The terminals that link with the hall token itself, remembered once heard (shown offline when they drop off). */
  hallToken: HallTokenTerminals;
  pairings: Pairings;
  /** Something changed in who is linked or waiting to pair (the console's terminal page listens). */
  changed(): void;
  clock: () => number;
  /** What one terminal may do: how long it may stay silent, how fast it may send (see DEFAULT_LIMITS). */
  limits: HubLimits;
  /** The identity of the hub's event log: a terminal whose view came from another takes a snapshot (by default the store's, which a promotion branches). */
  lineage?: Lineage;
  /**
   * A terminal (its token checked) came here looking for the hub in charge while this hub does not
   * take commands, saying whether it tries the other hub between its tries of this one: whether this
   * hub is in charge now.
   */
  lookedForHubInCharge?: (terminal: string, triesOtherHubs: boolean) => boolean;
  /** The least time between two writes of events to the terminals only looking on (FAN_OUT_GAP_MS by default). */
  fanOutGapMs?: number;
  /** How often the linked terminals' last heard is written down (LAST_HEARD_MS by default; a test's shorter). */
  lastHeardMs?: number;
  /** How often the hub pings its linked terminals (HEARTBEAT_MS by default; a test's shorter). */
  heartbeatMs?: number;
}

export function tokensMatch(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function actorOf(hello: Hello): Actor | string {
  switch (hello.role) {
    case 'kiosk':
    case 'display':
    case 'admin':
      return { role: hello.role, terminal: hello.terminal };
    case 'window':
    case 'rating-pad':
      if (hello.window === undefined) return `a ${hello.role} terminal must say its window number`;
      return { role: hello.role, terminal: hello.terminal, window: hello.window };
  }
}

/** Terminals that face citizens: they get numbers and states, never an applicant, a citizen's words or a staff note (H-19). */
export const isPublic = (actor: Actor | undefined) => actor?.role === 'kiosk' || actor?.role === 'display' || actor?.role === 'rating-pad';

/** An event as a public terminal may see it: the same fold, without names, ID numbers or free text. */
export function publicEvent(e: HallEvent): HallEvent {
  switch (e.type) {
    case 'case.recorded':
      return changed(e, { case: publicCase(e.case) });
    case 'case.amended':
      return changed(e, { case: publicCase(e.case), reason: '' });
    case 'rating.recorded': {
      const { text: _text, ...rating } = e.rating;
      return changed(e, { rating });
    }
    case 'rating.amended': {
      const { text: _text, ...amended } = e;
      return amended;
    }
    case 'followUp.advanced': {
      const { evidence: _evidence, ...advanced } = e;
      return changed(advanced, { note: '' });
    }
    case 'followUp.appealed':
      return changed(e, { reason: '' });
    case 'followUp.appealDecided':
      return changed(e, { note: '' });
    // What a complaint says and who made it, what a department noted and who signed for a result stay inside.
    case 'complaint.changed': {
      const { complainant: _c, sourceRef: _s, reply, closed, assigned, ...c } = e.complaint;
      return {
        ...e,
        complaint: {
          ...c,
          summary: '',
          history: c.history.map(({ note: _n, ...h }) => h),
          ...(reply ? { reply: { ...reply, text: '' } } : {}),
          ...(closed ? { closed: { ...closed, note: '' } } : {}),
          ...(assigned ? { assigned: { ...assigned, note: '' } } : {}),
        },
      };
    }
    case 'caseRoute.changed':
      return { ...e, route: { ...e.route, steps: e.route.steps.map((s) => ({ ...s, note: '' })) } };
    case 'delivery.recorded': {
      const { delivered, originals, ...d } = e.delivery;
      return {
        ...e,
        delivery: {
          ...d,
          ...(delivered ? { delivered: { at: delivered.at } } : {}),
          ...(originals ? { originals: { ...originals, signedBy: '' } } : {}),
        },
      };
    }
    default:
      return e;
  }
}

/** A case without its applicant and without the clerks' reasons for amending its outcome (a new case's event carries only what was decided). */
function publicCase<C extends Case | CaseGiven>({ applicant: _applicant, ...c }: C): Omit<C, 'applicant'> {
  return c.amendments ? extended(c, { amendments: c.amendments.map((a) => changed(a, { reason: '' })) }) : c;
}

/** The snapshot a terminal starts from: the supervisors' alerts are the console's (its own stream), however many stand. */
export function terminalSnapshot(s: HallSnapshot): HallSnapshot {
  return { ...s, alerts: [] };
}

export function publicSnapshot(s: HallSnapshot): HallSnapshot {
  return {
    ...s,
    cases: s.cases.map(publicCase),
    ratings: s.ratings.map(({ text: _text, ...r }) => r),
    followUps: s.followUps.map(({ appeal, ...f }) => ({ ...f, done: f.done.map(({ evidence: _evidence, ...d }) => ({ ...d, note: '' })), ...(appeal ? { appeal: { ...appeal, reason: '' } } : {}) })),
  };
}

/** The command id of a message that failed its schema, if it named one, so that the sender can match the refusal. */
function commandIdOf(text: string): string | undefined {
  try {
    const id = (JSON.parse(text) as { command?: { id?: unknown } })?.command?.id;
    return typeof id === 'string' && id.length > 0 && id.length <= 80 ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The terminals' WebSocket endpoint: a terminal says who it is with its token (within a few
 * seconds, or it is closed), gets a snapshot or the events it missed, then every new event as it is
 * appended (public terminals without personal data); its commands get answers, at its role's pace.
 * Whatever arrives, the answer is a message: nothing a terminal sends can stop the hub.
 */
export function serveTerminals(wss: WebSocketServer, store: HallStore, commits: GroupCommit, token: string, access: TerminalAccess): TerminalLinks {
  const { limits, clock } = access;
  const sessions = new Set<Session>();
  const rates = new CommandRates(limits.commands);
  const lineageNow = () => access.lineage ?? store.role.lineage;
  const notInCharge = (s: Session) => {
    send(s, { type: 'error', code: 'not-in-charge', message: 'this hub is not the one in charge of the hall: the terminal goes to the other hub' });
    s.ws.close(4003, 'not in charge');
  };
  // A hub that steps down sends its terminals to the one in charge.
  const stopRole = store.role.onChange(() => {
    if (!store.role.inCharge) for (const s of sessions) if (s.actor) notInCharge(s);
  });
  const messageRates = new Buckets(limits.messages);
  /** The proof of this hub's epoch its terminals are given with it (see epochProof), made once an epoch. */
  let proven = { epoch: 0, proof: '' };
  const proofNow = () => (proven.epoch === store.role.epoch ? proven : (proven = { epoch: store.role.epoch, proof: epochProof(token, store.role.epoch) })).proof;
  /** Terminals said in the log to have carried an epoch without its proof, once each. */
  const unproven = new Set<string>();
  /**
   * A terminal carries a higher epoch than this hub's: another hub took charge since, when the proof
   * that hub gave with it holds; without it (a forged epoch, or a terminal of a release before the
   * proofs) this hub stays as it is, and says so once per terminal.
   */
  const learnFrom = (terminal: string, epoch: number | undefined, proof: string | undefined) => {
    if (epoch === undefined || epoch <= store.role.epoch) return;
    if (proof !== undefined && tokensMatch(proof, epochProof(token, epoch))) return void store.role.learn(epoch, { 'zh-CN': `终端 ${terminal}`, en: `terminal ${terminal}` });
    if (unproven.has(terminal) || unproven.size >= 1_000) return;
    unproven.add(terminal);
    log.warn({ terminal, epoch, hubEpoch: store.role.epoch }, opsText('epochUnproven', { terminal, epoch, hubEpoch: store.role.epoch }));
  };
  /** Terminals that tried the other hub, by when their last link here closed (steady clock): see servedRecently. */
  const gone = new Map<string, number>();
  /** The windows whose rating pad's link closed, and it has not linked again since (see padAway). */
  const padsAway = new Set<number>();

  /** Whether a terminal may be written to now: its link is open and not so far behind that it is cut off (then it is). */
  const writable = (s: Session): boolean => {
    if (s.ws.readyState !== s.ws.OPEN) return false;
    if (s.ws.bufferedAmount <= MAX_BUFFERED_BYTES) return true;
    s.ws.terminate();
    return false;
  };

  /** A message, or one already written as UTF-8 for many terminals (sent as text all the same). */
  const send = (s: Session, message: HubMessage | Buffer) => {
    if (!writable(s)) return;
    if (Buffer.isBuffer(message)) s.ws.send(message, { binary: false });
    else s.ws.send(JSON.stringify(message));
  };

  /**
   * A message framed once for many terminals (a round of events), written to this one as it is:
   * the same bytes ws.send would write, without framing them again and corking the connection for
   * each terminal. The hub's sockets have no extension (no compression), so a frame's bytes are the
   * same for every terminal, and ws writes its own (answers, pings) on the same connection in order.
   */
  const writeFramed = (s: Session, frame: Buffer) => {
    if (writable(s)) s.socket.write(frame);
  };

  // A snapshot goes to every terminal that asks within a second as the same bytes, written once.
  const snapshots = new SnapshotCache(
    (open) => {
      const snapshot = terminalSnapshot(store.snapshot());
      return { type: 'snapshot', snapshot: open ? publicSnapshot(snapshot) : snapshot } satisfies HubMessage;
    },
    () => ({ view: store.view, seq: store.seq }),
    { maxBehind: MAX_CATCH_UP_EVENTS / 2 },
  );

  /**
   * Terminals that linked while a batch was on its way to the disk, and the sequence each said it
   * had: they are caught up once it is there (a snapshot holds the hall as it is in memory, and after
   * a power cut meanwhile the hub would come back without that batch).
   */
  const waitingForDisk = new Map<Session, number | undefined>();

  // The events go to the terminals that sent their commands at once, to the others at most every few
  // milliseconds; each message as the same bytes for every terminal, written once.
  const fanOut = new EventFanOut<Session>({
    terminals: () => sessions,
    write: writeFramed,
    encode: textFrame,
    isPublic: (s) => isPublic(s.actor),
    publicEvents: (events) => events.map(publicEvent),
    gapMs: access.fanOutGapMs,
  });
  const unsubscribe = store.onEvents((events) => {
    fanOut.told(events);
    if (waitingForDisk.size > 0 && store.durableSeq === store.seq)
      for (const [s, since] of [...waitingForDisk]) {
        waitingForDisk.delete(s);
        if (sessions.has(s) && s.ws.readyState === s.ws.OPEN) catchUp(s, since);
      }
  });

  /** A command's answer; its events follow at once (the terminal's client holds the answer until its view has them). */
  const answered = (s: Session, commandId: string, answer: Answer) => {
    send(s, { type: 'answer', commandId, answer, epoch: store.role.epoch, epochProof: proofNow() });
    if (answer.ok) fanOut.answered(s, answer.seq);
  };

  const sendEventsSince = (s: Session, since: number, open: boolean) => {
    const events = store.durableEventsSince(since, MAX_CATCH_UP_EVENTS);
    send(s, { type: 'events', events: open ? events.map(publicEvent) : events });
  };

  const catchUp = (s: Session, since: number | undefined) => {
    if (store.durableSeq < store.seq) {
      waitingForDisk.set(s, since);
      return;
    }
    const seq = store.seq;
    const open = isPublic(s.actor);
    const lineage = lineageNow();
    const sameHistory = !lineage || since === undefined || continuesLog(lineage, s.log, since);
    if (since === undefined || !sameHistory || since > seq || seq - since > MAX_CATCH_UP_EVENTS) {
      const snapshot = snapshots.get(open);
      send(s, snapshot.bytes);
      if (snapshot.seq < seq) sendEventsSince(s, snapshot.seq, open);
    } else if (since < seq) sendEventsSince(s, since, open);
    // From here on the terminal's view is of this hub's log.
    s.log = lineage?.log;
    s.subscribed = true;
    fanOut.startsAt(s, seq);
  };


  const answer = (question: Question, actor: Actor): Omit<Extract<Reply, { ok: true }>, 'type' | 'id'> | Omit<Extract<Reply, { ok: false }>, 'type' | 'id'> => {
    switch (question.kind) {
      case 'ratingLink': {
        const r = store.ratingLinkFor(actor, question.ticketId);
        return r.ok ? { ok: true, value: { link: r.link } } : { ok: false, code: r.code, message: r.message };
      }
      case 'caseProgress': {
        const p = store.caseProgress(question.caseNumber);
        return p ? { ok: true, value: { ...p } } : { ok: false, code: 'not-found', message: `there is no case ${question.caseNumber}` };
      }
      case 'ticketByRef': {
        const t = store.refs.ticket(question.ref);
        return t ? { ok: true, value: { ticketId: t.id } } : { ok: false, code: 'not-found', message: 'no ticket of today has this reference' };
      }
    }
  };

  /** Its credential ended (revoked, or its time ran out while linked): the terminal is told, as at a hello, to enrol again, and its link closes. */
  const shutOut = (s: Session, why: 'revoked' | 'expired') => {
    send(s, { type: 'error', code: 'unauthorised', message: why === 'revoked' ? 'this terminal’s credential was revoked: enrol it again' : 'this terminal’s credential has expired: enrol it again' });
    s.credentialExpiresAt = undefined;
    s.ws.close();
  };
  const expired = (s: Session, now: number) => s.credentialExpiresAt !== undefined && s.credentialExpiresAt <= now;
  /** Its last heard written down (最近联系): by its credential, or, linked with the hall token itself, as a remembered terminal; the console's own link is neither. */
  const heard = (s: Session, now: number) => {
    if (s.credentialId) access.credentials.seen(s.credentialId, now);
    else if (s.actor && s.actor.role !== 'admin') access.hallToken.seen(s.actor, now);
  };

  const onMessage = (s: Session, text: string) => {
    // Checked at hello only, a credential that ran out on an open link would work until the terminal linked again.
    if (expired(s, access.clock())) return shutOut(s, 'expired');
    const parsed = parseMessage(TerminalMessageSchema, text);
    if (!parsed.ok) {
      const commandId = commandIdOf(text);
      return send(s, { type: 'error', code: 'bad-request', message: parsed.message, ...(commandId ? { commandId } : {}) });
    }
    const message = parsed.value;
    switch (message.type) {
      case 'hello': {
        // A terminal says who it is once, when it links: another hello would be checked, written down and answered with the hall again.
        if (s.actor) return send(s, { type: 'error', code: 'bad-request', message: 'this link has said hello already: a terminal says it once, when it links' });
        const actor = actorOf(message);
        if (typeof actor === 'string') return send(s, { type: 'error', code: 'bad-request', message: actor });
        // The hall token opens any role; a terminal's credential only the identity it was enrolled as.
        const now = access.clock();
        if (!tokensMatch(message.token, token)) {
          const check = message.role === 'admin' ? undefined : access.credentials.verify(message.token, { role: message.role, terminal: message.terminal, window: message.window }, now);
          if (!check?.ok) {
            const why = check && !check.ok && check.reason !== 'unknown' ? ` (${check.reason === 'other-terminal' ? 'it belongs to another terminal' : `it is ${check.reason}`})` : '';
            return send(s, { type: 'error', code: 'unauthorised', message: `the token is neither this hall’s nor this terminal’s${why}: enrol the terminal again` });
          }
          s.credentialId = check.credential.id;
          s.credentialExpiresAt = check.credential.expiresAt;
          access.credentials.seen(check.credential.id, now, { version: message.version, address: s.address });
        }
        // A terminal that saw a higher epoch has been with a hub promoted since: this one is fenced.
        learnFrom(message.terminal, message.epoch, message.epochProof);
        if (!store.role.inCharge && !access.lookedForHubInCharge?.(message.terminal, message.triesOtherHubs === true)) return notInCharge(s);
        if (!isConfigured(store.view.catalogue) && message.role !== 'admin')
          return send(s, { type: 'error', code: 'unconfigured', message: 'the hall is not set up yet: an administrator sets it up in the console (/console)' });
        s.actor = actor;
        if (actor.role === 'rating-pad') padsAway.delete(actor.window);
        if (!s.credentialId && actor.role !== 'admin') access.hallToken.seen(actor, now);
        clearTimeout(s.helloTimer);
        limitMessages(s.ws, s.fullMessages);
        access.changed();
        s.log = message.log;
        s.waiting = message.waiting;
        if (message.triesOtherHubs) s.triesOtherHubs = true;
        send(s, {
          type: 'welcome',
          protocol: PROTOCOL_VERSION,
          terminal: message.terminal,
          role: message.role,
          seq: store.seq,
          // The hub's clock: terminals say in it when they made each command (see retention).
          hubTime: store.now(),
          log: lineageNow().log,
          epoch: store.role.epoch,
          epochProof: proofNow(),
        });
        return catchUp(s, message.since);
      }
      case 'pair': {
        if (s.actor) return send(s, { type: 'error', code: 'bad-request', message: 'this link is enrolled already' });
        if ((message.role === 'window' || message.role === 'rating-pad') && message.window === undefined)
          return send(s, { type: 'error', code: 'bad-request', message: `a ${message.role} terminal must say its window number` });
        if (s.pairing) access.pairings.withdraw(s.pairing);
        const request = access.pairings.request({
          role: message.role,
          terminal: message.terminal,
          ...(message.window !== undefined ? { window: message.window } : {}),
          at: access.clock(),
          ...(s.address ? { address: s.address } : {}),
          ...(message.version ? { version: message.version } : {}),
          deliver: (credentialToken, credential) => {
            s.pairing = undefined;
            send(s, { type: 'paired', token: credentialToken, role: credential.role, terminal: credential.terminal, window: credential.window, expiresAt: credential.expiresAt });
          },
        });
        s.pairing = request;
        // A terminal waiting for its administrator may wait while its code is good (it asks again before
        // the code runs out); a link that stops asking is closed like one that never said hello.
        clearTimeout(s.helloTimer);
        s.helloTimer = setTimeout(() => closeSilent(s, 'no new pairing request before the code ran out'), Math.max(0, request.expiresAt - access.clock()) + limits.helloTimeoutMs);
        s.helloTimer.unref();
        access.changed();
        return send(s, { type: 'pairing', code: request.code, expiresAt: request.expiresAt, hubTime: request.at, timeZone: store.view.catalogue.hall.timeZone });
      }
      case 'subscribe':
        if (!s.actor) return send(s, { type: 'error', code: 'unauthorised', message: 'say hello with the hall token first' });
        return catchUp(s, message.since);
      case 'ping':
        if (message.waiting !== undefined) s.waiting = message.waiting;
        return send(s, { type: 'pong', t: message.t, hubTime: store.now() });
      case 'ask': {
        if (!s.actor) return send(s, { type: 'reply', id: message.id, ok: false, code: 'unauthorised', message: 'say hello with the hall token first' });
        const wait = rates.take(s.actor.role, commandScope(s.actor), clock());
        if (wait > 0) return send(s, { type: 'reply', id: message.id, ...rateLimited(wait) });
        return send(s, { type: 'reply', id: message.id, ...answer(message.question, s.actor) } as Reply);
      }
      case 'command': {
        const command = message.command;
        if (!s.actor) return send(s, { type: 'error', code: 'unauthorised', message: 'say hello with the hall token first', commandId: command.id });
        learnFrom(s.actor.terminal, message.epoch, message.epochProof);
        if (!mayCommand(s.actor, command))
          return send(s, {
            type: 'answer',
            commandId: command.id,
            answer: { ok: false, code: 'forbidden', message: `a ${s.actor.role} terminal may not ${command.type}` },
          });
        // Beyond its role's pace a terminal is refused at once; the refusal is not stored, and the same id may come again later.
        // What the hall did while no hub answered (the numbers a kiosk gave from its leases, the calls a window typed) is a
        // record, not a request: a kiosk back after half an hour brings a hundred of them at once, and at a press's pace its
        // citizens' next presses would wait behind them. They are bounded by the leases and by the link's messages.
        const wait = RECORDS_OF_THE_HALL_WITHOUT_A_HUB.has(command.type) ? 0 : rates.take(s.actor.role, commandScope(s.actor), clock());
        if (wait > 0) return send(s, { type: 'answer', commandId: command.id, answer: rateLimited(wait) });
        if (command.type === 'signIn') {
          const actor = s.actor;
          void store
            .executeAsync(command, actor)
            .then((r) => r.answer)
            .catch((error): Answer => {
              log.error({ err: error, terminal: actor.terminal }, opsText('signInFailed', { terminal: actor.terminal }));
              return { ok: false, code: 'internal', message: 'the hub could not check this sign-in; it is safe to try again' };
            })
            .then((a) => answered(s, command.id, a));
          return;
        }
        // Commands that arrive in the same turn of the event loop are committed together, with the HTTP API's (group commit).
        void commits.submit(command, s.actor).then(({ answer }) => answered(s, command.id, answer));
        return;
      }
    }
  };

  /** Closes a link that has not said who it is (nor is waiting to be enrolled), with the reason. */
  const closeSilent = (s: Session, why: string) => {
    if (s.actor) return;
    send(s, { type: 'error', code: 'unauthorised', message: `${why}: closing` });
    s.ws.close(4001, 'no hello');
    setTimeout(() => s.ws.terminate(), 1000).unref();
  };

  let nextConnection = 0;
  wss.on('connection', (ws, req: IncomingMessage) => {
    const s: Session = { ws, socket: req.socket, subscribed: false, told: 0, alive: true, since: Date.now(), ...(req.socket.remoteAddress ? { address: req.socket.remoteAddress } : {}) };
    const connection = `c${++nextConnection}`;
    sessions.add(s);
    const full = limitMessages(ws, MAX_MESSAGE_BEFORE_HELLO_BYTES);
    if (full !== undefined) s.fullMessages = full;
    // A socket that never says who it is holds a place for nothing: it is closed after a few seconds.
    s.helloTimer = setTimeout(() => closeSilent(s, `no hello with a valid token within ${Math.round(limits.helloTimeoutMs / 1000)} s`), limits.helloTimeoutMs);
    s.helloTimer.unref();
    ws.on('pong', () => (s.alive = true));
    ws.on('message', (data, isBinary) => {
      if (messageRates.take(connection, clock()) > 0) {
        send(s, { type: 'error', code: 'rate-limited', message: 'too many messages on this connection: closing; reconnect and send fewer' });
        ws.close(1008, 'too many messages');
        return;
      }
      if (isBinary) return send(s, { type: 'error', code: 'bad-request', message: 'messages are JSON text' });
      const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
      // Were ws's receiver ever to keep its limit elsewhere, a whole message too large still closes a link that has not said hello.
      if (!s.actor && size > MAX_MESSAGE_BEFORE_HELLO_BYTES) return void ws.close(1009, 'too large before hello');
      if (size > MAX_MESSAGE_BYTES) return send(s, { type: 'error', code: 'too-large', message: `a message may hold at most ${MAX_MESSAGE_BYTES} bytes` });
      try {
        onMessage(s, data.toString());
      } catch (error) {
        log.error({ err: error, terminal: s.actor?.terminal }, opsText('terminalMessageFailed', { terminal: s.actor?.terminal ?? { 'zh-CN': '尚未表明身份', en: 'not yet known' } }));
        send(s, { type: 'error', code: 'internal', message: 'the hub could not handle this message' });
      }
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      clearTimeout(s.helloTimer);
      sessions.delete(s);
      fanOut.forget(s);
      waitingForDisk.delete(s);
      if (s.pairing) access.pairings.withdraw(s.pairing);
      heard(s, access.clock());
      if (s.actor && s.triesOtherHubs) gone.set(s.actor.terminal, performance.now());
      if (s.actor?.role === 'rating-pad') padsAway.add(s.actor.window);
      if (s.actor || s.pairing) access.changed();
    });
  });

  const heartbeat = setInterval(() => {
    const now = access.clock();
    for (const s of sessions) {
      // A terminal that sends nothing (a display looking on) hears of its credential's end at the beat.
      if (expired(s, now)) {
        shutOut(s, 'expired');
        continue;
      }
      if (!s.alive) {
        s.ws.terminate();
        continue;
      }
      s.alive = false;
      s.ws.ping();
    }
  }, access.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref();

  // The linked terminals heard now, all in one transaction. A full disk (said by the store as such) is not tried; a write
  // that fails otherwise (a disk gone read-only) is said once until one succeeds, and the hall goes on.
  let heardNotKeptSaid = false;
  const keepHeard = () => {
    const linked = [...sessions].filter((s) => s.actor && (s.credentialId || s.actor.role !== 'admin'));
    if (linked.length === 0 || store.isDiskFull) return;
    const now = clock();
    try {
      store.withTransaction(() => {
        for (const s of linked) heard(s, now);
      });
      heardNotKeptSaid = false;
    } catch (error) {
      if (!heardNotKeptSaid) log.error({ err: error }, opsText('heardNotKept', { problem: (error as { code?: string }).code ?? (error as Error).message }));
      heardNotKeptSaid = true;
    }
  };
  const heardBeat = setInterval(keepHeard, access.lastHeardMs ?? LAST_HEARD_MS);
  heardBeat.unref();

  return {
    count: () => sessions.size,
    linked: () =>
      [...sessions]
        .filter((s) => s.actor)
        .map((s) => ({
          terminal: s.actor!.terminal,
          role: s.actor!.role,
          ...('window' in s.actor! ? { window: s.actor!.window } : {}),
          ...(s.credentialId ? { credentialId: s.credentialId } : {}),
          since: s.since,
          ...(s.address ? { address: s.address } : {}),
          ...(s.waiting !== undefined ? { waiting: s.waiting } : {}),
        })),
    servedRecently() {
      const now = performance.now();
      for (const [terminal, at] of gone) if (now - at > SERVED_RECENTLY_MS) gone.delete(terminal);
      const served = new Set(gone.keys());
      for (const s of sessions) if (s.actor && s.triesOtherHubs) served.add(s.actor.terminal);
      return [...served].sort();
    },
    padAway(window) {
      let linked = false;
      // Linked again, it still says its outbox holds commands (at hello, then at each heartbeat): they are on their way.
      for (const s of sessions)
        if (s.actor?.role === 'rating-pad' && s.actor.window === window) {
          if (s.waiting) return true;
          linked = true;
        }
      return !linked && padsAway.has(window);
    },
    dropRevoked() {
      for (const s of sessions)
        if (s.credentialId && access.credentials.get(s.credentialId)?.revokedAt !== undefined) shutOut(s, 'revoked');
    },
    close() {
      clearInterval(heartbeat);
      clearInterval(heardBeat);
      stopRole();
      unsubscribe();
      fanOut.close();
      snapshots.clear();
      for (const s of sessions) {
        clearTimeout(s.helloTimer);
        s.ws.terminate();
      }
    },
  };
}
