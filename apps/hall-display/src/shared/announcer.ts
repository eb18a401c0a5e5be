import { STRINGS } from './strings';

/**
 * The hall's announcement queue: each call becomes a chime and then its sentence, said `repeat`
 * times, one call after the other in the order the windows made them. Pure of any platform: the
 * speaker and the clock are given, so that it runs the same in the renderer (speechSynthesis or the
 * chime alone) and in the agent (espeak-ng), and in tests with neither.
 */

/** One call to announce: numbers only, never names (H-19). */
export interface Announcement {
  /** The hub's event sequence of the call: the order of announcements. */
  seq: number;
  ticket: string;
  window: number;
  recall: boolean;
  /** When the window made the call (epoch ms). */
  at: number;
}

/** What makes the sound. Each promise settles when the sound is over; a failure is reported, never thrown on. */
export interface Speaker {
  chime(): Promise<void>;
  say(text: string, call: Announcement): Promise<void>;
}

export interface AnnouncerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: AnnouncerClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export type AnnouncerEvent =
  | { kind: 'started'; call: Announcement; text: string }
  | { kind: 'said'; call: Announcement; text: string; time: number; of: number }
  | { kind: 'skipped'; call: Announcement; reason: 'no-longer-called' | 'too-old' }
  /** The chime or the saying itself failed (the saying: the call was not heard, though it stays on screen). */
  | { kind: 'failed'; call: Announcement; message: string; part: 'chime' | 'say' }
  | { kind: 'finished'; call: Announcement };

export interface AnnouncerOptions {
  speaker: Speaker;
  clock?: AnnouncerClock;
  /** How many times the sentence is said (the handbook's halls say it twice). */
  repeat?: number;
  /** Silence between two sayings and between two calls, ms. */
  gapMs?: number;
  /** A call older than this when its turn comes is not announced any more (a display back after a long outage). */
  maxAgeMs?: number;
  /** Whether the ticket is still called at that window now: a call cancelled before its turn is skipped. */
  stillCalled(call: Announcement): boolean;
  /** The sentence for a call; by default 请A012号到3号窗口办理. */
  text?(call: Announcement): string;
  onEvent?(event: AnnouncerEvent): void;
}

/** 请A012号到3号窗口办理: the sentence as written, and as shown beside the voice. */
export function callSentence(call: Pick<Announcement, 'ticket' | 'window'>): string {
  // The hall's voice is Mandarin whatever the screen's language: the Chinese table's sentence.
  return STRINGS['zh-CN'].ticketCall(call.ticket, call.window);
}

export class Announcer {
  private readonly queue: Announcement[] = [];
  /** Sequences already queued or announced, so that a repeated push is not said twice. */
  private readonly seen = new Set<number>();
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly clock: AnnouncerClock;
  private readonly repeat: number;
  private readonly gapMs: number;

  constructor(private readonly options: AnnouncerOptions) {
    this.clock = options.clock ?? realClock;
    this.repeat = Math.max(1, Math.min(5, Math.floor(options.repeat ?? 2)));
    this.gapMs = Math.max(0, options.gapMs ?? 800);
  }

  /** Queues a call in call order; false when it was queued or announced before. */
  enqueue(call: Announcement): boolean {
    if (this.stopped || this.seen.has(call.seq)) return false;
    this.seen.add(call.seq);
    // Calls arrive in order; one that arrives late still goes before every later call not yet begun.
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1]!.seq > call.seq) i--;
    this.queue.splice(i, 0, call);
    this.running ??= this.drain().finally(() => (this.running = undefined));
    return true;
  }

  /** Calls waiting for their turn (not counting the one being said). */
  get pending(): readonly Announcement[] {
    return this.queue;
  }

  /** Resolves when the queue is empty and nothing is being said. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops after the sound now playing; what is queued is dropped. */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }

  private async drain(): Promise<void> {
    let first = true;
    while (this.queue.length > 0 && !this.stopped) {
      const call = this.queue.shift()!;
      if (!first) await this.clock.sleep(this.gapMs);
      first = false;
      await this.announce(call);
    }
  }

  private async announce(call: Announcement): Promise<void> {
    const emit = (e: AnnouncerEvent) => {
      try {
        this.options.onEvent?.(e);
      } catch {
        // A listener's fault must not silence the hall.
      }
    };
    if (this.options.maxAgeMs !== undefined && this.clock.now() - call.at > this.options.maxAgeMs) return emit({ kind: 'skipped', call, reason: 'too-old' });
    if (!this.stillCalled(call)) return emit({ kind: 'skipped', call, reason: 'no-longer-called' });
    const text = this.options.text?.(call) ?? callSentence(call);
    emit({ kind: 'started', call, text });
    const failed = (part: 'chime' | 'say') => (error: unknown) => emit({ kind: 'failed', call, message: error instanceof Error ? error.message : String(error), part });
    // The chime only draws the hall's attention: a chime that cannot play must not silence the call itself.
    await this.options.speaker.chime().catch(failed('chime'));
    try {
      for (let time = 1; time <= this.repeat; time++) {
        if (time > 1) {
          await this.clock.sleep(this.gapMs);
          // Cancelled while being said (the citizen came, or the window gave up): stop repeating.
          if (this.stopped || !this.stillCalled(call)) break;
        }
        await this.options.speaker.say(text, call);
        emit({ kind: 'said', call, text, time, of: this.repeat });
      }
    } catch (error) {
      failed('say')(error);
    }
    emit({ kind: 'finished', call });
  }

  private stillCalled(call: Announcement): boolean {
    try {
      return this.options.stillCalled(call);
    } catch {
      return true;
    }
  }
}
