import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHallDisplayInBrowserMode } from '../apps/hall-display/src/main/browser';
import { launchChromium, openScreen, screenshot, startTestHall, terminalEnv, type TestHall } from './harness';

let hall: TestHall;
let browser: Browser;
let display: Awaited<ReturnType<typeof runHallDisplayInBrowserMode>>;

beforeAll(async () => {
  hall = await startTestHall();
  browser = await launchChromium();
  display = await runHallDisplayInBrowserMode(undefined, terminalEnv(hall, 'hall-display'));
});
afterAll(async () => {
  await display?.stop();
  await browser?.close();
  await hall?.close();
});

describe('the hall screen in Chromium', () => {
  it('shows a call the moment a window makes it', async () => {
    const page = await openScreen(browser, display.screen.url, { width: 1920, height: 1080 });
    await expect.poll(() => page.locator('[data-testid=latest-call]').textContent()).toContain('您好');
    await hall.api('POST', '/api/windows/3/open', { clerk: '1005' });
    for (let i = 0; i < 3; i++) await hall.api('POST', '/api/tickets', { serviceCode: 'CRJ-HZ-SL' });
    const called = await hall.api<{ ticket: { number: string } }>('POST', '/api/windows/3/call-next');
    expect(called.status).toBe(200);
    await expect.poll(() => page.locator('[data-testid=latest-call]').textContent()).toContain(`${called.body.ticket.number}请到3号窗口`);
    await screenshot(page, 'hall-display');
  });
});
