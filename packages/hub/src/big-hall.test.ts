import { bigHallCatalogue } from '@servicehall/fixtures';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, SETUP_BODY_BYTES } from './http';
import { startHub, type RunningHub } from './server';
import { TestConsole } from './testing/console';

const TOKEN = 'hall-token-for-big-hall-tests';
let dir: string;
let hub: RunningHub;
let admin: TestConsole;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-big-hall-'));
  hub = await startHub({ dataDir: dir, token: TOKEN });
  admin = new TestConsole(hub.url);
  expect((await admin.request('POST', '/api/console/first-admin', { setupCode: hub.setupCode, id: 'admin', name: '王管理', password: 'first-admin-pass-1' })).status).toBe(201);
  expect((await admin.login('admin', 'first-admin-pass-1')).status).toBe(200);
});

afterAll(async () => {
  await hub?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const bytes = (body: unknown) => Buffer.byteLength(JSON.stringify(body));

describe('a municipal centre of 2,000 items and 100 windows', () => {
  it('saves its setup from the console, though the save is past 1.5 MB', async () => {
    const catalogue = bigHallCatalogue({ items: 2000, windows: 100 });
    expect(bytes({ catalogue })).toBeGreaterThan(1.5 * 1024 * 1024);
    const saved = await admin.request('POST', '/api/setup', { catalogue });
    expect(saved.status).toBe(200);
    expect(hub.store.view.catalogue.items).toHaveLength(2000);
    expect(hub.store.view.catalogue.windows.find((w) => w.number === 57)!.serves).toEqual(catalogue.windows[56]!.serves);
  });

  it('takes its catalogue by PUT /api/catalogue from an installer’s script', async () => {
    const catalogue = bigHallCatalogue({ items: 2000, windows: 100 });
    catalogue.items[1499]!.name = '不动产登记（第1500项，改）';
    const res = await fetch(`${hub.url}/api/catalogue`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(catalogue) });
    expect(res.status).toBe(200);
    expect(hub.store.view.catalogue.items[1499]!.name).toBe('不动产登记（第1500项，改）');
  });

  it('refuses a setup over its limit with 413, naming the limit and the size in Chinese, and changes nothing', async () => {
    const catalogue = bigHallCatalogue({ items: 2000, windows: 100 });
    const body = { catalogue: { ...catalogue, hall: { ...catalogue.hall, name: '超大大厅' } }, padding: 'x'.repeat(SETUP_BODY_BYTES) };
    const refused = await admin.request('POST', '/api/setup', body);
    expect(refused.status).toBe(413);
    expect(refused.body).toMatchObject({ ok: false, code: 'too-large', limitBytes: SETUP_BODY_BYTES });
    expect(refused.body.text).toBe(`提交的内容（${(bytes(body) / 1024 / 1024).toFixed(1)} MB）超过本项操作 8 MB 的上限，未作任何更改。`);
    expect(hub.store.view.catalogue.hall.name).not.toBe('超大大厅');
    const english = await admin.request('POST', '/api/setup', body, { 'accept-language': 'en' });
    expect(english.body.text).toMatch(/^What was sent \(\d+\.\d MB\) is over this operation's limit of 8 MB; nothing was changed\.$/);
  });

  it('keeps every other operation at 1 MB: a ticket of 1.2 MB is refused with the 1 MB limit', async () => {
    const body = { serviceCode: hub.store.view.catalogue.items[0]!.code, padding: 'x'.repeat(1.2 * 1024 * 1024) };
    expect(bytes(body)).toBeGreaterThan(MAX_BODY_BYTES);
    const res = await fetch(`${hub.url}/api/tickets`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(413);
    const answer = (await res.json()) as Record<string, unknown>;
    expect(answer).toMatchObject({ code: 'too-large', limitBytes: MAX_BODY_BYTES, text: '提交的内容（1.2 MB）超过本项操作 1 MB 的上限，未作任何更改。' });
    expect(hub.store.view.tickets.size).toBe(0);
    const console = await admin.request('POST', '/api/clerks/5001/unlock', { padding: 'x'.repeat(1.2 * 1024 * 1024) });
    expect(console.status).toBe(413);
  });
});
