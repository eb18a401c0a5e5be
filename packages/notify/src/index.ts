export {
  parseNotifyConfig,
  NotifyConfigSchema,
  ChannelSchema,
  DeliveryPolicySchema,
  describeChannel,
  kindsOf,
  rateLimitOf,
  type NotifyConfig,
  type NotifyConfigInput,
  type ChannelConfig,
  type ChannelInput,
  type ChannelKind,
  type ChannelDescription,
  type ConfigCheck,
  type DeliveryPolicy,
} from './config';
export {
  NoticeSchema,
  NoticeKindSchema,
  NOTICE_KINDS,
  STAFF_KINDS,
  CITIZEN_KINDS,
  audienceOf,
  type Notice,
  type NoticeKind,
  type Audience,
} from './notices';
export { Notifier, type NotifyOptions, type NotifyRequest, type NotifyResult, type Queued } from './notifier';
export { DeliveryLoop, type DeliveryOptions, type PassSummary } from './delivery';
export { Outbox, NOTIFY_MIGRATION, NOTIFY_MIGRATION_VERSION, NOTIFY_UNKNOWN_MIGRATION, NOTIFY_STAMP_MIGRATION, type OutboxEntry, type AttemptRecord } from './outbox';
export type { OutboxState } from './policy';
export { renderNotice, smsParamsOf, checkNotice, type RenderedNotice } from './render';
export { NOTICE_TEXT, REASON_TEXT, REFUSAL_TEXT, CONFIG_TEXT, smsTemplateContent, type Reason, type RefusalCode } from './strings';
export { maskPhone, normalizePhone } from './privacy';
export { createProvider } from './providers';
export { consoleLogger, type NotifyLogger, type Provider, type ProviderAnswer, type PreparedRequest, type OutgoingMessage } from './providers/types';
