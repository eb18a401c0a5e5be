import { demoCatalogue } from '@servicehall/fixtures';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWindowInBrowserMode } from '../apps/window/src/main/browser';
import { launchChromium, openScreen, screenshot, startTestHall, terminalEnv, type TestHall } from './harness';

/**
 * The window terminal the morning after its clerk went home without signing out: the hall day's end
 * closed the window at the hall's closing time, and the sign-in screen says so. The hub's clock is
 * injected (Friday afternoon, then Monday morning).
 */
const FRIDAY = Date.parse('2026-11-27T16:30:00+08:00');
const MONDAY = Date.parse('2026-11-30T08:40:00+08:00');
let now = FRIDAY;
let hall: TestHall;
let browser: Browser;
let terminal: Awaited<ReturnType<typeof runWindowInBrowserMode>>;
let page: Page;

beforeAll(async () => {
  // The demo's issuing hours end at 17:00: the hall's closing time.
  hall = await startTestHall({ clock: () => now, seed: demoCatalogue() });
  expect((await hall.api('PUT', '/api/clerks/1005/pin', { pin: '246810' })).status).toBe(200);
  browser = await launchChromium();
  terminal = await runWindowInBrowserMode(undefined, terminalEnv(hall, 'window-3', { SERVICEHALL_WINDOW: '3' }));
  page = await openScreen(browser, terminal.screen.url, { width: 1920, height: 1080 });
}, 60_000);

afterAll(async () => {
  await terminal?.stop();
  await browser?.close();
  await hall?.close();
});

describe('the window terminal after the hall day ended with its clerk signed in', () => {
  it('shows the sign-in screen with why, and the notice goes once a clerk signs in', async () => {
    await page.fill('input[name=clerk]', '1005');
    await page.fill('input[name=pin]', '246810');
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=desk]');

    // Monday morning: the first command of the day (a kiosk's ticket) opens it, and ends Friday's windows.
    now = MONDAY;
    expect((await hall.api('POST', '/api/tickets', { serviceCode: 'CRJ-HZ-SL' })).status).toBe(201);
    await page.waitForSelector('[data-testid=sign-in]', { timeout: 30_000 });
    await expect.poll(() => page.locator('[data-testid=day-ended]').textContent(), { timeout: 15_000 }).toBe('本窗口上个工作日没有签退，已在闭厅时（17:00）自动签退。请重新签到。');
    await screenshot(page, 'window-sign-in-day-ended');

    await page.fill('input[name=clerk]', '1005');
    await page.fill('input[name=pin]', '246810');
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=desk]');
    expect(hall.hub.store.view.windows.get(3)).toMatchObject({ open: true, clerk: '1005', dayEndedAt: undefined });
  }, 90_000);
});
