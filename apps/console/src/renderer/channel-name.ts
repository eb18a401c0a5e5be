import type { Strings } from './i18n';

/** A notification channel by its name, or one without by its kind in the console's language (短信（写入日志）), never by its id (demo-sms). */
export function channelName(t: Strings, c: { id: string; kind: string; name?: string }): string {
  return c.name ?? t.channels.kinds[c.kind] ?? c.id;
}
