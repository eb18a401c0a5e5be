import iconv from 'iconv-lite';

export const PRINTER_ENCODING = 'gb18030';

/**
 * A line as the printer can print it. Control characters are its commands (ESC @ resets it, GS V cuts
 * the paper, DLE EOT asks its status), so none of a text's is sent: a tab prints as a space, the rest
 * as nothing. Emoji are in no printer's font (GB18030 gives them four bytes a printer shows as
 * garbage): left out, with the joiners and variation selectors that build them. Symbols GBK has (★ ※)
 * and CJK characters beyond it (𠮷, four-byte GB18030) stay.
 */
export function printableText(text: string): string {
  return text.replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f\u200d\ufe0e\ufe0f\u{1f3fb}-\u{1f3ff}\u{e0020}-\u{e007f}]|\p{Extended_Pictographic}|\p{Regional_Indicator}/gu, (ch) =>
    /\p{Extended_Pictographic}/u.test(ch) && isGbk(ch) ? ch : '',
  );
}

const isGbk = (ch: string) => !iconv.encode(ch, 'gbk').equals(Buffer.from('?'));

export function encodeText(text: string): Buffer {
  return iconv.encode(printableText(text), PRINTER_ENCODING);
}

/** Columns a character takes on the printer: double-byte GBK characters print full width. */
export function charColumns(ch: string): number {
  if (ch.charCodeAt(0) < 0x80) return 1;
  return 2;
}

export function columns(text: string): number {
  let n = 0;
  for (const ch of text) n += charColumns(ch);
  return n;
}

/** 避头尾: marks that may not begin a line (closing punctuation) and marks that may not end one (opening). */
const NO_LINE_START = new Set([...'。，、；：？！）」』】》〉〕］｝”’…%‰·～—,.;:?!)]}']);
const NO_LINE_END = new Set([...'（「『【《〈〔［｛“‘([{']);

export interface WrapOptions {
  /**
   * Keep Chinese words whole where a line can hold them (Intl.Segmenter's dictionary), for short
   * large-type lines such as an item's name; body text breaks between any two characters.
   */
  words?: boolean;
}

let segmenter: Intl.Segmenter | undefined;
const segmented = new Map<string, string[]>();

/** Chinese words by Intl.Segmenter's dictionary (tens of µs a call, so kept for the names seen). */
function chineseWords(run: string): string[] {
  let words = segmented.get(run);
  if (!words) {
    segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' });
    words = [...segmenter.segment(run)].flatMap((s) => (s.isWordLike ? [s.segment] : [...s.segment]));
    if (segmented.size > 500) segmented.clear();
    segmented.set(run, words);
  }
  return words;
}

/** The pieces a line may break between: runs of printable ASCII (words, numbers, URLs), spaces, and CJK characters or words. */
function pieces(paragraph: string, words: boolean): string[] {
  const out: string[] = [];
  for (const run of paragraph.match(/[\x21-\x7e]+|\s|[^\x00-\x7f]+/gu) ?? []) {
    if (/^[^\x00-\x7f]/.test(run)) {
      if (words) out.push(...chineseWords(run));
      else out.push(...run);
    } else out.push(run);
  }
  return out;
}

/**
 * Units that must stay on one line: a piece together with the closing marks after it (none may
 * begin a line) and with the opening marks before it (none may end one).
 */
function units(paragraph: string, words: boolean): string[] {
  const out: string[] = [];
  let opening = '';
  for (const piece of pieces(paragraph, words)) {
    const first = [...piece][0]!;
    if (opening === '' && NO_LINE_START.has(first)) {
      // A space between a word and its closing mark goes along with the mark.
      const space = out.length > 1 && /^\s+$/.test(out[out.length - 1]!) ? out.pop()! : '';
      if (out.length > 0) {
        out[out.length - 1] += space + piece;
        continue;
      }
      if (space) out.push(space);
    }
    if ([...piece].every((ch) => NO_LINE_END.has(ch))) {
      opening += piece;
      continue;
    }
    out.push(opening + piece);
    opening = '';
  }
  if (opening) out.push(opening);
  return out;
}

/**
 * Breaks text into lines of at most `width` columns. Latin words and numbers are not split unless
 * longer than a line; no line begins with closing punctuation or ends with opening punctuation
 * (避头尾), unless one unit alone is wider than a line.
 */
export function wrap(text: string, width: number, indent = '', options: WrapOptions = {}): string[] {
  const out: string[] = [];
  const indentWidth = columns(indent);
  for (const paragraph of text.split('\n')) {
    if (columns(paragraph) <= width) {
      out.push(paragraph.trimEnd());
      continue;
    }
    let line = '';
    let used = 0;
    const breakLine = () => {
      out.push(line.trimEnd());
      line = indent;
      used = indentWidth;
    };
    for (const unit of units(paragraph, options.words ?? false)) {
      const w = columns(unit);
      if (used + w > width && used > indentWidth) {
        breakLine();
        if (/^\s+$/.test(unit)) continue;
      }
      if (w > width - used) {
        // Wider than a whole line: split it by characters, still never starting a line with a closing mark.
        const chars = [...unit];
        chars.forEach((ch, i) => {
          const cw = charColumns(ch);
          const next = chars[i + 1];
          const keepWithNext = next !== undefined && NO_LINE_START.has(next) && used + cw + charColumns(next) > width && used > indentWidth;
          if (used + cw > width || keepWithNext) breakLine();
          line += ch;
          used += cw;
        });
        continue;
      }
      line += unit;
      used += w;
    }
    out.push(line.trimEnd());
  }
  return out;
}
