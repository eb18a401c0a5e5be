import type { HallEvent } from '@servicehall/core';
import { eventsJson, eventsMessage, type EventsJson } from '@servicehall/protocol';

/**
 * The least time between two writes of the hall's events to the terminals that are only looking on.
 * A quiet hall's events go at once; a busy one's go together at most 200 times a second, still three
 * times a screen's 60 frames. A terminal that sent one of the commands is written its events at once,
 * with its answer: its client holds the answer until its view has them (the client's whenInStep), so
 * the clerk or the citizen at it never waits for the gap.
 *
 * Why: each write is a system call on each terminal's connection (sixty in a big hall). Written once
 * a flush, they were a quarter to a third of the hub's thread in the bench's loads (CPU profiles of
 * the paced load, of 8 HTTP clients, and of the phones' bench), more than running the commands.
 */
export const FAN_OUT_GAP_MS = 5;

/** A terminal as the fan-out sees it: whether it follows the events, and where its view is. */
export interface FanOutTerminal {
  /** Whether it follows the events yet (it has its snapshot or its catch-up). */
  readonly subscribed: boolean;
  /** The last sequence number its view has: written to it, or where its snapshot or catch-up left it. */
  told: number;
}

/** The terminals the events go to, and how they are written. */
export interface FanOutTargets<T extends FanOutTerminal> {
  terminals: () => Iterable<T>;
  write: (terminal: T, bytes: Buffer) => void;
  /** A screen or a pad: written the events without personal data (publicEvents). */
  isPublic: (terminal: T) => boolean;
  publicEvents: (events: readonly HallEvent[]) => HallEvent[];
  /** The least time between two rounds (FAN_OUT_GAP_MS by default). */
  gapMs?: number;
  /**
   * A message's bytes as they go to every terminal it is written to, made once (by default its
   * UTF-8; the hub's terminals frame it once as a WebSocket message, see terminals.ts).
   */
  encode?: (text: string) => Buffer;
}

/** One telling of events (a flush's), written as it will go inside every terminal's message. */
interface Telling {
  events: readonly HallEvent[];
  last: number;
  full: EventsJson;
  open?: EventsJson;
}

/**
 * The hall's events on their way to the terminals. Terminals that sent a command are written at once
 * (everything they have not had, in order); the others at most every `gapMs`, every telling since in
 * one message. No terminal is written an event twice, nor one before another of lower sequence.
 */
export class EventFanOut<T extends FanOutTerminal> {
  private tellings: Telling[] = [];
  /** The messages made for this round, by the first telling they hold and whether they are the open ones (most terminals share one). */
  private made = new Map<number, Buffer>();
  private timer: NodeJS.Timeout | undefined;
  private wroteAt = -Infinity;
  /** The last sequence number told. */
  private toldSeq = 0;
  /** Terminals answered a command whose events are not told yet, and the sequence number they wait for. */
  private readonly awaiting = new Map<T, number>();

  constructor(private readonly to: FanOutTargets<T>) {}

  /** Events on the disk (a flush's): the terminals waiting for them get them now, the others with the next round. */
  told(events: readonly HallEvent[]): void {
    if (events.length === 0) return;
    const last = events.at(-1)!.seq;
    this.tellings.push({ events, last, full: eventsJson(events) });
    this.toldSeq = Math.max(this.toldSeq, last);
    this.made.clear();
    this.writeAwaiting();
    if (this.timer) return;
    const wait = this.wroteAt + (this.to.gapMs ?? FAN_OUT_GAP_MS) - performance.now();
    if (wait <= 0) this.round();
    else this.timer = setTimeout(() => this.round(), wait);
  }

  /**
   * A terminal was answered a command whose events end at `seq`: it is written them as soon as they
   * are told, and now whatever was told before (an answer that came after its events: a sign-in, or a
   * batch that waited for the standby).
   */
  answered(terminal: T, seq: number): void {
    if (seq <= terminal.told) return;
    this.writeDue(terminal);
    if (seq > terminal.told) this.awaiting.set(terminal, Math.max(seq, this.awaiting.get(terminal) ?? 0));
  }

  /** A terminal gone: nothing more is kept for it. */
  forget(terminal: T): void {
    this.awaiting.delete(terminal);
  }

  /** A terminal whose view starts at `seq` (its snapshot or catch-up): it is not written those events again. */
  startsAt(terminal: T, seq: number): void {
    terminal.told = Math.max(terminal.told, seq);
  }

  /** Writes what is due to every terminal (the round's time has come). */
  private round(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.wroteAt = performance.now();
    if (this.tellings.length === 0) return;
    for (const t of this.to.terminals()) this.writeDue(t);
    this.writeAwaiting();
    this.tellings = [];
    this.made.clear();
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Writes the answered terminals what is due, and forgets those that now have their events. */
  private writeAwaiting(): void {
    for (const [t, seq] of this.awaiting) {
      this.writeDue(t);
      if (t.told >= seq) this.awaiting.delete(t);
    }
  }

  /** Everything told that the terminal has not had, in one message. */
  private writeDue(t: T): void {
    if (!t.subscribed || t.told >= this.toldSeq) return;
    let from = 0;
    while (from < this.tellings.length && this.tellings[from]!.last <= t.told) from += 1;
    if (from === this.tellings.length) return;
    const open = this.to.isPublic(t);
    const key = from * 2 + (open ? 1 : 0);
    let bytes = this.made.get(key);
    if (!bytes) {
      const parts = this.tellings.slice(from).map((telling) => (open ? (telling.open ??= eventsJson(this.to.publicEvents(telling.events))) : telling.full));
      const text = eventsMessage(parts);
      bytes = this.to.encode ? this.to.encode(text) : Buffer.from(text);
      this.made.set(key, bytes);
    }
    t.told = this.toldSeq;
    this.to.write(t, bytes);
  }
}
