import { afterEach, describe, expect, it, vi } from 'vitest';
import { pollDevice } from './poll';

afterEach(() => vi.useRealTimers());

describe('pollDevice', () => {
  it('never asks a device that has not answered yet again: an ask longer than the interval is not queued behind', async () => {
    vi.useFakeTimers();
    // A printer silent for a while: each ask waits out a 2 s bound, the poll's interval is 1 s.
    let asking = 0;
    let most = 0;
    let asks = 0;
    const ask = () => {
      asks += 1;
      asking += 1;
      most = Math.max(most, asking);
      return new Promise<string>((resolve) =>
        setTimeout(() => {
          asking -= 1;
          resolve('timeout');
        }, 2000),
      );
    };
    const heard: string[] = [];
    const stop = pollDevice(ask, 1000, (a) => heard.push(a));
    await vi.advanceTimersByTimeAsync(29_500);
    stop();
    expect(most).toBe(1);
    // One ask every 3 s (2 s waited, 1 s between): 10 in 29.5 s, not 30 piling up.
    expect(asks).toBe(10);
    expect(heard).toHaveLength(10);
  });

  it('goes on after an ask that throws, and hands on nothing after it is stopped', async () => {
    vi.useFakeTimers();
    let n = 0;
    const heard: number[] = [];
    const stop = pollDevice(
      async () => {
        n += 1;
        if (n === 2) throw new Error('line gone');
        return n;
      },
      1000,
      (a) => heard.push(a),
    );
    await vi.advanceTimersByTimeAsync(3500);
    stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(heard).toEqual([1, 3, 4]);
  });
});
