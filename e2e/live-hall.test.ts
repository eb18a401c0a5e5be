import { demoCatalogue } from '@servicehall/fixtures';
import { PrinterSimulator, startPtyPair, type PtyPair } from '@servicehall/fixtures/devices';
import { smsTemplateContent } from '@servicehall/notify';
import { TencentSmsStandIn, WecomStandIn } from '@servicehall/notify/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKioskInBrowserMode } from '../apps/kiosk/src/main/browser';
import { runRatingPadInBrowserMode } from '../apps/rating-pad/src/main/browser';
import { TestTerminal } from '@servicehall/hub/testing';
import { HALL_TOKEN, launchChromium, openScreen, screenshot, startTestHall, terminalEnv, type TestHall } from './harness';

/**
 * The live hall in the console (issue 14): the demo hall with its device simulators, a supervisor
 * on the board and a department head in their own console, and a stand-in WeChat Work robot for
 * each. A long queue raises an alert from which the supervisor opens a window; a printer's paper
 * end shows on the board (and on the wall screen); a pad's 非常不满意 reaches the department head.
 */
const WIDE = { width: 1920, height: 1080 };
let hall: TestHall;
let browser: Browser;
let robot: WecomStandIn;
let sms: TencentSmsStandIn;
const TENCENT = { secretId: 'AKIDe2elivehall00000000000000000000', secretKey: 'tencentSecretKeyForLiveHallE2E00', sdkAppId: '1400007777', signName: '滨江政务' };
const TEMPLATES = { 'phone-code': '4001', 'ticket-near': '4002', 'ticket-called': '4003' };
let pair: PtyPair;
let printer: PrinterSimulator;
const stops: (() => Promise<unknown>)[] = [];
let supervisor: Page;
let head: Page;
let pad: Page;

/** A staff member made with the hall token, who chooses their own password once, as the console asks. */
async function staffMember(id: string, role: string, department?: string): Promise<string> {
  const made = await hall.api<{ password: string }>('POST', '/api/staff', { id, name: id === 'duty' ? '周值班' : '赵科长', role, ...(department ? { department } : {}) });
  expect(made.status).toBe(201);
  const login = await fetch(`${hall.hub.url}/api/console/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, password: made.body.password }) });
  const { csrf } = (await login.json()) as { csrf: string };
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  const own = `${id}-own-pass-2026`;
  const changed = await fetch(`${hall.hub.url}/api/console/password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
    body: JSON.stringify({ current: made.body.password, next: own }),
  });
  expect(changed.status).toBe(200);
  return own;
}

async function signedIn(id: string, password: string, path = ''): Promise<Page> {
  const page = await openScreen(browser, `${hall.hub.url}/console/`, WIDE);
  await page.locator('[name=id]').fill(id);
  await page.locator('[name=password]').fill(password);
  await page.locator('button[type=submit]').click();
  await page.locator('.shell').waitFor();
  // Browsers let a page sound only after a gesture: the click above was one.
  if (path) await page.goto(`${hall.hub.url}/console/${path}`);
  return page;
}

beforeAll(async () => {
  robot = await WecomStandIn.start({ keys: ['duty-room', 'ga-head'] });
  sms = await TencentSmsStandIn.start({ ...TENCENT, templates: Object.fromEntries(Object.entries(TEMPLATES).map(([kind, id]) => [id, smsTemplateContent(kind as keyof typeof TEMPLATES)])) });
  hall = await startTestHall({
    seed: { ...demoCatalogue({ allDay: true }), supervision: { waitMinutes: 30, waitingCount: 4, pauseMinutes: 15, offlineMinutes: 5, checkBeforeOpeningMinutes: 30 } },
    supervisionSweepMs: 1_000,
    notify: {
      channels: [
        { id: 'duty-room', name: '值班群', kind: 'wecom-robot', webhook: robot.webhook('duty-room'), notices: ['wait-threshold', 'long-pause', 'device-fault', 'terminal-offline', 'devices-not-ready'] },
        { id: 'ga-head', name: '公安户籍负责人', kind: 'wecom-robot', webhook: robot.webhook('ga-head'), notices: ['bad-rating'], departments: ['公安户籍'] },
        { id: 'sms', name: '市民短信', kind: 'tencent-sms', ...TENCENT, endpoint: sms.endpoint, templates: TEMPLATES },
      ],
      // An SMS without an answer in 1 s pauses the channel a minute: long enough to be seen on the list.
      delivery: { timeoutMs: 1_000, baseDelayMs: 60_000 },
    },
  });
  const first = await fetch(`${hall.hub.url}/api/console/first-admin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ setupCode: hall.hub.setupCode, id: 'admin', name: '王管理', password: 'first-admin-pass-1' }),
  });
  expect(first.status).toBe(201);
  browser = await launchChromium();
  pair = await startPtyPair();
  printer = await PrinterSimulator.open(pair.device);
  const kiosk = await runKioskInBrowserMode(undefined, terminalEnv(hall, 'kiosk-1', { SERVICEHALL_PRINTER: pair.host, SERVICEHALL_KIOSK_PRINTER_POLL_MS: '250' }));
  const ratingPad = await runRatingPadInBrowserMode(undefined, terminalEnv(hall, 'pad-1', { SERVICEHALL_WINDOW: '1' }));
  stops.push(kiosk.stop, ratingPad.stop);
  pad = await openScreen(browser, ratingPad.screen.url, { width: 1280, height: 800 });
  supervisor = await signedIn('duty', await staffMember('duty', 'supervisor'), 'board');
  head = await signedIn('head-ga', await staffMember('head-ga', 'department-head', '公安户籍'));
});

afterAll(async () => {
  for (const stop of stops) await stop().catch(() => undefined);
  await browser?.close();
  await printer?.close();
  await pair?.close();
  await hall?.close();
  await robot?.close();
  await sms?.close();
});

describe('the live hall in the console', () => {
  it('raises a long queue as an alert, sounded, from which the supervisor opens a temporary window (H-16)', async () => {
    await supervisor.locator('[data-testid=board]').waitFor();
    const numbers: string[] = [];
    for (let i = 0; i < 4; i++) {
      const issued = await hall.api<{ number: string }>('POST', '/api/tickets', { serviceCode: 'CRJ-HZ-SL' });
      expect(issued.status).toBe(201);
      numbers.push(issued.body.number);
    }
    const alert = supervisor.locator('.alert-tray [data-testid=alert-wait-threshold]');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('有 4 人等候，达到设定的 4 人');
    expect(Number(await supervisor.locator('.alert-tray').getAttribute('data-chimes'))).toBeGreaterThanOrEqual(1);
    await expect.poll(() => supervisor.locator('[data-testid=board-item-CRJ-HZ-SL]').getAttribute('class')).toBe('over');
    await screenshot(supervisor, 'console-board-long-queue');
    await robot.waitFor(() => robot.messages.some((m) => m.robot === 'duty-room' && m.content.includes('候号时间过长')));
    expect(robot.messages.find((m) => m.content.includes('候号时间过长'))!.content).toContain('有4人等候，达到设定的4人');

    const number = alert.locator('input[aria-label=窗口号]');
    expect(await number.inputValue()).toBe('21');
    await number.fill('21');
    await alert.getByRole('button', { name: '开设临时窗口' }).click();
    await supervisor.getByText('已生效。临时窗口开设后').waitFor();
    expect(hall.hub.store.view.catalogue.windows.find((w) => w.number === 21)).toMatchObject({ serves: ['CRJ-HZ-SL'], temporary: hall.hub.store.view.day });
    await supervisor.locator('[data-testid=board-window-21]').waitFor();
    // The alert stands while the queue does: it now proposes the next free number, not the one just taken.
    await expect.poll(() => number.inputValue()).toBe('22');

    // A clerk of 出入境 opens the new window and calls: three wait, the alert is over and leaves the tray.
    expect((await hall.api('POST', '/api/windows/21/open', { clerk: '1004' })).status).toBe(200);
    expect((await hall.api('POST', '/api/windows/21/call-next')).status).toBe(200);
    await alert.waitFor({ state: 'detached' });
    await expect.poll(() => supervisor.locator('[data-testid=board-window-21]').textContent()).toContain(`已呼叫 ${numbers[0]}`);
  });

  it('says of an item whose only window is paused what the kiosk tells the citizen, not a wait', async () => {
    // 个人所得税汇算清缴咨询 is served at window 11 only.
    expect(hall.hub.store.view.catalogue.windows.filter((w) => w.serves.includes('SW-GS-HSQJ')).map((w) => w.number)).toEqual([11]);
    expect((await hall.api('POST', '/api/windows/11/open', { clerk: '1013' })).status).toBe(200);
    expect((await hall.api('POST', '/api/tickets', { serviceCode: 'SW-GS-HSQJ' })).status).toBe(201);
    const expected = supervisor.locator('[data-testid=board-item-SW-GS-HSQJ] td').nth(3);
    await expect.poll(() => expected.textContent()).toMatch(/^\d+ 分钟$/);
    expect((await hall.api('POST', '/api/windows/11/pause', { reason: '暂离' })).status).toBe(200);
    await expect.poll(() => expected.textContent()).toBe('暂无窗口办理，开放后按序叫号');
    expect((await hall.api('POST', '/api/windows/11/resume')).status).toBe(200);
    await expect.poll(() => expected.textContent()).toMatch(/^\d+ 分钟$/);
  });

  it('lists the hall’s notification channels and sends a test message through one', async () => {
    const channels = supervisor.locator('[data-testid=channels]');
    await channels.getByText('值班群').waitFor();
    expect(await channels.textContent()).toContain('企业微信群机器人');
    // At the console's smaller size (1366×768) the 部门 cell keeps 全部 and 公安户籍 on one line.
    await supervisor.setViewportSize({ width: 1366, height: 768 });
    const lines = (row: string) =>
      channels.locator('tr', { hasText: row }).locator('td').nth(3).evaluate((td) => {
        const range = document.createRange();
        range.selectNodeContents(td);
        return [td.textContent, new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size];
      });
    expect(await lines('值班群')).toEqual(['全部', 1]);
    expect(await lines('公安户籍负责人')).toEqual(['公安户籍', 1]);
    await supervisor.setViewportSize(WIDE);
    await channels.locator('tr', { hasText: '值班群' }).getByRole('button', { name: '发送测试消息' }).click();
    await supervisor.getByText('测试消息已交给渠道 值班群 发送').waitFor();
    await robot.waitFor(() => robot.messages.some((m) => m.robot === 'duty-room' && m.content.includes('测试')));
  });

  it('says on the channel list that the SMS channel is paused, until when and why, after an SMS that got no answer', async () => {
    sms.failNext({ kind: 'late' });
    const asked = await fetch(`${hall.hub.url}/api/phone/code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: '13800001111' }) });
    expect(asked.status).toBe(202);
    const paused = supervisor.locator('[data-testid=channel-paused-sms]');
    // The list is looked at again every 10 s.
    await paused.waitFor({ timeout: 20_000 });
    expect(await paused.textContent()).toMatch(/^暂停发送至 \d\d:\d\d:\d\d：短信服务商未应答，无法确认已发出的短信是否送达，到时自动继续。$/);
    expect(await supervisor.locator('[data-testid=channels] tr', { hasText: '市民短信' }).textContent()).toContain('结果不明（未重发） 1');
    await supervisor.locator('[data-testid=channels]').scrollIntoViewIfNeeded();
    await screenshot(supervisor, 'console-board-channel-paused');
  });

  it('shows a printer’s paper end on the board and the wall screen, and alerts it (H-04)', async () => {
    printer.device.set({ paperEnd: true });
    const tag = supervisor.locator('[data-testid=device-kiosk-1-printer]');
    await expect.poll(() => tag.textContent(), { timeout: 10_000 }).toContain('缺纸');
    await supervisor.locator('.alert-tray [data-testid=alert-device-fault]').waitFor();
    expect(await supervisor.locator('.alert-tray [data-testid=alert-device-fault]').textContent()).toContain('取号机的打印机：缺纸');
    await robot.waitFor(() => robot.messages.some((m) => m.robot === 'duty-room' && m.content.includes('缺纸')));
    // Each terminal as staff name it, its id small beside it.
    expect(await supervisor.locator('[data-testid=board-terminal-kiosk-1] td').first().textContent()).toBe('取号机 kiosk-1');
    expect(await supervisor.locator('[data-testid=board-terminal-pad-1] td').first().textContent()).toBe('1号窗口评价器 pad-1');
    await screenshot(supervisor, 'console-board-paper-end');
    await supervisor.goto(`${hall.hub.url}/console/board?wall`);
    await supervisor.locator('.board.wall').waitFor();
    expect(await supervisor.locator('.nav').count()).toBe(0);
    await expect.poll(() => supervisor.locator('[data-testid=device-kiosk-1-printer]').textContent()).toContain('缺纸');
    await screenshot(supervisor, 'console-board-wall');
    printer.device.set({ paperEnd: false, paperNearEnd: false });
    await supervisor.locator('.alert-tray [data-testid=alert-device-fault]').waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('names a kiosk whose printer port cannot be opened, and says which port and what to do, on the board and in the alert (H-04, H-17)', async () => {
    // A second kiosk whose USB adapter came back under another name: its configured port is gone.
    const gone = '/dev/servicehall-e2e-ttyUSB0';
    const kiosk = await runKioskInBrowserMode(undefined, terminalEnv(hall, 'kiosk-2', { SERVICEHALL_PRINTER: gone, SERVICEHALL_KIOSK_PRINTER_POLL_MS: '250' }));
    stops.push(kiosk.stop);
    await supervisor.setViewportSize({ width: 1366, height: 768 });
    await supervisor.goto(`${hall.hub.url}/console/board`);
    const alert = supervisor.locator('.alert-tray [data-testid=alert-device-fault]');
    await alert.waitFor({ timeout: 15_000 });
    const said = `串口 ${gone} 不存在：请检查设备是否插好、通电；USB 转串口重插后名称可能改变`;
    // Two kiosks now: each by its number, as the board lists them.
    expect(await alert.locator('.alert-text').textContent()).toMatch(new RegExp(`^取号机 2的打印机：未连接。${said}.*/dev/serial/by-id/ 下的固定名称。$`));
    expect(await supervisor.locator('[data-testid=board-terminal-kiosk-2] td').first().textContent()).toBe('取号机 2 kiosk-2');
    expect(await supervisor.locator('[data-testid=device-kiosk-2-printer]').textContent()).toBe('打印机 未连接');
    expect(await supervisor.locator('[data-testid=device-detail-kiosk-2-printer]').textContent()).toContain(said);
    await robot.waitFor(() => robot.messages.some((m) => m.robot === 'duty-room' && m.content.includes('取号机 2的打印机离线：')));
    expect(robot.messages.find((m) => m.content.includes('取号机 2的打印机离线：'))!.content).toContain(said);
    await screenshot(supervisor, 'console-board-port-gone-1366');
    // Beside the long detail, each terminal's name and its link stay on one line.
    for (const row of ['kiosk-2', 'pad-1'])
      for (const cell of [0, 1]) {
        const spread = await supervisor.locator(`[data-testid=board-terminal-${row}] td`).nth(cell).evaluate((td) => {
          const range = document.createRange();
          range.selectNodeContents(td);
          // The id beside the name is smaller type: its box starts a few pixels lower on the same line.
          const tops = [...range.getClientRects()].map((r) => r.top);
          return Math.max(...tops) - Math.min(...tops);
        });
        expect(spread, `${row} cell ${cell}`).toBeLessThan(10);
      }
    await supervisor.locator('[data-testid=board-terminal-kiosk-2]').scrollIntoViewIfNeeded();
    await screenshot(supervisor, 'console-board-port-gone-terminals-1366');
    // Inside window 1's own tile its pad is 评价器, the tile saying the window already; the board's terminal list keeps the full name.
    const tileTags = await supervisor.locator('[data-testid=board-window-1] .tag').allTextContents();
    expect(tileTags).toContain('评价器 在线');
    expect(tileTags.join(' ')).not.toContain('1号窗口');
    expect(await supervisor.locator('[data-testid=board-terminal-pad-1] td').first().textContent()).toBe('1号窗口评价器 pad-1');
    await supervisor.locator('[data-testid=board-window-1]').scrollIntoViewIfNeeded();
    await screenshot(supervisor, 'console-board-window-tiles-1366');
    // The Terminals page says the same of the printer as the board, in the same words.
    await supervisor.getByRole('link', { name: '终端', exact: true }).click();
    const listed = supervisor.locator('[data-testid=hall-token-kiosk-2]');
    await listed.waitFor();
    // By the board's name for it (two kiosks: 取号机 2), its id after.
    expect(await listed.textContent()).toMatch(/^取号机 2 kiosk-2/);
    expect(await listed.locator('[data-testid=device-ticket-printer]').textContent()).toBe('打印机 未连接');
    expect(await listed.locator('[data-testid=device-detail-ticket-printer]').textContent()).toContain(said);
    await listed.scrollIntoViewIfNeeded();
    await screenshot(supervisor, 'console-terminals-port-gone-1366');
    await supervisor.goto(`${hall.hub.url}/console/board`);
    await supervisor.setViewportSize(WIDE);
  });

  it('keeps a kiosk on the hall token that drops off on the board, offline with when it was last heard; the administrator removes it (H-04)', async () => {
    const old = await TestTerminal.connect(hall.hub.wsUrl, { role: 'kiosk', terminal: 'kiosk-9', token: HALL_TOKEN });
    const row = supervisor.locator('[data-testid=board-terminal-kiosk-9]');
    await row.locator('.state.online').waitFor({ timeout: 10_000 });
    old.close();
    // Before, it vanished from the board: no one saw that a kiosk had gone.
    await row.locator('.state.offline').waitFor({ timeout: 10_000 });
    expect(await row.locator('.state').textContent()).toMatch(/^离线 · 最近联系 \d{2}\/\d{2} \d{2}:\d{2}$/);
    await row.scrollIntoViewIfNeeded();
    await screenshot(supervisor, 'console-board-hall-token-offline');
    const admin = await signedIn('admin', 'first-admin-pass-1', 'terminals');
    const listed = admin.locator('[data-testid=hall-token-kiosk-9]');
    await listed.locator('.state.offline').waitFor();
    await listed.scrollIntoViewIfNeeded();
    await screenshot(admin, 'console-terminals-hall-token-offline');
    admin.once('dialog', (d) => void d.accept());
    await listed.getByRole('button', { name: '移除' }).click();
    await listed.waitFor({ state: 'detached' });
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    await admin.close();
  });

  it('takes a pad’s 非常不满意 to the department head’s console and their WeChat Work robot at once (N-03)', async () => {
    expect((await hall.api('POST', '/api/windows/1/open', { clerk: '1001' })).status).toBe(200);
    const issued = await hall.api<{ number: string }>('POST', '/api/tickets', { serviceCode: 'GA-SFZ-HL' });
    for (const step of ['call-next', 'start', 'finish']) expect((await hall.api('POST', `/api/windows/1/${step}`)).status).toBe(200);
    await expect.poll(() => pad.locator('[data-testid=pad]').getAttribute('data-phase')).toBe('asking');
    await pad.click('[data-testid=level-very-dissatisfied]');

    const alert = head.locator('.alert-tray [data-testid=alert-bad-rating]');
    await alert.waitFor();
    expect(await alert.textContent()).toContain(`${issued.body.number}`);
    expect(await alert.textContent()).toContain('非常不满意');
    expect(Number(await head.locator('.alert-tray').getAttribute('data-chimes'))).toBeGreaterThanOrEqual(1);
    await robot.waitFor(() => robot.messages.some((m) => m.robot === 'ga-head'));
    expect(robot.messages.filter((m) => m.robot === 'ga-head')).toEqual([{ robot: 'ga-head', msgtype: 'markdown', content: expect.stringContaining('非常不满意') }]);
    await screenshot(head, 'console-bad-rating-head');

    await alert.getByRole('button', { name: '知道了' }).click();
    await alert.waitFor({ state: 'detached' });
    expect([...hall.hub.store.view.alerts.values()].find((a) => a.subject.kind === 'bad-rating')?.acknowledged?.by).toMatchObject({ id: 'head-ga', role: 'department-head' });
    // The hall's supervisors see it on their board, acknowledged by the head.
    await expect.poll(() => supervisor.locator('.board [data-testid=alert-bad-rating]').textContent()).toContain('赵科长 已确认');
  });
});
