import { CaseStateSchema, forbiddenPhrasesIn, REFUSAL_TEXT, TicketStateSchema } from '@servicehall/core';
import { describe, expect, it } from 'vitest';
import { dayText, PHONE_STRINGS, preferredLanguage, refusalSentence, tr, type PhoneStringKey } from './strings';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("the phone's string catalogue (rule 7, H-14)", () => {
  it.each(['zh-CN', 'en'] as const)('has no forbidden phrase in %s', (lang) => {
    expect(forbiddenPhrasesIn(Object.values(PHONE_STRINGS[lang]).join('\n'))).toEqual([]);
  });

  it('has the same keys and placeholders in English as in Chinese', () => {
    const zh = PHONE_STRINGS['zh-CN'];
    expect(Object.keys(PHONE_STRINGS.en).sort()).toEqual(Object.keys(zh).sort());
    for (const key of Object.keys(zh) as PhoneStringKey[]) {
      expect(PHONE_STRINGS.en[key].trim(), key).not.toBe('');
      expect(placeholders(PHONE_STRINGS.en[key]), key).toEqual(placeholders(zh[key]));
    }
  });

  it.each(['zh-CN', 'en'] as const)('says every state a case can be in (a correction whose time passed too) in %s', (lang) => {
    for (const state of CaseStateSchema.options) expect(tr(lang, `case.state.${state}` as PhoneStringKey), state).toMatch(/\S/);
    expect(tr('zh-CN', 'case.state.lapsed')).toBe('补正期限已过，如需办理请重新申请，工作人员将为您服务');
  });

  it.each(['zh-CN', 'en'] as const)('says every state a ticket ends in, in %s', (lang) => {
    for (const state of TicketStateSchema.options.filter((s) => !['issued', 'called', 'serving', 'held'].includes(s)))
      expect(tr(lang, `ticket.${state}` as PhoneStringKey), state).toMatch(/\S/);
  });

  it('writes a window as 4号窗口, as the hall does everywhere else', () => {
    expect(tr('zh-CN', 'ticket.called', { n: 4 })).toBe('请到 4号窗口办理');
    expect(tr('zh-CN', 'ticket.held', { n: 4 })).toBe('暂时挂起，请留意 4号窗口的呼叫');
    expect(tr('zh-CN', 'alert.called', { number: 'A012', n: 4 })).toBe('请 A012号到 4号窗口办理。');
  });

  it('says the citizen’s number in the near alert as the hall does: 您的号码 A012, not 您的 A012 号', () => {
    expect(tr('zh-CN', 'alert.near', { number: 'A012', n: 3 })).toBe('您的号码 A012 前面还有 3 人，请回到大厅留意叫号。');
    expect(Object.values(PHONE_STRINGS['zh-CN']).filter((s) => /\}\s+号窗口/.test(s))).toEqual([]);
  });

  it('apologises and offers a way forward wherever it cannot help', () => {
    for (const key of ['app.offline', 'home.noResult', 'verify.noSms', 'ticket.notFound', 'appt.notFound', 'book.none', 'case.notFound'] as const) {
      expect(tr('zh-CN', key)).toMatch(/^抱歉/);
      expect(tr('en', key)).toMatch(/^Sorry/);
    }
  });

  it('says a number not found may be of an earlier day (a paper ticket scanned the next morning), not only to scan again', () => {
    // Scanning yesterday's ticket again finds nothing again: the citizen is told why, and what to do if it is today's.
    expect(tr('zh-CN', 'ticket.notFound')).toContain('号票只在取号当天有效');
    expect(tr('en', 'ticket.notFound')).toContain('on the day it was taken only');
  });

  it("says the hub's refusals in the hall's own words", () => {
    expect(refusalSentence('zh-CN', 'phone-limit')).toBe(REFUSAL_TEXT['zh-CN']['phone-limit']);
    expect(refusalSentence('en', 'slot-full')).toContain('fully booked');
    expect(refusalSentence('zh-CN', 'something-new', '服务台会帮您')).toBe('服务台会帮您');
    expect(refusalSentence('zh-CN', undefined)).toBe(REFUSAL_TEXT['zh-CN'].internal);
  });

  it("reads the hub's own sentence where it sends one: which limit, from when to book again", () => {
    const limit = '抱歉，同一手机号每天可在线取号 2 个，本手机号今天已取满。您可以到大厅取号机取号，或咨询服务台。';
    expect(refusalSentence('zh-CN', 'phone-limit', limit)).toBe(limit);
    expect(refusalSentence('en', 'booking-blocked', 'Sorry, after several missed bookings, booking is paused until 20 Dec.')).toContain('until 20 Dec');
    expect(refusalSentence('zh-CN', 'slot-full', '  ')).toBe(REFUSAL_TEXT['zh-CN']['slot-full']);
  });

  it('asks the citizen to press again where the hub says it will try again by itself: a press on the phone is not tried again', () => {
    for (const code of ['not-in-charge', 'too-many-connections'] as const) {
      expect(refusalSentence('zh-CN', code, REFUSAL_TEXT['zh-CN'][code])).toBe('抱歉，系统暂时繁忙，这次操作未能完成，请稍候片刻后再试一次。');
      expect(refusalSentence('en', code, REFUSAL_TEXT.en[code])).toBe('Sorry, the system is busy and this was not done. Please wait a moment and try again.');
    }
  });

  it('names a day with its weekday', () => {
    expect(dayText('zh-CN', '2026-11-30')).toBe('11月30日 周一');
    expect(dayText('en', '2026-11-30')).toBe('Mon 30 Nov');
  });

  it.each([
    [null, ['en-US', 'en'], 'en'],
    [null, ['zh-CN', 'zh'], 'zh-CN'],
    [null, ['fr-FR', 'en-GB'], 'en'],
    [null, ['fr-FR'], 'zh-CN'],
    ['zh-CN', ['en-US'], 'zh-CN'],
    ['en', ['zh-CN'], 'en'],
    ['xx', ['zh-TW'], 'zh-CN'],
  ] as const)('speaks %s for a phone saved as %j preferring %j', (saved, browser, expected) => {
    expect(preferredLanguage(saved, browser)).toBe(expected);
  });
});
