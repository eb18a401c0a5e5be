import { switchProblem, switchValue } from '@servicehall/core';
import { isIP } from 'node:net';

/**
 * A setting the hub cannot use, said in both languages: `message` in English, `zh` in Chinese, so
 * that the operator's line (badSetting) is Chinese in its Chinese half.
 */
export class SettingProblem extends Error {
  override readonly name = 'SettingProblem';
  constructor(
    readonly zh: string,
    en: string,
  ) {
    super(en);
  }
}

export interface NumberRange {
  min: number;
  max: number;
  /** What the number counts, in Chinese and English: 分钟 / minutes. */
  unit: readonly [zh: string, en: string];
  /** Decimals allowed (seconds); otherwise a whole number. */
  fractions?: boolean;
}

/**
 * A number from the environment within its range, or undefined when unset (or empty). Anything
 * else is refused, said as typed: 0 where at least 1 is needed, "-5", "1.5", "10MB", "1e3", a
 * number beyond what the hub can use (a timer beyond Node's 24.8 days fires at once).
 */
export function numberSetting(env: NodeJS.ProcessEnv, name: string, range: NumberRange): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const form = range.fractions ? /^\d{1,9}(\.\d{1,3})?$/ : /^\d{1,12}$/;
  const value = Number(text);
  if (form.test(text) && value >= range.min && value <= range.max) return value;
  const [zhUnit, enUnit] = range.unit;
  const kind = range.fractions ? ['数', 'number'] : ['整数', 'whole number'];
  throw new SettingProblem(
    `${name} 应为 ${range.min} 到 ${range.max} 之间的${kind[0]}（${zhUnit}），而不是“${text}”`,
    `${name} must be a ${kind[1]} of ${enUnit} from ${range.min} to ${range.max}, not "${text}"`,
  );
}

/** The hub's numeric settings and what each may be. */
export const NUMBER_SETTINGS = {
  // 0: the system picks a free port (tests do).
  SERVICEHALL_PORT: { min: 0, max: 65535, unit: ['端口号', 'port'] },
  // The reverse proxy must know it: a port the system picks would do it no good.
  SERVICEHALL_PUBLIC_PORT: { min: 1, max: 65535, unit: ['端口号', 'port'] },
  // 0 would cap the database at one page; a small ceiling (a few MB) is an operator's or a tester's
  // way to see the full disk's refusals, and is taken. SQLite's own ceiling is about 16 TB.
  SERVICEHALL_MAX_DB_MB: { min: 1, max: 16_000_000, unit: ['MB', 'megabytes'] },
  // 0: every database has its small tables checked before the start and the whole in the background.
  SERVICEHALL_START_CHECK_WHOLE_MB: { min: 0, max: 16_000_000, unit: ['MB', 'megabytes'] },
  // At most a week; Node's timers cannot wait beyond 24.8 days.
  SERVICEHALL_BACKUP_EVERY_MINUTES: { min: 1, max: 10_080, unit: ['分钟', 'minutes'] },
  SERVICEHALL_BACKUP_KEEP_DAILY: { min: 1, max: 3_660, unit: ['天', 'days'] },
  SERVICEHALL_BACKUP_KEEP_WEEKLY: { min: 0, max: 520, unit: ['周', 'weeks'] },
  SERVICEHALL_PROMOTE_AFTER_S: { min: 0.1, max: 3_600, unit: ['秒', 'seconds'], fractions: true },
  SERVICEHALL_SEMI_SYNC_TIMEOUT_MS: { min: 1, max: 60_000, unit: ['毫秒', 'milliseconds'] },
} as const satisfies Record<string, NumberRange>;

export type NumberSettingName = keyof typeof NUMBER_SETTINGS;

/** One of the hub's numeric settings (NUMBER_SETTINGS), or undefined when unset. */
export function hubNumber(env: NodeJS.ProcessEnv, name: NumberSettingName): number | undefined {
  return numberSetting(env, name, NUMBER_SETTINGS[name]);
}

/** The hub's switches (SERVICEHALL_ALLOW_INSECURE, SERVICEHALL_STANDBY, ...): off when unset or empty, any other spelling refused. */
export function hubSwitch(env: NodeJS.ProcessEnv, name: string): boolean {
  const text = env[name];
  if (text === undefined || text === '') return false;
  const value = switchValue(text);
  if (value !== undefined) return value;
  const { zh, en } = switchProblem(name, text);
  throw new SettingProblem(zh, en);
}

/**
 * An IP address, or a host name (letters, digits and "-" in labels of up to 63, split by "."). A
 * name whose last label is all digits is a mistyped address (192.168.1.300), never a name: DNS
 * would be asked for it, and no hall's name server knows it.
 */
export function isHostOrAddress(name: string): boolean {
  if (isIP(name)) return true;
  return /^(?=.{1,253}$)([A-Za-z0-9-]{1,63}\.?)+$/.test(name) && !/(^|\.)\d+\.?$/.test(name);
}

/** SERVICEHALL_HOST: an address of this machine or its name, checked before anything is said of TLS. */
export function hostSetting(env: NodeJS.ProcessEnv): string {
  const host = env.SERVICEHALL_HOST || '127.0.0.1';
  if (isHostOrAddress(host)) return host;
  throw new SettingProblem(
    `SERVICEHALL_HOST 应为本机的一个 IP 地址（如 192.168.1.10；0.0.0.0 为本机所有地址）或本机的主机名，而“${host}”不是一个有效的地址：请核对各段数字（每段 0 到 255）、不要写端口（端口用 SERVICEHALL_PORT）或 http://`,
    `SERVICEHALL_HOST is an IP address of this machine (e.g. 192.168.1.10; 0.0.0.0 for all of them) or its host name, and "${host}" is not an address: check each number (0 to 255), and leave out the port (SERVICEHALL_PORT sets it) and http://`,
  );
}
