import { describe, expect, it } from 'vitest';
import { spokenSentence } from '../shared/voice';
import { toEspeakPinyin } from './pinyin';

describe('the call as pinyin for espeak-ng', () => {
  it.each([
    [{ ticket: 'A012', window: 3 }, 'qing3 ei1 ling2 yi1 er4 hao4 dao4 san1 hao4 chuang1 kou3 ban4 li3'],
    [{ ticket: 'B105', window: 12 }, 'qing3 bi4 yi1 ling2 wu3 hao4 dao4 shi2 er4 hao4 chuang1 kou3 ban4 li3'],
    [{ ticket: 'GA007', window: 15 }, 'qing3 ji4 ei1 ling2 ling2 qi1 hao4 dao4 shi2 wu3 hao4 chuang1 kou3 ban4 li3'],
  ])('says %o with tone numbers and the letters spelled for Mandarin', (call, expected) => {
    expect(toEspeakPinyin(spokenSentence(call))).toBe(expected);
  });

  it('spells digits and letters that reach it unconverted, and drops punctuation', () => {
    expect(toEspeakPinyin('请X9号！')).toBe('qing3 ai2 ke4 si1 jiu3 hao4');
  });
});
