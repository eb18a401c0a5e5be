import { pinyin } from 'pinyin-pro';

/** Latin letters as a Mandarin speaker says them in a hall, in tone-numbered pinyin (A: ei1, B: bi4 ...). */
const LETTERS: Record<string, string> = {
  A: 'ei1', B: 'bi4', C: 'xi1', D: 'di4', E: 'yi4', F: 'ai2 fu1', G: 'ji4', H: 'ai2 qi1', I: 'ai4', J: 'zhei4', K: 'kai4',
  L: 'ai2 le1', M: 'ai2 mu1', N: 'en1', O: 'ou1', P: 'pi1', Q: 'kiu1', R: 'a4 er3', S: 'ai2 si1', T: 'ti4', U: 'you1',
  V: 'wei1', W: 'da2 bu1 liu1', X: 'ai2 ke4 si1', Y: 'wai4', Z: 'zei4',
};
const DIGITS = ['ling2', 'yi1', 'er4', 'san1', 'si4', 'wu3', 'liu4', 'qi1', 'ba1', 'jiu3'];

/**
 * A Mandarin sentence as tone-numbered pinyin for espeak-ng's cmn-latn-pinyin voice, which reads
 * characters badly and Latin letters as English: letters and stray digits are spelled for Mandarin.
 */
export function toEspeakPinyin(sentence: string): string {
  const syllables = pinyin(sentence, { toneType: 'num', type: 'array', nonZh: 'spaced', v: true, toneSandhi: false });
  const out: string[] = [];
  for (const s of syllables) {
    const token = s.trim();
    if (!token) continue;
    if (/^[A-Za-z]$/.test(token)) out.push(LETTERS[token.toUpperCase()]!);
    else if (/^[0-9]$/.test(token)) out.push(DIGITS[Number(token)]!);
    else if (/^[a-zv]+[0-5]$/.test(token)) out.push(token.replace(/0$/, '5'));
    // Punctuation and anything else is left out: espeak would spell it.
  }
  return out.join(' ');
}
