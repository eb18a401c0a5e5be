import type { ItemCard } from './api';

/**
 * Whether an item answers what the citizen typed: part of its Chinese or English name, its code,
 * or the start of its pinyin initials or full pinyin (sfz → 居民身份证换领 has "sfz" inside jmsfzhl).
 */
export function matchesItem(item: Pick<ItemCard, 'name' | 'nameEn' | 'code' | 'initials' | 'pinyin'>, query: string): boolean {
  const q = query.trim().toLowerCase().replace(/\s+/g, '');
  if (q === '') return true;
  if (item.name.toLowerCase().includes(q)) return true;
  if (item.code.toLowerCase().includes(q)) return true;
  if (item.nameEn && item.nameEn.toLowerCase().replace(/\s+/g, '').includes(q)) return true;
  if (/^[a-z]+$/.test(q)) return item.initials.includes(q) || item.pinyin.includes(q);
  return false;
}

export function searchItems<T extends Pick<ItemCard, 'name' | 'nameEn' | 'code' | 'initials' | 'pinyin'>>(items: readonly T[], query: string): T[] {
  return items.filter((item) => matchesItem(item, query));
}
