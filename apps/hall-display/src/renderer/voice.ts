import type { Bridge } from '@servicehall/agent/contract';
import { Announcer, realClock, type Announcement, type AnnouncerClock, type Speaker } from '../shared/announcer';
import type { Announcing, Board, HallDisplayShape, VoicePlan } from '../shared/api';
import { announcedOf, spokenSentence, type VoiceMode } from '../shared/voice';

/** The platform's zh-CN voice, if it has one; voices load late, so wait a little for them. */
export async function findZhVoice(waitMs = 1500): Promise<SpeechSynthesisVoice | undefined> {
  const synth = globalThis.speechSynthesis as SpeechSynthesis | undefined;
  if (!synth) return undefined;
  const pick = () => {
    const voices = synth.getVoices();
    return voices.find((v) => /^zh[-_]CN$/i.test(v.lang)) ?? voices.find((v) => /^(zh|cmn)([-_]Hans)?/i.test(v.lang) && !/TW|HK/i.test(v.lang));
  };
  if (pick()) return pick();
  await new Promise<void>((resolve) => {
    const done = () => {
      synth.removeEventListener?.('voiceschanged', done);
      resolve();
    };
    synth.addEventListener?.('voiceschanged', done);
    setTimeout(done, waitMs);
  });
  return pick();
}

let audio: AudioContext | undefined;

/** A falling two-note ding-dong through Web Audio; it never holds the queue longer than `ms`. */
function playChime(ms: number, clock: AnnouncerClock): Promise<void> {
  try {
    audio ??= new AudioContext();
    void audio.resume().catch(() => undefined);
    const start = audio.currentTime + 0.02;
    [
      { hz: 784, at: 0, len: 0.9 },
      { hz: 587, at: 0.45, len: 1.1 },
    ].forEach((n) => {
      const osc = audio!.createOscillator();
      const gain = audio!.createGain();
      osc.frequency.value = n.hz;
      gain.gain.setValueAtTime(0.0001, start + n.at);
      gain.gain.exponentialRampToValueAtTime(0.4, start + n.at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + n.at + n.len);
      osc.connect(gain).connect(audio!.destination);
      osc.start(start + n.at);
      osc.stop(start + n.at + n.len + 0.05);
    });
  } catch {
    // No audio output: the screen still shows the call.
  }
  // Paced by the clock, not by the audio: a suspended audio context must not stall the hall.
  return clock.sleep(ms);
}

/** speechSynthesis with the zh-CN voice; settles on end (undefined), or with why it was not said: an error, or a clear stall. */
function speak(voice: SpeechSynthesisVoice, text: string, clock: AnnouncerClock): Promise<string | undefined> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (failure?: string) => {
      if (done) return;
      done = true;
      resolve(failure);
    };
    try {
      const u = new SpeechSynthesisUtterance(text);
      u.voice = voice;
      u.lang = voice.lang;
      u.rate = 0.9;
      u.onend = () => finish();
      u.onerror = (e) => finish(`error ${(e as Partial<SpeechSynthesisErrorEvent> | undefined)?.error ?? 'unknown'}`);
      speechSynthesis.speak(u);
    } catch (error) {
      finish(String(error));
    }
    void clock.sleep(Math.max(4000, text.length * 450)).then(() => {
      if (!done) speechSynthesis.cancel();
      finish('stalled');
    });
  });
}

/**
 * The screen's speaker for the plan: the platform's voice, or the chime with the sentence held on screen.
 * A platform voice that fails (its audio device gone) holds the sentence on screen as the chime alone
 * does, and the call counts as not said.
 */
export function screenSpeaker(plan: VoicePlan, voice: SpeechSynthesisVoice | undefined, clock: AnnouncerClock = realClock): Speaker {
  return {
    chime: () => playChime(plan.chimeMs, clock),
    say: async (_text: string, call: Announcement) => {
      if (plan.mode !== 'speech-synthesis' || !voice) return clock.sleep(plan.captionMs);
      const failure = await speak(voice, spokenSentence(call), clock);
      if (failure === undefined) return;
      await clock.sleep(plan.captionMs);
      throw new Error(`the screen's voice ${voice.name} could not say ${call.ticket} (${failure})`);
    },
  };
}

/**
 * The screen's side of the voice: when the plan puts the voice here, every new call on the board
 * goes to the announcement queue; what is said (or skipped) goes to the agent's log, and the
 * sentence being said to the caption.
 */
export class ScreenVoice {
  private announcer: Announcer | undefined;
  private lastSeq: number | undefined;
  private board: Board | undefined;
  private plan: VoicePlan | undefined;

  constructor(
    private readonly bridge: Bridge<HallDisplayShape>,
    private readonly voice: SpeechSynthesisVoice | undefined,
    /** Now on the hub's clock, which the calls' times are on: a call's age is never counted by this PC's clock, which may be minutes off. */
    private readonly hubNow: () => number,
    private readonly onCaption: (caption: Announcing | null) => void,
    private readonly makeSpeaker: (plan: VoicePlan, voice: SpeechSynthesisVoice | undefined) => Speaker = screenSpeaker,
  ) {}

  setPlan(plan: VoicePlan): void {
    if (this.plan && plan.mode === this.plan.mode && plan.runsIn === this.plan.runsIn) return;
    this.plan = plan;
    this.announcer?.stop();
    this.announcer = undefined;
    if (plan.mode === 'deciding' || plan.runsIn !== 'renderer') return;
    const mode: VoiceMode = plan.mode;
    this.announcer = new Announcer({
      speaker: this.makeSpeaker(plan, this.voice),
      clock: { now: this.hubNow, sleep: realClock.sleep },
      repeat: plan.repeat,
      gapMs: plan.gapMs,
      maxAgeMs: plan.maxAgeMs,
      stillCalled: (call) => this.board?.calledNow.some((c) => c.ticket === call.ticket && c.window === call.window) ?? true,
      onEvent: (e) => {
        if (e.kind === 'started') this.onCaption({ ticket: e.call.ticket, window: e.call.window, text: e.text });
        if (e.kind === 'finished') this.onCaption(null);
        // Said, skipped, or not said (the voice failed): the agent logs it and reports a failing voice to the hub.
        const entry = announcedOf(e, mode, this.hubNow());
        if (entry) void this.bridge.call('announced', entry).catch(() => undefined);
      },
    });
  }

  /** The first board only sets where the screen starts: calls made before it was on are shown, not said. */
  setBoard(board: Board): void {
    this.board = board;
    // A board older than the last one seen is a hall log begun anew (a new hub database): start from it.
    if (this.lastSeq === undefined || board.seq < this.lastSeq) {
      this.lastSeq = board.seq;
      return;
    }
    const fresh = board.calls.filter((c) => c.seq > this.lastSeq!).sort((a, b) => a.seq - b.seq);
    this.lastSeq = Math.max(this.lastSeq, board.seq);
    if (!this.announcer) return;
    for (const c of fresh) this.announcer.enqueue({ seq: c.seq, ticket: c.ticket, window: c.window, recall: c.recall, at: c.at });
  }
}
