import { demoCatalogue } from '@servicehall/fixtures';
import { startHub, type RunningHub } from '@servicehall/hub';
import { dayLeftUnfinished, hallAt, staffMember, TestConsole } from '@servicehall/hub/testing';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot } from './harness';

/**
 * The reports pages after a day that ended with tickets unfinished (ticket.dayEnded): at the 企业开办
 * windows on 27 November, five tickets issued, E001 served, E002 in service when the clerk went home
 * (served, ended at closing time), E003 called at window 8 and never answered, E004 held at window 14,
 * E005 waiting. The next morning opens the day: 未办理 3. A supervisor reads issued 5 = served 2 +
 * no-shows 0 + voided 0 + 未办理 3, on the cards, in the tables and on the monthly report's paper.
 */
const WIDE = { width: 1920, height: 1080 };
const TOKEN = 'e2e-reports-day-end-token';
let now = Date.parse('2026-11-27T09:00:00+08:00');
let dir: string;
let hub: RunningHub;
let browser: Browser;

const at = hallAt;

async function api(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(hub.url + route, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function page(): Promise<Page> {
  const context = await browser.newContext({ viewport: WIDE, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
  const p = await context.newPage();
  p.on('pageerror', (error) => console.error(`console page error: ${error.message}`));
  await p.goto(`${hub.url}/console/`);
  await p.locator('[name=id]').fill('zhao');
  await p.locator('[name=password]').fill('zhao-own-pass-9');
  await p.locator('button[type=submit]').click();
  await p.locator('.nav').waitFor();
  return p;
}

/** The figure cards as label → value. */
async function tiles(p: Page, scope = ''): Promise<Record<string, string>> {
  await p.locator(`${scope} .figure`).first().waitFor();
  const out: Record<string, string> = {};
  for (const f of await p.locator(`${scope} .figure`).all()) out[(await f.locator('.label').textContent())!] = (await f.locator('.value').textContent())!;
  return out;
}

/** A report table's column (by its Chinese header) as row name → value, the total as 合计. */
async function column(p: Page, tableAt: string | number, header: string): Promise<Record<string, string>> {
  const table = typeof tableAt === 'number' ? p.locator('table.report').nth(tableAt) : p.locator(tableAt).first();
  const heads = await table.locator('thead th').allTextContents();
  const i = heads.indexOf(header);
  expect(i, `${header} among ${heads.join('|')}`).toBeGreaterThan(0);
  const out: Record<string, string> = {};
  for (const tr of await table.locator('tbody tr, tfoot tr').all()) {
    const cells = await tr.locator('td, th').allTextContents();
    out[cells[0] || '合计'] = cells[i]!;
  }
  return out;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-e2e-day-end-'));
  hub = await startHub({ dataDir: path.join(dir, 'hub'), token: TOKEN, seed: demoCatalogue(), clock: () => now });
  const admin = new TestConsole(hub.url);
  expect((await admin.request('POST', '/api/console/first-admin', { setupCode: hub.setupCode, id: 'admin', name: '王管理', password: 'first-admin-pass-1' })).status).toBe(201);
  await admin.login('admin', 'first-admin-pass-1');
  await staffMember(hub.url, admin, 'zhao', '赵主任', 'supervisor');
  await dayLeftUnfinished(api, (t) => (now = t));
  // The next morning's first ticket opens the day and ends yesterday's four.
  now = at('08:40', '2026-11-28');
  expect((await api('POST', '/api/tickets', { serviceCode: 'GA-CS-DJ' })).status).toBe(201);
  expect(hub.store.view.day).toBe('2026-11-28');
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await hub?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the reports of a day that ended with tickets unfinished", { timeout: 60_000 }, () => {
  it('show 未办理 on the day’s cards and in the table by window, so that issued = served + no-shows + voided + 未办理', async () => {
    const p = await page();
    await p.goto(`${hub.url}/console/reports`);
    await p.getByRole('button', { name: '昨天' }).click();
    await p.locator('select').first().selectOption('window');
    await p.getByRole('button', { name: '查询' }).click();
    await p.getByText('按窗口 · 2026-11-27 — 2026-11-27').waitFor();
    const cards = await tiles(p);
    expect(cards).toMatchObject({ 取号: '5', 办结: '2', 过号: '0', 作废: '0', 未办理: '3' });
    // Each at its own desk: the waiting one at no window, the called one at window 8, the held one at 14.
    const unserved = await column(p, 'table.report', '未办理');
    const names = Object.keys(unserved);
    expect(names).toHaveLength(5);
    expect(Object.values(unserved)).toEqual(['1', '0', '1', '1', '3']);
    expect(await column(p, 'table.report', '办结数')).toMatchObject({ 合计: '2' });
    expect(await column(p, 'table.report', '作废')).toMatchObject({ 合计: '0' });
    // A window's name on one line, not squeezed to a character a line by the figures beside it.
    const nameCell = p.locator('table.report tbody td', { hasText: '14号窗口' });
    const figureCell = nameCell.locator('xpath=following-sibling::td[1]');
    expect((await nameCell.boundingBox())!.height).toBeLessThan(1.5 * (await figureCell.evaluate((td) => parseFloat(getComputedStyle(td).lineHeight) || 20)) + 12);
    await screenshot(p, 'console-reports-day-end');
    await p.locator('table.report').first().scrollIntoViewIfNeeded();
    await screenshot(p, 'console-reports-day-end-table');
  });

  it('show 未办理 by item and in the CSV file of the same breakdown', async () => {
    const p = await page();
    await p.goto(`${hub.url}/console/reports`);
    await p.getByRole('button', { name: '昨天' }).click();
    await p.locator('select').first().selectOption('item');
    await p.getByRole('button', { name: '查询' }).click();
    await p.getByText('按事项 · 2026-11-27 — 2026-11-27').waitFor();
    expect(Object.values(await column(p, 'table.report', '未办理'))).toEqual(['3', '3']);
    const download = p.waitForEvent('download');
    await p.getByRole('link', { name: '导出 CSV' }).click();
    const csv = fs.readFileSync((await (await download).path())!, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean).map((l) => l.split(','));
    const head = csv[0]!;
    const row = csv[1]!;
    expect(head.slice(head.indexOf('作废'), head.indexOf('作废') + 2)).toEqual(['作废', '未办理']);
    expect(Number(row[head.indexOf('取号数')])).toBe(5);
    expect(Number(row[head.indexOf('未办理')])).toBe(3);
  });

  it('print 未办理 on the monthly report, on its cards and in its departments’ and clerks’ tables', async () => {
    const p = await page();
    await p.goto(`${hub.url}/console/reports/monthly?month=2026-11`);
    await p.locator('.monthly .chart svg').waitFor();
    await p.emulateMedia({ media: 'print' });
    expect(await tiles(p, '.monthly')).toMatchObject({ 取号: '6', 办结: '2', 作废: '0', 未办理: '3' });
    expect(await column(p, 0, '未办理')).toMatchObject({ 合计: '3' });
    // The clerks: 1012 called E003 and 1013 held E004 when the day ended, 1011 finished both of his; E005, never called, is at no desk, and the rows add up to the total.
    const clerks = await column(p, 1, '未办理');
    expect(Object.entries(clerks).map(([name, n]) => [name.slice(0, 5), n])).toEqual([
      ['（未指定）', '1'],
      ['1011 ', '0'],
      ['1012 ', '1'],
      ['1013 ', '1'],
      ['合计', '3'],
    ]);
    await screenshot(p, 'console-report-monthly-day-end');
  });
});
