import { ConfigError, configProblems, envNumber, settingsFromEnv, type EnvSetting } from '@servicehall/agent';
import { z } from 'zod';
import type { RatingPadOptions } from './agent';

// Seconds as the installer types them; a wrong one is named, not left to its default without a word.
const PadOptionsSchema = z.strictObject({
  thanksSeconds: z.number().min(1).max(120).optional(),
  detailsSeconds: z.number().min(1).max(600).optional(),
});

const ENV: Record<string, EnvSetting> = {
  SERVICEHALL_RATING_THANKS_SECONDS: [['thanksSeconds'], envNumber],
  SERVICEHALL_RATING_DETAILS_SECONDS: [['detailsSeconds'], envNumber],
};

/**
 * The pad's own settings beside the terminal configuration: SERVICEHALL_RATING_THANKS_SECONDS (how
 * long the thanks stay, 1 to 120, default 6) and SERVICEHALL_RATING_DETAILS_SECONDS (how long the
 * reasons screen of a bad rating waits, 1 to 600, default 90). A wrong one stops the pad (exit 78).
 */
export function padOptionsFromEnv(env: NodeJS.ProcessEnv): Partial<RatingPadOptions> {
  const raw: Record<string, unknown> = {};
  const sources = settingsFromEnv(raw, env, ENV);
  const parsed = PadOptionsSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ConfigError(configProblems(parsed.error.issues, [], sources));
  const { thanksSeconds, detailsSeconds } = parsed.data;
  return { ...(thanksSeconds !== undefined ? { thanksMs: thanksSeconds * 1000 } : {}), ...(detailsSeconds !== undefined ? { detailsMs: detailsSeconds * 1000 } : {}) };
}
