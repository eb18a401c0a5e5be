import type { DeviceReport } from '@servicehall/core';
import { STRINGS } from './strings';

/** Which voice calls the numbers: the platform's, espeak-ng in the agent, or the chime alone. */
export type VoiceMode = 'speech-synthesis' | 'espeak-ng' | 'chime-only';
export type VoicePreference = VoiceMode | 'auto';
export const VOICE_PREFERENCES: readonly VoicePreference[] = ['auto', 'speech-synthesis', 'espeak-ng', 'chime-only'];

/**
 * The voice in use: the screen's zh-CN speechSynthesis voice where it has one, else espeak-ng where
 * the agent found it, else the chime alone. A preference is honoured when it can be; a preferred
 * voice that is missing falls back in the same order.
 */
export function chooseVoice(preference: VoicePreference, has: { zhVoice: boolean; espeak: boolean }): VoiceMode {
  if (preference === 'chime-only') return 'chime-only';
  if (preference === 'espeak-ng' && has.espeak) return 'espeak-ng';
  if (has.zhVoice) return 'speech-synthesis';
  if (has.espeak) return 'espeak-ng';
  return 'chime-only';
}

/** The voice as a device of this terminal, for the hub's device board (H-04, H-17). */
export function voiceReport(mode: VoiceMode, preference: VoicePreference): DeviceReport {
  if (mode === 'chime-only' && preference !== 'chime-only')
    return { kind: 'voice', name: '语音叫号', status: 'warning', code: 'chime-only', detail: 'no zh-CN voice and no espeak-ng: calls are chimed and shown, not spoken' };
  return { kind: 'voice', name: '语音叫号', status: 'ok', code: mode };
}

const DIGITS = '零一二三四五六七八九';

/** A window number as said in Mandarin: 3 三, 10 十, 12 十二, 20 二十, 105 一百零五. */
export function windowNumberWords(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 999) return String(n);
  if (n < 10) return DIGITS[n]!;
  if (n < 20) return `十${n % 10 ? DIGITS[n % 10] : ''}`;
  if (n < 100) return `${DIGITS[Math.floor(n / 10)]}十${n % 10 ? DIGITS[n % 10] : ''}`;
  const rest = n % 100;
  const hundreds = `${DIGITS[Math.floor(n / 100)]}百`;
  if (rest === 0) return hundreds;
  if (rest < 10) return `${hundreds}零${DIGITS[rest]}`;
  return hundreds + (rest < 20 ? `一${windowNumberWords(rest)}` : windowNumberWords(rest));
}

/** A ticket as said in a hall: letters as letters, digits one by one (A012: A 零一二). */
export function ticketWords(ticket: string): string {
  return [...ticket].map((c) => (c >= '0' && c <= '9' ? DIGITS[Number(c)] : c)).join('');
}

/** The sentence for a voice: 请A零一二号到三号窗口办理, so that no engine reads 012 as twelve. */
export function spokenSentence(call: { ticket: string; window: number }): string {
  return STRINGS['zh-CN'].ticketCall(ticketWords(call.ticket), windowNumberWords(call.window));
}
