import type { Rating } from '@servicehall/core';
import { DisplaySimulator, PrinterSimulator, startPtyPair, type PtyPair } from '@servicehall/fixtures/devices';
import { DISPLAY_PROFILES } from '@servicehall/number-display';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHallDisplayInBrowserMode } from '../apps/hall-display/src/main/browser';
import { runKioskInBrowserMode } from '../apps/kiosk/src/main/browser';
import { runRatingPadInBrowserMode } from '../apps/rating-pad/src/main/browser';
import { runWindowInBrowserMode } from '../apps/window/src/main/browser';
import { launchChromium, openScreen, startTestHall, terminalEnv, type TestHall } from './harness';

/**
 * One citizen's whole visit through the four apps on one hub, as in the demo hall: a number at
 * the kiosk, the call at window 5 on its display and on the hall screen, the acceptance with its
 * notice, and the rating on the window's pad. Each app's own tests go deeper; this one checks
 * that they speak to each other.
 */
let hall: TestHall;
let browser: Browser;
const pairs: PtyPair[] = [];
const stops: (() => Promise<unknown>)[] = [];
let kioskPrinter: PrinterSimulator;
let windowPrinter: PrinterSimulator;
let display: DisplaySimulator;
let pages: { kiosk: Page; window: Page; pad: Page; screen: Page };

beforeAll(async () => {
  hall = await startTestHall();
  expect((await hall.api('PUT', '/api/clerks/1005/pin', { pin: '246810' })).status).toBe(200);
  browser = await launchChromium();
  pairs.push(...(await Promise.all([startPtyPair(), startPtyPair(), startPtyPair()])));
  kioskPrinter = await PrinterSimulator.open(pairs[0]!.device);
  display = await DisplaySimulator.open(pairs[1]!.device, DISPLAY_PROFILES['dm-d-chinese']);
  windowPrinter = await PrinterSimulator.open(pairs[2]!.device);
  const kiosk = await runKioskInBrowserMode(undefined, terminalEnv(hall, 'kiosk-1', { SERVICEHALL_PRINTER: pairs[0]!.host }));
  const window5 = await runWindowInBrowserMode(undefined, terminalEnv(hall, 'window-5', { SERVICEHALL_WINDOW: '5', SERVICEHALL_DISPLAY: pairs[1]!.host, SERVICEHALL_PRINTER: pairs[2]!.host }));
  const pad = await runRatingPadInBrowserMode(undefined, terminalEnv(hall, 'pad-5', { SERVICEHALL_WINDOW: '5' }));
  const screen = await runHallDisplayInBrowserMode(undefined, terminalEnv(hall, 'hall-display'));
  stops.push(kiosk.stop, window5.stop, pad.stop, screen.stop);
  pages = {
    kiosk: await openScreen(browser, kiosk.screen.url, { width: 1080, height: 1920 }),
    window: await openScreen(browser, window5.screen.url, { width: 1920, height: 1080 }),
    pad: await openScreen(browser, pad.screen.url, { width: 1280, height: 800 }),
    screen: await openScreen(browser, screen.screen.url, { width: 1920, height: 1080 }),
  };
});

afterAll(async () => {
  for (const stop of stops) await stop().catch(() => undefined);
  await browser?.close();
  for (const sim of [kioskPrinter, windowPrinter, display]) await sim?.close();
  for (const pair of pairs) await pair.close();
  await hall?.close();
});

/** A function key at the window, once the screen has finished its previous action. */
async function press(key: string) {
  await expect.poll(() => pages.window.locator('[data-testid=desk]').getAttribute('data-busy')).toBe('no');
  await pages.window.keyboard.press(key);
}

describe('a citizen’s visit through the whole hall', () => {
  it('takes a number, is called, accepted and rates the service, each terminal in step', async () => {
    const { kiosk, window, pad, screen } = pages;

    // The clerk signs in at window 5.
    await window.fill('input[name=clerk]', '1005');
    await window.fill('input[name=pin]', '246810');
    await window.click('button[type=submit]');
    await window.waitForSelector('[data-testid=desk]');

    // The citizen takes a number for 社会保障卡申领 at the kiosk; the ticket prints.
    await kiosk.locator('[data-testid=item-RS-SBK-SL]').click();
    await kiosk.locator('[data-testid=take]').click();
    await kiosk.locator('[data-testid=lane-ordinary]').click();
    await kiosk.locator('[data-testid=ticket-number]').waitFor();
    const number = (await kiosk.locator('[data-testid=ticket-number]').textContent())!.trim();
    expect(number).toBe('C001');
    await expect.poll(() => kioskPrinter.device.receipts.at(-1)?.text.join('\n') ?? '').toContain(number);

    // Window 5 sees the ticket and calls it: its display, and the hall screen, show the call.
    await expect.poll(() => window.locator('[data-testid=queue] [data-ticket]').first().getAttribute('data-ticket')).toBe(number);
    await press('F1');
    await expect.poll(() => display.shown.rows).toEqual(['您好！很高兴为您服务', `请${number}号到5号窗口`]);
    await expect.poll(() => screen.locator('[data-testid=latest-call]').textContent()).toContain(number);
    expect(await screen.locator('[data-testid=latest-call]').textContent()).toContain('5号窗口');

    // Served and accepted: the 受理通知书 prints with its case number.
    await press('F3');
    await window.waitForSelector('[data-testid=serve]');
    await window.click('[data-outcome=accepted]');
    await window.click('[data-testid=record-outcome]');
    await expect.poll(() => windowPrinter.device.receipts.at(-1)?.text.join('\n') ?? '').toContain('受理通知书');
    const caseNumber = /SL\d{12}/.exec(windowPrinter.device.receipts.at(-1)!.text.join('\n'))?.[0];
    expect(caseNumber).toBeDefined();

    // Finished: the window's pad asks, the citizen rates, once.
    await press('F4');
    await expect.poll(() => pad.locator('[data-testid=pad]').getAttribute('data-phase')).toBe('asking');
    expect(await pad.locator('[data-testid=ticket]').textContent()).toContain(number);
    await pad.click('[data-testid=level-very-satisfied]');
    await expect.poll(() => pad.locator('[data-testid=pad]').getAttribute('data-phase')).toBe('thanks');
    const ratings = (await hall.api<{ ratings: Rating[] }>('GET', '/api/ratings')).body.ratings;
    expect(ratings).toEqual([expect.objectContaining({ ticketNumber: number, window: 5, clerk: '1005', caseNumber, caseState: 'accepted', level: 'very-satisfied', channel: 'window-pad', count: 1 })]);

    // The kiosk answers the citizen's progress query for the case, from the hub.
    await kiosk.locator('.brand').click();
    await kiosk.locator('[data-testid=query]').click();
    await kiosk.locator('[data-testid=query-text]').fill(caseNumber!);
    await kiosk.locator('[data-testid=query-text]').press('Enter');
    await expect.poll(() => kiosk.locator('[data-testid=query-result]').textContent()).toContain('已受理，正在办理');
  });
});
