import { bigHallCatalogue } from '@servicehall/fixtures';
import type { Catalogue } from '@servicehall/core';
import { startHub, type RunningHub } from '@servicehall/hub';
import { TestConsole } from '@servicehall/hub/testing';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot } from './harness';

/**
 * The setup wizard on a municipal centre of 2,000 items and 100 windows (built console, real
 * Chromium): an item found by search and renamed, window 57 given an item through its search, a
 * mistake in item 1,500 shown and reached, the whole saved.
 */
const TOKEN = 'e2e-big-hall-token';
let dir: string;
let hub: RunningHub;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-e2e-big-hall-'));
  hub = await startHub({ dataDir: path.join(dir, 'hub'), token: TOKEN });
  browser = await launchChromium();
  const admin = new TestConsole(hub.url);
  expect((await admin.request('POST', '/api/console/first-admin', { setupCode: hub.setupCode, id: 'admin', name: '王管理', password: 'first-admin-pass-1' })).status).toBe(201);
  expect((await admin.login('admin', 'first-admin-pass-1')).status).toBe(200);
  expect((await admin.request('POST', '/api/setup', { catalogue: bigHallCatalogue({ items: 2000, windows: 100 }) })).status).toBe(200);
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  page = await context.newPage();
  page.on('pageerror', (error) => console.error(`console page error: ${error.message}`));
  // A hall this size is drawn in a second or two on an idle machine; the bound is for a busy one.
  page.setDefaultTimeout(120_000);
  await page.goto(`${hub.url}/console/`);
  await page.locator('[name=id]').fill('admin');
  await page.locator('[name=password]').fill('first-admin-pass-1');
  await page.locator('button[type=submit]').click();
  await page.getByRole('link', { name: '大厅设置' }).click();
  await page.locator('[name="hall.name"]').waitFor();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await hub?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Opens an item's row for editing, unless it is open already (a second press closes it). */
async function openItem(i: number) {
  const head = page.locator(`li.item-row[data-item="${i}"] button.item-head`);
  if ((await head.getAttribute('aria-expanded')) !== 'true') await head.click();
  await page.locator(`[name="items.${i}.code"]`).waitFor();
}

const saved = async () => (await (await fetch(`${hub.url}/api/catalogue`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as Catalogue;

describe('the setup of a hall of 2,000 items and 100 windows', () => {
  it('finds an item by search, renames it, gives window 57 an item from its search, and saves', async () => {
    await page.locator('[data-step=items]').click();
    // Rows to look at, not 2,000 forms: one page of rows, the first item opened.
    await page.getByText('共 2000 项').waitFor();
    expect(await page.locator('li.item-row').count()).toBe(50);
    expect(await page.locator('fieldset.item').count()).toBe(1);
    expect(await page.getByText('第 1 / 40 页').count()).toBe(1);
    await screenshot(page, 'console-setup-items-big-hall');

    await page.getByRole('searchbox', { name: '查找事项（编码、名称或部门）' }).fill('第1234项');
    await page.getByText('找到 1 项（共 2000 项）').waitFor();
    const row = page.locator('li.item-row[data-item="1233"] button.item-head');
    expect(await row.getAttribute('aria-expanded')).toBe('false');
    await row.click();
    expect(await row.getAttribute('aria-expanded')).toBe('true');
    const code = await page.locator('[name="items.1233.code"]').inputValue();
    await page.locator('[name="items.1233.name"]').fill('新生儿出生登记（第1234项）');

    await page.locator('[data-step=windows]').click();
    const w57 = page.locator('fieldset[data-window="56"]');
    await w57.scrollIntoViewIfNeeded();
    expect(await w57.locator('[data-testid=window-56-chosen] input:checked').count()).toBe(20);
    // Not every item under every window: a window shows its own and what its search finds.
    expect(await page.locator('input[type=checkbox][name^="windows."]').count()).toBe(100 * 20);
    await w57.getByRole('searchbox', { name: '为 57号窗口查找事项（编码、名称或部门）' }).fill(code);
    const found = w57.locator(`[name="windows.56.serves.${code}"]`);
    await found.check();
    expect(await w57.locator('[data-testid=window-56-chosen] input:checked').count()).toBe(21);
    await w57.getByRole('searchbox').fill('公积金');
    await w57.locator('[data-testid=window-56-found]').waitFor();
    await screenshot(page, 'console-setup-windows-big-hall');

    await page.locator('[data-step=review]').click();
    expect(await page.textContent('body')).toContain('2000 个事项、100 个窗口');
    await page.locator('[data-testid=save-setup]').click();
    await page.getByText('设置已保存，已生效').waitFor();
    const catalogue = await saved();
    expect(catalogue.items).toHaveLength(2000);
    expect(catalogue.items[1233]).toMatchObject({ code, name: '新生儿出生登记（第1234项）' });
    expect(catalogue.windows.find((w) => w.number === 57)!.serves).toEqual([...bigHallCatalogue({ items: 2000, windows: 100 }).windows[56]!.serves, code]);
    expect(catalogue.windows.find((w) => w.number === 58)!.serves).not.toContain(code);
  }, 300_000);

  it('shows a mistake in item 1,500 and opens it on its page, where it is mended and saved', async () => {
    await page.locator('[data-step=items]').click();
    await page.getByRole('searchbox', { name: '查找事项（编码、名称或部门）' }).fill('第1500项');
    await openItem(1499);
    await page.locator('[name="items.1499.promisedLimitDays"]').fill('200');
    await page.getByRole('searchbox', { name: '查找事项（编码、名称或部门）' }).fill('');
    await openItem(0);
    await page.locator('[data-step=review]').click();
    await page.locator('[data-testid=save-setup]').click();
    // The wizard goes to the items step, opens item 1,500 on page 30 and says what is wrong beside the field.
    await page.locator('[data-problem="items.1499.promisedLimitDays"]').waitFor();
    expect(await page.locator('[data-step=items] .badge').textContent()).toBe('1');
    expect(await page.getByText('第 30 / 40 页').count()).toBe(1);
    expect(await page.locator('li.item-row[data-item="1499"] button.item-head').getAttribute('aria-expanded')).toBe('true');
    expect(await page.locator('[data-testid=items-to-fix]').textContent()).toContain('第 1500 项');
    await page.locator('[name="items.1499.promisedLimitDays"]').fill('5');
    await page.locator('[data-step=review]').click();
    await page.locator('[data-testid=save-setup]').click();
    await page.getByText('设置已保存，已生效').waitFor();
    expect((await saved()).items[1499]!.promisedLimitDays).toBe(5);
  }, 300_000);

  it('says in Chinese, with the limit, when the setup is too big to save', async () => {
    await page.locator('[data-step=items]').click();
    await page.getByRole('searchbox', { name: '查找事项（编码、名称或部门）' }).fill('（第1项）');
    await openItem(0);
    // A guide pasted many times over: 9,000 conditions of 300 characters, about 8 MB as sent.
    const line = '申请人应当提交真实有效的材料'.padEnd(299, '说') + '\n';
    // (Set as a paste sets it: Playwright's fill types millions of characters too slowly.)
    await page.locator('[name="items.0.conditions"]').evaluate((el, text) => {
      Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')!.set!.call(el, text);
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }, line.repeat(9000));
    await page.locator('[data-step=review]').click();
    await page.locator('[data-testid=save-setup]').click();
    const error = page.locator('p.error[role=alert]');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/提交的内容（\d+\.\d MB）超过本项操作 8 MB 的上限，未作任何更改。/);
    expect((await saved()).items[0]!.conditions.length).toBeLessThan(100);
  }, 300_000);
});
