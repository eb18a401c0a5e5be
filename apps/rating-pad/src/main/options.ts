import type { RatingPadOptions } from './agent';

const seconds = (value: string | undefined, max: number): number | undefined => {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n >= 1 && n <= max ? n * 1000 : undefined;
};

/**
 * The pad's own settings beside the terminal configuration: SERVICEHALL_RATING_THANKS_SECONDS (how
 * long the thanks stay, default 6) and SERVICEHALL_RATING_DETAILS_SECONDS (how long the reasons
 * screen of a bad rating waits, default 90).
 */
export function padOptionsFromEnv(env: NodeJS.ProcessEnv): Partial<RatingPadOptions> {
  const thanksMs = seconds(env.SERVICEHALL_RATING_THANKS_SECONDS, 120);
  const detailsMs = seconds(env.SERVICEHALL_RATING_DETAILS_SECONDS, 600);
  return { ...(thanksMs ? { thanksMs } : {}), ...(detailsMs ? { detailsMs } : {}) };
}
