import { PRINTER_CODES } from '@servicehall/escpos-printer';
import { DISPLAY_CODES } from '@servicehall/number-display';
import { KEYPAD_CODES } from '@servicehall/rating-keys';
import { describe, expect, it } from 'vitest';
import { STRINGS as WINDOW } from '../apps/window/src/shared/strings';
import { STRINGS as CONSOLE } from '../apps/console/src/renderer/i18n';
import { SMS_PARAM_MAX } from '@servicehall/notify/render';
import { WORDS as NOTICES } from '@servicehall/notify/strings';

/** Every code a printer, a number display or a rating key pad can report: a code added to a driver and to no screen fails here. */
const CODES = [...new Set([...PRINTER_CODES, ...DISPLAY_CODES, ...KEYPAD_CODES])];

describe('every device code the drivers report, in words on the screens that show it', () => {
  it('finds the codes', () => {
    expect(CODES).toEqual(expect.arrayContaining(['paper-end', 'write-failed', 'status-unknown', 'bad-reply', 'garbled']));
  });

  it.each(CODES)("has the clerk's window words of its own for %s, in Chinese and English", (code) => {
    // A code the screen does not know reads as the generic words: each of these has its own.
    for (const lang of ['zh-CN', 'en'] as const) expect(WINDOW[lang].deviceCode(code), lang).not.toBe(WINDOW[lang].deviceCode('a-code-added-later'));
    expect(WINDOW['zh-CN'].deviceCode(code)).not.toMatch(/[A-Za-z]/);
  });

  it.each(CODES)("has the supervisors' device board words for %s, in Chinese and English", (code) => {
    for (const lang of ['zh-CN', 'en'] as const) expect(CONSOLE[lang].board.deviceCodes[code], lang).toBeTruthy();
    expect(CONSOLE['zh-CN'].board.deviceCodes[code]).not.toMatch(/[A-Za-z]/);
  });

  it.each(CODES)("has the supervisors' notices' words for %s (robots, SMS), in Chinese and English, short enough for an SMS template's field", (code) => {
    for (const lang of ['zh-CN', 'en'] as const) expect(NOTICES[lang].fault[code], lang).toBeTruthy();
    expect(NOTICES['zh-CN'].fault[code]).not.toMatch(/[A-Za-z]/);
    // An SMS template's variable holds 12 characters at most (the fault is one of its own): not cut short.
    expect([...NOTICES['zh-CN'].fault[code]!].length).toBeLessThanOrEqual(SMS_PARAM_MAX);
  });
});
