import type { Lang } from '../shared/api';

/**
 * Spoken prompts for the elderly mode, where the platform has a Chinese (or English) voice; else
 * silent. Every prompt also goes to the page's live region, so screen readers and tests hear it.
 */
export function speak(text: string, lang: Lang, aloud: boolean): void {
  const region = document.querySelector('[data-testid=announcement]');
  if (region) region.textContent = text;
  if (!aloud || typeof speechSynthesis === 'undefined') return;
  try {
    const prefix = lang === 'zh-CN' ? 'zh' : 'en';
    const voice = speechSynthesis.getVoices().find((v) => v.lang.toLowerCase().startsWith(prefix));
    if (!voice) return;
    speechSynthesis.cancel();
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.voice = voice;
    utterance.lang = voice.lang;
    utterance.rate = 0.9;
    speechSynthesis.speak(utterance);
  } catch {
    // No voice: the screen says it all.
  }
}
