import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HubRefusal } from './files';
import { readNotifyInput } from './notifications';
import { startHub } from './server';

describe('SERVICEHALL_NOTIFY_CONFIG', () => {
  it('reads a file saved with a byte-order mark (Windows Notepad), and names a file that is not JSON', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-notify-'));
    try {
      const file = path.join(dir, 'notify.json');
      fs.writeFileSync(file, '\uFEFF{"channels":[]}');
      expect(readNotifyInput({ SERVICEHALL_NOTIFY_CONFIG: file })).toEqual({ ok: true, input: { channels: [] }, from: file });
      fs.writeFileSync(file, '{"channels":');
      expect(readNotifyInput({ SERVICEHALL_NOTIFY_CONFIG: file })).toMatchObject({ ok: false, zh: `SERVICEHALL_NOTIFY_CONFIG 的文件 ${file} 不是有效的 JSON，第 1 行第 13 列：内容没有写完：到末尾还缺少 }（该行：{"channels":）`, message: `SERVICEHALL_NOTIFY_CONFIG: ${file} is not valid JSON, line 1, column 13: the text ends too soon: } still missing at its end (the line: {"channels":)` });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file saved as GBK, whose SMS signature would be garbled, saying so in Chinese', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-notify-'));
    try {
      const file = path.join(dir, 'notify.json');
      // {"channels":[{"id":"sms","signName":"滨江政务"}]} as Notepad saves it on a Chinese Windows (ANSI: GBK).
      fs.writeFileSync(file, Buffer.concat([Buffer.from('{"channels":[{"id":"sms","signName":"'), Buffer.from([0xb1, 0xf5, 0xbd, 0xad, 0xd5, 0xfe, 0xce, 0xf1]), Buffer.from('"}]}')]));
      expect(readNotifyInput({ SERVICEHALL_NOTIFY_CONFIG: file })).toEqual({
        ok: false,
        zh: expect.stringMatching(/^SERVICEHALL_NOTIFY_CONFIG 的文件 \S+notify\.json 不是 UTF-8 文本：请另存为 UTF-8/),
        message: expect.stringMatching(/^SERVICEHALL_NOTIFY_CONFIG: \S+notify\.json is not UTF-8 text/),
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops the hub with a refusal naming the wrong field in Chinese then English, not a crash, and leaves no running marker', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-notify-'));
    try {
      const notify = { channels: [{ id: 'sms', kind: 'tencent-sms', signName: '滨江政务', secretId: 'AKIDxxxxxxxxxxxx', secretKey: 'short', sdkAppId: '1400000000', templates: { 'phone-code': '1', 'ticket-near': '2', 'ticket-called': '3' } }] };
      // As the environment gives it (cli.ts passes the JSON unchecked): the hub checks it.
      const started = startHub({ dataDir: dir, token: 'hall-token-for-the-notify-test', notify: notify as never, warn: () => undefined });
      await expect(started).rejects.toBeInstanceOf(HubRefusal);
      await expect(started).rejects.toThrow(/^主机的运行设置有误，没有启动：SERVICEHALL_NOTIFY_CONFIG \/ SERVICEHALL_NOTIFY:\n通知渠道配置有误：\n- channels\[0\]\.secretKey: 腾讯云 SecretKey 不正确[^]*\nA setting of the hub is wrong, and it did not start: [^]*channels\[0\]\.secretKey: the Tencent Cloud SecretKey is not valid/);
      expect(fs.existsSync(path.join(dir, 'hub.running'))).toBe(false);
      // Past a few beats of the standby link (250 ms): nothing of the refused hub runs on (its beat wrote to the closed
      // database, an uncaught TypeError that ended a process, and failed a test run in CI90).
      const uncaught: unknown[] = [];
      const hear = (error: unknown) => uncaught.push(error);
      process.on('uncaughtException', hear);
      try {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      } finally {
        process.off('uncaughtException', hear);
      }
      expect(uncaught).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
