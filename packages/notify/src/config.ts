import { isTimeZone, type Language } from '@servicehall/core';
import { z } from 'zod';
import { audienceOf, NoticeKindSchema, STAFF_KINDS, type NoticeKind } from './notices';
import { normalizePhone } from './privacy';
import { CONFIG_TEXT, fill, type ConfigTextKey } from './strings';

// Messages of the checks below are keys of CONFIG_TEXT; `parseNotifyConfig` says them in the
// administrator's language and never repeats the value it was given (it may be a secret).

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** https, or http to this machine for a stand-in server in a test. */
function isWebAddress(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  } catch {
    return false;
  }
}

const webAddress = (key: ConfigTextKey) => z.string().refine(isWebAddress, key);
/** A web address with a non-empty query parameter `param` (the robot's key or token), in one check. */
const withQuery = (param: string, key: ConfigTextKey) =>
  z.string().refine((text) => isWebAddress(text) && (new URL(text).searchParams.get(param) ?? '').length > 0, key);

const phone = z.string().refine((p) => normalizePhone(p) !== undefined, 'phone').transform((p) => normalizePhone(p)!);

const common = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'channelId'),
  /** How the console names the channel: 值班群, 办公室主任 ... */
  name: z.string().trim().min(1).max(40).optional(),
  language: z.enum(['zh-CN', 'en']).default('zh-CN'),
  enabled: z.boolean().default(true),
  /** The kinds of notice this channel takes; by default every kind it can carry. */
  notices: z.array(NoticeKindSchema).max(20).optional(),
  /** Only alerts about these departments (and alerts about no department) go here. */
  departments: z.array(z.string().min(1).max(40)).max(50).optional(),
  /** At most `count` requests in `perSeconds`, counted from the attempts recorded in the database. */
  rateLimit: z.strictObject({ count: z.number().int().min(1).max(10_000), perSeconds: z.number().int().min(1).max(86_400) }).optional(),
};

const robotCommon = {
  ...common,
  format: z.enum(['markdown', 'text']).default('markdown'),
};

export const WecomRobotSchema = z.strictObject({
  ...robotCommon,
  kind: z.literal('wecom-robot'),
  /** 企业微信群机器人: the webhook with its key, a secret in itself. */
  webhook: withQuery('key', 'wecomWebhook'),
});

export const DingtalkRobotSchema = z.strictObject({
  ...robotCommon,
  kind: z.literal('dingtalk-robot'),
  /** 钉钉自定义机器人: the webhook with its access_token, a secret in itself. */
  webhook: withQuery('access_token', 'dingtalkWebhook'),
  /** 加签: the SEC... secret; the request then carries timestamp and sign. */
  secret: z.string().regex(/^SEC[A-Za-z0-9]{8,}$/, 'dingtalkSecret').optional(),
  /** 自定义关键词: a word every message must contain when the robot is secured by keywords. */
  keyword: z.string().trim().min(1).max(20).optional(),
});

const templates = z.partialRecord(NoticeKindSchema, z.string().regex(/^\d{1,12}$/, 'templateId'));

export const TencentSmsSchema = z.strictObject({
  ...common,
  kind: z.literal('tencent-sms'),
  secretId: z.string().regex(/^AKID[A-Za-z0-9]{8,}$/, 'secretId'),
  secretKey: z.string().regex(/^[A-Za-z0-9+/=*_-]{16,}$/, 'secretKey'),
  sdkAppId: z.string().regex(/^\d{10}$/, 'sdkAppId'),
  /** 短信签名, approved at Tencent: 2 to 12 characters. */
  signName: z.string().trim().min(2, 'signName').max(12, 'signName'),
  region: z.enum(['ap-guangzhou', 'ap-beijing', 'ap-nanjing']).default('ap-guangzhou'),
  endpoint: webAddress('endpoint').default('https://sms.tencentcloudapi.com'),
  /** The approved template id of each kind this channel sends (see smsTemplateContent). */
  templates,
  /** Duty phones that get staff alerts by SMS; citizens' numbers come with each notice. */
  staffPhones: z.array(phone).max(20).default([]),
});

export const LogSmsSchema = z.strictObject({
  ...common,
  kind: z.literal('log-sms'),
  signName: z.string().trim().min(2, 'signName').max(12, 'signName').optional(),
  staffPhones: z.array(phone).max(20).default([]),
});

export const ChannelSchema = z.discriminatedUnion('kind', [WecomRobotSchema, DingtalkRobotSchema, TencentSmsSchema, LogSmsSchema], { error: 'kind' });
export type ChannelConfig = z.infer<typeof ChannelSchema>;
export type ChannelInput = z.input<typeof ChannelSchema>;
export type ChannelKind = ChannelConfig['kind'];
export type RobotChannel = Extract<ChannelConfig, { kind: 'wecom-robot' | 'dingtalk-robot' }>;
export type SmsChannel = Extract<ChannelConfig, { kind: 'tencent-sms' | 'log-sms' }>;

export const DeliveryPolicySchema = z.strictObject({
  /** Failed attempts (not counting rate limits) before a notice is dead-lettered. */
  maxAttempts: z.number().int().min(1).max(50).default(8),
  baseDelayMs: z.number().int().min(10).max(3_600_000).default(5_000),
  maxDelayMs: z.number().int().min(10).max(86_400_000).default(30 * 60_000),
  /** How long one request may take. */
  timeoutMs: z.number().int().min(10).max(120_000).default(10_000),
  /** A claimed notice with no answer after this long was interrupted (the hub stopped). */
  leaseMs: z.number().int().min(100).max(3_600_000).default(120_000),
  /** Pause of a channel after a rate-limit answer that names no time. */
  rateLimitPauseMs: z.number().int().min(100).max(86_400_000).default(60_000),
})
  .refine((d) => d.leaseMs > d.timeoutMs, { message: 'lease', path: ['leaseMs'] })
  .refine((d) => d.maxDelayMs >= d.baseDelayMs, { message: 'delays', path: ['maxDelayMs'] });
export type DeliveryPolicy = z.infer<typeof DeliveryPolicySchema>;

export const NotifyConfigSchema = z.strictObject({
  /** The hall's name heads robot messages: 【滨江区政务服务中心】. */
  hall: z.string().trim().min(1).max(80),
  /** Its English name heads an English channel's (the catalogue's hall.nameEn when the hub fills `hall`); the Chinese name where there is none. */
  hallEn: z.string().trim().min(1).max(120).optional(),
  timeZone: z.string().min(1).default('Asia/Shanghai').refine(isTimeZone, 'timeZone'),
  channels: z.array(ChannelSchema).max(50).default([]),
  delivery: DeliveryPolicySchema.prefault({}),
});
export type NotifyConfig = z.infer<typeof NotifyConfigSchema>;
export type NotifyConfigInput = z.input<typeof NotifyConfigSchema>;

const ROBOT_RATE = { count: 20, perSeconds: 60 };
const SMS_RATE = { count: 600, perSeconds: 60 };

/** The documented robot limit is 20 messages a minute (WeChat Work and DingTalk alike). */
export function rateLimitOf(channel: ChannelConfig): { count: number; perMs: number } {
  const r = channel.rateLimit ?? (channel.kind === 'wecom-robot' || channel.kind === 'dingtalk-robot' ? ROBOT_RATE : SMS_RATE);
  return { count: r.count, perMs: r.perSeconds * 1000 };
}

/** The kinds a channel carries: what it lists, or what it can (robots: staff alerts; SMS: kinds with a template). */
export function kindsOf(channel: ChannelConfig): NoticeKind[] {
  const can: NoticeKind[] =
    channel.kind === 'wecom-robot' || channel.kind === 'dingtalk-robot'
      ? [...STAFF_KINDS]
      : channel.kind === 'tencent-sms'
        ? (Object.keys(channel.templates) as NoticeKind[])
        : (NoticeKindSchema.options as NoticeKind[]);
  return channel.notices ? channel.notices.filter((k) => can.includes(k)) : can;
}

export type ConfigCheck = { ok: true; config: NotifyConfig } | { ok: false; problems: string[]; message: string };

/**
 * Checks a notification configuration. A problem names the field (channels[1].webhook) and says
 * what is wrong in the administrator's language; no value from the input is repeated.
 */
export function parseNotifyConfig(input: unknown, language: Language = 'zh-CN'): ConfigCheck {
  const text = CONFIG_TEXT[language];
  const parsed = NotifyConfigSchema.safeParse(input, { reportInput: true });
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${pathOf(issue.path)}: ${describeIssue(issue, language)}`);
  } else {
    const seen = new Set<string>();
    parsed.data.channels.forEach((c, i) => {
      if (seen.has(c.id)) problems.push(`channels[${i}].id: ${fill(text.duplicateId, { id: c.id })}`);
      seen.add(c.id);
      for (const kind of c.notices ?? []) {
        if ((c.kind === 'wecom-robot' || c.kind === 'dingtalk-robot') && audienceOf(kind) === 'citizen')
          problems.push(`channels[${i}].notices: ${fill(text.citizenOnRobot, { kind })}`);
        if (c.kind === 'tencent-sms' && !c.templates[kind]) problems.push(`channels[${i}].templates: ${fill(text.templateMissing, { kind })}`);
      }
    });
  }
  if (problems.length > 0 || !parsed.success) return { ok: false, problems, message: [text.heading, ...problems.map((p) => `- ${p}`)].join('\n') };
  return { ok: true, config: parsed.data };
}

function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part);
  return out || '(root)';
}

function describeIssue(issue: z.core.$ZodIssue, language: Language): string {
  const text = CONFIG_TEXT[language];
  if (issue.message in text) return text[issue.message as ConfigTextKey];
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? text.required : fill(text.type, { expected: issue.expected });
    case 'too_small':
      return text.tooSmall;
    case 'too_big':
      return text.tooBig;
    case 'unrecognized_keys':
      return fill(text.unknownKeys, { keys: issue.keys.join(', ') });
    case 'invalid_value':
      if (issue.path.includes('notices')) return text.noticeKind;
      return fill(text.oneOf, { values: issue.values.map(String).join(', ') });
    default:
      return text.invalid;
  }
}

/** What the console may show of a channel: where it goes, never its key, token or credentials. */
export interface ChannelDescription {
  id: string;
  kind: ChannelKind;
  name?: string;
  enabled: boolean;
  language: Language;
  notices: NoticeKind[];
  departments?: string[];
  /** The provider's host, e.g. qyapi.weixin.qq.com. */
  target: string;
  signed?: boolean;
  signName?: string;
  staffPhones?: number;
}

export function describeChannel(channel: ChannelConfig): ChannelDescription {
  const base = {
    id: channel.id,
    kind: channel.kind,
    ...(channel.name ? { name: channel.name } : {}),
    enabled: channel.enabled,
    language: channel.language,
    notices: kindsOf(channel),
    ...(channel.departments ? { departments: channel.departments } : {}),
  };
  switch (channel.kind) {
    case 'wecom-robot':
      return { ...base, target: new URL(channel.webhook).host };
    case 'dingtalk-robot':
      return { ...base, target: new URL(channel.webhook).host, signed: channel.secret !== undefined };
    case 'tencent-sms':
      return { ...base, target: new URL(channel.endpoint).host, signName: channel.signName, staffPhones: channel.staffPhones.length };
    case 'log-sms':
      return { ...base, target: 'log', ...(channel.signName ? { signName: channel.signName } : {}), staffPhones: channel.staffPhones.length };
  }
}

/** Every secret a channel holds, for the redactor that keeps them out of logs and audit records. */
export function secretsOfChannel(channel: ChannelConfig): string[] {
  switch (channel.kind) {
    case 'wecom-robot':
      return [new URL(channel.webhook).searchParams.get('key') ?? ''];
    case 'dingtalk-robot':
      return [new URL(channel.webhook).searchParams.get('access_token') ?? '', channel.secret ?? ''];
    case 'tencent-sms':
      return [channel.secretKey, channel.secretId];
    case 'log-sms':
      return [];
  }
}
