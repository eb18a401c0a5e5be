import {
  DeliveryLoop,
  kindsOf,
  Notifier,
  parseNotifyConfig,
  type NoticeKind,
  type NotifyConfig,
  type NotifyLogger,
  type NotifyRequest,
  type NotifyResult,
} from '@servicehall/notify';
import { jsonSyntaxProblem } from '@servicehall/core';
import fs from 'node:fs';
import type { Db } from './db';

/**
 * The hall's notifications, wired once for the whole hub: the outbox in the hall's database and the
 * loop that delivers it. The citizen's SMS (one-time codes, near and called alerts) go through it
 * now; supervisors' alerts (issue 14) are to go through the same Notifier.
 *
 * The channels come from a JSON file (SERVICEHALL_NOTIFY_CONFIG=path) or from the environment
 * itself (SERVICEHALL_NOTIFY='{...}'); see packages/notify/README.md for the fields. Without
 * either the hall has no channel: nothing is sent, and phones cannot be verified.
 */
export class HallNotifications {
  readonly notifier: Notifier;
  readonly loop: DeliveryLoop;

  constructor(db: Db, config: NotifyConfig, options: { clock?: () => number; logger?: NotifyLogger; idleMs?: number } = {}) {
    this.notifier = new Notifier(db, config, { ...(options.clock ? { clock: options.clock } : {}), ...(options.logger ? { logger: options.logger } : {}) });
    this.loop = new DeliveryLoop(this.notifier, { ...(options.idleMs ? { idleMs: options.idleMs } : {}) });
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Whether an enabled SMS channel carries this kind of notice to citizens. */
  smsCarries(kind: NoticeKind): boolean {
    return this.notifier.config.channels.some((c) => c.enabled && (c.kind === 'tencent-sms' || c.kind === 'log-sms') && kindsOf(c).includes(kind));
  }

  /**
   * Queues an SMS to a citizen. Synchronous SQL: inside a command's transaction it commits with it.
   * The key makes it once only, whoever asks again. Call `wake` after the transaction.
   */
  toCitizen(notice: unknown, key: string, phone: string, expiresAt?: number, inLanguages?: NotifyRequest['inLanguages']): NotifyResult {
    return this.notifier.notify(notice, { key, recipient: phone, ...(expiresAt !== undefined ? { expiresAt } : {}), ...(inLanguages ? { inLanguages } : {}) });
  }

  /** Withdraws a citizen's SMS queued under `key` and not yet sent (see Outbox.withdraw). */
  withdraw(key: string, detail: string): number {
    return this.notifier.outbox.withdraw(key, this.notifier.clock(), detail);
  }

  /** Something was queued: deliver now rather than at the next pass. */
  wake(): void {
    this.loop.wake();
  }
}

export type NotifySource = { ok: true; config: NotifyConfig; from: string } | { ok: false; message: string; en?: string };

/**
 * The notification configuration as the environment gives it, not yet checked: the JSON file
 * named by SERVICEHALL_NOTIFY_CONFIG, or the JSON in SERVICEHALL_NOTIFY; undefined when neither is set.
 */
export function readNotifyInput(env: NodeJS.ProcessEnv): { ok: true; input?: unknown; from: string } | { ok: false; message: string; zh?: string } {
  const file = env.SERVICEHALL_NOTIFY_CONFIG;
  if (file) {
    let text: string;
    try {
      // A byte-order mark before the JSON (Windows Notepad writes one) is not part of it (TextDecoder leaves it out).
      text = UTF8.decode(fs.readFileSync(file));
    } catch (error) {
      // Saved as GBK, the SMS signature and the robots' words would go out as mojibake, or be refused by the provider at the first SMS.
      if (error instanceof TypeError && (error as NodeJS.ErrnoException).code === 'ERR_ENCODING_INVALID_ENCODED_DATA')
        return {
          ok: false,
          zh: `SERVICEHALL_NOTIFY_CONFIG 的文件 ${file} 不是 UTF-8 文本：请另存为 UTF-8（中文 Windows 上的编辑器可能存成了 GBK/ANSI），否则短信签名等中文会成乱码`,
          message: `SERVICEHALL_NOTIFY_CONFIG: ${file} is not UTF-8 text: save it as UTF-8 (an editor on a Chinese Windows may have saved it as GBK/ANSI), or the SMS signature and other Chinese would be garbled`,
        };
      const code = (error as NodeJS.ErrnoException).code;
      return {
        ok: false,
        zh: `SERVICEHALL_NOTIFY_CONFIG 的文件 ${file} ${code === 'ENOENT' ? '不存在，请核对路径' : code === 'EISDIR' ? '是一个文件夹，请写明其中的 JSON 文件' : `无法读取（${code ?? (error as Error).message}），请检查它的权限`}`,
        message: `SERVICEHALL_NOTIFY_CONFIG: ${file} cannot be read (${(error as Error).message.split('\n')[0]})`,
      };
    }
    try {
      return { ok: true, input: JSON.parse(text), from: file };
    } catch {
      return notJson(`SERVICEHALL_NOTIFY_CONFIG 的文件 ${file}`, `SERVICEHALL_NOTIFY_CONFIG: ${file}`, text);
    }
  }
  if (env.SERVICEHALL_NOTIFY) {
    try {
      return { ok: true, input: JSON.parse(env.SERVICEHALL_NOTIFY), from: 'SERVICEHALL_NOTIFY' };
    } catch {
      return notJson('SERVICEHALL_NOTIFY', 'SERVICEHALL_NOTIFY', env.SERVICEHALL_NOTIFY);
    }
  }
  return { ok: true, from: 'none' };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** JSON that JSON.parse refused, said with where it goes wrong (line and column) in the hall's words. */
function notJson(zhWhere: string, enWhere: string, text: string): { ok: false; message: string; zh: string } {
  const at = jsonSyntaxProblem(text);
  return at
    ? { ok: false, zh: `${zhWhere} 不是有效的 JSON，${at.zh}`, message: `${enWhere} is not valid JSON, ${at.en}` }
    : { ok: false, zh: `${zhWhere} 不是有效的 JSON，请检查引号、逗号和括号`, message: `${enWhere} is not valid JSON` };
}

/** Checks a configuration given as an object (hub options, a file's content); `hall` defaults to the hall's name (and `hallEn` to its English one). */
export function checkNotifyConfig(input: unknown, hallName: string, from = 'options', hallNameEn?: string): NotifySource {
  const withHall = input && typeof input === 'object' && !Array.isArray(input) && !('hall' in input) ? { hall: hallName, ...(hallNameEn ? { hallEn: hallNameEn } : {}), ...input } : input;
  const checked = parseNotifyConfig(withHall);
  if (!checked.ok) {
    const en = parseNotifyConfig(withHall, 'en');
    return { ok: false, message: `${from}:\n${checked.message}`, en: `${from}:\n${en.ok ? checked.message : en.message}` };
  }
  return { ok: true, config: checked.config, from };
}
