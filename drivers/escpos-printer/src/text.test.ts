import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { columns, wrap } from './text';

const CLOSING = /^[。，、；：？！）」』】》”’]/;
const OPENING = /[（「『【《“‘]$/;

describe('line breaking on the printer (避头尾)', () => {
  it('never begins a line of a notice with a lone 。 or ，', () => {
    // 24 characters fill an 80 mm line; the 。 used to be printed alone on the next one.
    expect(wrap('申请事项不属于本机关职权范围，请向属地派出所申请。', 48)).toEqual(['申请事项不属于本机关职权范围，请向属地派出所申', '请。']);
    expect(wrap('居民身份证、居民户口簿（原件及复印件，1 份）', 32, '   ')).toEqual(['居民身份证、居民户口簿（原件及复', '   印件，1 份）']);
  });

  it('keeps a closing bracket with the word before it, and an opening one with the word after it', () => {
    expect(wrap('房屋产权证明或租赁合同（复印件，1 份）', 32, '   ')).toEqual(['房屋产权证明或租赁合同（复印件，', '   1 份）']);
    expect(wrap('一二三四五六七八九十一二三四五（六）', 32)).toEqual(['一二三四五六七八九十一二三四五', '（六）']);
  });

  it('does not split Latin words or numbers, and keeps Chinese words whole when asked', () => {
    expect(wrap('Service: Renewal of Resident Identity Card', 16)).toEqual(['Service: Renewal', 'of Resident', 'Identity Card']);
    expect(wrap('办理事项：居民身份证换领', 16)).toEqual(['办理事项：居民身', '份证换领']);
    expect(wrap('办理事项：居民身份证换领', 16, '', { words: true })).toEqual(['办理事项：居民', '身份证换领']);
  });

  it('on any text: lines fit, nothing is lost, no line begins with a closing mark and none but the last ends with an opening one', () => {
    const han = fc.constantFrom(...'政务服务中心申请材料户口登记');
    const piece = fc.oneof(
      han,
      fc.tuple(han, fc.constantFrom(...'，。、；：）》”'), fc.constantFrom('', '。', '）')).map((p) => p.join('')),
      fc.tuple(fc.constantFrom(...'（《“'), han).map((p) => p.join('')),
      fc.constantFrom('A012', '1 份', ' ', 'https://zwfw.example.gov.cn/q/1', '12345'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), fc.integer({ min: 16, max: 48 }), fc.constantFrom('', '   '), (pieces, width, indent) => {
        const text = pieces.join('');
        const lines = wrap(text, width, indent);
        for (const line of lines) expect(columns(line)).toBeLessThanOrEqual(width);
        expect(lines.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
        lines.forEach((line, i) => {
          if (i > 0) expect(line.trimStart(), lines.join('|')).not.toMatch(CLOSING);
          if (i < lines.length - 1) expect(line, lines.join('|')).not.toMatch(OPENING);
        });
      }),
      { numRuns: 500 },
    );
  });
});
