import { PrinterSimulator, startPtyPair, type PtyPair } from '@servicehall/fixtures/devices';
import type { Ticket } from '@servicehall/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKioskInBrowserMode } from '../apps/kiosk/src/main/browser';
import { launchChromium, openScreen, screenshot, startTestHall, terminalEnv, type TestHall } from './harness';

const PORTRAIT = { width: 1080, height: 1920 };
const PUBLIC = 'https://zwfw.binjiang.example.gov.cn';

let hall: TestHall;
let browser: Browser;
let pair: PtyPair;
let printer: PrinterSimulator;
let kiosk: Awaited<ReturnType<typeof runKioskInBrowserMode>>;
let page: Page;

type Queue = { tickets: Ticket[] };
const queue = async () => (await hall.api<Queue>('GET', '/api/queue')).body.tickets;
const lastReceipt = () => printer.device.receipts.at(-1);

async function home() {
  await page.locator('.brand').click();
  await page.locator('[data-testid=items]').waitFor();
}

async function takeNumber(code: string, lane: string, shot?: string): Promise<string> {
  await home();
  await page.locator(`[data-testid=item-${code}]`).click();
  await page.locator('[data-testid=take]').click();
  if (shot) await screenshot(page, shot);
  await page.locator(`[data-testid=${lane}]`).click();
  await page.locator('[data-testid=ticket-number]').waitFor();
  return (await page.locator('[data-testid=ticket-number]').textContent())!;
}

beforeAll(async () => {
  hall = await startTestHall();
  [browser, pair] = await Promise.all([launchChromium(), startPtyPair()]);
  printer = await PrinterSimulator.open(pair.device);
  // The hall's setup names the address citizens' phones reach it at.
  const catalogue = (await hall.api<{ hall: Record<string, unknown> }>('GET', '/api/catalogue')).body;
  catalogue.hall.publicUrl = PUBLIC;
  expect((await hall.api('PUT', '/api/catalogue', catalogue)).status).toBe(200);
  // Two citizens already wait for 居民身份证换领 at the one open window.
  await hall.api('POST', '/api/windows/1/open', { clerk: '1001' });
  for (let i = 0; i < 2; i++) await hall.api('POST', '/api/tickets', { serviceCode: 'GA-SFZ-HL' });
  // A printer that is better again is told to the hub after 1.5 s of holding here, not the kiosk's 10 s (settings.test.ts pins that default).
  kiosk = await runKioskInBrowserMode(undefined, terminalEnv(hall, 'kiosk-1', { SERVICEHALL_PRINTER: pair.host, SERVICEHALL_KIOSK_PRINTER_POLL_MS: '250', SERVICEHALL_KIOSK_PRINTER_RECOVERY_MS: '1500' }));
  page = await openScreen(browser, kiosk.screen.url, PORTRAIT);
});

afterAll(async () => {
  await kiosk?.stop();
  await printer?.close();
  await pair?.close();
  await browser?.close();
  await hall?.close();
});

describe('the kiosk in Chromium, with its printer on a serial line', () => {
  it('shows the service items with people waiting and the expected wait, and finds one by pinyin initials', async () => {
    const idCard = page.locator('[data-testid=item-GA-SFZ-HL]');
    // A ticket taken now has the two before it, and waits two services of 8 minutes (a range: the hall has no figures of its own yet).
    await expect.poll(() => idCard.textContent()).toContain('前面 2 人');
    expect(await idCard.locator('[data-testid=wait]').textContent()).toBe('前面 2 人·9–24 分钟');
    await screenshot(page, 'kiosk-home');
    await page.locator('[data-testid=search]').click();
    for (const key of ['S', 'F', 'Z']) await page.locator('[data-testid=keyboard] .key', { hasText: new RegExp(`^${key}$`) }).click();
    await expect.poll(() => page.locator('[data-testid=items] .item').count()).toBe(1);
    expect(await page.locator('[data-testid=items]').textContent()).toContain('居民身份证换领');
    // A screen reader names the two symbol buttons by what they do, not as 乘号 and 对勾.
    expect(await page.getByRole('button', { name: '清除搜索内容' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: '收起键盘' }).count()).toBe(1);
    expect(await page.getByRole('textbox', { name: '搜索事项名称或拼音首字母，如 sfz' }).count()).toBe(1);
    await page.getByRole('button', { name: '清除搜索内容' }).click();
    await page.getByRole('button', { name: '收起键盘' }).click();
  });

  it('reads the service guide and prints it as a one-time notice', async () => {
    await home();
    await page.locator('[data-testid=item-GA-SFZ-HL]').click();
    const guide = page.locator('[data-testid=guide]');
    await expect.poll(() => guide.textContent()).toContain('申请材料');
    const text = (await guide.textContent())!;
    for (const part of ['办理条件', '办理流程', '收费标准', '法定办结时限', '承诺办结时限', '原件']) expect(text).toContain(part);
    await screenshot(page, 'kiosk-guide');
    const before = printer.device.receipts.length;
    await page.locator('[data-testid=print-guide]').click();
    await expect.poll(() => page.locator('[data-testid=print-result]').textContent()).toContain('已打印');
    expect(printer.device.receipts).toHaveLength(before + 1);
    expect(lastReceipt()!.text.join('\n')).toContain('一次性告知单');
  });

  it('takes a number: the printed ticket holds the number, the item, people waiting, the wait and a QR code, and the hub queues it', async () => {
    const number = await takeNumber('GA-SFZ-HL', 'lane-ordinary');
    expect(number).toMatch(/^A\d{3}$/);
    const receipt = lastReceipt()!;
    const printed = receipt.text.join('\n');
    expect(printed).toContain(number);
    expect(printed).toContain('居民身份证换领');
    expect(printed).toContain('前面还有 2 人等候');
    expect(printed).toMatch(/预计等候约 \d+ 分钟/);
    expect(receipt.qrCodes).toHaveLength(1);
    // The QR code opens the phone's live page of this ticket, by an opaque reference (here the public address is the hub itself).
    expect(receipt.qrCodes[0]).toMatch(new RegExp(`^${PUBLIC}/m/t/[\\w-]{22}$`));
    const ref = receipt.qrCodes[0]!.split('/').at(-1)!;
    expect((await fetch(receipt.qrCodes[0]!.replace(PUBLIC, hall.hub.url))).status).toBe(200);
    const live = await fetch(`${hall.hub.url}/api/phone/tickets/${ref}`);
    expect(((await live.json()) as { number: string }).number).toBe(number);
    expect((await queue()).map((t) => t.number)).toContain(number);
    expect(await page.locator('[data-testid=ticket-wait]').textContent()).toContain('前面还有 2 人等候');
    await screenshot(page, 'kiosk-ticket');
  });

  it('gives the priority lane (绿色通道) with its reason', async () => {
    const number = await takeNumber('CRJ-HZ-SL', 'priority-military', 'kiosk-take');
    const t = (await queue()).find((q) => q.number === number);
    expect(t?.lane).toBe('priority');
    expect(t?.priorityReason).toBe('military');
    expect(lastReceipt()!.text.join('\n')).toContain('绿色通道 · 军人');
  });

  it('checks in an appointment by its code', async () => {
    const now = Date.now();
    const booked = await hall.api('POST', '/api/appointments', { code: 'YY20260001', serviceCode: 'RS-SBK-SL', slotStart: now, slotEnd: now + 30 * 60_000 });
    expect(booked.status).toBe(201);
    await home();
    await page.locator('[data-testid=check-in]').click();
    await page.locator('[data-testid=appointment-code]').fill('YY20260001');
    await page.locator('[data-testid=appointment-code-submit]').click();
    await page.locator('[data-testid=ticket-number]').waitFor();
    const number = (await page.locator('[data-testid=ticket-number]').textContent())!;
    const t = (await queue()).find((q) => q.number === number);
    expect(t?.lane).toBe('appointment');
    expect(t?.appointment?.code).toBe('YY20260001');
    expect(lastReceipt()!.text.join('\n')).toContain('预约签到');
    // The same code again: politely told it has checked in already.
    await home();
    await page.locator('[data-testid=check-in]').click();
    await page.locator('[data-testid=appointment-code]').fill('YY20260001');
    await page.locator('[data-testid=appointment-code-submit]').click();
    await expect.poll(() => page.locator('[data-testid=refusal-text]').textContent()).toContain('该预约已签到');
  });

  it('says at check-in that the hall cancelled a booking of a service it no longer offers, naming the service', async () => {
    const now = Date.now();
    expect((await hall.api('POST', '/api/appointments', { code: 'YY20260002', serviceCode: 'SJ-GT-SL', slotStart: now, slotEnd: now + 30 * 60_000 })).status).toBe(201);
    const catalogue = (await hall.api<{ items: { code: string }[]; windows: { serves: string[] }[] }>('GET', '/api/catalogue')).body;
    catalogue.items = catalogue.items.filter((i) => i.code !== 'SJ-GT-SL');
    for (const w of catalogue.windows) w.serves = w.serves.filter((c) => c !== 'SJ-GT-SL');
    expect((await hall.api('PUT', '/api/catalogue', catalogue)).status).toBe(200);
    await home();
    await page.locator('[data-testid=check-in]').click();
    await page.locator('[data-testid=appointment-code]').fill('YY20260002');
    await page.locator('[data-testid=appointment-code-submit]').click();
    await expect.poll(() => page.locator('[data-testid=refusal] h2').textContent()).toBe('您的预约已由大厅取消');
    expect(await page.locator('[data-testid=refusal-text]').textContent()).toMatch(/^抱歉，本大厅已不再办理“个体工商户.*”，您预约的这个事项已由大厅取消/);
    await screenshot(page, 'kiosk-appointment-withdrawn');
  });

  it('answers a progress query by ticket number, and politely when a case number is not known', async () => {
    const [first] = await queue();
    await home();
    await page.locator('[data-testid=query]').click();
    await page.locator('[data-testid=query-text]').fill(first!.number);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[data-testid=query-result]').textContent()).toContain('排队等候中');
    await page.locator('[data-testid=query-text]').fill('BJ2026000123');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('[data-testid=query-result]').textContent()).toContain('服务台');
  });

  it('reports paper near-end to the hub and keeps issuing', async () => {
    printer.device.set({ paperNearEnd: true });
    await expect.poll(() => hall.hub.store.view.devices.get('kiosk-1')?.devices[0]).toMatchObject({ kind: 'printer', status: 'warning', code: 'paper-near-end' });
    expect(await page.locator('[data-testid=out-of-service]').count()).toBe(0);
    printer.device.set({ paperNearEnd: false });
  });

  it('turns out of service when the paper runs out, adds no ticket, and recovers by itself when paper is back', async () => {
    await home();
    printer.device.set({ paperEnd: true });
    await page.locator('[data-testid=out-of-service]').waitFor();
    expect(await page.locator('[data-testid=out-of-service]').textContent()).toContain('服务台');
    await screenshot(page, 'kiosk-out-of-service');
    const before = (await queue()).length;
    const answer = await (kiosk.agent!.handlers.takeNumber as (a: unknown) => Promise<{ ok: boolean; code?: string }>)({ serviceCode: 'GA-SFZ-HL', lane: 'ordinary', lang: 'zh-CN' });
    expect(answer).toMatchObject({ ok: false, code: 'out-of-service' });
    expect(await queue()).toHaveLength(before);
    await expect.poll(() => hall.hub.store.view.devices.get('kiosk-1')?.devices[0]).toMatchObject({ status: 'fault', code: 'paper-end' });
    printer.device.set({ paperEnd: false, paperNearEnd: false });
    await page.locator('[data-testid=out-of-service]').waitFor({ state: 'detached' });
    await page.locator('[data-testid=item-GA-SFZ-HL]').waitFor();
  });

  it('says in large type that the number on a slip cut off by paper end is void, before the out-of-service card', async () => {
    await home();
    printer.device.set({ paperEndAfterLines: 4 });
    await page.locator('[data-testid=item-GA-SFZ-HL]').click();
    await page.locator('[data-testid=take]').click();
    await page.locator('[data-testid=lane-ordinary]').click();
    const voided = page.locator('[data-testid=voided]');
    await voided.waitFor();
    const number = printer.device.current.lines.find((l) => /^A\d{3}$/.test(l))!;
    expect(await page.locator('[data-testid=void-number]').textContent()).toBe(`号票上的号码 ${number} 已作废`);
    for (const part of ['另一台自助取号机', '服务台']) expect(await voided.textContent()).toContain(part);
    // Large type: the sentence that says the number is void is at least as tall as a heading.
    const size = await page.locator('[data-testid=void-number]').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(size).toBeGreaterThanOrEqual(48);
    await expect.poll(async () => (await queue()).find((t) => t.number === number)?.state ?? 'gone').not.toBe('issued');
    // The printer is out of paper, yet the citizen still reads what happened to their number.
    await expect.poll(() => hall.hub.store.view.devices.get('kiosk-1')?.devices[0]).toMatchObject({ status: 'fault', code: 'paper-end' });
    expect(await page.locator('[data-testid=out-of-service]').count()).toBe(0);
    await screenshot(page, 'kiosk-voided');
    await page.locator('[data-testid=voided-home]').click();
    await page.locator('[data-testid=out-of-service]').waitFor();
    printer.device.set({ paperEnd: false, paperNearEnd: false });
    expect(printer.device.partials.at(-1)?.lines).toContain(number);
    await page.locator('[data-testid=out-of-service]').waitFor({ state: 'detached' });
  });

  it('keeps a ticket the printer went silent after, shows its number and QR on screen, and never prints it twice', async () => {
    await home();
    printer.device.set({ silentAfterCut: true });
    const before = printer.device.receipts.length;
    await page.locator('[data-testid=item-CRJ-HZ-SL]').click();
    await page.locator('[data-testid=take]').click();
    await page.locator('[data-testid=lane-ordinary]').click();
    await page.locator('[data-testid=ticket-unconfirmed]').waitFor({ timeout: 15_000 });
    const number = (await page.locator('[data-testid=ticket-number]').textContent())!;
    expect(await page.locator('[data-testid=ticket-qr]').count()).toBe(1);
    expect(printer.device.receipts).toHaveLength(before + 1);
    expect(lastReceipt()!.text).toContain(number);
    expect((await queue()).find((t) => t.number === number)?.state).toBe('issued');
    // The printer stays silent: the kiosk goes out of service, but not over this citizen's number. (Offline, the
    // silent printer's own fault: the case before leaves the board at paper-end, which would meet a bare 'fault'.)
    await expect.poll(() => hall.hub.store.view.devices.get('kiosk-1')?.devices[0], { timeout: 15_000 }).toMatchObject({ status: 'fault', code: 'offline' });
    expect(await page.locator('[data-testid=ticket-number]').textContent()).toBe(number);
    await screenshot(page, 'kiosk-ticket-unconfirmed');
    printer.device.set({ silent: false, silentAfterCut: false });
    await home();
    expect(printer.device.receipts).toHaveLength(before + 1);
    // The printer answering again, the kiosk comes back by itself and tells the hub once it has held (1.5 s here): the next
    // case starts from a kiosk in service, however long a loaded machine takes to see it.
    await expect.poll(() => hall.hub.store.view.devices.get('kiosk-1')?.devices[0], { timeout: 40_000 }).toMatchObject({ status: 'ok' });
    expect(printer.device.receipts).toHaveLength(before + 1);
  }, 80_000);

  it('has an elderly mode with fewer, larger choices and the elderly priority lane', async () => {
    await home();
    await page.locator('[data-testid=elderly-switch]').click();
    await expect.poll(() => page.locator('.big-choice').count()).toBe(9);
    expect(await page.locator('[data-testid=search]').count()).toBe(0);
    await screenshot(page, 'kiosk-elderly');
    await page.locator('.big-choice', { hasText: '出入境' }).click();
    await page.locator('[data-testid=item-CRJ-GA-SL]').click();
    await page.locator('[data-testid=take]').click();
    expect(await page.locator('[data-testid=priority-disabled]').count()).toBe(0);
    await page.locator('[data-testid=lane-elderly]').click();
    await page.locator('[data-testid=ticket-number]').waitFor();
    expect(await page.locator('[data-testid=announcement]').textContent()).toContain('取号成功');
    await page.locator('[data-testid=elderly-switch]').click();
  });

  it('switches to English', async () => {
    await home();
    await page.locator('[data-testid=language-switch]').click();
    await expect.poll(() => page.locator('.greeting').textContent()).toBe('Welcome! Please choose a service');
    expect(await page.locator('[data-testid=item-GA-SFZ-HL]').textContent()).toContain('Renewal of Resident Identity Card');
    // Every card holds its name and its wait whole on every page: longer English lines cut off by the card's edge are no use.
    const cut = () => page.locator('[data-testid=items] .item').evaluateAll((cards) => cards.filter((c) => c.scrollHeight > c.clientHeight + 1).map((c) => c.textContent));
    for (let p = 1; ; p++) {
      expect(await cut(), `page ${p}`).toEqual([]);
      const next = page.locator('[data-testid=page-next]');
      if (!(await next.isEnabled())) break;
      await next.click();
    }
    await screenshot(page, 'kiosk-english');
    await page.locator('[data-testid=language-switch]').click();
  });

  it('says politely when an item is full for the day, naming online, another day and the service desk', async () => {
    const catalogue = (await hall.api<Record<string, unknown> & { items: { code: string; dailyQuota?: number }[] }>('GET', '/api/catalogue')).body;
    catalogue.items.find((i) => i.code === 'GA-CS-DJ')!.dailyQuota = 1;
    expect((await hall.api('PUT', '/api/catalogue', catalogue)).status).toBe(200);
    await hall.api('POST', '/api/tickets', { serviceCode: 'GA-CS-DJ' });
    const before = (await queue()).length;
    await home();
    // The card says so before the citizen reads the guide and chooses a lane.
    await expect.poll(() => page.locator('[data-testid=not-issuing-GA-CS-DJ]').textContent()).toBe('今日号已取完 可网上办理或改日再来');
    await screenshot(page, 'kiosk-home-full');
    await page.locator('[data-testid=elderly-switch]').click();
    await page.locator('.big-choice', { hasText: '公安户籍' }).click();
    expect(await page.locator('[data-testid=item-GA-CS-DJ]').textContent()).toContain('今日号已取完');
    await screenshot(page, 'kiosk-elderly-full');
    await page.locator('[data-testid=elderly-switch]').click();
    await home();
    await page.locator('[data-testid=item-GA-CS-DJ]').click();
    await page.locator('[data-testid=take]').click();
    await page.locator('[data-testid=lane-ordinary]').click();
    const refusal = page.locator('[data-testid=refusal]');
    await expect.poll(() => refusal.getAttribute('data-code')).toBe('daily-quota-reached');
    const text = (await refusal.textContent())!;
    for (const part of ['抱歉', '网上办理', 'https://www.zjzwfw.gov.cn', '预约其他日期', '服务台']) expect(text).toContain(part);
    expect(await queue()).toHaveLength(before);
    await screenshot(page, 'kiosk-refusal');
  });

  it('tells the wait from the queue policy itself: the people the window calls first, whatever their item (H-09)', async () => {
    await home();
    // 户口迁入 has nobody of its own waiting, but window 1, the only one open for it, has a line.
    const atWindow1 = (await hall.api<Queue>('GET', '/api/queue?window=1')).body.tickets.length;
    expect(atWindow1).toBeGreaterThan(2);
    const card = page.locator('[data-testid=item-GA-HK-QR] [data-testid=wait]');
    await expect.poll(() => card.textContent()).toContain(`前面 ${atWindow1} 人`);
    expect(await card.textContent()).not.toMatch(/(^|[^\d–])0 分钟/);
    const number = await takeNumber('GA-HK-QR', 'lane-ordinary');
    expect(await page.locator('[data-testid=ticket-wait]').textContent()).toContain(`前面还有 ${atWindow1} 人等候`);
    expect(await page.locator('[data-testid=ticket-expected]').textContent()).toMatch(/^预计等候：(约 \d+ 分钟|\d+–\d+ 分钟)$/);
    expect(lastReceipt()!.text.join('\n')).toContain(`前面还有 ${atWindow1} 人等候`);
    expect((await queue()).map((t) => t.number)).toContain(number);
  });

  it('asks after a minute without a touch, keeps the page and the 长辈模式 for whoever answers 继续, and goes home only when nobody does', async () => {
    const idle = await browser.newContext({ viewport: PORTRAIT, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const p = await idle.newPage();
    await p.clock.install();
    await p.goto(kiosk.screen.url);
    await p.locator('[data-testid=elderly-switch]').click();
    await p.locator('.big-choice', { hasText: '公安户籍' }).click();
    await p.locator('[data-testid=item-GA-SFZ-HL]').click();
    await p.locator('[data-testid=guide]').waitFor();
    // An elderly reader on a long guide: a minute passes without a touch, while the PC's clock is put an hour forward.
    await p.clock.runFor(10_000);
    await p.clock.setSystemTime(Date.now() + 3_600_000);
    await p.clock.runFor(1_000);
    expect(await p.locator('[data-testid=idle-warning]').count()).toBe(0);
    expect(await p.locator('[data-testid=guide]').count()).toBe(1);
    await p.clock.runFor(48_000);
    expect(await p.locator('[data-testid=idle-warning]').count()).toBe(0);
    await p.clock.runFor(2_000);
    await expect.poll(() => p.locator('[data-testid=idle-count]').textContent()).toBe('19 秒后将返回首页');
    await p.clock.runFor(5_000);
    await expect.poll(() => p.locator('[data-testid=idle-count]').textContent()).toBe('14 秒后将返回首页');
    await screenshot(p, 'kiosk-idle-warning');
    await p.locator('[data-testid=idle-continue]').click();
    expect(await p.locator('[data-testid=idle-warning]').count()).toBe(0);
    expect(await p.locator('[data-testid=guide]').count()).toBe(1);
    expect(await p.locator('html').getAttribute('class')).toContain('elderly');
    // Nobody answers this time: home, Chinese, the standard mode, ready for the next citizen.
    await p.locator('[data-testid=language-switch]').click();
    await p.clock.runFor(61_000);
    await p.locator('[data-testid=idle-warning]').waitFor();
    await p.clock.runFor(20_000);
    await p.locator('[data-testid=items]').waitFor();
    expect(await p.locator('[data-testid=idle-warning]').count()).toBe(0);
    expect(await p.locator('.greeting').textContent()).toBe('您好！请选择您要办理的事项');
    expect(await p.locator('html').getAttribute('class')).not.toContain('elderly');
    await idle.close();
  });
});
