import { describe, expect, it } from 'vitest';
import { Announcer, callSentence, type Announcement, type AnnouncerClock, type AnnouncerEvent, type Speaker } from './announcer';

/** A clock whose sleeps pass at once but count virtual time, so that tests need no waiting. */
function fakeClock(start = 1_000_000): AnnouncerClock & { time: number } {
  const clock = {
    time: start,
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.time += ms;
      await Promise.resolve();
    },
  };
  return clock;
}

/** A speaker that records every sound instead of making it; each sound takes a little virtual time. */
function recordingSpeaker(clock: { time: number }, onSay?: (text: string, call: Announcement) => void) {
  const sounds: string[] = [];
  const speaker: Speaker = {
    async chime() {
      sounds.push('chime');
      clock.time += 1500;
      await new Promise((r) => setTimeout(r, 0));
    },
    async say(text, call) {
      sounds.push(text);
      onSay?.(text, call);
      clock.time += 3000;
      await new Promise((r) => setTimeout(r, 0));
    },
  };
  return { speaker, sounds };
}

const call = (seq: number, ticket: string, window: number, extra: Partial<Announcement> = {}): Announcement => ({
  seq,
  ticket,
  window,
  recall: false,
  at: 1_000_000,
  ...extra,
});

describe('the announcement queue', () => {
  it('chimes, then says 请A012号到3号窗口办理 twice', async () => {
    const clock = fakeClock();
    const { speaker, sounds } = recordingSpeaker(clock);
    const a = new Announcer({ speaker, clock, stillCalled: () => true });
    a.enqueue(call(1, 'A012', 3));
    await a.idle();
    expect(sounds).toEqual(['chime', '请A012号到3号窗口办理', '请A012号到3号窗口办理']);
  });

  it('says it as many times as configured', async () => {
    const clock = fakeClock();
    const { speaker, sounds } = recordingSpeaker(clock);
    const a = new Announcer({ speaker, clock, repeat: 3, stillCalled: () => true });
    a.enqueue(call(1, 'B007', 12));
    await a.idle();
    expect(sounds).toEqual(['chime', ...Array(3).fill('请B007号到12号窗口办理')]);
  });

  it('announces a burst of 10 calls from 5 windows in call order, each naming its own ticket and window', async () => {
    const clock = fakeClock();
    const { speaker, sounds } = recordingSpeaker(clock);
    const events: AnnouncerEvent[] = [];
    const a = new Announcer({ speaker, clock, stillCalled: () => true, onEvent: (e) => events.push(e) });
    const burst = Array.from({ length: 10 }, (_, i) => {
      const window = (i % 5) + 1;
      return call(100 + i, `${'ABCDE'[i % 5]}${String(Math.floor(i / 5) + 1).padStart(3, '0')}`, window, { at: 1_000_000 + i * 20 });
    });
    // They arrive while the first is being said; two arrive late, out of order.
    a.enqueue(burst[0]!);
    for (const c of [burst[1], burst[2], burst[4], burst[3], burst[5], burst[6], burst[8], burst[7], burst[9]]) a.enqueue(c!);
    await a.idle();

    const said = events.filter((e) => e.kind === 'said' && e.time === 1).map((e) => (e as { call: Announcement }).call);
    expect(said.map((c) => c.seq)).toEqual(burst.map((c) => c.seq));
    expect(sounds.filter((s) => s !== 'chime')).toEqual(burst.flatMap((c) => [callSentence(c), callSentence(c)]));
    expect(sounds.filter((s) => s === 'chime')).toHaveLength(10);
    expect(sounds).toContain('请A001号到1号窗口办理');
    expect(sounds).toContain('请E002号到5号窗口办理');
  });

  it('announces a recall again, after the calls made before it', async () => {
    const clock = fakeClock();
    const { speaker, sounds } = recordingSpeaker(clock);
    const a = new Announcer({ speaker, clock, repeat: 1, stillCalled: () => true });
    a.enqueue(call(1, 'A012', 3));
    a.enqueue(call(2, 'B004', 4));
    a.enqueue(call(3, 'A012', 3, { recall: true }));
    await a.idle();
    expect(sounds.filter((s) => s !== 'chime')).toEqual(['请A012号到3号窗口办理', '请B004号到4号窗口办理', '请A012号到3号窗口办理']);
  });

  it('does not say the same call twice when it is pushed again', async () => {
    const clock = fakeClock();
    const { speaker, sounds } = recordingSpeaker(clock);
    const a = new Announcer({ speaker, clock, repeat: 1, stillCalled: () => true });
    expect(a.enqueue(call(1, 'A012', 3))).toBe(true);
    expect(a.enqueue(call(1, 'A012', 3))).toBe(false);
    await a.idle();
    expect(a.enqueue(call(1, 'A012', 3))).toBe(false);
    await a.idle();
    expect(sounds).toEqual(['chime', '请A012号到3号窗口办理']);
  });

  it('skips a call cancelled before its turn (no-show, transferred, finished)', async () => {
    const clock = fakeClock();
    const standing = new Set(['A001@1', 'B001@2', 'C001@3']);
    // While A001 is being said, window 2 gives up on B001.
    const { speaker, sounds } = recordingSpeaker(clock, (_t, c) => c.ticket === 'A001' && standing.delete('B001@2'));
    const events: AnnouncerEvent[] = [];
    const a = new Announcer({
      speaker,
      clock,
      repeat: 1,
      stillCalled: (c) => standing.has(`${c.ticket}@${c.window}`),
      onEvent: (e) => events.push(e),
    });
    a.enqueue(call(1, 'A001', 1));
    a.enqueue(call(2, 'B001', 2));
    a.enqueue(call(3, 'C001', 3));
    await a.idle();
    expect(sounds.filter((s) => s !== 'chime')).toEqual(['请A001号到1号窗口办理', '请C001号到3号窗口办理']);
    expect(events).toContainEqual({ kind: 'skipped', call: call(2, 'B001', 2), reason: 'no-longer-called' });
  });

  it('skips a call whose ticket another window has called since (the same number, a new window)', async () => {
    const clock = fakeClock();
    let at: Record<string, number> = { X001: 9, A001: 1 };
    const { speaker, sounds } = recordingSpeaker(clock, () => (at = { X001: 9, A001: 7 }));
    const a = new Announcer({ speaker, clock, repeat: 1, stillCalled: (c) => at[c.ticket] === c.window });
    a.enqueue(call(1, 'X001', 9));
    a.enqueue(call(2, 'A001', 1));
    a.enqueue(call(3, 'A001', 7));
    await a.idle();
    expect(sounds.filter((s) => s !== 'chime')).toEqual(['请X001号到9号窗口办理', '请A001号到7号窗口办理']);
  });

  it('stops repeating a call whose citizen came while it was being said', async () => {
    const clock = fakeClock();
    let standing = true;
    const { speaker, sounds } = recordingSpeaker(clock, () => (standing = false));
    const a = new Announcer({ speaker, clock, stillCalled: () => standing });
    a.enqueue(call(1, 'A012', 3));
    await a.idle();
    expect(sounds).toEqual(['chime', '请A012号到3号窗口办理']);
  });

  it('shows but does not say a call that is too old when its turn comes', async () => {
    const clock = fakeClock(10_000_000);
    const { speaker, sounds } = recordingSpeaker(clock);
    const events: AnnouncerEvent[] = [];
    const a = new Announcer({ speaker, clock, repeat: 1, maxAgeMs: 60_000, stillCalled: () => true, onEvent: (e) => events.push(e) });
    a.enqueue(call(1, 'A001', 1, { at: 10_000_000 - 120_000 }));
    a.enqueue(call(2, 'A002', 2, { at: 10_000_000 - 1000 }));
    await a.idle();
    expect(sounds.filter((s) => s !== 'chime')).toEqual(['请A002号到2号窗口办理']);
    expect(events.find((e) => e.kind === 'skipped')).toMatchObject({ reason: 'too-old', call: { ticket: 'A001' } });
  });

  it('goes on to the next call when the speaker fails', async () => {
    const clock = fakeClock();
    const sounds: string[] = [];
    const speaker: Speaker = {
      chime: async () => void sounds.push('chime'),
      say: async (text, c) => {
        if (c.ticket === 'A001') throw new Error('no audio device');
        sounds.push(text);
      },
    };
    const events: AnnouncerEvent[] = [];
    const a = new Announcer({ speaker, clock, repeat: 1, stillCalled: () => true, onEvent: (e) => events.push(e) });
    a.enqueue(call(1, 'A001', 1));
    a.enqueue(call(2, 'A002', 2));
    await a.idle();
    expect(sounds).toEqual(['chime', 'chime', '请A002号到2号窗口办理']);
    expect(events).toContainEqual({ kind: 'failed', call: call(1, 'A001', 1), message: 'no audio device', part: 'say' });
  });

  it('still says the call when only the chime fails (its sound file or player broken for the chime alone)', async () => {
    const clock = fakeClock();
    const sounds: string[] = [];
    const speaker: Speaker = {
      chime: async () => {
        throw new Error('aplay could not play the sound (chime.wav: Permission denied)');
      },
      say: async (text) => void sounds.push(text),
    };
    const events: AnnouncerEvent[] = [];
    const a = new Announcer({ speaker, clock, stillCalled: () => true, onEvent: (e) => events.push(e) });
    a.enqueue(call(1, 'A012', 3));
    await a.idle();
    expect(sounds).toEqual(['请A012号到3号窗口办理', '请A012号到3号窗口办理']);
    expect(events).toContainEqual({ kind: 'failed', call: call(1, 'A012', 3), message: 'aplay could not play the sound (chime.wav: Permission denied)', part: 'chime' });
    expect(events.filter((e) => e.kind === 'said')).toHaveLength(2);
  });

  it('leaves a gap between the sayings and between the calls, on the clock it is given', async () => {
    const clock = fakeClock(0);
    const times: number[] = [];
    const speaker: Speaker = { chime: async () => void times.push(clock.time), say: async () => void times.push(clock.time) };
    const a = new Announcer({ speaker, clock, gapMs: 500, stillCalled: () => true });
    a.enqueue(call(1, 'A001', 1, { at: 0 }));
    a.enqueue(call(2, 'A002', 2, { at: 0 }));
    await a.idle();
    expect(times).toEqual([0, 0, 500, 1000, 1000, 1500]);
  });

  it('drops what is queued when stopped', async () => {
    const clock = fakeClock();
    const { speaker, sounds } = recordingSpeaker(clock);
    const a = new Announcer({ speaker, clock, repeat: 1, stillCalled: () => true });
    a.enqueue(call(1, 'A001', 1));
    a.enqueue(call(2, 'A002', 2));
    a.stop();
    await a.idle();
    expect(sounds.filter((s) => s !== 'chime').length).toBeLessThanOrEqual(1);
    expect(sounds).not.toContain('请A002号到2号窗口办理');
    expect(a.enqueue(call(3, 'A003', 3))).toBe(false);
  });
});
