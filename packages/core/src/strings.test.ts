import { describe, expect, it } from 'vitest';
import type { RefusalCode } from './result';
import { FORBIDDEN_PHRASES, forbiddenPhrasesIn, inBothLanguages, REFUSAL_TEXT, refusalText, refusalTextOf, saidIn, type Language } from './strings';

/** Every refusal code; `satisfies` fails to compile when a code is added to RefusalCode and not here. */
const CODES = Object.keys({
  'bad-request': 1,
  unauthorised: 1,
  forbidden: 1,
  'not-found': 1,
  'illegal-transition': 1,
  'recall-limit': 1,
  'recall-cooldown': 1,
  'queue-empty': 1,
  'not-served-here': 1,
  'outside-issuing-hours': 1,
  'daily-quota-reached': 1,
  'numbers-exhausted': 1,
  'window-closed': 1,
  'window-busy': 1,
  'appointment-unknown': 1,
  'appointment-used': 1,
  'appointment-wrong-day': 1,
  conflict: 1,
  'too-large': 1,
  'already-rated': 1,
  'outcome-recorded': 1,
  'notice-breach': 1,
  locked: 1,
  unconfigured: 1,
  'closed-today': 1,
  'pin-change-required': 1,
  'phone-limit': 1,
  'code-limit': 1,
  'address-code-limit': 1,
  'codes-spent': 1,
  'remote-closed': 1,
  'slot-unavailable': 1,
  'slot-full': 1,
  'booking-limit': 1,
  'booking-blocked': 1,
  'appointment-cancelled': 1,
  'appointment-withdrawn': 1,
  'phone-unverified': 1,
  'case-lapsed': 1,
  'command-expired': 1,
  'clock-ahead': 1,
  internal: 1,
  'method-not-allowed': 1,
  'id-reused': 1,
  'rate-limited': 1,
  'sign-in-paused': 1,
  'too-many-connections': 1,
  'disk-full': 1,
  'not-in-charge': 1,
  cancelled: 1,
} satisfies Record<RefusalCode, 1>) as RefusalCode[];

const LANGUAGES: Language[] = ['zh-CN', 'en'];

describe('civil language (H-14)', () => {
  it.each([
    ['我不知道', ['不知道']],
    ['这个不 归 我 管', ['不归我管']],
    ['下班了，明天再来', ['下班了，明天再来']],
    ['下班了,明天再来吧', ['下班了,明天再来']],
    ['急什么，快点！', ['急什么', '快点']],
    ['您好！很高兴为您服务', []],
    ['请您稍候，马上为您办理', []],
  ])('finds the forbidden phrases in %j', (text, found) => {
    expect(forbiddenPhrasesIn(text)).toEqual(found);
  });

  it('finds each of the handbook forbidden phrases', () => {
    for (const phrase of FORBIDDEN_PHRASES) expect(forbiddenPhrasesIn(`请问${phrase}。`)).toContain(phrase);
  });

  it.each(LANGUAGES)('has a polite %s sentence for every refusal code, and no other', (language) => {
    expect(Object.keys(REFUSAL_TEXT[language]).sort()).toEqual([...CODES].sort());
    for (const code of CODES) expect(refusalText(code, language).trim()).not.toBe('');
  });

  it.each(LANGUAGES)('uses no forbidden phrase in any %s refusal', (language) => {
    const offending = CODES.filter((code) => forbiddenPhrasesIn(REFUSAL_TEXT[language][code]).length > 0);
    expect(offending).toEqual([]);
  });

  it.each(LANGUAGES)('gives staff a %s sentence without a citizen’s way forward where the citizen’s has one, and the citizen’s sentence otherwise', (language) => {
    for (const code of CODES) {
      const staff = refusalText(code, language, 'staff');
      expect(forbiddenPhrasesIn(staff)).toEqual([]);
      if (/服务台|service desk/.test(REFUSAL_TEXT[language][code]) && ['not-found', 'internal', 'disk-full'].includes(code)) expect(staff).not.toMatch(/服务台|service desk/);
      // A console's staff member is refused as an account acting on a record, never as a terminal acting on a ticket.
      else if (code === 'forbidden' || code === 'illegal-transition') expect(staff).not.toMatch(/终端|号码|terminal|ticket/);
      else expect(staff).toBe(REFUSAL_TEXT[language][code]);
    }
    expect(refusalText('not-found', 'zh-CN', 'staff')).toBe('未找到相关信息，请核对后重试。');
    expect(refusalText('not-found')).toBe('抱歉，未找到相关信息，请核对后重试，或咨询服务台。');
  });

  it('speaks Chinese by default', () => {
    expect(refusalText('queue-empty')).toBe(REFUSAL_TEXT['zh-CN']['queue-empty']);
  });
});

describe('a refusal said in the hall’s own words', () => {
  const notice = inBothLanguages('停止取号公告中有服务忌语（快点）：请改用文明用语后重新发布。未作任何更改。', 'The closing notice uses a forbidden phrase (快点): please word it civilly. Nothing was changed.');

  it('is read in the reader’s language, its Chinese line or its English one', () => {
    expect(refusalTextOf({ code: 'bad-request', message: notice }, 'zh-CN', 'staff')).toBe('停止取号公告中有服务忌语（快点）：请改用文明用语后重新发布。未作任何更改。');
    expect(refusalTextOf({ code: 'bad-request', message: notice }, 'en', 'staff')).toBe('The closing notice uses a forbidden phrase (快点): please word it civilly. Nothing was changed.');
  });

  it('is the code’s sentence where the message is a developer’s, in English alone', () => {
    expect(refusalTextOf({ code: 'not-found', message: 'there is no window 99' }, 'zh-CN', 'staff')).toBe(refusalText('not-found', 'zh-CN', 'staff'));
    expect(saidIn('there is no window 99', 'en')).toBeUndefined();
    expect(saidIn('the code is not right\nsee the log', 'zh-CN')).toBeUndefined();
  });

  it('keeps each language to its line, whatever a value put in it holds', () => {
    const message = inBothLanguages('本大厅没有编码为 A\nB 的事项。', 'There is no service item A\r\nB.');
    expect(message.split('\n')).toHaveLength(2);
    expect(saidIn(message, 'zh-CN')).toBe('本大厅没有编码为 A B 的事项。');
    expect(saidIn(message, 'en')).toBe('There is no service item A B.');
  });
});
