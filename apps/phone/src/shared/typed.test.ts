import { describe, expect, it } from 'vitest';
import { typedCode } from './typed';

describe('the one-time code as a citizen types or pastes it', () => {
  it.each([
    ['123456', '123456'],
    ['１２３４５６', '123456'],
    ['123 456', '123456'],
    ['１２３ ４５６', '123456'],
    ['【滨江区政务服务中心】您的验证码为 482913，5分钟内有效。', '482913'],
    ['12', '12'],
    ['1234567', '123456'],
    ['abc', ''],
  ])('reads %s as %s', (typed, code) => {
    expect(typedCode(typed)).toBe(code);
  });
});
