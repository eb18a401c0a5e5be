import { describe, expect, it } from 'vitest';
import { matchesItem, searchItems } from './search';

const ID_CARD = { code: 'GA-SFZ-HL', name: '居民身份证换领', nameEn: 'Renewal of Resident Identity Card', initials: 'jmsfzhl', pinyin: 'juminshenfenzhenghuanling' };
const PASSPORT = { code: 'CRJ-HZ-SL', name: '普通护照申领', nameEn: 'Ordinary Passport Application', initials: 'pthzsl', pinyin: 'putonghuzhaoshenling' };

describe('finding a service item on the kiosk', () => {
  it.each([
    ['身份证', true],
    ['sfz', true],
    ['JMSF', true],
    ['shenfen', true],
    ['identity card', true],
    ['sfz-hl', true],
    ['护照', false],
    ['hz', false],
  ])('"%s" finds 居民身份证换领: %s', (query, found) => {
    expect(matchesItem(ID_CARD, query)).toBe(found);
  });

  it('shows every item while nothing is typed', () => {
    expect(searchItems([ID_CARD, PASSPORT], '  ')).toHaveLength(2);
  });

  it('finds the passport by its initials and nothing else', () => {
    expect(searchItems([ID_CARD, PASSPORT], 'hz').map((i) => i.code)).toEqual(['CRJ-HZ-SL']);
  });
});
