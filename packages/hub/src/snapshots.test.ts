import { describe, expect, it } from 'vitest';
import { SnapshotCache } from './snapshots';

describe('the snapshot cache', () => {
  function cache(maxBehind = 5) {
    const hall = { view: {}, seq: 10 };
    let clock = 0;
    const asked: boolean[] = [];
    const snapshots = new SnapshotCache(
      (open) => {
        asked.push(open);
        return { type: 'snapshot', seq: hall.seq, open };
      },
      () => hall,
      { maxAgeMs: 1000, maxBehind, clock: () => clock },
    );
    return { hall, snapshots, asked, tick: (ms: number) => (clock += ms) };
  }
  const text = (b: Buffer) => JSON.parse(b.toString()) as { seq: number; open: boolean };

  it('writes one for many within its second, while the log has moved on a little, and each kind apart', () => {
    const { hall, snapshots, asked, tick } = cache();
    const a = snapshots.get(true);
    hall.seq = 13;
    tick(900);
    const b = snapshots.get(true);
    expect(b.bytes).toBe(a.bytes);
    expect(b.seq).toBe(10);
    expect(text(b.bytes)).toEqual({ type: 'snapshot', seq: 10, open: true });
    // The full one (for the windows and the console) is its own.
    expect(text(snapshots.get(false).bytes)).toEqual({ type: 'snapshot', seq: 13, open: false });
    expect(asked).toEqual([true, false]);
    expect(snapshots.writes).toBe(2);
  });

  it('writes it again after its second, when the log has moved on too far, or when the view is another', () => {
    const { hall, snapshots, tick } = cache();
    snapshots.get(true);
    tick(1000);
    expect(snapshots.get(true).seq).toBe(10);
    expect(snapshots.writes).toBe(2);
    hall.seq = 16;
    expect(snapshots.get(true).seq).toBe(16);
    hall.view = {};
    expect(snapshots.get(true).seq).toBe(16);
    expect(snapshots.writes).toBe(4);
    // A log that went back (a restore) is never given a snapshot from after it.
    hall.seq = 12;
    expect(snapshots.get(true).seq).toBe(12);
    expect(snapshots.writes).toBe(5);
  });
});
