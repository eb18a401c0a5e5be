import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleAsFirstAdmin, launchChromium, screenshot, startTestHall, type TestHall } from './harness';

/**
 * A hall whose link to the city has been down for 40 days and 3 hours: its hub's events of then wait to be shipped
 * (the hub's clock is set that far back, so that its log's oldest event is that old), to a city that does not answer.
 */
const WIDE = { width: 1920, height: 1080 };
const BEHIND_MS = (40 * 24 + 3) * 3600_000;

let hall: TestHall;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  // Nothing listens on port 9 (discard): the shipper stays offline.
  hall = await startTestHall({ clock: () => Date.now() - BEHIND_MS, upstream: { url: 'postgres://servicehall@127.0.0.1:9/city', hall: 'E2E-BACKLOG', firstRetryMs: 200, maxRetryMs: 1_000 } });
  browser = await launchChromium();
  page = await consoleAsFirstAdmin(hall, browser, WIDE);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await hall?.close();
});

describe('the console of a hall whose backlog to the city is weeks old', () => {
  it('says how long the oldest has waited in days and hours, not 57780 分钟', async () => {
    expect((await hall.api('POST', '/api/tickets', { serviceCode: 'CRJ-HZ-SL' })).status).toBe(201);
    await page.goto(`${hall.hub.url}/console/`);
    const said = page.getByText(/待上报 \d+ 条/);
    // Before: 最早的已等待 57780 分钟.
    await expect.poll(() => said.textContent(), { timeout: 20_000 }).toMatch(/最早的已等待 40 天 3 小时$/);
    // Before: 市级平台暂时无法连接 in the tag, for a city not reached, one that refused (its disk full) and a wrong hall code alike.
    expect(await page.getByTestId('upstream').locator('.tag').textContent()).toBe('暂未上报');
    expect(await page.getByTestId('upstream-problem').textContent()).toMatch(/^连不上市级平台的数据库。[^]*请本大厅的网络管理员检查网络/);
    await said.scrollIntoViewIfNeeded();
    await screenshot(page, 'console-overview-city-backlog');
  }, 60_000);
});
