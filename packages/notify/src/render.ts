import { dayInWords, RATING_LEVEL_NAMES, type Language } from '@servicehall/core';
import { NoticeSchema, type Notice } from './notices';
import { personalDataIn } from './privacy';
import { fill, NOTICE_TEXT, REFUSAL_TEXT, SMS_PARAMS, WORDS, type RefusalCode } from './strings';

/** The longest value a domestic SMS template variable may carry at Tencent Cloud (error 1036). */
export const SMS_PARAM_MAX = 12;

/** The words each placeholder of a notice's text stands for, in one language. */
export function noticeValues(notice: Notice, language: Language): Record<string, string> {
  const words = WORDS[language];
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(notice)) if (key !== 'kind') values[key] = Array.isArray(value) ? value.join(words.listSeparator) : String(value);
  switch (notice.kind) {
    case 'device-fault':
      values.device = words.device[notice.device];
      values.fault = words.fault[notice.fault] ?? fill(words.otherFault, { code: notice.fault });
      break;
    case 'devices-not-ready':
      values.count = String(notice.terminals.length);
      break;
    case 'bad-rating':
      values.level = RATING_LEVEL_NAMES[notice.level][language];
      break;
    case 'overdue':
      values.subject = words.subject[notice.subject];
      break;
    case 'appointment-withdrawn':
      values.day = dayInWords(notice.day, language);
      break;
  }
  return values;
}

export interface RenderedNotice {
  title: string;
  text: string;
}

export function renderNotice(notice: Notice, language: Language): RenderedNotice {
  const entry = NOTICE_TEXT[language][notice.kind];
  const values = noticeValues(notice, language);
  // Raised by how many wait, not by the minutes: the text says so rather than a threshold not passed.
  if (notice.kind === 'wait-threshold' && notice.waitingCount !== undefined && notice.longestMinutes < notice.thresholdMinutes)
    return { title: entry.title, text: fill(WORDS[language].waitCount, values) };
  if (notice.kind === 'device-fault' && notice.detail !== undefined) return { title: entry.title, text: fill(WORDS[language].deviceDetail, values) };
  return { title: entry.title, text: fill(entry.text, values) };
}

/** The TemplateParamSet of a notice: its values in the template's order, each cut to what SMS allows. */
export function smsParamsOf(notice: Notice, language: Language = 'zh-CN'): string[] {
  const values = noticeValues(notice, language);
  return SMS_PARAMS[notice.kind].map((name) => {
    const value = values[name] ?? '';
    return [...value].length > SMS_PARAM_MAX ? [...value].slice(0, SMS_PARAM_MAX - 1).join('') + '…' : value;
  });
}

/** Hour and minute in the hall's time zone: when the alert was raised, shown under it. */
export function hallTime(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat('zh-CN', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
}

export type NoticeCheck = { ok: true; notice: Notice } | { ok: false; code: RefusalCode; message: string; text: string };

/**
 * Checks a notice before it is queued: its shape, and that no text it makes, in either language,
 * carries an ID number or a phone number (H-19). Names cannot get in: no field holds free text
 * but an item's name from the hall's own catalogue.
 */
export function checkNotice(input: unknown, language: Language = 'zh-CN'): NoticeCheck {
  const parsed = NoticeSchema.safeParse(input);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => i.path.join('.') || i.code).join(', ');
    return { ok: false, code: 'bad-notice', message: `notice not valid at ${where}`, text: REFUSAL_TEXT[language]['bad-notice'] };
  }
  for (const lang of ['zh-CN', 'en'] as const) {
    const { title, text } = renderNotice(parsed.data, lang);
    const found = personalDataIn(`${title}\n${text}`);
    if (found.length > 0)
      return { ok: false, code: 'personal-data', message: `the notice would carry ${found.join(', ')}`, text: REFUSAL_TEXT[language]['personal-data'] };
  }
  return { ok: true, notice: parsed.data };
}
