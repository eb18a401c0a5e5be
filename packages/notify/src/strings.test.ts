import { forbiddenPhrasesIn, type Language } from '@servicehall/core';
import { describe, expect, it } from 'vitest';
import { NOTICE_KINDS } from './notices';
import { CONFIG_TEXT, NOTICE_TEXT, placeholdersOf, REASON_TEXT, REFUSAL_TEXT, SMS_PARAMS, smsTemplateContent, WORDS } from './strings';

const LANGUAGES: Language[] = ['zh-CN', 'en'];
const everyText = (language: Language) => [
  ...Object.values(NOTICE_TEXT[language]).flatMap((e) => [e.title, e.text]),
  ...Object.values(REASON_TEXT[language]),
  ...Object.values(REFUSAL_TEXT[language]),
  ...Object.values(CONFIG_TEXT[language]),
  ...Object.values(WORDS[language].device),
  ...Object.values(WORDS[language].fault),
  ...Object.values(WORDS[language].subject),
  WORDS[language].otherFault,
  WORDS[language].waitCount,
];

describe("the notifications' words", () => {
  it('have a title and a text for every kind of notice, in Chinese and in English', () => {
    for (const language of LANGUAGES) {
      expect(Object.keys(NOTICE_TEXT[language]).sort()).toEqual([...NOTICE_KINDS].sort());
      for (const entry of Object.values(NOTICE_TEXT[language])) {
        expect(entry.title.trim()).not.toBe('');
        expect(entry.text.trim()).not.toBe('');
      }
    }
    for (const table of [REASON_TEXT, REFUSAL_TEXT, CONFIG_TEXT] as const) expect(Object.keys(table.en).sort()).toEqual(Object.keys(table['zh-CN']).sort());
  });

  it.each(NOTICE_KINDS)('%s fills the same placeholders in both languages, and its SMS template carries each of them', (kind) => {
    const zh = placeholdersOf(NOTICE_TEXT['zh-CN'][kind].text).sort();
    expect(placeholdersOf(NOTICE_TEXT.en[kind].text).sort()).toEqual(zh);
    expect([...SMS_PARAMS[kind]].sort()).toEqual(zh);
    const template = smsTemplateContent(kind);
    expect(template).not.toMatch(/\{[a-zA-Z]\w*\}/);
    expect((template.match(/\{\d+\}/g) ?? []).sort()).toEqual(SMS_PARAMS[kind].map((_, i) => `{${i + 1}}`).sort());
  });

  it('have no place for a name, an ID number or a phone number (H-19)', () => {
    const all = NOTICE_KINDS.flatMap((kind) => placeholdersOf(NOTICE_TEXT['zh-CN'][kind].text));
    expect(all.filter((p) => /name|applicant|id(Number)?$|phone|mobile|clerk/i.test(p))).toEqual([]);
  });

  it.each(LANGUAGES)('use none of the phrases the handbook forbids, in %s (H-14)', (language) => {
    expect(everyText(language).filter((t) => forbiddenPhrasesIn(t).length > 0)).toEqual([]);
  });

  it('registers a called ticket with the provider as a template with numbered variables', () => {
    expect(smsTemplateContent('ticket-called')).toBe('请{1}号到{2}号窗口办理。');
    expect(smsTemplateContent('phone-code')).toBe('您的验证码为{1}，{2}分钟内有效。如非本人操作，请忽略本短信。');
    expect(smsTemplateContent('appointment-withdrawn')).toBe('您预约{1}办理的{2}，因本大厅不再办理该事项，已由大厅取消。请预约其他事项，或到大厅服务台咨询。');
  });
});
