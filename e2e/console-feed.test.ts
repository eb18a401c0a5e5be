import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleAsFirstAdmin, hallMinutesNow, launchChromium, screenshot, startRelay, startTestHall, type TestHall } from './harness';

/**
 * A supervisor's console through a failover: the link to the hub drops, and the address then answers 503 not-in-charge
 * (as a standby that is not in charge yet answers every request, Retry-After: 1 here) until a hub in charge serves it again.
 * EventSource gives such a feed up for good: the page asks again by itself, takes the hall afresh, and keeps what was typed.
 */
const SMALL = { width: 1366, height: 768 };
/** The supervisors' office wall screen. */
const WALL = { width: 1920, height: 1080 };

let hall: TestHall;
let browser: Browser;
let relay: Awaited<ReturnType<typeof startRelay>>;
let page: Page;

const corner = () => page.locator('[data-testid=feed-link]').textContent();

/** What a standby waiting for its primary answers (server.ts sayWaitingForPrimary), for the console's requests. */
const notInCharge = (route: Route) =>
  route.fulfill({
    status: 503,
    headers: { 'retry-after': '1', 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ ok: false, code: 'not-in-charge', standby: true, text: '这是备用主机，正在等待主用主机的第一份大厅数据库副本。' }),
  });

beforeAll(async () => {
  hall = await startTestHall();
  browser = await launchChromium();
  relay = await startRelay(Number(new URL(hall.hub.url).port));
  page = await consoleAsFirstAdmin(hall, browser, SMALL);
});

afterAll(async () => {
  await browser?.close();
  await relay?.close();
  await hall?.close();
});

describe('the console’s live feed refused in a failover', () => {
  it('asks again by itself once the hub serves it, takes the hall afresh, and keeps an unsaved form', { timeout: 60_000 }, async () => {
    await page.goto(`${relay.url}/console/staff`);
    await expect.poll(corner).toBe('实时连接');
    await page.locator('[name=staff-name]').fill('赵值班');

    await page.route('**/api/console/stream', notInCharge);
    await page.route('**/api/console/session', notInCharge);
    relay.cut();
    await expect.poll(corner, { timeout: 15_000 }).toContain('暂不是主用主机（主备切换中）');
    await screenshot(page, 'console-feed-not-in-charge-1366');
    // Refused again and again meanwhile: still said, never given up.
    await page.waitForTimeout(2_500);
    expect(await corner()).toContain('本页稍后自动重新连接');

    // The hall moved on while the page was refused: its snapshot brings it.
    expect((await hall.api('POST', '/api/tickets', { serviceCode: 'CRJ-HZ-SL' })).status).toBe(201);
    await page.unroute('**/api/console/stream');
    await page.unroute('**/api/console/session');
    await expect.poll(corner, { timeout: 15_000 }).toBe('实时连接');
    expect(await page.locator('[name=staff-name]').inputValue()).toBe('赵值班');
    await screenshot(page, 'console-feed-back-1366');
    // The board, reached without a reload, shows the number taken while the page was refused.
    await page.locator('nav a', { hasText: '大厅实况' }).click();
    await expect.poll(() => page.locator('[data-testid=board-item-CRJ-HZ-SL] td').nth(1).textContent()).toBe('1');
  });

  it('says too many pages are open when the hub refuses the feed for the pace (429), and comes back once it takes it', { timeout: 60_000 }, async () => {
    await expect.poll(corner).toBe('实时连接');
    // The hub's own refusal past FEEDS_PER_STAFF, without Retry-After: the session itself still stands.
    await page.route('**/api/console/stream', (route) =>
      route.fulfill({ status: 429, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify({ ok: false, code: 'rate-limited' }) }),
    );
    relay.cut();
    await expect.poll(corner, { timeout: 15_000 }).toContain('控制台页面过多');
    await screenshot(page, 'console-feed-busy-1366');
    await page.unroute('**/api/console/stream');
    await expect.poll(corner, { timeout: 20_000 }).toBe('实时连接');
  });

  it('says on the wall screen, across the room, since when its board is not live, and nothing once live again', { timeout: 60_000 }, async () => {
    await page.setViewportSize(WALL);
    await page.goto(`${relay.url}/console/board?wall`);
    // The board is drawn once the feed's snapshot came: live.
    await page.locator('.board.wall').waitFor();
    const lostAround = hallMinutesNow();
    expect(await page.locator('[data-testid=wall-link]').count()).toBe(0);

    await page.route('**/api/console/stream', notInCharge);
    await page.route('**/api/console/session', notInCharge);
    relay.cut();
    const banner = page.locator('[data-testid=wall-link]');
    await expect.poll(() => banner.count(), { timeout: 15_000 }).toBe(1);
    const said = (await banner.locator('b').textContent())!;
    expect(said).toMatch(/^数据更新于 \d\d:\d\d，正在重新连接…$/);
    expect(lostAround).toContain(said.slice(6, 11));
    await expect.poll(() => banner.textContent()).toContain('暂不是主用主机（主备切换中）');
    // The board's own 更新于 says the same time, and stands still while not live (it ran on with the clock).
    const updated = () => page.locator('.board.wall > .spread .small').first().textContent();
    const first = await updated();
    expect(first).toMatch(new RegExp(`^更新于 ${said.slice(6, 11)}:\\d\\d$`));
    await page.waitForTimeout(6_000);
    expect(await updated()).toBe(first);
    // The board stays on the screen beneath it: old figures, said to be old.
    expect(await page.locator('.board.wall h1').isVisible()).toBe(true);
    await screenshot(page, 'console-wall-not-live-1920');

    await page.unroute('**/api/console/stream');
    await page.unroute('**/api/console/session');
    await expect.poll(() => banner.count(), { timeout: 20_000 }).toBe(0);
    await page.setViewportSize(SMALL);
    await page.goto(`${relay.url}/console/`);
    await page.locator('.shell').waitFor();
  });

  it('says the session ended, not that it reconnects, while the session-ended notice is up', async () => {
    // A change typed on the page keeps it open with the notice up; the administrator's password reset ends the session.
    await page.locator('nav a', { hasText: '人员' }).click();
    await page.locator('[name=staff-id]').fill('zhao');
    expect((await hall.api('POST', '/api/staff/admin/reset-password', {})).status).toBe(200);
    await page.locator('[data-testid=session-ended]').waitFor({ timeout: 15_000 });
    await expect.poll(corner).toBe('会话已结束，不再更新：请重新登录。');
    await screenshot(page, 'console-feed-session-ended-1366');
  });
});
