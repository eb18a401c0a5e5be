import { DisplaySimulator, PrinterSimulator, receiptToHtml, startPtyPair, type PtyPair } from '@servicehall/fixtures/devices';
import { DISPLAY_PROFILES } from '@servicehall/number-display';
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKioskInBrowserMode } from '../apps/kiosk/src/main/browser';
import { runWindowInBrowserMode } from '../apps/window/src/main/browser';
import { launchChromium, openScreen, screenshot, startTestHall, terminalEnv, type TestHall } from './harness';

// Emergency mode on the screens: the kiosk's banner and ticket (应急取号), the slip it prints, and
// the window's screen for calling a typed number (应急手动叫号), with the number display above it.

const PORTRAIT = { width: 1080, height: 1920 };
const WIDE = { width: 1920, height: 1080 };

let hall: TestHall;
let browser: Browser;
let pairs: PtyPair[] = [];
let printer: PrinterSimulator;
let display: DisplaySimulator;
let kiosk: Awaited<ReturnType<typeof runKioskInBrowserMode>>;
let window1: Awaited<ReturnType<typeof runWindowInBrowserMode>>;
let kioskPage: Page;
let windowPage: Page;

beforeAll(async () => {
  hall = await startTestHall();
  pairs = await Promise.all([startPtyPair(), startPtyPair()]);
  printer = await PrinterSimulator.open(pairs[0]!.device);
  display = await DisplaySimulator.open(pairs[1]!.device, DISPLAY_PROFILES['dm-d-chinese']);
  browser = await launchChromium();
  await hall.api('POST', '/api/windows/1/open', { clerk: '1001' });
  kiosk = await runKioskInBrowserMode(undefined, terminalEnv(hall, 'kiosk-1', { SERVICEHALL_PRINTER: pairs[0]!.host, SERVICEHALL_KIOSK_EMERGENCY_AFTER_SECONDS: '5', SERVICEHALL_KIOSK_PRINTER_POLL_MS: '500' }));
  window1 = await runWindowInBrowserMode(undefined, terminalEnv(hall, 'window-1', { SERVICEHALL_WINDOW: '1', SERVICEHALL_DISPLAY: pairs[1]!.host, SERVICEHALL_WINDOW_EMERGENCY_AFTER_SECONDS: '5' }));
  kioskPage = await openScreen(browser, kiosk.screen.url, PORTRAIT);
  windowPage = await openScreen(browser, window1.screen.url, WIDE);
});

afterAll(async () => {
  await kiosk?.stop();
  await window1?.stop();
  await browser?.close();
  await printer?.close();
  await display?.close();
  await Promise.all(pairs.map((p) => p.close()));
  // The hub went in the test; its folder goes here.
  if (hall) fs.rmSync(hall.dir, { recursive: true, force: true });
});

describe('emergency mode on the screens', () => {
  it('turns the kiosk and the window to emergency mode when the hub is gone, and gives and calls numbers without it', { timeout: 90_000 }, async () => {
    await expect.poll(() => hall.hub.store.view.leases.filter((l) => l.terminal === 'kiosk-1').length, { timeout: 10_000 }).toBeGreaterThan(0);
    const lease = hall.hub.store.view.leases.find((l) => l.terminal === 'kiosk-1' && l.prefix === 'A')!;
    await windowPage.waitForSelector('[data-testid=desk]');
    await hall.hub.close();

    // The kiosk: a banner says numbers are still given and the wait cannot be estimated.
    await kioskPage.locator('[data-testid=emergency-banner]').waitFor({ timeout: 20_000 });
    await kioskPage.locator('[data-testid=items]').waitFor();
    await screenshot(kioskPage, 'kiosk-emergency-home');
    await kioskPage.locator('[data-testid=item-GA-SFZ-HL]').click();
    await kioskPage.locator('[data-testid=take]').click();
    await kioskPage.locator('[data-testid=lane-ordinary]').click();
    await kioskPage.locator('[data-testid=ticket-number]').waitFor();
    const number = (await kioskPage.locator('[data-testid=ticket-number]').textContent())!;
    expect(number).toBe(`A${lease.first}`);
    expect(await kioskPage.locator('[data-testid=ticket-wait]').textContent()).toContain('应急取号：等候时间暂无法估算');
    await screenshot(kioskPage, 'kiosk-emergency-ticket');

    // The slip says it too, with the number large and no wait figure.
    const receipt = printer.device.receipts.at(-1)!;
    expect(receipt.text).toContain('应急取号：等候时间暂无法估算');
    expect(receipt.text).toContain(number);
    expect(receipt.text.some((l) => l.startsWith('前面'))).toBe(false);
    const slip = await browser.newPage({ viewport: { width: 600, height: 720 } });
    await slip.setContent(receiptToHtml(receipt, { charsPerLine: 48, title: number }));
    await screenshot(slip, 'kiosk-emergency-receipt');
    await slip.close();

    // The window: 应急模式, the clerk types the number; the display above the window shows it.
    await windowPage.locator('[data-testid=emergency]').waitFor({ timeout: 20_000 });
    await windowPage.fill('[data-testid=emergency-input]', 'z');
    await windowPage.click('[data-testid=emergency-call]');
    await expect.poll(() => windowPage.locator('[data-testid=emergency-error]').textContent()).toContain('请输入号票上的号码');
    await windowPage.fill('[data-testid=emergency-input]', number.toLowerCase());
    await screenshot(windowPage, 'window-emergency-type');
    await windowPage.click('[data-testid=emergency-call]');
    await expect.poll(() => windowPage.locator('[data-testid=emergency-number]').textContent()).toBe(number);
    await expect.poll(() => display.shown.rows).toEqual(['您好！很高兴为您服务', `请${number}号到1号窗口`]);
    await windowPage.click('[data-testid=emergency-start]');
    await expect.poll(() => windowPage.locator('.emergency-state').textContent()).toContain('办理中');
    await screenshot(windowPage, 'window-emergency');
    await windowPage.click('[data-testid=emergency-finish]');
    await expect.poll(() => windowPage.locator('[data-testid=emergency-waiting]').textContent()).toContain('条记录待系统恢复后补录');
    await expect.poll(() => windowPage.locator('[data-testid=emergency-input]').count()).toBe(1);
  });
});
