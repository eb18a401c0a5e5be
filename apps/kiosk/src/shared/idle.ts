/**
 * The kiosk's patience with a citizen who stops touching it: after `idleSeconds` it asks whether
 * they are still there and counts `warnSeconds` down, with a button to go on; only then does it go
 * back home, to Chinese and the standard mode, for the next citizen. Pure: the clock is an argument.
 */
export type IdlePhase = { kind: 'active' } | { kind: 'warning'; secondsLeft: number } | { kind: 'reset' };

export interface IdleSettings {
  idleSeconds: number;
  warnSeconds: number;
}

/**
 * Where the kiosk stands `now`, the last touch at `lastTouch`. At rest (home, standard mode, its own
 * language) there is nothing to lose: no warning, the reset only clears what was typed.
 */
export function idlePhase(now: number, lastTouch: number, settings: IdleSettings, atRest: boolean): IdlePhase {
  const idleMs = settings.idleSeconds * 1000;
  const endMs = idleMs + settings.warnSeconds * 1000;
  const elapsed = now - lastTouch;
  if (elapsed >= endMs) return { kind: 'reset' };
  if (elapsed < idleMs || atRest) return { kind: 'active' };
  return { kind: 'warning', secondsLeft: Math.ceil((endMs - elapsed) / 1000) };
}

/**
 * When the citizen last touched the kiosk, counted by its steady clock (performance.now()): a PC's clock set
 * an hour forward (by hand, or put right by the network) does not send a citizen in the middle of a task back
 * home, nor one set back keep the last citizen's page and mode for an hour.
 */
export class IdleWatch {
  private lastTouch: number;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.lastTouch = now();
  }

  touched(): void {
    this.lastTouch = this.now();
  }

  phase(settings: IdleSettings, atRest: boolean): IdlePhase {
    return idlePhase(this.now(), this.lastTouch, settings, atRest);
  }
}
