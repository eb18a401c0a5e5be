import type { HallEvent, HallSnapshot, HallView, Ticket } from '@servicehall/core';
import { execFile, fork, type ChildProcess } from 'node:child_process';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { builtEntry, HUB_BUILT, TYPESCRIPT_EXEC_ARGV } from '../built';
import { log, LOG_LEVELS, type LogLevel } from '../log';
import { opsText, type Bilingual } from '../ops-strings';
import type { HallStore } from '../store';

/** What the hub tells the phones' process. */
export type ToPhones =
  | { kind: 'start'; linksKey: string; ownUrl: string; heartbeatMs?: number }
  | { kind: 'view'; snapshot: HallSnapshot }
  | { kind: 'events'; events: readonly HallEvent[] }
  /** A phone's connection, with the ticket it follows, the hub's sequence when it asked, and whether its holder gets the SMS. */
  | { kind: 'watch'; id: number; ticketId: string; seq: number; sms: boolean }
  /** Is the process still reading? It answers with a pong of the same number. */
  | { kind: 'ping'; n: number }
  | { kind: 'close' };

/** What the phones' process tells the hub. */
export type FromPhones =
  | { kind: 'hello' }
  | { kind: 'ready'; seq: number }
  | { kind: 'closed'; id: number }
  | { kind: 'resync' }
  | { kind: 'pong'; n: number }
  | { kind: 'log'; line: string };

export interface PhoneStreamsOptions {
  /** The hub's own address (the phones' links when the hall has no public one). */
  ownUrl: () => string;
  heartbeatMs?: number;
  /** Whether a ticket's holder gets the near and called SMS (the hub's alert targets). */
  smsOf: (ticketId: string) => boolean;
  /** The first wait before a stopped process is started again; it doubles to a minute while the process keeps stopping. */
  restartMs?: number;
  /** How often the hub asks whether the process still reads (default 5 s); a process that has not answered within this takes no new phone. */
  aliveMs?: number;
  /** A process that answers nothing this long (default 20 s) hangs: it is killed and started again, its phones ask again. */
  hungMs?: number;
}

/** The phones' process's program: built beside the hub (packages/hub/dist), or its TypeScript run through tsx. */
const PROCESS_FILE = HUB_BUILT ? builtEntry('phones') : fileURLToPath(new URL('./streams-process.ts', import.meta.url));
/** A process that ran this long before it stopped is started again after the first wait, not a longer one. */
const STEADY_MS = 60_000;
const MAX_RESTART_MS = 60_000;
/** The phones' process's scheduling priority: below the hub's (0), so that the hall's commands come first. */
const PHONES_NICE = 10;

/**
 * On Linux the phones' process then runs under SCHED_IDLE (sched(7)), set by util-linux's chrt on
 * each of its threads (those started later inherit it): a nice value only weighs its share, and a
 * phones' pass of 3,000 streams that has the processor keeps it for its slice while a terminal's
 * command waits behind it; a thread under SCHED_IDLE gives the processor up as soon as any other
 * wants it. Measured beside 3,000 phones (`npm run bench`): the hub's thread waited for a processor
 * 19-20% of its ready time against 25-27%, its own p99 answer 9-11 ms against 12-20. It still runs
 * when the hub's thread waits (a flush, the network), which on a hall's PC is most of the time.
 */
const IDLE_POLICY = ['--idle', '--all-tasks', '--pid', '0'];

/**
 * The phones' streams (watchTicket) in a process of their own (phone/streams-process.ts): the hub
 * checks each phone's request as before and then hands its connection over, so that the phones'
 * passes and writes (with 3,000 phones about a tenth of a core and the terminals' p99 tripled)
 * leave the hub's thread. The process follows the hall's events as a display does. While it is
 * not running (starting, stopped, started again after a fault) `handOver` says no and the hub
 * serves the stream itself, as it does behind TLS, whose sessions cannot move to another process.
 */
export class PhoneStreams {
  private child: ChildProcess | undefined;
  /** The process has the hall's view and takes phones. */
  private ready = false;
  /** The view last sent: a view the store read again (a batch rolled back, a new day) is sent whole. */
  private sentView: HallView | undefined;
  /** Streams in the process now, each with what the hub does when it closes. */
  private readonly open = new Map<number, () => void>();
  private nextId = 0;
  private restartMs: number;
  private restartTimer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private closing = false;
  /** A connection could not be handed over (a platform that cannot pass sockets): the hub serves the phones itself from then on. */
  private cannotHandOver = false;
  private readonly unsubscribe: () => void;
  /** The hub's question whether the process still reads, while unanswered: its number and when it was asked. */
  private asked: { n: number; at: number } | undefined;
  private pings = 0;
  private readonly aliveTimer: NodeJS.Timeout;
  private readonly aliveMs: number;
  private readonly hungMs: number;
  /** chrt could not put the process under SCHED_IDLE (said once). */
  private idleRefused = false;
  /** Times the process was started. */
  starts = 0;

  constructor(
    private readonly store: HallStore,
    private readonly options: PhoneStreamsOptions,
  ) {
    this.restartMs = options.restartMs ?? 1000;
    this.unsubscribe = store.onEvents((events) => this.feed(events));
    this.aliveMs = options.aliveMs ?? 5000;
    this.hungMs = options.hungMs ?? 20_000;
    this.aliveTimer = setInterval(() => this.checkAlive(), this.aliveMs);
    this.aliveTimer.unref();
  }

  /** Phones whose streams the process serves now. */
  get watching(): number {
    return this.open.size;
  }

  /** The process's id while it runs (its memory and processor are the phones'). */
  get pid(): number | undefined {
    return this.child?.exitCode === null ? this.child.pid : undefined;
  }

  /** Whether the process takes phones now: it has the view and answered the hub's last question in time. */
  get serving(): boolean {
    return this.ready && !!this.child?.connected && !this.late(Date.now());
  }

  start(): void {
    if (this.closing || this.child) return;
    // A hub profiled (HUB_PROF in the benches) profiles its phones too.
    const profile = process.execArgv.filter((a) => a.startsWith('--cpu-prof'));
    const child = fork(PROCESS_FILE, [], { execArgv: [...TYPESCRIPT_EXEC_ARGV, ...profile], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child = child;
    this.starts += 1;
    // The terminals' commands first: where the processor is short, the phones wait (their goal is 200 ms, the terminals' 10).
    try {
      if (child.pid) os.setPriority(child.pid, PHONES_NICE);
    } catch (error) {
      log.warn({ err: error }, opsText('phonesNotLowered'));
    }
    if (child.pid && process.platform === 'linux') this.runWhenIdle(child.pid);
    this.startedAt = Date.now();
    child.on('message', (message: FromPhones) => this.heard(child, message));
    // Stopping, the process may leave before the hub's last messages reach it (a hub stopped as it starts): nothing is lost.
    child.on('error', (error) => {
      if (this.closing) log.debug({ err: error }, "the phones' process had left when the hub's last message came");
      else log.error({ err: error }, opsText('phonesUnreachable'));
    });
    child.on('exit', (code, signal) => this.stopped(child, code, signal));
  }

  /**
   * Hands a phone's connection to the process, the request checked and nothing written yet: false
   * (the hub serves it) while the process is not serving, or behind TLS. `onClosed` runs when the
   * phone's stream ends there (or the process stops).
   */
  handOver(ticket: Ticket, res: ServerResponse, onClosed: () => void): boolean {
    const child = this.child;
    const socket = res.socket as (Socket & { server?: unknown; encrypted?: boolean }) | null;
    if (!this.serving || this.cannotHandOver || !child || !socket || socket.encrypted || res.headersSent || socket.destroyed) return false;
    const id = ++this.nextId;
    this.open.set(id, onClosed);
    // The hub's server no longer counts this connection (else its close would wait for the process's).
    socket.server = null;
    const message: ToPhones = { kind: 'watch', id, ticketId: ticket.id, seq: this.store.view.seq, sms: this.options.smsOf(ticket.id) };
    child.send(message, socket, { keepOpen: true }, (error) => {
      // The process holds its own copy of the connection now: the hub's goes, the phone's stays open.
      socket.destroy();
      if (!error) return;
      this.ended(id);
      if (this.cannotHandOver || !child.connected) return;
      this.cannotHandOver = true;
      log.error({ err: error }, opsText('handOverFailed'));
    });
    return true;
  }

  /** Puts the phones' process under SCHED_IDLE; where chrt is missing or not allowed it keeps its nice value, said once in the log. */
  private runWhenIdle(pid: number): void {
    execFile('chrt', [...IDLE_POLICY, String(pid)], { timeout: 10_000 }, (error, _out, stderr) => {
      if (!error) return;
      // A process gone meanwhile (it stopped as it started) has nothing to lower.
      if (this.child?.pid !== pid || this.child.exitCode !== null) return;
      if (this.idleRefused) return;
      this.idleRefused = true;
      log.warn({ err: error, stderr: String(stderr).trim() }, opsText('phonesNotIdle', { nice: PHONES_NICE }));
    });
  }

  /** Ends the phones' streams there and stops the process (at most `waitMs`, then it is killed). */
  async close(waitMs = 2000): Promise<void> {
    this.closing = true;
    this.unsubscribe();
    clearTimeout(this.restartTimer);
    clearInterval(this.aliveTimer);
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (child.connected) child.send({ kind: 'close' } satisfies ToPhones);
    const timer = setTimeout(() => child.kill('SIGKILL'), waitMs);
    await exited;
    clearTimeout(timer);
  }

  /** Whether the question under way has waited longer than the time between questions. */
  private late(now: number): boolean {
    return !!this.asked && now - this.asked.at > this.aliveMs;
  }

  /**
   * Asks the process whether it still reads, and kills one that has not answered for hungMs: a process
   * stuck (in a loop, stopped, its pipe full) would hold its phones silent and let the hub's messages
   * to it pile up in the hub's memory. Its phones then ask again, and the hub serves them meanwhile.
   */
  private checkAlive(): void {
    const child = this.child;
    if (!child || !child.connected) return;
    const now = Date.now();
    if (!this.ready) {
      // Not serving yet: one that has not taken the view within hungMs of its start is stuck too.
      if (now - this.startedAt < this.hungMs) return;
      log.error({ phonesPid: child.pid, startedMsAgo: now - this.startedAt }, opsText('phonesNoView', { seconds: Math.round((now - this.startedAt) / 1000) }));
      child.kill('SIGKILL');
      return;
    }
    if (!this.asked) {
      this.asked = { n: ++this.pings, at: now };
      this.send(child, { kind: 'ping', n: this.pings });
      return;
    }
    const silentMs = now - this.asked.at;
    if (silentMs < this.hungMs) return;
    log.error({ phonesPid: child.pid, silentMs }, opsText('phonesSilent', { seconds: Math.round(silentMs / 1000) }));
    child.kill('SIGKILL');
  }

  private send(child: ChildProcess, message: ToPhones): void {
    if (child.connected) child.send(message);
  }

  private sendView(child: ChildProcess): void {
    this.sentView = this.store.view;
    this.send(child, { kind: 'view', snapshot: this.store.snapshot() });
  }

  private feed(events: readonly HallEvent[]): void {
    const child = this.child;
    if (!child || !this.sentView) return;
    try {
      if (this.store.view !== this.sentView) this.sendView(child);
      else this.send(child, { kind: 'events', events });
    } catch (error) {
      log.error({ err: error }, opsText('phonesNotTold'));
    }
  }

  private heard(child: ChildProcess, message: FromPhones): void {
    switch (message.kind) {
      case 'hello':
        this.send(child, { kind: 'start', linksKey: this.store.links.keyForPhones(), ownUrl: this.options.ownUrl(), ...(this.options.heartbeatMs ? { heartbeatMs: this.options.heartbeatMs } : {}) });
        this.sendView(child);
        return;
      case 'ready':
        if (!this.ready) log.info({ phonesPid: child.pid, seq: message.seq }, opsText('phonesServing', { seq: message.seq }));
        this.ready = true;
        return;
      case 'resync':
        this.sendView(child);
        return;
      case 'closed':
        this.ended(message.id);
        return;
      case 'pong':
        if (this.asked?.n === message.n) this.asked = undefined;
        return;
      case 'log':
        relayLog(message.line);
        return;
    }
  }

  private ended(id: number): void {
    const onClosed = this.open.get(id);
    if (!onClosed) return;
    this.open.delete(id);
    onClosed();
  }

  private stopped(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.ready = false;
    this.sentView = undefined;
    this.asked = undefined;
    // Its phones are gone with it: they ask again, and the hub serves them until the process is back.
    for (const id of [...this.open.keys()]) this.ended(id);
    if (this.closing) {
      if (code !== 0) log.warn({ code, signal }, opsText('phonesUncleanEnd', { how: howEnded(code, signal) }));
      return;
    }
    if (Date.now() - this.startedAt >= STEADY_MS) this.restartMs = this.options.restartMs ?? 1000;
    log.error({ code, signal, restartInMs: this.restartMs }, opsText('phonesStopped', { how: howEnded(code, signal), seconds: this.restartMs / 1000 }));
    this.restartTimer = setTimeout(() => this.start(), this.restartMs);
    this.restartTimer.unref();
    this.restartMs = Math.min(MAX_RESTART_MS, this.restartMs * 2);
  }
}

/** How a process ended, in each language. */
function howEnded(code: number | null, signal: NodeJS.Signals | null): Bilingual {
  return signal ? { 'zh-CN': `信号 ${signal}`, en: `signal ${signal}` } : { 'zh-CN': `退出码 ${code}`, en: `exit code ${code}` };
}

/** A line of the phones' process's log, written to the hub's. */
function relayLog(line: string): void {
  try {
    const { level, msg, time: _time, name: _name, pid: _pid, hostname: _host, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const at = (LOG_LEVELS as readonly unknown[]).includes(level) && level !== 'silent' ? (level as Exclude<LogLevel, 'silent'>) : 'info';
    log[at]({ ...rest, process: 'phones' }, typeof msg === 'string' ? msg : '');
  } catch {
    log.warn({ process: 'phones', line: line.slice(0, 500) }, opsText('phonesLogUnread'));
  }
}
