import { demoCatalogue } from '@servicehall/fixtures';
import type { Forecast } from '@servicehall/reports';
import { startHub, type RunningHub } from '@servicehall/hub';
import { generateHistory, TestConsole } from '@servicehall/hub/testing';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot } from './harness';

/**
 * The reports pages in Chromium, on the demo hall with two weeks of generated history: a
 * supervisor's report with its charts and exports, a clerk's own figures, the printable monthly
 * report, and tomorrow's windows from the forecast.
 */
const WIDE = { width: 1920, height: 1080 };
const SMALL = { width: 1366, height: 768 };
const LAST = '2026-11-27';
let now = Date.parse('2026-11-30T10:30:00+08:00');
let dir: string;
let hub: RunningHub;
let browser: Browser;

async function page(size = WIDE): Promise<Page> {
  const context = await browser.newContext({ viewport: size, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
  const p = await context.newPage();
  p.on('pageerror', (error) => console.error(`console page error: ${error.message}`));
  await p.goto(`${hub.url}/console/`);
  return p;
}

async function signIn(p: Page, id: string, password: string) {
  await p.locator('[name=id]').fill(id);
  await p.locator('[name=password]').fill(password);
  await p.locator('button[type=submit]').click();
  await p.locator('.nav').waitFor();
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-e2e-reports-'));
  generateHistory({ dataDir: path.join(dir, 'hub'), days: 10, ticketsPerDay: 700, lastDay: LAST, catalogue: demoCatalogue() });
  hub = await startHub({ dataDir: path.join(dir, 'hub'), token: 'e2e-reports-token', clock: () => now });
  const admin = new TestConsole(hub.url);
  expect((await admin.request('POST', '/api/console/first-admin', { setupCode: hub.setupCode, id: 'admin', name: '王管理', password: 'first-admin-pass-1' })).status).toBe(201);
  await admin.login('admin', 'first-admin-pass-1');
  const made = await admin.request('POST', '/api/staff', { id: 'zhao', name: '赵主任', role: 'supervisor' });
  const sup = new TestConsole(hub.url);
  await sup.login('zhao', String(made.body.password));
  expect((await sup.request('POST', '/api/console/password', { current: made.body.password, next: 'zhao-own-pass-9' })).status).toBe(200);
  await hub.store.pins.set('1001', '482915', { mustChange: false });
  // This morning, window 1 paused for a training session.
  const run = (command: Record<string, unknown>) => hub.store.execute({ id: `e2e-${Math.random()}`, ...command } as never, { role: 'admin', terminal: 'e2e' });
  run({ type: 'openWindow', window: 1, clerk: '1001' });
  run({ type: 'pauseWindow', window: 1, reason: '业务培训' });
  now += 25 * 60_000;
  run({ type: 'resumeWindow', window: 1 });
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await hub?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the reports pages', { timeout: 60_000 }, () => {
  it("show a supervisor last week's figures by clerk, with the day's waits, the week's heat map and each clerk against the hall", async () => {
    const p = await page();
    await signIn(p, 'zhao', 'zhao-own-pass-9');
    await p.getByRole('link', { name: '统计报表' }).click();
    await p.locator('.figure').first().waitFor();
    await p.locator('.chart svg').nth(2).waitFor();
    const text = (await p.textContent('body'))!;
    for (const words of ['取号', '等候中位数', '满意率', '全天等候人数与等候时长', '到厅人数热力图', '工作人员与全厅对比', '王建国']) expect(text).toContain(words);
    await screenshot(p, 'console-reports');
    await p.locator('table.report').first().scrollIntoViewIfNeeded();
    await screenshot(p, 'console-reports-table');
    // The Excel file comes from the same page.
    const download = p.waitForEvent('download');
    await p.getByRole('link', { name: '导出 Excel' }).click();
    expect((await download).suggestedFilename()).toMatch(/\.xlsx$/);
  });

  it('fits a 1366×768 screen, by item', async () => {
    const p = await page(SMALL);
    await signIn(p, 'zhao', 'zhao-own-pass-9');
    await p.goto(`${hub.url}/console/reports`);
    await p.locator('select').first().selectOption('item');
    await p.getByRole('button', { name: '查询' }).click();
    await p.getByText('按事项 ·').waitFor();
    // Every page in the navigation is in view, down to 修改密码, without scrolling the navigation.
    const links = p.locator('.nav nav a');
    expect(await links.last().textContent()).toBe('修改密码');
    const nav = (await p.locator('.nav nav').boundingBox())!;
    for (const box of await links.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().bottom))) expect(box).toBeLessThanOrEqual(nav.y + nav.height);
    await p.locator('.chart svg text').first().waitFor();
    // The day's chart is half the page wide here: its legend, axis names and labels must not sit on one another.
    const overlaps = await p.locator('.chart').first().evaluate((chart) => {
      const boxes = [...chart.querySelectorAll('svg text')].filter((el) => el.textContent?.trim()).map((el) => ({ text: el.textContent!, box: el.getBoundingClientRect() }));
      const found: string[] = [];
      for (const [i, a] of boxes.entries())
        for (const b of boxes.slice(i + 1))
          if (a.box.left < b.box.right && b.box.left < a.box.right && a.box.top < b.box.bottom && b.box.top < a.box.bottom) found.push(`${a.text} / ${b.text}`);
      return found;
    });
    expect(overlaps).toEqual([]);
    await screenshot(p, 'console-reports-small');
  });

  it("show a clerk their own figures only", async () => {
    const p = await page();
    await signIn(p, '1001', '482915');
    await p.getByRole('link', { name: '统计报表' }).click();
    await p.getByRole('heading', { name: '我的服务统计' }).waitFor();
    // The week of the history (a clerk's page starts from the browser's own day, which is not the hub's test clock).
    await p.locator('input[type=date]').first().fill('2026-11-21');
    await p.locator('input[type=date]').nth(1).fill(LAST);
    await p.getByRole('button', { name: '查询' }).click();
    await p.getByText(`按日 · 2026-11-21 — ${LAST}`).waitFor();
    await p.locator('.figure').first().waitFor();
    const text = (await p.textContent('body'))!;
    expect(text).not.toContain('工作人员与全厅对比');
    await screenshot(p, 'console-reports-clerk');
  });

  it('print the monthly report on A4 paper without the console around it', async () => {
    const p = await page();
    await signIn(p, 'zhao', 'zhao-own-pass-9');
    await p.goto(`${hub.url}/console/reports/monthly?month=2026-11`);
    await p.locator('.monthly .chart svg').waitFor();
    await p.emulateMedia({ media: 'print' });
    expect(await p.locator('.nav').isVisible()).toBe(false);
    expect(await p.getByRole('button', { name: '打印月报' }).isVisible()).toBe(false);
    expect(await p.textContent('.monthly h1')).toContain('窗口服务月报（2026-11）');
    await screenshot(p, 'console-report-monthly-print');
  });

  it("show tomorrow's windows: the forecast, where the hall will be short, and the forecast's past error", async () => {
    const p = await page();
    await signIn(p, 'zhao', 'zhao-own-pass-9');
    await p.getByRole('link', { name: '明日窗口' }).click();
    await p.locator('table.staffing').waitFor();
    const text = (await p.textContent('body'))!;
    expect(text).toContain('过去几周的预测误差');
    // Ten days of history test no week (each week's check takes the 8 weeks before it): the card says so, not headings over nothing.
    expect(await p.locator('[data-testid=no-forecast-error]').textContent()).toBe('暂无可检验的周：检验一周的预测，要用该周之前 8 周的取号记录。');
    expect(await p.locator('table.staffing tbody tr').count()).toBeGreaterThan(5);
    await screenshot(p, 'console-forecast');
  });

  it('say in Chinese what is wrong with a period that starts after it ends, at a supervisor\'s 1440×900', async () => {
    const p = await page({ width: 1440, height: 900 });
    await signIn(p, 'zhao', 'zhao-own-pass-9');
    await p.getByRole('link', { name: '统计报表' }).click();
    await p.locator('.figure').first().waitFor();
    await p.getByLabel('开始日期').fill('2026-11-30');
    await p.getByLabel('结束日期').fill('2026-11-24');
    await p.getByRole('button', { name: '查询' }).click();
    await expect.poll(() => p.locator('[role=alert]').textContent()).toContain('开始日期（2026-11-30）晚于结束日期（2026-11-24）：请把开始日期改为不晚于结束日期');
    await screenshot(p, 'console-reports-period-backwards');
  });

  it("show a department head tomorrow's arrivals of their department, in the days' totals and the chart as in the table", async () => {
    const admin = new TestConsole(hub.url);
    await admin.login('admin', 'first-admin-pass-1');
    const department = demoCatalogue().items[0]!.department;
    const made = await admin.request('POST', '/api/staff', { id: 'qian', name: '钱科长', role: 'department-head', department });
    const head = new TestConsole(hub.url);
    await head.login('qian', String(made.body.password));
    expect((await head.request('POST', '/api/console/password', { current: made.body.password, next: 'qian-own-pass-9' })).status).toBe(200);
    const forecast = (await head.request<Forecast>('GET', '/api/forecast?days=7')).body;
    const codes = new Set(demoCatalogue().items.filter((i) => i.department === department).map((i) => i.code));
    const tomorrow = forecast.days[1]!;
    const ours = Object.entries(tomorrow.items).filter(([code]) => codes.has(code)).reduce((a, [, byHour]) => a + Object.values(byHour).reduce((x, n) => x + n, 0), 0);
    expect(ours).toBeLessThan(tomorrow.total / 2);
    const p = await page({ width: 1440, height: 900 });
    await signIn(p, 'qian', 'qian-own-pass-9');
    await p.getByRole('link', { name: '明日窗口' }).click();
    await p.locator('table.staffing').waitFor();
    expect(await p.locator('.steps button').nth(1).textContent()).toBe(`${tomorrow.day.slice(5)} · ${Math.round(ours).toLocaleString('zh-CN')}${tomorrow.peaks.map((k) => ({ 'month-start': '月初高峰', 'after-holiday': '节后高峰' })[k]).join('')}`);
    await screenshot(p, 'console-forecast-department');
  });

  it("tell a new hall's administrator that there is no history to forecast from, not that every hour has enough windows", async () => {
    const fresh = await startHub({ dataDir: path.join(dir, 'new-hall'), token: 'e2e-new-hall-token', seed: demoCatalogue(), clock: () => now });
    try {
      const admin = new TestConsole(fresh.url);
      expect((await admin.request('POST', '/api/console/first-admin', { setupCode: fresh.setupCode, id: 'admin', name: '王管理', password: 'first-admin-pass-1' })).status).toBe(201);
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      const p = await context.newPage();
      await p.goto(`${fresh.url}/console/`);
      await signIn(p, 'admin', 'first-admin-pass-1');
      await p.getByRole('link', { name: '明日窗口' }).click();
      await p.locator('[data-testid=no-forecast-history]').waitFor();
      expect(await p.locator('[data-testid=no-forecast-history]').textContent()).toBe(
        '本厅近一年还没有取号记录，无法预测到厅人数和所需窗口：大厅开始取号后，次日起即可看到预测（按近 8 周的记录，记录越多越准）。',
      );
      expect(await p.textContent('body')).not.toContain('各时段窗口充足');
      await screenshot(p, 'console-forecast-new-hall');
      await context.close();
    } finally {
      await fresh.close();
    }
  });
});
