import { describe, expect, it } from 'vitest';
import { maskPhone, normalizePhone } from './privacy';

describe('a mobile number as a citizen types it', () => {
  it.each([
    ['13700004444', '+8613700004444'],
    ['+86 137 0000 4444', '+8613700004444'],
    ['0086-137-0000-4444', '+8613700004444'],
    // A Chinese input method in full-width mode: digits, plus and dash all full-width.
    ['１３７００００４４４４', '+8613700004444'],
    ['＋８６ １３７－００００－４４４４', '+8613700004444'],
    ['(+86) 137 0000 4444', '+8613700004444'],
    ['137—0000—4444', '+8613700004444'],
  ])('takes %s as %s', (typed, e164) => {
    expect(normalizePhone(typed)).toBe(e164);
    expect(maskPhone(normalizePhone(typed)!)).toBe('137****4444');
  });

  it.each(['1370000444', '23700004444', '137000044445', '+1 137 0000 4444', '１３７ａ００００４４４４', ''])('refuses %s', (typed) => {
    expect(normalizePhone(typed)).toBeUndefined();
  });
});
