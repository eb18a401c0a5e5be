/** A bound's timer this late means the process was held up (a loaded machine) while the bound ran. */
const STALLED_MS = 100;
/** After such a hold-up, the time given to what came meanwhile (an answer still unread) before the bound is taken as run out. */
const AFTER_STALL_MS = 50;

/**
 * A timer for a bound. A process held up past the bound runs its timers before reading what arrived
 * meanwhile: a device that answered (or a line that took the bytes) in time would be taken for one
 * that did not. Read first, then decide. Returns the function that stops it.
 */
export function boundTimer(ms: number, expire: () => void): () => void {
  let due = performance.now() + ms;
  let timer: NodeJS.Timeout;
  const fire = () => {
    if (performance.now() - due <= STALLED_MS) return expire();
    due = performance.now() + AFTER_STALL_MS;
    timer = setTimeout(fire, AFTER_STALL_MS);
  };
  timer = setTimeout(fire, ms);
  return () => clearTimeout(timer);
}
