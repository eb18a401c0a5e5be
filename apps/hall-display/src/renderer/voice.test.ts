import type { Bridge } from '@servicehall/agent/contract';
import { describe, expect, it } from 'vitest';
import type { Speaker } from '../shared/announcer';
import type { Announced, Board, CallShown, HallDisplayShape, VoicePlan } from '../shared/api';
import { screenSpeaker, ScreenVoice } from './voice';

const plan: VoicePlan = { mode: 'chime-only', runsIn: 'renderer', repeat: 1, gapMs: 0, chimeMs: 0, captionMs: 0, maxAgeMs: 3_600_000 };

function setup(hubNow = Date.now, fails: (ticket: string) => boolean = () => false) {
  const logged: Announced[] = [];
  const bridge = { call: async (name: string, arg: Announced) => void (name === 'announced' && logged.push(arg)), on: () => () => undefined } as unknown as Bridge<HallDisplayShape>;
  const said: string[] = [];
  const captions: (string | null)[] = [];
  const speaker: Speaker = {
    chime: async () => undefined,
    say: async (text, call) => {
      if (fails(call.ticket)) throw new Error("the screen's voice Tingting could not say it (error audio-busy)");
      said.push(text);
    },
  };
  const screen = new ScreenVoice(bridge, undefined, hubNow, (c) => captions.push(c?.text ?? null), () => speaker);
  return { screen, said, logged, captions };
}

const now = Date.now();
const shown = (seq: number, ticket: string, window: number): CallShown => ({ seq, ticket, window, windowName: `${window}号窗口`, at: now, recall: false });
function board(seq: number, calls: CallShown[], calledNow = calls.map((c) => ({ ticket: c.ticket, window: c.window }))): Board {
  return { seq, hallName: '', timeZone: 'Asia/Shanghai', calls: [...calls].reverse(), calledNow, waiting: [], notices: [], complaint: { phone: '12345' } };
}
const settle = () => new Promise((r) => setTimeout(r, 20));

describe("the screen's side of the voice", () => {
  it('shows the calls made before the screen was on without saying them, then says each new one in call order', async () => {
    const { screen, said, logged, captions } = setup();
    screen.setPlan(plan);
    const old = shown(3, 'A001', 1);
    screen.setBoard(board(3, [old]));
    const fresh = [shown(4, 'B001', 3), shown(5, 'C001', 5), shown(6, 'A002', 2)];
    screen.setBoard(board(6, [old, ...fresh]));
    await settle();
    expect(said).toEqual(['请B001号到3号窗口办理', '请C001号到5号窗口办理', '请A002号到2号窗口办理']);
    expect(logged.map((e) => [e.seq, e.ticket, e.window, e.voice])).toEqual([
      [4, 'B001', 3, 'chime-only'],
      [5, 'C001', 5, 'chime-only'],
      [6, 'A002', 2, 'chime-only'],
    ]);
    expect(captions.at(-1)).toBeNull();
    expect(captions).toContain('请C001号到5号窗口办理');
  });

  it("tells the agent of a call its voice could not say, so that the hub's board shows the voice failing", async () => {
    const { screen, said, logged } = setup(Date.now, (ticket) => ticket === 'B001');
    screen.setPlan(plan);
    screen.setBoard(board(1, []));
    screen.setBoard(board(3, [shown(2, 'B001', 3), shown(3, 'C001', 5)]));
    await settle();
    expect(said).toEqual(['请C001号到5号窗口办理']);
    expect(logged.map((e) => [e.ticket, e.time, e.failed])).toEqual([
      ['B001', 0, "the screen's voice Tingting could not say it (error audio-busy)"],
      ['C001', 1, undefined],
    ]);
  });

  it('skips a call that the board no longer holds as called when its turn comes', async () => {
    const { screen, said, logged } = setup();
    screen.setPlan(plan);
    screen.setBoard(board(1, []));
    const a = shown(2, 'A001', 1);
    const b = shown(3, 'B001', 2);
    screen.setBoard(board(3, [a, b]));
    // Window 2 marks B001 no-show before its turn.
    screen.setBoard(board(4, [a, b], [{ ticket: 'A001', window: 1 }]));
    await settle();
    expect(said).toEqual(['请A001号到1号窗口办理']);
    expect(logged.find((e) => e.ticket === 'B001')).toMatchObject({ time: 0, skipped: 'no-longer-called' });
  });

  it('says a call just made by the hub’s clock on a screen whose PC clock is an hour ahead', async () => {
    const hour = 3_600_000;
    const { screen, said, logged } = setup(() => Date.now() - hour);
    screen.setPlan({ ...plan, maxAgeMs: 300_000 });
    screen.setBoard(board(1, []));
    screen.setBoard(board(2, [{ ...shown(2, 'A001', 1), at: Date.now() - hour }]));
    await settle();
    // By the PC's clock the call was an hour old, and skipped as too old.
    expect(said).toEqual(['请A001号到1号窗口办理']);
    expect(logged[0]!.at).toBeLessThan(Date.now() - hour + 60_000);
  });

  it('leaves the voice to the agent when the plan says so', async () => {
    const { screen, said } = setup();
    screen.setPlan({ ...plan, mode: 'espeak-ng', runsIn: 'agent' });
    screen.setBoard(board(1, []));
    screen.setBoard(board(2, [shown(2, 'A001', 1)]));
    await settle();
    expect(said).toEqual([]);
  });
});

describe("the screen's speaker", () => {
  it('holds the sentence on screen for as long as it would be said when the platform voice fails, and does not count it as said', async () => {
    const utterances: { text: string; onerror?: () => void; onend?: () => void }[] = [];
    const g = globalThis as Record<string, unknown>;
    const saved = { u: g.SpeechSynthesisUtterance, s: g.speechSynthesis };
    // A zh-CN voice that is listed but cannot speak (its audio device gone): each utterance ends in an error.
    g.SpeechSynthesisUtterance = class {
      onerror?: () => void;
      onend?: () => void;
      constructor(readonly text: string) {}
    };
    g.speechSynthesis = { speak: (u: (typeof utterances)[number]) => (utterances.push(u), queueMicrotask(() => u.onerror?.())), cancel: () => undefined };
    try {
      const slept: number[] = [];
      const clock = { now: () => 0, sleep: (ms: number) => (slept.push(ms), Promise.resolve()) };
      const speaker = screenSpeaker({ ...plan, mode: 'speech-synthesis', captionMs: 3500 }, { name: 'Tingting', lang: 'zh-CN' } as SpeechSynthesisVoice, clock);
      const call = { seq: 1, ticket: 'A012', window: 3, recall: false, at: 0 };
      await expect(speaker.say('请A012号到3号窗口办理', call)).rejects.toThrow(/语音|voice/);
      expect(utterances.map((u) => u.text)).toEqual(['请A零一二号到三号窗口办理']);
      // The caption stays up as long as with the chime alone.
      expect(slept).toContain(3500);
    } finally {
      g.SpeechSynthesisUtterance = saved.u;
      g.speechSynthesis = saved.s;
    }
  });
});
