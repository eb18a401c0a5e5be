import { forbiddenPhrasesIn } from '@servicehall/core';
import { describe, expect, it } from 'vitest';
import { allTexts, answerText, signInErrorText, signOutErrorText, STRINGS } from './strings';

describe("the window terminal's words (H-14)", () => {
  for (const [language, table] of Object.entries(STRINGS)) {
    it(`uses none of the forbidden phrases in ${language}`, () => {
      const texts = allTexts(table);
      expect(texts.length).toBeGreaterThan(150);
      expect(texts.flatMap((t) => forbiddenPhrasesIn(t))).toEqual([]);
    });
  }

  it('names emergency mode (应急模式) and tells the clerk the records are filed once the system is back', () => {
    expect(STRINGS['zh-CN'].emergency.title).toBe('应急模式');
    expect(STRINGS['zh-CN'].emergency.message).toContain('自动补录');
    expect(STRINGS.en.emergency.waiting(2)).toContain('2');
  });

  it("tells a clerk who signs in with the initial PIN to choose their own in the console, not that the system failed", () => {
    // The hub's answer to a sign-in with the PIN printed on the slip (packages/hub store.ts).
    const refused = { code: 'pin-change-required', message: 'clerk 2001 still has the initial PIN: choose your own in the console (/console) first' };
    const zh = signInErrorText(STRINGS['zh-CN'], refused);
    expect(zh).toBe('这是管理员给您的初始密码，只能用来登录管理控制台：请先在办公电脑上用工号和它登录管理控制台，设置您自己的密码，再回到本窗口签到。');
    expect(zh).not.toBe(STRINGS['zh-CN'].answer.internal);
    expect(signInErrorText(STRINGS.en, refused)).toContain('choose your own PIN');
    // The others as before.
    expect(signInErrorText(STRINGS['zh-CN'], { code: 'unauthorised', triesLeft: 4 })).toBe('工号或密码不正确，请核对后重新输入。还可尝试 4 次。');
    expect(signInErrorText(STRINGS['zh-CN'], { code: 'sign-in-paused' })).toBe(STRINGS['zh-CN'].answer['sign-in-paused']);
    expect(signInErrorText(STRINGS['zh-CN'], { code: 'a-code-added-later' })).toBe(STRINGS['zh-CN'].answer.internal);
  });

  it('tells the clerk that a case whose correction time has passed cannot be continued, and what to do, not that the system failed', () => {
    // The hub's answer to an outcome that names a lapsed case as the one it continues (core outcomes.ts).
    const refused = { code: 'case-lapsed', message: 'case SL20261120001 had until 2026-12-04 for its corrections: it has lapsed' };
    const zh = answerText(STRINGS['zh-CN'], refused);
    expect(zh).not.toBe(STRINGS['zh-CN'].answer.internal);
    expect(zh).toContain('补正期限已过');
    expect(zh).toContain('续办案件编号');
    expect(answerText(STRINGS.en, refused)).toMatch(/correction time .*passed/);
  });

  it('says why the window cannot sign out while a held or transferred ticket waits for it alone, not to deal with a current ticket it does not have', () => {
    // The hub's answer (core windows.ts) when no ticket is current but A001 is held and A002 sent here.
    const refused = { code: 'window-busy', message: 'tickets A001, A002 wait for window 1 alone (held here or transferred here): call them or transfer them first' };
    const zh = signOutErrorText(STRINGS['zh-CN'], refused, false);
    expect(zh).not.toBe(STRINGS['zh-CN'].answer['window-busy']);
    expect(zh).toContain('挂起');
    expect(zh).toContain('转来本窗口');
    expect(signOutErrorText(STRINGS.en, refused, false)).toMatch(/held here or transferred here/);
    // With a current ticket, as before.
    expect(signOutErrorText(STRINGS['zh-CN'], refused, true)).toBe(STRINGS['zh-CN'].answer['window-busy']);
  });

  it('has the same keys in both languages', () => {
    const keys = (o: object): string[] => Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v) ? keys(v).map((x) => `${k}.${x}`) : [k]));
    expect(keys(STRINGS.en).sort()).toEqual(keys(STRINGS['zh-CN']).sort());
  });

  it('fits the greeting and the call line on a 20-column Chinese display, for the widest number and window', () => {
    const bytes = (s: string) => [...s].reduce((n, ch) => n + (ch.charCodeAt(0) < 0x80 ? 1 : 2), 0);
    for (const d of [STRINGS['zh-CN'].display, STRINGS.en.display]) {
      for (const row of [d.greeting, d.paused, d.pausedHint, d.windowLabel(999)]) expect(bytes(row), row).toBeLessThanOrEqual(20);
      expect(d.callLines('A012', 3)[0]!.length).toBeGreaterThan(0);
      expect(bytes(d.callLines('ZZ99999', 999).at(-1)!)).toBeLessThanOrEqual(20);
    }
  });

  it.each(['absent', 'paper-end', 'paper-near-end', 'cover-open', 'offline', 'timeout', 'cutter-error', 'not-in-step', 'a-code-added-later'])(
    'says the printer code %s in words inside Chinese sentences, never as the code',
    (code) => {
      const zh = STRINGS['zh-CN'];
      for (const text of [zh.printFailed(code), zh.devices.fault(code), zh.devices.warning(code), zh.deviceCode(code)]) expect(text).not.toMatch(/[A-Za-z]/);
    },
  );
});
