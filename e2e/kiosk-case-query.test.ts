import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKioskInBrowserMode } from '../apps/kiosk/src/main/browser';
import { launchChromium, openScreen, screenshot, startTestHall, terminalEnv, type TestHall } from './harness';

let hall: TestHall;
let browser: Browser;
let kiosk: Awaited<ReturnType<typeof runKioskInBrowserMode>>;
let page: Page;
let caseNumber = '';

beforeAll(async () => {
  hall = await startTestHall();
  browser = await launchChromium();
  // At window 1 a citizen's 居民身份证换领 needs corrections: the 户口簿 and the photo receipt.
  await hall.api('POST', '/api/windows/1/open', { clerk: '1001' });
  await hall.api('POST', '/api/tickets', { serviceCode: 'GA-SFZ-HL' });
  await hall.api('POST', '/api/windows/1/call-next');
  await hall.api('POST', '/api/windows/1/start');
  const recorded = await hall.api<{ case?: { number: string } }>('POST', '/api/windows/1/outcome', { serviceCode: 'GA-SFZ-HL', outcome: 'correction', materials: ['m2', 'm3'] });
  expect(recorded.status, JSON.stringify(recorded.body)).toBe(200);
  caseNumber = [...hall.hub.store.view.cases.keys()][0]!;
  kiosk = await runKioskInBrowserMode(undefined, terminalEnv(hall, 'kiosk-1'));
  page = await openScreen(browser, kiosk.screen.url, { width: 1080, height: 1920 });
  await page.locator('[data-testid=items]').waitFor();
});

afterAll(async () => {
  await kiosk?.stop();
  await browser?.close();
  await hall?.close();
});

describe('a case waiting for corrections, asked at the kiosk (H-11, H-03)', () => {
  it('names the materials still to bring, so that a citizen who lost the notice knows them', async () => {
    expect(caseNumber).toMatch(/^SL/);
    await page.locator('[data-testid=query]').click();
    await page.locator('[data-testid=query-text]').fill(caseNumber);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[data-testid=query-result]').textContent()).toContain('待补正材料');
    expect(await page.locator('[data-testid=query-missing] li').allTextContents()).toEqual(['居民户口簿', '居民身份证数码相片回执']);
    await screenshot(page, 'kiosk-query-correction');
  });
});
