import { applyEvent, commandBody, fromSnapshot, HubOffset, OutOfStep, type Command, type CommandBody, type HallEvent, type HallView } from '@servicehall/core';
import { HubMessageSchema, PROTOCOL_VERSION, newCommandId, parseMessage, type Answer, type ConnectionState, type HubMessage, type Question, type Reply, type Role } from '@servicehall/protocol';

export type { ConnectionState };
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import WebSocket from 'ws';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { Outbox } from './outbox';

export interface HallClientOptions {
  /** The hub's terminal endpoint, ws://host:port/ws */
  url: string;
  /**
   * The hall's other hubs (its standby), by the same kind of address: the terminal goes from one to
   * the next until it finds the one in charge, and carries the highest epoch it has seen (fencing).
   */
  standbyUrls?: string[];
  token: string;
  role: Role;
  /** This terminal's stable id, e.g. kiosk-1 */
  terminal: string;
  window?: number;
  /** Where the outbox is kept; without it, commands wait in memory only. */
  outboxFile?: string;
  backoff?: BackoffPolicy;
  /** After this long without the hub, the state says offline rather than reconnecting. */
  offlineAfterMs?: number;
  /** A link silent this long is taken for dead and made again (by `steady`: a PC's clock set forward drops no link). */
  silenceMs?: number;
  /** The PC's own clock (the link state's `since`, the hall's time before any hub answered). */
  clock?: () => number;
  /**
   * A clock that runs on whatever the PC's clock is set to (performance.now() by default): silence, round trips
   * and the hall's time between pongs are counted by it, so that Windows time sync or an installer putting the
   * PC's clock right by minutes or hours neither drops a healthy link nor moves the hall's time.
   */
  steady?: () => number;
  random?: () => number;
  log?: (message: string) => void;
  /** The terminal software's version, told to the hub in hello. */
  version?: string;
  /** A view this terminal kept from before (say, across its own restart); it resumes from its sequence. */
  initialView?: HallView;
  /** The hall's CA certificate (PEM): with wss://, the only authority this terminal trusts for the hub. */
  ca?: string;
  /** Allows ws:// (no TLS) to a hub that is not on this machine: tokens and PINs then cross the network in clear. */
  allowInsecure?: boolean;
  /** How long a command the hub could not record just now (its disk full, or it stopping) waits before it goes again: 5 s, the hub's own retry on a full disk. */
  recordRetryMs?: number;
  /** The event log that view came from (`viewLog` when it was kept), so that a hub restored from a backup can tell. */
  initialLog?: string;
}

/** Loopback hosts, where ws:// never leaves the machine. */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Why a hub address may not be used as given, in Chinese for the hall's staff and in English for the installer (a
 * terminal's start problem, as its configuration's are), or undefined when it may. Names the terminal's settings.
 */
export function insecureHubProblem(url: string, allowInsecure = false): { zh: string; en: string } | undefined {
  if (url.startsWith('ws://') && !isLoopbackUrl(url) && !allowInsecure)
    return {
      zh: '主机在另一台机器上，ws:// 不加密：请把 hubUrl 改为 wss:// 地址，并用 hubCa 指定大厅 CA 证书（npm run hub -- init-tls 生成的 ca.crt）；只有在无他人使用的专用网络上，才可把 allowInsecure 设为 true，那样令牌和 PIN 会以明文在网络上传输',
      en: "the hub is on another machine: use wss:// with the hall CA (a wss:// hubUrl, and hubCa: the ca.crt from `npm run hub -- init-tls`), or set allowInsecure to true on a private network nobody else uses, since tokens and PINs would cross it in clear",
    };
  return undefined;
}

/** Whether two commands ask the same, whenever each was made (as the hub compares a retry). */
function sameCommand(a: Command, b: Command): boolean {
  return a.id === b.id && isDeepStrictEqual(commandBody(a), commandBody(b));
}

/**
 * Commands written to the hub and not yet answered, at most: an outbox of hundreds (a kiosk's numbers given out
 * while the hub was away) goes at the hub's pace, under its allowance of messages and of commands at once.
 */
const MAX_IN_FLIGHT = 16;

/** How long a terminal that asked for the events after a gap waits for them before asking again. */
const RESYNC_AGAIN_MS = 5_000;

export type AskResult = { ok: true; value: Record<string, unknown> } | { ok: false; code: string; message: string };

export type ClientChange =
  | { kind: 'state'; state: ConnectionState }
  | { kind: 'view'; view: HallView; events: HallEvent[]; snapshot: boolean };

/**
 * A terminal's side of the link to the hub: connect, say who it is, hold a view of the hall that
 * follows the hub's event log (a gap means ask again, never guess), reconnect with backoff and
 * jitter, and keep commands made while the hub is away in an outbox until they are answered.
 */
export class HallClient {
  view: HallView | undefined;
  state: ConnectionState;
  private ws: WebSocket | undefined;
  private readonly asking = new Map<string, (r: AskResult) => void>();
  private readonly outbox: Outbox;
  private readonly pending = new Map<string, ((a: Answer) => void)[]>();
  private readonly listeners = new Set<(c: ClientChange) => void>();
  private attempt = 0;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private offlineTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  /** When the hub was last heard, and the hello sent, by the steady clock. */
  private lastHeard = 0;
  private helloAt = 0;
  /**
   * The hub's clock less the steady clock, as of the welcome and then the heartbeat's pongs (none before the hub
   * first answered): commands say when they were made in the hub's time, and a PC whose clock drifts or is set by
   * hand keeps the hall's time.
   */
  private readonly hubOffset = new HubOffset();
  private resyncing = false;
  /** Commands written on this link and not answered yet (see MAX_IN_FLIGHT). */
  private readonly inFlight = new Set<string>();
  /** Commands the hub refused for the pace (rate-limited), by when it takes them again (steady clock): they stay in the outbox. */
  private readonly held = new Map<string, number>();
  private heldTimer: NodeJS.Timeout | undefined;
  /** Commands a person waits for at the screen (sendNow): they hear a refusal at once, whatever it is. */
  private readonly watched = new Set<string>();
  /** The last ask for the events after a gap (see resync), by the steady clock. */
  private asked: { since: number; at: number } | undefined;
  /** The event log of the hub now linked (its welcome says), and the one this view was built from. */
  private hubLog: string | undefined;
  private viewLogId: string | undefined;
  private readonly clock: () => number;
  private readonly steady: () => number;
  private readonly random: () => number;
  private readonly backoff: BackoffPolicy;
  /** The hall's hubs, the one tried now, and the highest epoch heard from any (see standbyUrls). */
  private readonly hubs: string[];
  private current = 0;
  private epoch = 0;
  /** The proof the hub gave with that epoch, carried back with it (a hub steps down only for a proven epoch). */
  private epochProof: string | undefined;

  constructor(private readonly options: HallClientOptions) {
    this.hubs = [options.url, ...(options.standbyUrls ?? []).filter((u) => u !== options.url)];
    for (const url of this.hubs) {
      const problem = insecureHubProblem(url, options.allowInsecure);
      // Chinese first, then English, as a terminal's other start problems are shown to its installer.
      if (problem) throw new Error(`${url}：${problem.zh}\n${url}: ${problem.en}`);
    }
    this.clock = options.clock ?? Date.now;
    this.steady = options.steady ?? (() => performance.now());
    this.random = options.random ?? Math.random;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.outbox = new Outbox(options.outboxFile, (m) => options.log?.(m));
    this.view = options.initialView;
    this.viewLogId = options.initialView ? options.initialLog : undefined;
    this.state = { status: 'connecting', since: this.clock(), waiting: this.outbox.size };
    this.connect();
  }

  /** Hears every change of the link's state and of the view. Returns the way to stop listening. */
  subscribe(listener: (c: ClientChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The hub's event log the view follows (to keep with the view, for `initialLog`). */
  get viewLog(): string | undefined {
    return this.viewLogId;
  }

  /** The highest hub epoch this terminal has seen: it rises when a standby hub takes charge. */
  get hubEpoch(): number {
    return this.epoch;
  }

  get waiting(): number {
    return this.outbox.size;
  }

  /** The commands waiting for the hub's answer, with those this terminal's outbox file kept from before it restarted (`send` them again under their ids to hear their answers). */
  waitingCommands(): readonly Command[] {
    return this.outbox.list().map((e) => e.command);
  }

  /** Now on the hub's clock, as this terminal last knew it (its own clock while the hub never answered). */
  hubNow(): number {
    // Whole milliseconds, as the hub's own clock: it goes into commands (madeAt), which take an integer.
    const offset = this.hubOffset.value;
    return Math.round(offset === undefined ? this.clock() : this.steady() + offset);
  }

  /** The link's steady clock (ms, from no particular start): how long something lasted, whatever the PC's clock is set to. */
  steadyNow(): number {
    return this.steady();
  }

  /**
   * Sends a command; it waits in the outbox until the hub answers, across reconnects and restarts
   * of this terminal. The promise resolves with the hub's answer, however long that takes.
   * A volatile command (one carrying a PIN) waits in memory only, never in the outbox file.
   */
  send(body: CommandBody, id: string = newCommandId(), options: { volatile?: boolean } = {}): Promise<Answer> {
    const command = { ...body, id, madeAt: this.hubNow() };
    // Another command under the id of one still waiting (a caller's bug): it would get that one's answer, as if done.
    const waiting = this.outbox.get(id);
    if (waiting && !sameCommand(waiting, command)) return Promise.resolve({ ok: false, code: 'id-reused', message: 'this command id is waiting in the outbox with a different command: send a new id' });
    const answered = new Promise<Answer>((resolve) => {
      const list = this.pending.get(id) ?? [];
      list.push(resolve);
      this.pending.set(id, list);
    });
    if (!this.outbox.has(id)) {
      this.outbox.add(command, this.clock(), options.volatile);
      this.setState({ ...this.state, waiting: this.outbox.size });
      this.pump();
    }
    return answered;
  }

  /**
   * For an action a person waits for at the screen: refused at once unless the hub is online, and
   * withdrawn from the outbox when no answer comes within `timeoutMs`, so that it never takes
   * effect minutes later unseen. An answer that still comes (the hub had it already) arrives
   * through `late`, for the caller to undo what nobody is waiting for any more; with
   * `keepOnTimeout` the command stays in the outbox until it is answered, so that `late` always
   * comes (a kiosk must learn of every ticket it caused, to void it).
   */
  async sendNow(
    body: CommandBody,
    options: { id?: string; timeoutMs: number; volatile?: boolean; keepOnTimeout?: boolean },
  ): Promise<{ ok: true; answer: Answer } | { ok: false; reason: 'offline' | 'timeout'; late: Promise<Answer> }> {
    const id = options.id ?? newCommandId();
    if (this.state.status !== 'online') return { ok: false, reason: 'offline', late: new Promise(() => {}) };
    this.watched.add(id);
    const answered = this.send(body, id, { volatile: options.volatile });
    let timer: NodeJS.Timeout | undefined;
    const answer = await Promise.race([answered, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), options.timeoutMs)))]);
    clearTimeout(timer);
    // Nobody waits at the screen any more: a command kept goes on as one sent in the background.
    this.watched.delete(id);
    if (answer) return { ok: true, answer };
    // Kept: it is delivered once the hub is back, and `late` brings the answer for the caller to undo.
    // Withdrawn: it may still have reached the hub, but it is never sent again.
    if (!options.keepOnTimeout) {
      this.outbox.remove(id);
      this.inFlight.delete(id);
      this.held.delete(id);
      this.setState({ ...this.state, waiting: this.outbox.size });
      this.pump();
    }
    return { ok: false, reason: 'timeout', late: answered };
  }

  /**
   * Asks the hub something that changes nothing (a rating link, a case's progress): answered only
   * while online, within `timeoutMs`; otherwise a refusal with code "offline" or "timeout".
   */
  ask(question: Question, timeoutMs = 4000): Promise<AskResult> {
    if (this.closed || this.state.status !== 'online') return Promise.resolve({ ok: false, code: 'offline', message: 'the hub is not reachable just now' });
    const id = randomUUID();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.asking.delete(id);
        resolve({ ok: false, code: 'timeout', message: `the hub did not answer within ${timeoutMs} ms` });
      }, timeoutMs);
      this.asking.set(id, (r) => {
        clearTimeout(timer);
        this.asking.delete(id);
        resolve(r);
      });
      this.write({ type: 'ask', id, question });
    });
  }

  /** Resolves once the link is online and the view holds at least event `seq` (default: any view). */
  whenInStep(seq = 0, timeoutMs = 10_000): Promise<HallView> {
    return new Promise((resolve, reject) => {
      const check = () => this.state.status === 'online' && this.view && this.view.seq >= seq;
      if (check()) return resolve(this.view!);
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`not in step with the hub within ${timeoutMs} ms (state ${this.state.status}, view ${this.view?.seq ?? 'none'})`));
      }, timeoutMs);
      const stop = this.subscribe(() => {
        if (!check()) return;
        clearTimeout(timer);
        stop();
        resolve(this.view!);
      });
    });
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.heldTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.offlineTimer);
    clearInterval(this.heartbeat);
    this.ws?.terminate();
    this.ws = undefined;
  }

  private emit(change: ClientChange): void {
    for (const l of this.listeners) {
      try {
        l(change);
      } catch (error) {
        this.options.log?.(`a listener failed: ${error instanceof Error ? error.message : error}`);
      }
    }
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.emit({ kind: 'state', state });
  }

  private write(message: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  private connect(): void {
    if (this.closed) return;
    const ws = new WebSocket(this.hubs[this.current]!, { handshakeTimeout: 5000, ...(this.options.ca ? { ca: this.options.ca } : {}) });
    this.ws = ws;
    ws.on('open', () => {
      this.lastHeard = this.helloAt = this.steady();
      this.write({
        type: 'hello',
        protocol: PROTOCOL_VERSION,
        role: this.options.role,
        terminal: this.options.terminal,
        window: this.options.window,
        token: this.options.token,
        since: this.view?.seq,
        ...(this.options.version ? { version: this.options.version } : {}),
        // A hub restored from a backup has a new log: it gives a snapshot to a view of another history.
        log: this.view ? this.viewLogId : undefined,
        waiting: this.outbox.size,
        ...this.epochField(),
        // Refused here, it goes to the next hub before it comes back: a hub not in charge may count its looks.
        ...(this.hubs.length > 1 ? { triesOtherHubs: true } : {}),
      });
    });
    ws.on('message', (data) => {
      this.lastHeard = this.steady();
      const parsed = parseMessage(HubMessageSchema, data.toString());
      if (!parsed.ok) {
        this.options.log?.(`the hub sent a message this terminal does not understand: ${parsed.message}`);
        return;
      }
      this.onMessage(parsed.value as HubMessage);
    });
    ws.on('error', (error) => this.options.log?.(`link to the hub: ${error.message}`));
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.inFlight.clear();
      clearInterval(this.heartbeat);
      // With a standby, the next try goes to the other hub: the one in charge may be either.
      const nextHub = this.hubs.length > 1 && (this.current = (this.current + 1) % this.hubs.length) !== 0;
      this.scheduleReconnect(nextHub);
    });
  }

  /**
   * How long until a refused command goes again, when the refusal is not its answer: the pace (rate-limited),
   * and, for a command nobody waits for at the screen (a void, an emergency number, a rating), a hub that
   * could not record it just now (disk-full, cancelled): dropped, a printed number would never be in the queue.
   */
  private retryAfter(id: string, answer: Answer): number | undefined {
    if (answer.ok || !this.outbox.has(id)) return undefined;
    if (answer.code === 'rate-limited') return Math.max(250, answer.retryAfterMs ?? 1000);
    if ((answer.code === 'disk-full' || answer.code === 'cancelled') && !this.watched.has(id)) return this.options.recordRetryMs ?? 5_000;
    return undefined;
  }

  /**
   * Writes the outbox's commands to the hub in order, at most MAX_IN_FLIGHT unanswered at once, those refused
   * for the pace once the hub takes them again.
   */
  private pump(): void {
    if (this.state.status !== 'online') return;
    const now = this.steady();
    let nextHeld = Infinity;
    for (const e of this.outbox.list()) {
      if (this.inFlight.size >= MAX_IN_FLIGHT) break;
      const id = e.command.id;
      if (this.inFlight.has(id)) continue;
      const until = this.held.get(id);
      if (until !== undefined && until > now) {
        nextHeld = Math.min(nextHeld, until);
        continue;
      }
      this.held.delete(id);
      this.inFlight.add(id);
      this.write({ type: 'command', command: e.command, ...this.epochField() });
    }
    clearTimeout(this.heldTimer);
    if (nextHeld < Infinity) this.heldTimer = setTimeout(() => this.pump(), nextHeld - now).unref();
  }

  /** The epoch to carry (none before any hub said one). */
  private epochField(): { epoch?: number; epochProof?: string } {
    return this.epoch > 0 ? { epoch: this.epoch, ...(this.epochProof ? { epochProof: this.epochProof } : {}) } : {};
  }

  /** A hub said its epoch (and its proof): the highest heard is the one carried. */
  private heardEpoch(epoch: number | undefined, proof: string | undefined): void {
    if (epoch === undefined || epoch < this.epoch) return;
    if (epoch > this.epoch || (proof && !this.epochProof)) this.epochProof = proof;
    this.epoch = epoch;
  }

  /** `nextHub`: trying the other hub of the same round, soon and without counting it as another attempt. */
  private scheduleReconnect(nextHub = false): void {
    if (this.closed) return;
    const now = this.clock();
    const since = this.state.status === 'reconnecting' || this.state.status === 'offline' ? this.state.since : now;
    if (this.state.status !== 'offline') this.setState({ status: 'reconnecting', since, attempt: this.attempt, waiting: this.outbox.size });
    const offlineAfter = this.options.offlineAfterMs ?? 10_000;
    if (this.state.status === 'reconnecting' && !this.offlineTimer) {
      this.offlineTimer = setTimeout(() => {
        this.offlineTimer = undefined;
        if (this.state.status === 'reconnecting') this.setState({ status: 'offline', since: this.state.since, waiting: this.outbox.size });
      }, Math.max(0, offlineAfter - (now - since)));
    }
    const delay = nextHub ? Math.round(this.backoff.initialMs * (0.5 + this.random() / 2)) : backoffDelay(this.attempt, this.backoff, this.random());
    if (!nextHub) this.attempt += 1;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private onMessage(m: HubMessage): void {
    switch (m.type) {
      case 'welcome': {
        this.attempt = 0;
        // The welcome is the first sample: the hub's clock at the midpoint of the hello's round trip.
        this.hubOffset.reset();
        this.sampleClock(this.helloAt, m.hubTime);
        this.hubLog = m.log;
        this.heardEpoch(m.epoch, m.epochProof);
        clearTimeout(this.offlineTimer);
        this.offlineTimer = undefined;
        this.setState({ status: 'online', since: this.clock(), waiting: this.outbox.size });
        this.inFlight.clear();
        this.pump();
        this.startHeartbeat();
        return;
      }
      case 'snapshot':
        this.resyncing = false;
        this.view = fromSnapshot(m.snapshot);
        this.viewLogId = this.hubLog;
        this.emit({ kind: 'view', view: this.view, events: [], snapshot: true });
        return;
      case 'events':
        return this.onEvents(m.events);
      case 'answer': {
        this.heardEpoch(m.epoch, m.epochProof);
        // A hub that stepped down took nothing: the command stays in the outbox for the hub in charge.
        if (!m.answer.ok && m.answer.code === 'not-in-charge') {
          this.ws?.close();
          return;
        }
        this.inFlight.delete(m.commandId);
        // A refusal that is not the command's answer: it stays in the outbox and goes again (never dropped).
        const retry = this.retryAfter(m.commandId, m.answer);
        if (retry !== undefined) {
          this.held.set(m.commandId, this.steady() + retry);
          this.pump();
          return;
        }
        this.held.delete(m.commandId);
        this.outbox.remove(m.commandId);
        const waiters = this.pending.get(m.commandId) ?? [];
        this.pending.delete(m.commandId);
        for (const resolve of waiters) resolve(m.answer);
        this.setState({ ...this.state, waiting: this.outbox.size });
        this.pump();
        return;
      }
      case 'reply': {
        const { type: _type, id, ...result } = m as Reply;
        this.asking.get(id)?.(result as AskResult);
        return;
      }
      case 'error':
        this.options.log?.(`the hub refused a message: ${m.code}: ${m.message}`);
        // A command the hub could not even read will never be taken: it is answered with the refusal and leaves the outbox.
        if (m.commandId && (m.code === 'bad-request' || m.code === 'too-large')) return this.onMessage({ type: 'answer', commandId: m.commandId, answer: { ok: false, code: m.code, message: m.message } });
        if (m.code === 'not-in-charge') {
          this.ws?.close();
          return;
        }
        if ((m.code === 'unauthorised' || m.code === 'unconfigured') && !m.commandId) {
          // A wrong token, or a hall not set up yet, does not heal by retrying quickly; say so and keep trying slowly.
          this.setState({ status: 'offline', since: this.state.since, waiting: this.outbox.size, reason: m.code });
          this.ws?.close();
        }
        return;
      case 'pong':
        return this.sampleClock(m.t, m.hubTime);
    }
  }

  /** A pong (or the welcome) says the hub's clock in answer to `sentAt` (the ping's `t`, the hello's time, by the steady clock): core's HubOffset takes it. */
  private sampleClock(sentAt: number | undefined, hubTime: number): void {
    if (sentAt !== undefined) this.hubOffset.sample(sentAt, hubTime, this.steady());
  }

  private onEvents(events: HallEvent[]): void {
    const view = this.view;
    if (!view || this.resyncing) return;
    const applied: HallEvent[] = [];
    try {
      for (const e of events) {
        if (e.seq <= view.seq) continue;
        if (e.seq !== view.seq + 1) {
          // A gap: ask again from what we hold; never guess what was missed.
          this.resync(view.seq);
          break;
        }
        applyEvent(view, e);
        applied.push(e);
      }
    } catch (error) {
      if (!(error instanceof OutOfStep)) throw error;
      this.options.log?.(`the view is out of step (${error.message}); asking for a snapshot`);
      this.resync(undefined);
    }
    if (applied.length > 0) {
      this.viewLogId = this.hubLog;
      this.emit({ kind: 'view', view, events: applied, snapshot: false });
    }
  }

  private resync(since: number | undefined): void {
    // Events keep coming while the hub answers (over a slow link, hundreds): each would meet the same gap, and
    // asking for each would take the hub's message allowance and have it cut the link. Asked again only when
    // the answer is long in coming.
    const now = this.steady();
    if (since !== undefined && this.asked?.since === since && now - this.asked.at < RESYNC_AGAIN_MS) return;
    this.asked = since === undefined ? undefined : { since, at: now };
    this.resyncing = since === undefined;
    if (since === undefined) this.view = undefined;
    this.write({ type: 'subscribe', since });
  }

  private startHeartbeat(): void {
    clearInterval(this.heartbeat);
    const silence = this.options.silenceMs ?? 20_000;
    const ping = () => this.write({ type: 'ping', t: this.steady(), waiting: this.outbox.size });
    this.heartbeat = setInterval(() => {
      if (this.steady() - this.lastHeard > silence) {
        this.options.log?.('the hub has been silent too long; reconnecting');
        this.ws?.terminate();
        return;
      }
      ping();
    }, Math.max(250, silence / 3));
    this.heartbeat.unref();
    // A first pong at once: a welcome slowed by the hub's work on the hello is bettered within a round trip.
    ping();
  }
}
