import { ConfigError, configProblems, envNumber, readConfigFile, settingsFromEnv, type EnvSetting } from '@servicehall/agent';
import { z } from 'zod';

/**
 * The window terminal's own settings: the "windowTerminal" object of the terminal's configuration
 * file, then the environment on top. The shared terminal configuration knows nothing of them.
 */
// A key it does not know (a misspelt one) is named, not left to its default.
export const WindowOptionsSchema = z.strictObject({
  /** Working days a correction notice gives, for a notice the hub gave no deadline (an earlier hub); the hall's catalogue sets it (cases.correctionDays). */
  correctionDays: z.number().int().min(1).max(60).default(10),
  /** How long the clerk's screen waits for the hub's answer before saying so (the command stays queued). */
  answerTimeoutMs: z.number().int().min(500).max(60_000).default(8000),
  /** How often the printer's status is asked for the device board (H-04). */
  printerPollMs: z.number().int().min(1000).max(600_000).default(60_000),
  /** How long the printer must stay better (a fault cleared) before the device board is told; a fault is told at once. */
  printerRecoveryMs: z.number().int().min(0).max(600_000).default(10_000),
  /** With no hub for this long, the clerk may call a typed number and record its outcome here (应急手动叫号). */
  emergencyAfterSeconds: z.number().int().min(5).max(3600).default(60),
});
export type WindowOptions = z.infer<typeof WindowOptionsSchema>;

const ENV: Record<string, EnvSetting> = {
  SERVICEHALL_CORRECTION_DAYS: [['correctionDays'], envNumber],
  SERVICEHALL_ANSWER_TIMEOUT_MS: [['answerTimeoutMs'], envNumber],
  SERVICEHALL_PRINTER_POLL_MS: [['printerPollMs'], envNumber],
  SERVICEHALL_PRINTER_RECOVERY_MS: [['printerRecoveryMs'], envNumber],
  SERVICEHALL_WINDOW_EMERGENCY_AFTER_SECONDS: [['emergencyAfterSeconds'], envNumber],
};

export function loadWindowOptions(file: string | undefined, env: NodeJS.ProcessEnv = process.env): WindowOptions {
  let raw: Record<string, unknown> = {};
  if (file) {
    try {
      const parsed = readConfigFile(file) as { windowTerminal?: unknown };
      // loadConfig has already said what is wrong with an unreadable file; only our own part is checked here.
      if (parsed.windowTerminal && typeof parsed.windowTerminal === 'object') raw = { ...(parsed.windowTerminal as Record<string, unknown>) };
    } catch {
      raw = {};
    }
  }
  const sources = settingsFromEnv(raw, env, ENV);
  const parsed = WindowOptionsSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ConfigError(configProblems(parsed.error.issues, ['windowTerminal'], sources));
  return parsed.data;
}
