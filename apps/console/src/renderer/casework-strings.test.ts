import { forbiddenPhrasesIn } from '@servicehall/core';
import { describe, expect, it } from 'vitest';
import { CASEWORK_STRINGS } from './casework-strings';

/** Every string of a catalogue, nested objects and functions (called with a sample) included, by its path. */
function leaves(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (typeof value === 'function') return [[path, String((value as (s: string) => string)('核实'))]];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
}

describe("the console's words for the cases that need someone (rule 7, H-14)", () => {
  it.each(['zh-CN', 'en'] as const)('has no forbidden phrase in %s', (lang) => {
    expect(forbiddenPhrasesIn(leaves(CASEWORK_STRINGS[lang]).map(([, s]) => s).join('\n'))).toEqual([]);
  });

  it('says everything in English that it says in Chinese, and nothing left empty', () => {
    const zh = leaves(CASEWORK_STRINGS['zh-CN']);
    const en = new Map(leaves(CASEWORK_STRINGS.en));
    expect([...en.keys()].sort()).toEqual(zh.map(([k]) => k).sort());
    for (const [key, text] of en) expect(text.trim(), key).not.toBe('');
    // The Chinese is Chinese: every sentence-like string of zh-CN holds a Chinese character.
    for (const [key, text] of zh) if (text.length > 3 && !/^[\w\s.-]+$/.test(text)) expect(/[\u4e00-\u9fff]/.test(text), key).toBe(true);
  });
});
