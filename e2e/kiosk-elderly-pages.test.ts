import type { Catalogue } from '@servicehall/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKioskInBrowserMode } from '../apps/kiosk/src/main/browser';
import { launchChromium, openScreen, screenshot, startTestHall, terminalEnv, type TestHall } from './harness';

const PORTRAIT = { width: 1080, height: 1920 };

let hall: TestHall;
let browser: Browser;
let kiosk: Awaited<ReturnType<typeof runKioskInBrowserMode>>;
let page: Page;

/** The labels of the choices wholly on screen, above the footer; one cut off or below the fold is not counted. */
const wholeChoices = (p: Page) =>
  p.evaluate(() => {
    const bottom = document.querySelector('.bottom')!.getBoundingClientRect().top;
    return [...document.querySelectorAll<HTMLElement>('.big-choice')].filter((el) => {
      const r = el.getBoundingClientRect();
      // Whole within the list that holds it, too: a list that scrolls hides what is past its edge.
      const list = el.closest('.big-list')!.getBoundingClientRect();
      return r.height > 0 && r.top >= Math.max(0, list.top) && r.bottom <= Math.min(bottom, list.bottom);
    }).map((el) => el.innerText.split('\n')[0]!.trim());
  });
/** Whether an element is wholly on screen, above the footer. */
const onScreen = (p: Page, selector: string) =>
  p.locator(selector).evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.height > 0 && r.top >= 0 && r.bottom <= document.querySelector('.bottom')!.getBoundingClientRect().top;
  });

/** Turns the pages, collecting the choices each shows whole. */
async function everyChoice(p: Page): Promise<string[]> {
  const seen = [...(await wholeChoices(p))];
  while ((await p.locator('[data-testid=page-next]').count()) > 0 && (await p.locator('[data-testid=page-next]').isEnabled())) {
    await p.locator('[data-testid=page-next]').click();
    seen.push(...(await wholeChoices(p)));
  }
  return seen;
}

beforeAll(async () => {
  hall = await startTestHall();
  browser = await launchChromium();
  // A bigger hall than the demo: 16 departments, and 公安户籍 with 12 items, one named in 40 characters.
  const catalogue = (await hall.api<Catalogue>('GET', '/api/catalogue')).body;
  for (let d = 1; d <= 7; d++) catalogue.departments.push({ name: `新增服务部门${d}` });
  const base = catalogue.items.find((i) => i.code === 'GA-SFZ-HL')!;
  const { nameEn: _nameEn, ...chinese } = base;
  for (let k = 1; k <= 9; k++)
    catalogue.items.push({ ...chinese, code: `GA-EXTRA-${k}`, name: k === 1 ? '关于申请办理特殊情况下居民身份证临时补领及跨省通办异地受理相关事项的综合服务窗口' : `户籍证明事项${k}` });
  for (let d = 1; d <= 7; d++) catalogue.items.push({ ...chinese, code: `NEW-${d}`, name: `新增事项${d}`, department: `新增服务部门${d}` });
  catalogue.windows[0]!.serves.push(...catalogue.items.filter((i) => i.code.startsWith('GA-EXTRA') || i.code.startsWith('NEW-')).map((i) => i.code));
  const put = await hall.api('PUT', '/api/catalogue', catalogue);
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  kiosk = await runKioskInBrowserMode(undefined, terminalEnv(hall, 'kiosk-1'));
  page = await openScreen(browser, kiosk.screen.url, PORTRAIT);
  await page.locator('[data-testid=items]').waitFor();
});

afterAll(async () => {
  await kiosk?.stop();
  await browser?.close();
  await hall?.close();
});

describe('the kiosk’s elderly mode (适老化) in a hall with many departments and items', () => {
  it('shows every department whole, a page at a time, with 预约签到 and 进度查询 still on screen', async () => {
    await page.locator('[data-testid=elderly-switch]').click();
    await page.locator('.big-choice').first().waitFor();
    await screenshot(page, 'kiosk-elderly-departments-many');
    expect(await onScreen(page, '[data-testid=check-in]')).toBe(true);
    expect(await onScreen(page, '[data-testid=query]')).toBe(true);
    const departments = await everyChoice(page);
    expect(departments).toHaveLength(16);
    expect(new Set(departments).size).toBe(16);
    expect(await onScreen(page, '[data-testid=check-in]')).toBe(true);
  });

  it('shows every item of a large department whole, a page at a time', async () => {
    await page.locator('.brand').click();
    await page.locator('.big-choice', { hasText: '公安户籍' }).click();
    await page.locator('[data-testid=item-GA-SFZ-HL]').waitFor();
    await screenshot(page, 'kiosk-elderly-items-many');
    const items = await everyChoice(page);
    expect(new Set(items).size).toBe(12);
    expect(items).toContain('关于申请办理特殊情况下居民身份证临时补领及跨省通办异地受理相关事项的综合服务窗口');
    expect(await onScreen(page, '[data-testid=query]')).toBe(true);
  });
});
