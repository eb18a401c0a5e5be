import iconv from 'iconv-lite';

export const PRINTER_ENCODING = 'gb18030';

export function encodeText(text: string): Buffer {
  return iconv.encode(text, PRINTER_ENCODING);
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

/** Breaks text into lines of at most `width` columns; ASCII words are not split unless longer than a line. */
export function wrap(text: string, width: number, indent = ''): string[] {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    let used = 0;
    const tokens = paragraph.match(/[\x21-\x7e]+|\s|[^\x00-\x7f]/gu) ?? [];
    for (const token of tokens) {
      const w = columns(token);
      if (used + w > width && used > columns(indent)) {
        out.push(line.trimEnd());
        line = indent;
        used = columns(indent);
        if (token === ' ') continue;
      }
      if (w > width - used) {
        for (const ch of token) {
          const cw = charColumns(ch);
          if (used + cw > width) {
            out.push(line);
            line = indent;
            used = columns(indent);
          }
          line += ch;
          used += cw;
        }
        continue;
      }
      line += token;
      used += w;
    }
    out.push(line.trimEnd());
  }
  return out;
}
