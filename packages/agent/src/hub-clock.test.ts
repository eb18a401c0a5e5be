import { afterEach, describe, expect, it, vi } from 'vitest';
import { onEachTick } from './hub-clock';

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
