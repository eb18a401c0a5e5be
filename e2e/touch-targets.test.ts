import { PrinterSimulator, startPtyPair, type PtyPair } from '@servicehall/fixtures/devices';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKioskInBrowserMode } from '../apps/kiosk/src/main/browser';
import { runRatingPadInBrowserMode } from '../apps/rating-pad/src/main/browser';
import { launchChromium, openScreen, startTestHall, terminalEnv, type TestHall } from './harness';

/**
 * Touch targets of at least 15 mm at each device's real size, measured on the screens in Chromium:
 * the pixels per millimetre of a panel follow from its diagonal and its resolution.
 */
function pxPerMm(diagonalInches: number, width: number, height: number): number {
  return Math.hypot(width, height) / (diagonalInches * 25.4);
}

const KIOSK = { width: 1080, height: 1920, diagonal: 21.5 };
const PAD = { width: 1280, height: 800, diagonal: 10.1 };
const MIN_MM = 15;

/** Every visible thing a finger can press on the page, with its size on screen. */
async function targets(page: Page): Promise<{ what: string; width: number; height: number }[]> {
  return page.evaluate(() => {
    const out: { what: string; width: number; height: number }[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('button, a[href], input:not([type=hidden]), select, textarea, [role=button], [role=tab], [role=radio]')) {
      const box = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (box.width === 0 || box.height === 0 || style.visibility === 'hidden' || style.display === 'none') continue;
      // Under a modal dialog only the dialog can be touched.
      const modal = document.querySelector('[aria-modal=true]');
      if (modal && !modal.contains(el)) continue;
      out.push({ what: `${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ''} "${(el.textContent ?? (el as HTMLInputElement).placeholder ?? '').trim().slice(0, 16)}"`, width: box.width, height: box.height });
    }
    return out;
  });
}

async function expectLargeEnough(page: Page, device: { width: number; height: number; diagonal: number }, screen: string) {
  const min = MIN_MM * pxPerMm(device.diagonal, device.width, device.height);
  const found = await targets(page);
  expect(found.length, `${screen}: touch targets`).toBeGreaterThan(0);
  const small = found.filter((t) => Math.min(t.width, t.height) < min).map((t) => `${t.what} ${t.width.toFixed(0)}×${t.height.toFixed(0)} px`);
  expect(small, `${screen}: smaller than ${MIN_MM} mm (${min.toFixed(1)} px)`).toEqual([]);
}

let hall: TestHall;
let browser: Browser;
let pair: PtyPair;
let printer: PrinterSimulator;
let kiosk: Awaited<ReturnType<typeof runKioskInBrowserMode>>;
let pad: Awaited<ReturnType<typeof runRatingPadInBrowserMode>>;

beforeAll(async () => {
  hall = await startTestHall();
  [browser, pair] = await Promise.all([launchChromium(), startPtyPair()]);
  printer = await PrinterSimulator.open(pair.device);
  expect((await hall.api('PUT', '/api/clerks/1006/pin', { pin: '2580' })).status).toBe(200);
  expect((await hall.api('POST', '/api/windows/5/sign-in', { clerk: '1006', pin: '2580' })).status).toBe(200);
  // One citizen waiting makes an item busy here, so that the home screen also has its busy banner to fit.
  kiosk = await runKioskInBrowserMode(
    undefined,
    terminalEnv(hall, 'kiosk-t', { SERVICEHALL_PRINTER: pair.host, SERVICEHALL_KIOSK_IDLE_SECONDS: '10', SERVICEHALL_KIOSK_IDLE_WARN_SECONDS: '5', SERVICEHALL_KIOSK_BUSY_PEOPLE: '1' }),
  );
  pad = await runRatingPadInBrowserMode(undefined, terminalEnv(hall, 'rating-pad-5', { SERVICEHALL_WINDOW: '5', SERVICEHALL_KEYPAD: 'none' }));
});
afterAll(async () => {
  await pad?.stop();
  await kiosk?.stop();
  await printer?.close();
  await pair?.close();
  await browser?.close();
  await hall?.close();
});

describe('the device sizes', () => {
  it('compute to about 4.0 px/mm on the 21.5" kiosk and 5.9 px/mm on the 10.1" pad', () => {
    expect(pxPerMm(KIOSK.diagonal, KIOSK.width, KIOSK.height)).toBeCloseTo(4.03, 2);
    expect(pxPerMm(PAD.diagonal, PAD.width, PAD.height)).toBeCloseTo(5.88, 2);
  });
});

describe('touch targets of at least 15 mm on the kiosk (1080×1920, 21.5")', () => {
  it('on every screen a citizen meets, in both modes', async () => {
    const page = await openScreen(browser, kiosk.screen.url, KIOSK);
    const check = (screen: string) => expectLargeEnough(page, KIOSK, screen);
    await page.locator('[data-testid=items]').waitFor();
    await check('home');
    await page.locator('[data-testid=search]').click();
    await page.locator('[data-testid=keyboard]').waitFor();
    await check('home, searching');
    await page.locator('.brand').click();
    await page.locator('[data-testid=item-GA-SFZ-HL]').click();
    await page.locator('[data-testid=guide]').waitFor();
    await check('guide');
    await page.locator('[data-testid=take]').click();
    await page.locator('[data-testid=lane-ordinary]').waitFor();
    await check('take');
    await page.locator('[data-testid=lane-ordinary]').click();
    await page.locator('[data-testid=ticket-number]').waitFor();
    await check('ticket');
    await page.locator('.brand').click();
    await page.locator('[data-testid=check-in]').click();
    await page.locator('[data-testid=appointment-code]').waitFor();
    await check('check-in');
    await page.locator('.brand').click();
    await page.locator('[data-testid=query]').click();
    await page.locator('[data-testid=query-text]').waitFor();
    await check('query');
    await page.locator('.brand').click();
    await page.locator('[data-testid=elderly-switch]').click();
    await page.locator('.big-choice').first().waitFor();
    await check('elderly home');
    await page.locator('.big-choice', { hasText: '公安户籍' }).click();
    await page.locator('[data-testid=item-GA-SFZ-HL]').waitFor();
    await check('elderly items');
    await page.locator('[data-testid=item-GA-SFZ-HL]').click();
    await page.locator('[data-testid=take]').click();
    await page.locator('[data-testid=lane-elderly]').waitFor();
    await check('elderly take');
    // Left alone: the question whether the citizen is still there.
    await page.locator('[data-testid=idle-warning]').waitFor({ timeout: 15_000 });
    await check('still there?');
    await page.close();
  });
});

describe('the kiosk home', () => {
  it('shows where every item is at a glance: whole pages, the count of pages in sight, every item a page turn away', async () => {
    await hall.api('POST', '/api/tickets', { serviceCode: 'CRJ-GA-SL' });
    // An item stopped for the day carries a two-line notice on its card: it must fit too.
    const catalogue0 = (await hall.api<{ items: { code: string; today?: unknown }[] }>('GET', '/api/catalogue')).body;
    catalogue0.items.find((i) => i.code === 'CRJ-GA-QZ')!.today = { day: hall.hub.store.view.day, closedNotice: '签注系统升级，今日暂停受理，敬请谅解。' };
    expect((await hall.api('PUT', '/api/catalogue', catalogue0)).status).toBe(200);
    const page = await openScreen(browser, kiosk.screen.url, KIOSK);
    await page.locator('[data-testid=items]').waitFor();
    await page.locator('[data-testid=busy-banner]').waitFor();
    const catalogue = (await hall.api<{ items: { code: string }[] }>('GET', '/api/catalogue')).body.items.map((i) => i.code);
    const inView = async (selector: string) => {
      const box = await page.locator(selector).boundingBox();
      return !!box && box.y >= 0 && box.y + box.height <= KIOSK.height && box.x >= 0 && box.x + box.width <= KIOSK.width;
    };
    expect(await inView('[data-testid=page-of]')).toBe(true);
    const pages = Number(await page.locator('[data-testid=items]').getAttribute('data-pages'));
    expect(await page.locator('[data-testid=page-of]').textContent()).toBe(`第 1/${pages} 页 · 共 ${catalogue.length} 项`);
    const seen: string[] = [];
    for (let p = 1; p <= pages; p++) {
      await expect.poll(() => page.locator('[data-testid=items]').getAttribute('data-page')).toBe(String(p));
      const codes = await page.locator('[data-testid=items] .item').evaluateAll((els) => els.map((el) => el.getAttribute('data-testid')!.replace('item-', '')));
      // Nothing below the fold: every item of the page is whole on the screen, its words whole in its card.
      for (const code of codes) expect(await inView(`[data-testid=item-${code}]`), code).toBe(true);
      const clipped = await page.locator('[data-testid=items] .item').evaluateAll((els) =>
        els
          .filter((el) => {
            const card = el.getBoundingClientRect();
            const name = el.querySelector<HTMLElement>('.item-name')!;
            const foot = el.querySelector<HTMLElement>('.item-foot')!;
            const n = name.getBoundingClientRect();
            const f = foot.getBoundingClientRect();
            // The name keeps at least one whole line, the foot (wait, or the day's notice) all of its own, inside the card.
            return n.height < parseFloat(getComputedStyle(name).lineHeight) - 1 || foot.scrollHeight > foot.clientHeight + 1 || f.top < n.bottom - 1 || f.bottom > card.bottom + 1;
          })
          .map((el) => el.getAttribute('data-testid')),
      );
      expect(clipped).toEqual([]);
      seen.push(...codes);
      if (p < pages) await page.locator('[data-testid=page-next]').click();
    }
    expect(seen.sort()).toEqual([...catalogue].sort());
    expect(await page.locator('[data-testid=page-next]').isDisabled()).toBe(true);
    await page.close();
  });
});

describe('touch targets of at least 15 mm on the rating pad (1280×800, 10.1")', () => {
  it('while idle, asking, on the reasons of a bad rating and on the thanks', async () => {
    const page = await openScreen(browser, pad.screen.url, PAD);
    const phase = () => page.locator('[data-testid=pad]').getAttribute('data-phase');
    await expect.poll(phase).toBe('idle');
    await expectLargeEnough(page, PAD, 'idle');
    await hall.api('POST', '/api/tickets', { serviceCode: 'RS-SBK-SL' });
    for (const step of ['call-next', 'start', 'finish']) expect((await hall.api('POST', `/api/windows/5/${step}`)).status).toBe(200);
    await expect.poll(phase).toBe('asking');
    await expectLargeEnough(page, PAD, 'asking');
    await page.click('[data-testid=level-dissatisfied]');
    await expect.poll(phase).toBe('details');
    await expectLargeEnough(page, PAD, 'reasons');
    await page.click('[data-testid=skip]');
    await expect.poll(phase).toBe('thanks');
    await expectLargeEnough(page, PAD, 'thanks');
    await page.close();
  });
});
