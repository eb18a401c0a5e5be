import { forbiddenPhrasesIn } from '@servicehall/core';
import { ConfigError, configProblems, envNumber, readConfigFile, settingsFromEnv, type EnvSetting } from '@servicehall/agent';
import { z } from 'zod';
import { VOICE_PREFERENCES, type VoicePreference } from '../shared/voice';

/**
 * The hall screen's own settings: the "hallDisplay" object of the terminal's configuration file,
 * then the environment on top. The shared terminal configuration knows nothing of them.
 */
// A key it does not know (notice for notices) is named, not left to its default.
export const DisplayOptionsSchema = z.strictObject({
  /** Hall notices shown on the screen; without them, the civil default set of the strings catalogue. */
  notices: z
    .array(
      z
        .string()
        .trim()
        .min(1)
        .max(120)
        .superRefine((text, ctx) => {
          const found = forbiddenPhrasesIn(text);
          if (found.length > 0) ctx.addIssue({ code: 'custom', message: `uses a phrase the handbook forbids (H-14): ${found.join('、')}` });
        }),
    )
    .max(12)
    .optional(),
  voice: z.enum(VOICE_PREFERENCES as [VoicePreference, ...VoicePreference[]]).default('auto'),
  /** How many times each call is said. */
  repeat: z.number().int().min(1).max(3).default(2),
  gapMs: z.number().int().min(0).max(10_000).default(800),
  chimeMs: z.number().int().min(0).max(10_000).default(1600),
  /** With the chime alone, how long each saying holds the caption on screen. */
  captionMs: z.number().int().min(0).max(20_000).default(3500),
  /** A call older than this when its turn comes (a screen back after an outage) is shown, not said. */
  maxAgeMs: z.number().int().min(1000).max(3_600_000).default(300_000),
  /** How long each page of the waiting list stays before the next; a list that fits on one page never turns. */
  pageMs: z.number().int().min(3000).max(120_000).default(8000),
  /** The service item whose window takes complaints (H-15); by default ZX-YJ-TS, else the item named 投诉. */
  complaintItem: z.string().min(1).max(40).optional(),
});
export type DisplayOptions = z.infer<typeof DisplayOptionsSchema>;

const ENV: Record<string, EnvSetting> = {
  SERVICEHALL_VOICE: [['voice'], (v) => v],
  SERVICEHALL_ANNOUNCE_REPEAT: [['repeat'], envNumber],
  SERVICEHALL_ANNOUNCE_GAP_MS: [['gapMs'], envNumber],
  SERVICEHALL_CHIME_MS: [['chimeMs'], envNumber],
  SERVICEHALL_CAPTION_MS: [['captionMs'], envNumber],
  SERVICEHALL_PAGE_MS: [['pageMs'], envNumber],
  // Several notices in one variable, separated by "|".
  SERVICEHALL_NOTICES: [['notices'], (v) => v.split('|').map((s) => s.trim()).filter(Boolean)],
};

export function loadDisplayOptions(file: string | undefined, env: NodeJS.ProcessEnv = process.env): DisplayOptions {
  let raw: Record<string, unknown> = {};
  if (file) {
    try {
      const parsed = readConfigFile(file) as { hallDisplay?: unknown };
      // loadConfig has already said what is wrong with an unreadable file; only our own part is checked here.
      if (parsed.hallDisplay && typeof parsed.hallDisplay === 'object') raw = { ...(parsed.hallDisplay as Record<string, unknown>) };
    } catch {
      raw = {};
    }
  }
  const sources = settingsFromEnv(raw, env, ENV);
  const parsed = DisplayOptionsSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ConfigError(configProblems(parsed.error.issues, ['hallDisplay'], sources));
  return parsed.data;
}
