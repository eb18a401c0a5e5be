import { forbiddenPhrasesIn } from '@servicehall/core';
import { describe, expect, it } from 'vitest';
import { OPS_TEXT, formatBytes, opsText } from './ops-strings';

describe("the operator's words", () => {
  it('have the same entries in Chinese and English, with the same places to fill, none empty', () => {
    expect(Object.keys(OPS_TEXT.en).sort()).toEqual(Object.keys(OPS_TEXT['zh-CN']).sort());
    for (const key of Object.keys(OPS_TEXT.en) as (keyof typeof OPS_TEXT.en)[]) {
      const places = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(places(OPS_TEXT['zh-CN'][key]), key).toEqual(places(OPS_TEXT.en[key]));
      expect(OPS_TEXT.en[key].trim()).not.toBe('');
    }
  });

  it('use none of the phrases the handbook forbids (H-14)', () => {
    expect(forbiddenPhrasesIn(Object.values(OPS_TEXT['zh-CN']).join('\n'))).toEqual([]);
  });

  it('say Chinese first, then English, with the values filled in', () => {
    expect(opsText('running', { pid: 42 })).toBe('主机正在运行（pid 42）：请先停止主机服务，再恢复。\nThe hub is running (pid 42): stop the hub service before restoring.');
    expect(formatBytes(167_900_000)).toBe('167.9 MB');
    // A value given in each language goes into its own line.
    const [zh, en] = opsText('badSetting', { problem: { 'zh-CN': '端口号有误', en: 'the port is wrong' } }).split('\n');
    expect(zh).toMatch(/^主机的运行设置有误，没有启动：端口号有误。请改正/);
    expect(en).toMatch(/^A setting of the hub is wrong, and it did not start: the port is wrong\. Put/);
  });
});
