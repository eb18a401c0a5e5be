/** How many of the last answers the offset is chosen from. */
const SAMPLES = 5;

/**
 * The hub's clock less a steady clock (performance.now()), from answers that said the hub's time: each taken at
 * the midpoint of its round trip (asked and answered by the steady clock), and of the last few the one of the
 * shortest round trip, so that one slow answer (the hub busy, the network) does not move the hall's time, and a
 * hub's clock put right is followed within a few answers. The terminals' link and the console both count by it.
 * Pure: the times are arguments.
 */
export class HubOffset {
  private samples: { roundTrip: number; offset: number }[] = [];
  /** The offset now; undefined before the first answer. */
  value: number | undefined;

  /** Takes the hub's time, `hubTime`, said in answer to a question asked at `askedAt` and answered at `answeredAt` (the steady clock); returns the offset now. */
  sample(askedAt: number, hubTime: number, answeredAt: number): number | undefined {
    const roundTrip = answeredAt - askedAt;
    // A round trip below zero is no answer to this question: it says nothing.
    if (!Number.isFinite(hubTime) || !Number.isFinite(roundTrip) || roundTrip < 0) return this.value;
    this.samples = [...this.samples, { roundTrip, offset: hubTime - (askedAt + answeredAt) / 2 }].slice(-SAMPLES);
    this.value = this.samples.reduce((best, s) => (s.roundTrip < best.roundTrip ? s : best)).offset;
    return this.value;
  }

  /** Forgets the answers: a new link, whose round trips are its own. */
  reset(): void {
    this.samples = [];
  }
}
