import { forbiddenPhrasesIn } from '@servicehall/core';
import { describe, expect, it } from 'vitest';
import { PAGE_TEXT, TICKET_STATE_TEXT } from './page-strings';

describe("the citizen's pages' words", () => {
  it('have the same entries in Chinese and English, none empty', () => {
    expect(Object.keys(PAGE_TEXT.en).sort()).toEqual(Object.keys(PAGE_TEXT['zh-CN']).sort());
    for (const table of [PAGE_TEXT['zh-CN'], PAGE_TEXT.en, TICKET_STATE_TEXT['zh-CN'], TICKET_STATE_TEXT.en]) for (const text of Object.values(table)) expect(text.trim()).not.toBe('');
  });

  it('use none of the phrases the handbook forbids (H-14)', () => {
    const all = [...Object.values(PAGE_TEXT['zh-CN']), ...Object.values(TICKET_STATE_TEXT['zh-CN'])].join('\n');
    expect(forbiddenPhrasesIn(all)).toEqual([]);
  });
});
