import { localTime } from '@servicehall/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleAsFirstAdmin, hallMinutesNow, launchChromium, screenshot, startTestHall, type TestHall } from './harness';

/**
 * A supervisor opens the console on a laptop set to London's zone whose clock is two hours ahead:
 * the board counts the waits by the hub's clock, and every time is shown as the hall's clock shows it.
 */
const WIDE = { width: 1920, height: 1080 };
const AHEAD_MS = 2 * 3600_000;

let hall: TestHall;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  hall = await startTestHall();
  browser = await launchChromium();
  page = await consoleAsFirstAdmin(hall, browser, WIDE, { timezoneId: 'Europe/London', clockOffMs: AHEAD_MS });
});

afterAll(async () => {
  await browser?.close();
  await hall?.close();
});

describe('the console on a laptop whose clock and zone are not the hall’s', () => {
  it('counts the board’s waits by the hub’s clock and says when it was updated by the hall’s', async () => {
    expect((await hall.api('POST', '/api/tickets', { serviceCode: 'CRJ-HZ-SL' })).status).toBe(201);
    await page.goto(`${hall.hub.url}/console/board`);
    const row = page.locator('[data-testid=board-item-CRJ-HZ-SL] td');
    await expect.poll(() => row.nth(1).textContent()).toBe('1');
    // Taken just now: by the laptop's clock it had waited two hours.
    expect(await row.nth(2).textContent()).toBe('0 分钟');
    const updated = (await page.locator('[data-testid=board] .row.spread .small').first().textContent())!;
    expect(hallMinutesNow().some((hhmm) => updated.startsWith(`更新于 ${hhmm}:`))).toBe(true);
    await screenshot(page, 'console-clock-board');
  });

  it('keeps the hall’s time on the board when the laptop’s clock is put another hour on, before the hub is asked again', async () => {
    await page.goto(`${hall.hub.url}/console/board`);
    const row = page.locator('[data-testid=board-item-CRJ-HZ-SL] td');
    await expect.poll(() => row.nth(1).textContent()).toBe('1');
    await page.clock.setSystemTime(Date.now() + AHEAD_MS + 3600_000);
    // The board counts on every 5 s; the hub's clock is asked again only each minute.
    await page.clock.runFor(6_000);
    expect(await row.nth(2).textContent()).toBe('0 分钟');
    const updated = (await page.locator('[data-testid=board] .row.spread .small').first().textContent())!;
    expect(hallMinutesNow().some((hhmm) => updated.startsWith(`更新于 ${hhmm}:`)), updated).toBe(true);
  });

  it('shows the audit log’s times as the hall’s clock shows them, not in the laptop’s zone', async () => {
    expect((await hall.api('POST', '/api/staff', { id: 'duty', name: '周值班', role: 'supervisor' })).status).toBe(201);
    const entry = (await hall.api<{ entries: { id: number; at: number; action: string }[] }>('GET', '/api/audit')).body.entries[0]!;
    await page.goto(`${hall.hub.url}/console/audit`);
    const cell = page.locator(`[data-testid=audit-${entry.id}] td`).first();
    await cell.waitFor();
    // The hall's day and time (zh-CN writes 2026/12/7 08:05:09); London's is eight hours before it.
    const hall8 = localTime(entry.at, 'Asia/Shanghai');
    const [y, m, d] = hall8.day.split('-').map(Number);
    expect(await cell.textContent()).toMatch(new RegExp(`^${y}/${m}/${d} ${hall8.time}:\\d\\d$`));
    await screenshot(page, 'console-clock-audit');
  });
});
