import { forbiddenPhrasesIn } from '@servicehall/core';
import { describe, expect, it } from 'vitest';
import { daysText, KIOSK_STRINGS, refusalSentence, refusalTitle, tr, type KioskStringKey } from './strings';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("the kiosk's string catalogue (H-14)", () => {
  it.each(['zh-CN', 'en'] as const)('has no forbidden phrase in %s', (lang) => {
    const all = Object.values(KIOSK_STRINGS[lang]).join('\n');
    expect(forbiddenPhrasesIn(all)).toEqual([]);
  });

  it('would notice a forbidden phrase', () => {
    expect(forbiddenPhrasesIn(`${tr('zh-CN', 'oos.message')}不清楚`)).toEqual(['不清楚']);
  });

  it('has the same keys and placeholders in English as in Chinese', () => {
    const zh = KIOSK_STRINGS['zh-CN'];
    for (const key of Object.keys(zh) as KioskStringKey[]) {
      expect(KIOSK_STRINGS.en[key], key).toBeTruthy();
      expect(placeholders(KIOSK_STRINGS.en[key]), key).toEqual(placeholders(zh[key]));
    }
  });

  it('apologises and offers another kiosk or the service desk when it cannot issue', () => {
    for (const code of ['out-of-service', 'print-failed', 'print-cut-off', 'hub-offline', 'leases-spent'] as const) {
      const text = refusalSentence('zh-CN', code);
      expect(text).toMatch(/^抱歉/);
      expect(text).toContain('服务台');
    }
  });

  it('says on an emergency ticket (应急取号) that the wait cannot be estimated, in both languages', () => {
    expect(tr('zh-CN', 'ticket.emergency')).toBe('应急取号：等候时间暂无法估算');
    expect(tr('en', 'ticket.emergency')).toMatch(/wait cannot be estimated/);
    expect(tr('zh-CN', 'emergency.message')).toContain('等候时间暂无法估算');
    expect(tr('zh-CN', 'oos.leasesSpentMessage')).toMatch(/^抱歉/);
  });

  it("uses the hall's own sentence for a hub refusal", () => {
    expect(refusalSentence('zh-CN', 'daily-quota-reached')).toContain('网上办事大厅');
    expect(refusalSentence('en', 'outside-issuing-hours')).toContain('online');
  });

  it('says of a booking the hall cancelled which service it was for and that the hall cancelled it, not that no number can be given now', () => {
    expect(refusalTitle('zh-CN', 'appointment-withdrawn')).toBe('您的预约已由大厅取消');
    expect(refusalTitle('en', 'appointment-withdrawn')).toBe('The hall has cancelled your booking');
    expect(refusalTitle('zh-CN', 'daily-quota-reached')).toBe('抱歉，暂时无法为您取号');
    const zh = refusalSentence('zh-CN', 'appointment-withdrawn', '居民身份证换领');
    expect(zh).toContain('“居民身份证换领”');
    expect(zh).toContain('由大厅取消');
    expect(zh).toContain('服务台');
    expect(refusalSentence('en', 'appointment-withdrawn', 'ID card renewal')).toContain('"ID card renewal"');
    // The service unknown to the kiosk: the hall's own sentence, which names none.
    expect(refusalSentence('zh-CN', 'appointment-withdrawn')).toContain('该预约的事项');
  });

  it('says one person ahead in English without a plural ("1 people")', () => {
    expect(tr('en', 'ticket.ahead', { n: 1 })).not.toMatch(/\b1 people\b/);
    expect(tr('en', 'ticket.ahead', { n: 1 })).toBe('People ahead of you: 1');
  });

  it('says a time limit of one working day without a plural in English, and 即时办结 for none', () => {
    expect(daysText('en', 1)).toBe('1 working day');
    expect(daysText('en', 15)).toBe('15 working days');
    expect(daysText('zh-CN', 1)).toBe('1 个工作日');
    expect(daysText('zh-CN', 0)).toBe('即时办结');
  });

  it('fills placeholders', () => {
    expect(tr('zh-CN', 'ticket.ahead', { n: 3 })).toBe('前面还有 3 人等候');
  });
});
