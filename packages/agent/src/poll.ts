/**
 * Asks a device how it is every `everyMs`, the next ask `everyMs` after the last one was answered,
 * and hands each answer to `heard`. An ask that takes longer than `everyMs` (a silent printer waits
 * out its status bound) is never queued behind another: with a timer that fires regardless, asks
 * pile up behind a silent device for as long as it stays silent, and a job for it waits behind them.
 * Returns the function that stops it; an answer that comes after the stop is not handed on.
 */
export function pollDevice<T>(ask: () => Promise<T>, everyMs: number, heard: (answer: T) => void): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    if (stopped) return;
    try {
      const answer = await ask();
      if (!stopped) heard(answer);
    } catch {
      // A device's ask says its faults as values; one that throws is asked again at the next turn.
    }
    if (!stopped) timer = setTimeout(() => void tick(), everyMs);
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
