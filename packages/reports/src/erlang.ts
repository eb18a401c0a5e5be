/**
 * Erlang C (the M/M/N queue): citizens arriving at random to N windows that serve one queue. The
 * standard model for how many windows (call-centre agents) a target wait needs.
 */

/** The probability that an arrival has to wait, with `windows` windows and `traffic` Erlangs (arrival rate × mean service time). */
export function erlangC(windows: number, traffic: number): number {
  if (traffic <= 0) return 0;
  if (windows <= traffic) return 1;
  // Erlang B by its recurrence (no factorials to overflow), then C from B.
  let b = 1;
  for (let k = 1; k <= windows; k++) b = (traffic * b) / (k + traffic * b);
  return (windows * b) / (windows - traffic * (1 - b));
}

/** The share of arrivals called within `targetSeconds`. */
export function serviceLevel(windows: number, traffic: number, meanServiceSeconds: number, targetSeconds: number): number {
  if (traffic <= 0) return 1;
  if (windows <= traffic) return 0;
  return 1 - erlangC(windows, traffic) * Math.exp((-(windows - traffic) * targetSeconds) / meanServiceSeconds);
}

/** The mean wait in seconds (average speed of answer). */
export function meanWait(windows: number, traffic: number, meanServiceSeconds: number): number {
  if (traffic <= 0) return 0;
  if (windows <= traffic) return Infinity;
  return (erlangC(windows, traffic) * meanServiceSeconds) / (windows - traffic);
}

export interface WaitTarget {
  /** Share of citizens to be called within the target, 0..1 (e.g. 0.8). */
  share: number;
  /** Minutes (e.g. 20). */
  minutes: number;
}

/**
 * The fewest windows that keep the target for `arrivalsPerHour` citizens each taking
 * `meanServiceSeconds`: none for none, else at least one more than the traffic.
 */
export function windowsNeeded(arrivalsPerHour: number, meanServiceSeconds: number, target: WaitTarget, limit = 999): number {
  if (arrivalsPerHour <= 0 || meanServiceSeconds <= 0) return 0;
  const traffic = (arrivalsPerHour * meanServiceSeconds) / 3600;
  let n = Math.max(1, Math.floor(traffic) + 1);
  while (n < limit && serviceLevel(n, traffic, meanServiceSeconds, target.minutes * 60) < target.share) n++;
  return n;
}
