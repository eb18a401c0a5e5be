import type { Strings } from './i18n';

/** A notification channel by its name, or one without by its kind in the console's language (短信（写入日志）), never by its id (demo-sms). */
export function channelName(t: Strings, c: { id: string; kind: string; name?: string }): string {
  return c.name ?? t.channels.kinds[c.kind] ?? c.id;
}

/** A kind of notice a channel sends, in the console's language (候号时间过长, 叫号通知); its key only for a kind this console does not know yet. */
export function noticeKindName(t: Strings, kind: string): string {
  return t.alerts.kinds[kind] ?? t.channels.noticeKinds[kind] ?? kind;
}
