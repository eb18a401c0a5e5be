import { demoCatalogue } from '@servicehall/fixtures';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type RunningHub } from './server';
import { firstAdmin, type TestConsole } from './testing/console';

const TOKEN = 'hall-token-for-api-refusal-sweep';
const PLENTY = { perMinute: 1_000_000, burst: 100_000 };
let hub: RunningHub;
let dir: string;
let admin: TestConsole;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-refusals-'));
  hub = await startHub({
    dataDir: dir,
    token: TOKEN,
    clock: () => Date.parse('2026-11-27T09:00:00+08:00'),
    limits: { commands: 'off', pages: PLENTY, complaints: PLENTY, phone: { read: PLENTY, watch: PLENTY, code: PLENTY, write: PLENTY, cases: PLENTY } },
  });
  admin = await firstAdmin(hub, demoCatalogue({ allDay: true }));
});

afterAll(async () => {
  await hub?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a body the schema refuses, said in the words a caller reads', () => {
  const put = (route: string, body: unknown, language = 'zh-CN', method = 'PUT') =>
    fetch(hub.url + route, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'accept-language': language }, body: JSON.stringify(body) }).then(
      async (r) => ({ status: r.status, body: (await r.json()) as { code: string; message: string; text: string } }),
    );

  it('names the field a body lacks or has of the wrong kind, with what to type', async () => {
    expect((await put('/api/tickets', {}, 'zh-CN', 'POST')).body).toMatchObject({ code: 'bad-request', text: '字段 serviceCode 未填写：应为文字（加引号）。未作任何更改，请改正后再试。' });
    expect((await put('/api/tickets', {}, 'en', 'POST')).body).toMatchObject({ message: 'serviceCode is missing: it is text (in quotes)', text: 'serviceCode is missing: it is text (in quotes). Nothing was changed; please correct it and try again.' });
    expect((await put('/api/windows/1/transfer', { reason: '转办', toWindow: '3' }, 'zh-CN', 'POST')).body.text).toBe('字段 toWindow 应为数字（不加引号），发送的是带引号的文字。未作任何更改，请改正后再试。');
    expect((await put('/api/windows/1/pause', { reason: 'x'.repeat(300) }, 'zh-CN', 'POST')).body.text).toBe('字段 reason 最多 200 个字符，发送了 300 个。未作任何更改，请改正后再试。');
    expect((await put('/api/tickets', { serviceCode: 'A', lane: 'fast' }, 'en', 'POST')).body.text).toBe('lane must be one of ordinary, priority. Nothing was changed; please correct it and try again.');
    expect((await put('/api/tickets', [], 'zh-CN', 'POST')).body.text).toBe('请求内容应为 JSON 对象（{…}），发送的是列表。未作任何更改，请改正后再试。');
    const notJson = await fetch(`${hub.url}/api/tickets`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: '{"serviceCode": "A",' });
    expect(await notJson.json()).toMatchObject({ code: 'bad-request', text: '请求内容不是有效的 JSON，未作任何更改：请检查括号、引号和逗号是否成对、齐全后再试。' });
  });
});
