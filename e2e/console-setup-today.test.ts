import { TestConsole } from '@servicehall/hub/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openScreen, screenshot, startTestHall, type TestHall } from './harness';

/** An administrator on the demo hall at the console's laptop size: the setup's windows and 今日调整's hours, read as they are shown. */
const SMALL = { width: 1366, height: 768 };

let hall: TestHall;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  hall = await startTestHall();
  const admin = new TestConsole(hall.hub.url);
  expect((await admin.request('POST', '/api/console/first-admin', { setupCode: hall.hub.setupCode, id: 'admin', name: '王管理', password: 'first-admin-pass-1' })).status).toBe(201);
  browser = await launchChromium();
  page = await openScreen(browser, `${hall.hub.url}/console/`, SMALL);
  await page.locator('[name=id]').fill('admin');
  await page.locator('[name=password]').fill('first-admin-pass-1');
  await page.locator('button[type=submit]').click();
  await page.locator('.shell').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await hall?.close();
});

describe('the setup’s windows', () => {
  it('heads window 1, named 1号窗口 公安户籍, with its number once', async () => {
    await page.goto(`${hall.hub.url}/console/setup`);
    await page.locator('[data-step=windows]').click();
    const legend = page.locator('fieldset[data-window="0"] legend');
    await legend.waitFor();
    expect(await legend.textContent()).toBe('1号窗口 · 公安户籍');
  });
});

describe('今日调整', () => {
  it('shows all of three periods typed into an item’s hours', async () => {
    await page.goto(`${hall.hub.url}/console/today`);
    const hours = page.getByLabel('今日取号时段').first();
    await hours.waitFor();
    await hours.fill('08:30-10:00,10:30-12:00,13:30-17:00');
    const { scroll, client } = await hours.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(scroll).toBeLessThanOrEqual(client);
    // The row still fits the laptop's width: the page does not scroll sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(SMALL.width);
    await hours.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await screenshot(page, 'console-today-three-periods-1366');
  });
});
