import type { RatingPadOptions } from './agent';

/** The pad's own settings beside the terminal configuration: SERVICEHALL_RATING_THANKS_SECONDS (how long the thanks stay, default 6). */
export function padOptionsFromEnv(env: NodeJS.ProcessEnv): Partial<RatingPadOptions> {
  const seconds = Number(env.SERVICEHALL_RATING_THANKS_SECONDS);
  return Number.isFinite(seconds) && seconds >= 1 && seconds <= 120 ? { thanksMs: seconds * 1000 } : {};
}
