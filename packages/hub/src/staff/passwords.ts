import { hash, verify } from '@node-rs/argon2';
import { randomInt } from 'node:crypto';

/**
 * Staff passwords: argon2id, memory-hard, computed on libuv's thread pool so that a sign-in never
 * stalls the terminals on the event loop. OWASP's minimum: 19 MiB, 2 passes, 1 lane.
 */
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, OPTIONS);

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** A hash of nothing, verified when an account does not exist, so that a wrong id costs the same time as a wrong password. */
let decoy: Promise<string> | undefined;
export async function spendVerifyTime(password: string): Promise<void> {
  decoy ??= hashPassword('servicehall-decoy-password');
  await verifyPassword(await decoy, password);
}

/** The longest password taken: longer ones are refused in words, not as a request the hub cannot read. */
export const PASSWORD_MAX = 128;

/** What is wrong with a new password, in both languages (the console shows its own; the command line says both), or undefined. */
export function passwordProblem(password: string): { en: string; 'zh-CN': string } | undefined {
  if (password.length < 10) return { 'zh-CN': `密码至少要 10 个字符，输入的只有 ${password.length} 个：请设一个更长的密码，包含字母和数字。`, en: 'a password needs at least 10 characters' };
  if (password.length > PASSWORD_MAX)
    return { 'zh-CN': `密码最多 ${PASSWORD_MAX} 个字符，输入的有 ${password.length} 个：请设一个短一些的密码。`, en: `a password may have at most ${PASSWORD_MAX} characters` };
  if (!/[A-Za-z]/.test(password) || !/[0-9]/.test(password)) return { 'zh-CN': '密码须同时包含字母和数字：请在密码中加入所缺的一种。', en: 'a password needs letters and digits' };
  return undefined;
}

// No 0/O, 1/l/I: the one-time password is read off a screen or a slip and typed.
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';

/** A one-time password for a new account or a reset: 12 characters with letters and digits. */
export function oneTimePassword(): string {
  for (;;) {
    let out = '';
    for (let i = 0; i < 12; i++) out += ALPHABET[randomInt(ALPHABET.length)];
    if (!passwordProblem(out)) return out;
  }
}

/** A clerk's initial PIN: 6 digits, not all the same and not a run. */
export function initialPin(): string {
  for (;;) {
    const pin = String(randomInt(0, 1_000_000)).padStart(6, '0');
    if (/^(\d)\1+$/.test(pin) || '0123456789'.includes(pin) || '9876543210'.includes(pin)) continue;
    return pin;
  }
}
