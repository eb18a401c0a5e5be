import { describe, expect, it } from 'vitest';
import { chooseVoice, spokenSentence, ticketWords, voiceReport, windowNumberWords, type VoicePreference } from './voice';

describe('which voice calls the numbers', () => {
  it.each<[VoicePreference, boolean, boolean, string]>([
    ['auto', true, true, 'speech-synthesis'],
    ['auto', true, false, 'speech-synthesis'],
    ['auto', false, true, 'espeak-ng'],
    ['auto', false, false, 'chime-only'],
    ['espeak-ng', true, true, 'espeak-ng'],
    ['espeak-ng', true, false, 'speech-synthesis'],
    ['speech-synthesis', false, true, 'espeak-ng'],
    ['chime-only', true, true, 'chime-only'],
  ])('preference %s, screen voice %s, espeak-ng %s: %s', (preference, zhVoice, espeak, mode) => {
    expect(chooseVoice(preference, { zhVoice, espeak })).toBe(mode);
  });

  it('reports a voice that fell back to the chime as a warning, a chosen chime as ok', () => {
    expect(voiceReport('chime-only', 'auto')).toMatchObject({ kind: 'voice', status: 'warning', code: 'chime-only' });
    // The board shows the detail as it is: in the hall's language, saying what to install.
    expect(voiceReport('chime-only', 'auto', 'no-espeak-ng').detail).toBe('本屏没有中文语音，叫号只响提示音并显示，不播报；未安装 espeak-ng（apt install espeak-ng）');
    expect(voiceReport('chime-only', 'auto').detail).not.toMatch(/[A-Za-z]{4}/);
    expect(voiceReport('chime-only', 'chime-only')).toMatchObject({ status: 'ok', code: 'chime-only' });
    expect(voiceReport('espeak-ng', 'auto')).toEqual({ kind: 'voice', name: '语音叫号', status: 'ok', code: 'espeak-ng' });
  });
});

describe('the sentence as a voice says it', () => {
  it.each([
    [3, '三'],
    [10, '十'],
    [12, '十二'],
    [20, '二十'],
    [35, '三十五'],
    [100, '一百'],
    [105, '一百零五'],
    [115, '一百一十五'],
    [230, '二百三十'],
  ])('window %i is %s', (n, words) => expect(windowNumberWords(n)).toBe(words));

  it('reads a ticket digit by digit, so that 012 is never twelve', () => {
    expect(ticketWords('A012')).toBe('A零一二');
    expect(spokenSentence({ ticket: 'A012', window: 3 })).toBe('请A零一二号到三号窗口办理');
  });
});
