import { describe, expect, it } from 'vitest';
import { HallPace } from './upstream';

describe("the hall's pace, as the shipper is told it", () => {
  it('counts the hall busy from five events in a second, not for the hub’s own event now and then, and says so at most twice a second', () => {
    const pace = new HallPace();
    const t0 = 1_000_000;
    // The hub's own events: one every few seconds.
    for (let s = 0; s < 10; s++) expect(pace.appended(1, t0 + s * 3000)).toBeUndefined();
    const t1 = t0 + 60_000;
    // Citizens served: four events in a second are not yet busy, the fifth is.
    for (let i = 0; i < 4; i++) expect(pace.appended(1, t1 + i * 100)).toBeUndefined();
    expect(pace.appended(1, t1 + 450)).toBe(t1 + 450 + 3000);
    // Said again only half a second later, however many events come meanwhile.
    expect(pace.appended(3, t1 + 600)).toBeUndefined();
    expect(pace.appended(3, t1 + 960)).toBe(t1 + 960 + 3000);
    // A batch of many events at once counts as many.
    expect(pace.appended(8, t1 + 5000)).toBe(t1 + 5000 + 3000);
  });
});
