import { createHash } from 'node:crypto';
import type { Language } from '@servicehall/core';
import { describeChannel, kindsOf, secretsOfChannel, type ChannelConfig, type ChannelDescription, type NotifyConfig } from './config';
import { audienceOf, departmentOf, secretsOf } from './notices';
import { Outbox, type Db, type OutboxEntry } from './outbox';
import { maskPhone, normalizePhone, Redactor } from './privacy';
import { createProvider } from './providers';
import { consoleLogger, type NotifyLogger, type Provider } from './providers/types';
import { checkNotice } from './render';
import { REFUSAL_TEXT, type RefusalCode } from './strings';

export interface NotifyOptions {
  /** The hall's clock; the hub passes its own so that tests can move time. */
  clock?: () => number;
  logger?: NotifyLogger;
}

export interface Queued {
  id: number;
  channel: string;
  /** The key was seen before: nothing new was queued. */
  repeated: boolean;
}

export type NotifyResult = { ok: true; queued: Queued[] } | { ok: false; code: RefusalCode; message: string; text: string };

export interface NotifyRequest {
  /** Idempotency key: the hub's command id plus what the notice is about. The same key never queues twice. */
  key: string;
  /** When the notice was raised; the clock's now by default. */
  at?: number;
  /** A citizen's phone number, for citizen notices. */
  recipient?: string;
  /** Not worth sending after this (a one-time code's expiry, a near-alert once the ticket is called). */
  expiresAt?: number;
  /** Only this channel (the console's "test this channel"). */
  channel?: string;
  /** The language of a refusal's `text`. */
  language?: Language;
  /**
   * The notice as a channel in another language reads it, where its words differ by language (a terminal by its
   * name: 1号窗口评价器, Window 1 rating pad): checked as the notice is; a channel in a language not given gets `notice`.
   */
  inLanguages?: Partial<Record<Language, unknown>>;
}

/**
 * The hall's notification channels: routes a notice to the channels that take it and queues it
 * in the outbox. `notify` is synchronous SQL on the hall's database, made to run inside the
 * command's transaction; sending is the DeliveryLoop's job.
 */
export class Notifier {
  readonly outbox: Outbox;
  readonly clock: () => number;
  readonly logger: NotifyLogger;
  private current!: NotifyConfig;
  private providers = new Map<string, Provider>();

  constructor(
    private readonly db: Db,
    config: NotifyConfig,
    options: NotifyOptions = {},
  ) {
    this.outbox = new Outbox(db);
    this.clock = options.clock ?? Date.now;
    this.logger = options.logger ?? consoleLogger;
    this.setConfig(config);
  }

  get config(): NotifyConfig {
    return this.current;
  }

  /** A new configuration takes effect for the next notice and the next attempt. */
  setConfig(config: NotifyConfig): void {
    this.current = config;
    const hall = { hall: config.hall, ...(config.hallEn ? { hallEn: config.hallEn } : {}), timeZone: config.timeZone };
    this.providers = new Map(config.channels.map((c) => [c.id, createProvider(c, hall, this.logger)]));
  }

  channels(): ChannelDescription[] {
    return this.current.channels.map(describeChannel);
  }

  provider(channelId: string): Provider | undefined {
    return this.providers.get(channelId);
  }

  /**
   * Queues `notice` for every channel that takes it (or `request.channel` only). The notice is
   * checked here, whoever built it: its shape, and no personal data in any text it makes.
   */
  notify(notice: unknown, request: NotifyRequest): NotifyResult {
    const language = request.language ?? 'zh-CN';
    const refuse = (code: RefusalCode, message: string): NotifyResult => ({ ok: false, code, message, text: REFUSAL_TEXT[language][code] });
    if (typeof request.key !== 'string' || request.key.length === 0 || request.key.length > 200) return refuse('bad-key', 'the key must be 1 to 200 characters');
    const checked = checkNotice(notice, language);
    if (!checked.ok) return checked;
    const valid = checked.notice;
    const byLanguage = new Map<Language, typeof valid>();
    for (const [lang, other] of Object.entries(request.inLanguages ?? {}) as [Language, unknown][]) {
      const own = checkNotice(other, language);
      if (!own.ok) return own;
      if (own.notice.kind !== valid.kind) return refuse('bad-notice', `the notice in ${lang} is a ${own.notice.kind}, not a ${valid.kind}`);
      byLanguage.set(lang, own.notice);
    }
    const at = request.at ?? this.clock();
    let channels = this.current.channels.filter((c) => c.enabled);
    if (request.channel !== undefined) {
      channels = channels.filter((c) => c.id === request.channel);
      if (channels.length === 0) return refuse('unknown-channel', `no enabled channel ${request.channel}`);
    }
    // A channel test goes to the channel asked for, whatever kinds it takes.
    const testing = request.channel !== undefined && valid.kind === 'channel-test';
    if (!testing) channels = channels.filter((c) => kindsOf(c).includes(valid.kind));
    const base = { at, ...(request.expiresAt !== undefined ? { expiresAt: request.expiresAt } : {}) };
    const rows: { key: string; channel: string; recipient?: string; notice: typeof valid }[] = [];
    const noticeFor = (c: ChannelConfig) => byLanguage.get(c.language) ?? valid;

    if (audienceOf(valid.kind) === 'citizen') {
      if (request.recipient === undefined) return refuse('no-recipient', `${valid.kind} goes to a phone`);
      const phone = normalizePhone(request.recipient);
      if (!phone) return refuse('bad-recipient', 'not a mainland China mobile number');
      // One SMS per citizen, through the first SMS channel that carries this kind.
      const sms = channels.find((c) => c.kind === 'tencent-sms' || c.kind === 'log-sms');
      if (sms) rows.push({ key: `${request.key}|${sms.id}`, channel: sms.id, recipient: phone, notice: noticeFor(sms) });
    } else {
      const department = departmentOf(valid);
      for (const c of channels) {
        if (department !== undefined && c.departments !== undefined && !c.departments.includes(department)) continue;
        if (c.kind === 'wecom-robot' || c.kind === 'dingtalk-robot') rows.push({ key: `${request.key}|${c.id}`, channel: c.id, notice: noticeFor(c) });
        else for (const phone of c.staffPhones) rows.push({ key: `${request.key}|${c.id}|${digest(phone)}`, channel: c.id, recipient: phone, notice: noticeFor(c) });
      }
    }
    // Inside the caller's transaction this is a savepoint: the notice's rows are queued together or not at all.
    const queued = this.db.transaction(() =>
      rows.map((row) => ({ ...this.outbox.add({ ...base, ...row }), channel: row.channel })),
    )();
    return { ok: true, queued };
  }

  /** Replaces, in anything kept or logged about `entry`, the channel's secrets and the notice's personal values. */
  redactorFor(channel: ChannelConfig | undefined, entry: Pick<OutboxEntry, 'recipient' | 'notice'>): Redactor {
    const redactor = new Redactor();
    for (const secret of channel ? secretsOfChannel(channel) : []) redactor.add(secret);
    if (entry.recipient) {
      const masked = maskPhone(entry.recipient);
      redactor.add(entry.recipient, masked).add(entry.recipient.replace(/^\+86/, ''), masked);
    }
    for (const value of secretsOf(entry.notice)) redactor.add(value, '*'.repeat(value.length));
    return redactor;
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);
