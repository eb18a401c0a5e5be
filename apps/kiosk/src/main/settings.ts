import { ConfigError, configProblems, envNumber, readConfigFile, settingsFromEnv, type EnvSetting, type TerminalConfig } from '@servicehall/agent';
import { printerProfileProblem } from '@servicehall/escpos-printer';
import { publicUrlProblem } from '@servicehall/core';
import { z } from 'zod';

/** The kiosk's own settings, beside the terminal configuration every app shares. */
// A key it does not know (leasesize for leaseSize) is named, not left to its default.
export const KioskSettingsSchema = z.strictObject({
  /** After this long without a touch the kiosk asks whether the citizen is still there. */
  idleSeconds: z.number().int().min(10).max(600).default(60),
  /** How long it counts down, with a "继续" button, before it goes back home (and to the standard mode). */
  idleWarnSeconds: z.number().int().min(5).max(120).default(20),
  /** Suggest online and self-service channels when an item's wait reaches either figure (H-16). */
  busyMinutes: z.number().int().min(1).max(600).default(30),
  busyPeople: z.number().int().min(1).max(999).default(20),
  /** How often the printer's status is asked, so that the kiosk recovers by itself. */
  printerPollMs: z.number().int().min(100).max(60_000).default(3000),
  /** How long the printer must stay better (a fault cleared) before the hub's device board is told: a flapping printer is not reported at every poll. A fault is told at once. */
  printerRecoveryMs: z.number().int().min(0).max(600_000).default(10_000),
  /** With no hub for this long, the kiosk gives numbers from its leases (应急取号). */
  emergencyAfterSeconds: z.number().int().min(5).max(3600).default(60),
  /** Numbers of each prefix the kiosk holds in a lease while online (0: no leases, no emergency issuing). */
  leaseSize: z.number().int().min(0).max(100).default(20),
  /**
   * Base of the progress address on tickets (<base>/q/<ticket id>) for this kiosk, over the hall's
   * own (catalogue hall.publicUrl); never this machine's loopback address, which no phone reaches.
   */
  publicUrl: z
    .string()
    .superRefine((v, ctx) => {
      const problem = publicUrlProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
});
export type KioskSettingsConfig = z.infer<typeof KioskSettingsSchema>;

const ENV: Record<string, EnvSetting> = {
  SERVICEHALL_KIOSK_IDLE_SECONDS: [['idleSeconds'], envNumber],
  SERVICEHALL_KIOSK_IDLE_WARN_SECONDS: [['idleWarnSeconds'], envNumber],
  SERVICEHALL_KIOSK_BUSY_MINUTES: [['busyMinutes'], envNumber],
  SERVICEHALL_KIOSK_BUSY_PEOPLE: [['busyPeople'], envNumber],
  SERVICEHALL_KIOSK_PRINTER_POLL_MS: [['printerPollMs'], envNumber],
  SERVICEHALL_KIOSK_PRINTER_RECOVERY_MS: [['printerRecoveryMs'], envNumber],
  SERVICEHALL_KIOSK_EMERGENCY_AFTER_SECONDS: [['emergencyAfterSeconds'], envNumber],
  SERVICEHALL_KIOSK_LEASE_SIZE: [['leaseSize'], envNumber],
  SERVICEHALL_PUBLIC_URL: [['publicUrl'], (v) => v],
};

/**
 * The "kiosk" object of the terminal's JSON configuration file (if any), then the environment on
 * top. A bad value stops the kiosk with a message naming it, as loadConfig does.
 */
/** Refuses, at load, a ticket printer profile the driver does not know (it would print 80 mm lines on any paper). */
export function checkKioskPrinter(config: TerminalConfig): void {
  const problem = config.devices.printer && printerProfileProblem(config.devices.printer.profile);
  if (problem) throw new ConfigError([{ zh: `devices.printer.profile：${problem.zh}`, en: `devices.printer.profile: ${problem.en}` }]);
}

export function loadKioskSettings(file: string | undefined, env: NodeJS.ProcessEnv): KioskSettingsConfig {
  let raw: Record<string, unknown> = {};
  if (file) {
    try {
      const parsed = readConfigFile(file) as { kiosk?: unknown };
      if (parsed && typeof parsed.kiosk === 'object' && parsed.kiosk) raw = { ...(parsed.kiosk as Record<string, unknown>) };
    } catch {
      // loadConfig has already said what is wrong with the file.
    }
  }
  const sources = settingsFromEnv(raw, env, ENV);
  const parsed = KioskSettingsSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    throw new ConfigError(configProblems(parsed.error.issues, ['kiosk'], sources));
  }
  return parsed.data;
}
