import { afterEach, describe, expect, it, vi } from 'vitest';
import { HubClock, onEachTick } from './hub-clock';

const hhmm = (ms: number) => new Date(ms).toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

describe('the minute clock', () => {
  afterEach(() => vi.useRealTimers());

  it('turns to 04:21 when the hub’s clock does, though the screen’s PC is 7 s behind and started at an odd second', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-12-07T04:20:50+08:00'));
    const hubNow = () => Date.now() + 7_000; // the hub reads 04:20:57
    const shown: string[] = [];
    const stop = onEachTick(hubNow, 60_000, (now) => shown.push(hhmm(now)));

    vi.advanceTimersByTime(2_999);
    expect(shown).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(shown).toEqual(['04:21']);
    vi.advanceTimersByTime(60_000);
    expect(shown).toEqual(['04:21', '04:22']);

    stop();
    vi.advanceTimersByTime(180_000);
    expect(shown).toEqual(['04:21', '04:22']);
  });

  it('ticks each whole second for a clock with seconds', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-12-07T04:20:50.400+08:00'));
    const at: number[] = [];
    const stop = onEachTick(() => Date.now(), 1_000, (now) => at.push(now % 1_000));
    vi.advanceTimersByTime(3_000);
    stop();
    expect(at).toEqual([0, 0, 0]);
  });
});

describe('the hall clock of a screen', () => {
  afterEach(() => vi.useRealTimers());

  const dayAndTime = (ms: number) => new Date(ms).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hourCycle: 'h23' });

  it('shows the hall’s time and day through its PC’s clock set an hour back and forward, before the agent is asked again', async () => {
    vi.useFakeTimers();
    // The hub's clock runs on from 23:59:30 with the machine's steady time, whatever the screen's PC's clock says.
    vi.setSystemTime(new Date('2026-12-07T23:59:23+08:00'));
    const hubAt = Date.parse('2026-12-07T23:59:30+08:00') - performance.now();
    const hubTime = () => Math.round(hubAt + performance.now());
    const clock = new HubClock({ call: async () => hubTime(), on: () => () => undefined });
    await vi.advanceTimersByTimeAsync(0);
    expect(Math.abs(clock.now() - hubTime())).toBeLessThan(5);

    const shown: string[] = [];
    const stop = onEachTick(clock.now, 60_000, (now) => shown.push(dayAndTime(now)));
    vi.setSystemTime(Date.now() - 3_600_000);
    expect(Math.abs(clock.now() - hubTime())).toBeLessThan(5);
    // The hall's midnight comes 30 s on, as the hub's: not at the PC's, an hour later, nor 22:59 of the 7th.
    await vi.advanceTimersByTimeAsync(30_000);
    expect(shown).toEqual(['2026/12/8 00:00:00']);
    vi.setSystemTime(Date.now() + 2 * 3_600_000);
    expect(Math.abs(clock.now() - hubTime())).toBeLessThan(5);
    stop();
  });
});

describe('the hub’s time as a screen reports it', () => {
  it('is whole milliseconds, as the hub’s own: the agent takes only integers (a call said by the hall screen’s voice is logged with it)', async () => {
    const clock = new HubClock({ call: async () => Date.now() + 7_000, on: () => () => undefined });
    const seen: number[] = [clock.now()];
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (let i = 0; i < 20; i++) {
      seen.push(clock.now());
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(seen.filter((t) => !Number.isInteger(t))).toEqual([]);
    // And after the agent's answer, the hub's 7 s ahead.
    expect(Math.abs(seen.at(-1)! - (Date.now() + 7_000))).toBeLessThan(100);
  });
});
