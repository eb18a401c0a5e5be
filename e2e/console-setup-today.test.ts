import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleAsFirstAdmin, launchChromium, screenshot, startTestHall, type TestHall } from './harness';

/** An administrator on the demo hall at the console's laptop size: the setup's windows and 今日调整's hours, read as they are shown. */
const SMALL = { width: 1366, height: 768 };

let hall: TestHall;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  hall = await startTestHall();
  browser = await launchChromium();
  page = await consoleAsFirstAdmin(hall, browser, SMALL);
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

  it('says a ticked match is chosen, not that nothing matches', async () => {
    const w1 = page.locator('fieldset[data-window="0"]');
    const search = w1.getByRole('searchbox', { name: '为 1号窗口查找事项（编码、名称或部门）' });
    await search.fill('CRJ-HZ-SL');
    await w1.locator('[name="windows.0.serves.CRJ-HZ-SL"]').check();
    await expect.poll(() => w1.locator('[data-testid=window-0-chosen]').textContent()).toContain('CRJ-HZ-SL');
    expect(await w1.textContent()).toContain('符合的 1 项都已选中，见上方');
    expect(await w1.textContent()).not.toContain('没有符合的事项');
    await screenshot(page, 'console-setup-window-chosen-1366');
    await search.fill('没有这个事项');
    expect(await w1.locator('[data-testid=window-0-none-found]').textContent()).toBe('没有符合的事项');
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

  it('shows all of five periods typed with spaces, past 48 characters, and the page still fits', async () => {
    const hours = page.getByLabel('今日取号时段').first();
    const typed = '08:30-09:30, 09:45-10:45, 11:00-12:00, 13:30-15:00, 15:15-17:00';
    await hours.fill(typed);
    expect(typed.length).toBeGreaterThan(48);
    const box = await hours.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, scrollHeight: el.scrollHeight, clientHeight: el.clientHeight }));
    expect(box.scroll).toBeLessThanOrEqual(box.client);
    expect(box.scrollHeight).toBeLessThanOrEqual(box.clientHeight);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(SMALL.width);
    await hours.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await screenshot(page, 'console-today-five-periods-1366');
  });
});
