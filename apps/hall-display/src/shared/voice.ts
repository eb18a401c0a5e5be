import type { DeviceReport } from '@servicehall/core';
import type { AnnouncerEvent } from './announcer';
import type { Announced } from './api';
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

/** Why the agent's espeak-ng cannot speak (main/espeak.ts checkEspeak), as the installer mends it. */
export type EspeakProblem = 'no-espeak-ng' | 'no-pinyin-voice' | 'no-player' | 'no-sound-card';

/** What the supervisors' board says of each (it shows the device's detail as it is: Chinese, the hall's language). */
const ESPEAK_PROBLEM_WORDS: Record<EspeakProblem, string> = {
  'no-espeak-ng': '未安装 espeak-ng（apt install espeak-ng）',
  'no-pinyin-voice': 'espeak-ng 缺少普通话语音 cmn-latn-pinyin（apt install espeak-ng-data）',
  'no-player': '未安装播放程序 aplay（apt install alsa-utils）',
  'no-sound-card': '未找到声卡，请检查音箱或声卡连接',
};

/**
 * The voice as a device of this terminal, for the hub's device board (H-04, H-17); with the chime alone where a voice
 * was wanted, why (the screen has no zh-CN voice, and what espeak-ng lacks) in the words the board shows.
 */
export function voiceReport(mode: VoiceMode, preference: VoicePreference, espeak?: EspeakProblem): DeviceReport {
  if (mode === 'chime-only' && preference !== 'chime-only') {
    const why = espeak ? `；${ESPEAK_PROBLEM_WORDS[espeak]}` : '';
    return { kind: 'voice', name: '语音叫号', status: 'warning', code: 'chime-only', detail: `本屏没有中文语音，叫号只响提示音并显示，不播报${why}` };
  }
  return { kind: 'voice', name: '语音叫号', status: 'ok', code: mode };
}

/**
 * The voice as a device that could not say a call (its sound card or speakers gone, the platform's voice
 * failing): a fault on the board, and the supervisors alerted (H-04); the calls are still shown.
 */
export function voiceFailedReport(why: string): DeviceReport {
  const line = why.split(/[\r\n]/, 1)[0]!.trim().slice(0, 80);
  return { kind: 'voice', name: '语音叫号', status: 'fault', code: 'no-voice', detail: `叫号语音未能播报，号码仍在屏上显示：请检查本屏的音箱和声卡${line ? `（${line}）` : ''}` };
}

/** An announcer's event as a log entry (said, skipped, or not said because the voice failed), or nothing for the others (a chime alone failing is only logged). */
export function announcedOf(event: AnnouncerEvent, voice: VoiceMode, at: number): Announced | undefined {
  const { seq, ticket, window, recall } = event.call;
  if (event.kind === 'said') return { seq, ticket, window, recall, text: event.text, time: event.time, voice, at };
  if (event.kind === 'skipped') return { seq, ticket, window, recall, text: '', time: 0, voice, at, skipped: event.reason };
  if (event.kind === 'failed' && event.part === 'say') return { seq, ticket, window, recall, text: '', time: 0, voice, at, failed: event.message.split(/[\r\n]/, 1)[0]!.slice(0, 200) || 'failed' };
  return undefined;
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
