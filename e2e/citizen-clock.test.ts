import { demoCatalogue } from '@servicehall/fixtures';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHallDisplayInBrowserMode } from '../apps/hall-display/src/main/browser';
import { runKioskInBrowserMode } from '../apps/kiosk/src/main/browser';
import { hallMinutesNow, launchChromium, openScreen, screenshot, startTestHall, terminalEnv, type TestHall } from './harness';

/**
 * The citizens' screens on PCs set by hand seven minutes ahead, and to London's zone, in a hall whose zone is
 * Asia/Urumqi (the catalogue's hall.timeZone): the kiosk's top bar and the hall screen's header show the hub's
 * time in the hall's zone.
 */
const ZONE = 'Asia/Urumqi';
const PC = { timezoneId: 'Europe/London', clockOffMs: 7 * 60_000 };

let hall: TestHall;
let browser: Browser;
let kiosk: Awaited<ReturnType<typeof runKioskInBrowserMode>>;
let display: Awaited<ReturnType<typeof runHallDisplayInBrowserMode>>;

/** The hall's date as `options` write it, from a minute ago to a minute on: a run may cross midnight. */
const hallDates = (options: Intl.DateTimeFormatOptions) => [-60_000, 0, 60_000].map((d) => new Date(Date.now() + d).toLocaleDateString('zh-CN', { timeZone: ZONE, ...options }));

beforeAll(async () => {
  hall = await startTestHall();
  const catalogue = demoCatalogue({ allDay: true });
  catalogue.hall.timeZone = ZONE;
  expect((await hall.api('PUT', '/api/catalogue', catalogue)).status).toBe(200);
  browser = await launchChromium();
  kiosk = await runKioskInBrowserMode(undefined, terminalEnv(hall, 'kiosk-1', { SERVICEHALL_PRINTER: 'none' }));
  display = await runHallDisplayInBrowserMode(undefined, terminalEnv(hall, 'hall-display'));
});

afterAll(async () => {
  await kiosk?.stop();
  await display?.stop();
  await browser?.close();
  await hall?.close();
});

describe('the citizens’ screens on a PC whose clock is off the hub’s', () => {
  it('the kiosk’s top bar shows the hub’s time and date in the hall’s zone', async () => {
    const page: Page = await openScreen(browser, kiosk.screen.url, { width: 1080, height: 1920 }, PC);
    await page.locator('[data-testid=items]').waitFor();
    // By the PC's clock in the old hard-coded zone (Asia/Shanghai) it said two hours and seven minutes later.
    await expect.poll(async () => hallMinutesNow(ZONE).includes((await page.locator('.top-right .hhmm').textContent())!)).toBe(true);
    expect(hallDates({ month: 'long', day: 'numeric', weekday: 'short' })).toContain(await page.locator('.top-right .date').textContent());
    await screenshot(page, 'kiosk-clock');
    await page.context().close();
  });

  it('the hall screen’s header shows the hub’s date and time in the hall’s zone', async () => {
    const page: Page = await openScreen(browser, display.screen.url, { width: 1920, height: 1080 }, PC);
    await page.locator('[data-testid=clock]').waitFor();
    const shown = async () => /^(.+) (\d\d:\d\d):\d\d$/.exec((await page.locator('[data-testid=clock]').textContent())!.trim());
    // By the PC's clock it was seven minutes later.
    await expect.poll(async () => hallMinutesNow(ZONE).includes((await shown())?.[2] ?? '')).toBe(true);
    expect(hallDates({ dateStyle: 'medium' })).toContain((await shown())![1]);
    await screenshot(page, 'hall-display-clock');
    await page.context().close();
  });
});
