import { addCalendarDays, hallDay } from '@servicehall/core';
import { cityTerminals, createLogger, HallStore, HallTokenTerminals, openDatabase, TerminalCredentials, terminalPresence, useLogger } from '@servicehall/hub';
import { busyHall, generateHistory, hallKeyOf } from '@servicehall/hub/testing';
import { cityReport, followAlerts, Shipper, cityHooks, type CityEvent } from '@servicehall/upstream';
import { postgresMissing, startTestPostgres, type TestPostgres } from '@servicehall/upstream/testing';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createAccount } from '../apps/city/src/server/accounts';
import { startCity, type HallSummary, type RunningCity } from '../apps/city/src/server/server';
import { consoleAsFirstAdmin, launchChromium, openScreen, screenshot, startTestHall } from './harness';

const missing = postgresMissing();
if (missing) console.warn(`skipping the city view: ${missing}`);

const PASSWORD = 'city-test-password';

describe.skipIf(!!missing)('the city view', () => {
  let pgCity: TestPostgres;
  let city: RunningCity;
  let browser: Browser | undefined;
  const dirs: string[] = [];
  const today = hallDay(Date.now(), 'Asia/Shanghai');
  // The histories end today when today is a working day (else on the last one before it).
  let workedToday = false;

  beforeAll(async () => {
    pgCity = await startTestPostgres();
    // Two halls, each with days of its own up to today, shipped as their hubs would.
    for (const [hall, name, days, perDay, seed] of [
      ['330106-01', '西湖区政务服务中心', 3, 300, 1],
      ['330106-02', '北山街道便民服务中心', 2, 200, 5],
    ] as const) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `servicehall-city-${hall}-`));
      dirs.push(dir);
      const catalogue = busyHall();
      const summary = generateHistory({ dataDir: dir, days, ticketsPerDay: perDay, seed, lastDay: today, catalogue: { ...catalogue, hall: { ...catalogue.hall, name } } });
      workedToday = summary.lastDay === today;
      // The hall's terminals, enrolled at its hub: two kiosks and window 3's rating pad.
      const db = openDatabase(dir);
      const credentials = new TerminalCredentials(db);
      for (const who of [{ role: 'kiosk', terminal: 'kiosk-1' }, { role: 'kiosk', terminal: 'kiosk-2' }, { role: 'rating-pad', terminal: 'pad-3', window: 3 }] as const) credentials.issue(who, 'admin', Date.now());
      const store = new HallStore(db, () => Date.now(), hallKeyOf(dir));
      if (hall === '330106-01') {
        // The first hall has since dropped an item it served (意见建议及投诉受理): its rows keep the item's code.
        const next = structuredClone(store.view.catalogue);
        next.items = next.items.filter((i) => i.code !== 'ZX-YJ-TS');
        for (const w of next.windows) w.serves = w.serves.filter((code) => code !== 'ZX-YJ-TS');
        expect(store.execute({ id: 'drop-an-item', type: 'replaceCatalogue', catalogue: next }, { role: 'admin', terminal: 'console' }).answer).toMatchObject({ ok: true });
      }
      // The list the hub says to its shipper, as its console's board shows it.
      const terminals = cityTerminals(store.view, terminalPresence(credentials, [], Date.now(), new HallTokenTerminals(db)));
      store.writeFacts();
      db.close();
      const shipper = new Shipper({ databaseFile: path.join(dir, 'hall.db'), url: pgCity.url, hall, idleMs: 50, terminals }, undefined, cityHooks());
      const run = shipper.run();
      while (shipper.status.state !== 'caught-up') await new Promise((r) => setTimeout(r, 50));
      await shipper.stop();
      await run;
    }
    const client = new pg.Client(pgCity.url);
    await client.connect();
    // The first hall's supervisors' alerts: two raised, one of them handled.
    const alert = (seq: number, type: string, body: Record<string, unknown>): CityEvent => ({ seq, at: Date.now() - 600_000 + seq, type, body });
    await followAlerts(client, '330106-01', [
      alert(1, 'alert.raised', { id: 'wait-1', key: 'wait|A', subject: { kind: 'wait-threshold', serviceCode: 'A', item: '社保', waiting: 31, longestMinutes: 48, thresholdMinutes: 30 } }),
      alert(2, 'alert.raised', { id: 'bad-1', key: 'bad|3', subject: { kind: 'bad-rating', window: 3, level: 'very-dissatisfied', ticket: 'A031', item: '社保' } }),
      alert(3, 'alert.acknowledged', { id: 'bad-1' }),
      alert(4, 'alert.raised', { id: 'printer-1', key: 'device|kiosk-2', subject: { kind: 'device-fault', terminal: 'kiosk-2', device: 'printer', fault: 'offline', detail: '串口 /dev/ttyUSB0 不存在：请检查设备是否插好、通电' } }),
      alert(5, 'alert.raised', { id: 'offline-1', key: 'offline|pad-3', subject: { kind: 'terminal-offline', terminal: 'pad-3', minutes: 12 } }),
      // A terminal the hall's hub did not say: named by its id.
      alert(6, 'alert.raised', { id: 'offline-2', key: 'offline|pad-9', subject: { kind: 'terminal-offline', terminal: 'pad-9', minutes: 7 } }),
    ]);
    await createAccount(client, { id: 'city-supervisor', name: '市政务办 王主任', role: 'city' }, PASSWORD);
    await createAccount(client, { id: 'hall-01-admin', name: '西湖区 李管理员', role: 'hall', hall: '330106-01' }, PASSWORD);
    await client.end();
    city = await startCity({ databaseUrl: pgCity.url });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await city?.close();
    pgCity?.destroy();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  const signIn = async (id: string, password = PASSWORD) => {
    const res = await fetch(`${city.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, password }) });
    return { status: res.status, cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]! };
  };
  /** The city's supervisor signed in to the view in Chromium at a 1920×1080 desk screen. */
  const supervisorAtDesk = async () => {
    browser ??= await launchChromium();
    const page = await openScreen(browser, city.url, { width: 1920, height: 1080 });
    await page.fill('input[name=id]', 'city-supervisor');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    return page;
  };
  const get = async (cookie: string, route: string) => {
    const res = await fetch(`${city.url}${route}`, { headers: { cookie } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it("shows the city's supervisors every hall's day, equal to that hall's report on the city's copy", async () => {
    expect((await get('', '/api/halls')).status).toBe(401);
    expect((await signIn('city-supervisor', 'wrong-password-here')).status).toBe(401);
    const { status, cookie } = await signIn('city-supervisor');
    expect(status).toBe(200);
    const halls = (await get(cookie, '/api/halls')).body.halls as HallSummary[];
    expect(halls.map((h) => h.hall)).toEqual(['330106-01', '330106-02']);
    const client = new pg.Client(pgCity.url);
    await client.connect();
    try {
      for (const h of halls) {
        const own = (await cityReport(client, h.hall, { breakdown: 'hall', from: today, to: today })).total;
        expect(h.today.issued).toBe(own.issued);
        if (workedToday) expect(h.today.issued).toBeGreaterThan(100);
        expect(h.today.satisfactionRate).toBe(own.satisfactionRate);
        expect(h.behindEvents).toBe(0);
      }
    } finally {
      await client.end();
    }
    expect(halls.find((h) => h.hall === '330106-01')!.unhandledAlerts).toBe(4);
    const detail = await get(cookie, '/api/halls/330106-02?breakdown=window');
    expect(detail.status).toBe(200);
    expect((detail.body.report as { rows: unknown[] }).rows.length).toBeGreaterThan(1);
  });

  it("shows a hall's administrator that hall only", async () => {
    const { cookie } = await signIn('hall-01-admin');
    const halls = (await get(cookie, '/api/halls')).body.halls as HallSummary[];
    expect(halls.map((h) => h.hall)).toEqual(['330106-01']);
    expect((await get(cookie, '/api/halls/330106-02')).status).toBe(403);
    const own = await get(cookie, '/api/halls/330106-01?breakdown=item');
    expect(own.status).toBe(200);
    expect((own.body.alerts as { id: string }[]).map((a) => a.id).sort()).toEqual(['offline-1', 'offline-2', 'printer-1', 'wait-1']);
  });

  it('looks right in Chinese and English at a desk screen', async () => {
    browser = await launchChromium();
    const page = await openScreen(browser, city.url, { width: 1366, height: 768 });
    await page.fill('input[name=id]', 'city-supervisor');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=halls] tr[data-hall="330106-02"]');
    expect(await page.textContent('[data-testid=halls]')).toContain('满意率');
    await screenshot(page, 'city-halls');
    await page.click('tr[data-hall="330106-01"] button');
    await page.waitForSelector('[data-testid=report] tr.total');
    // Each alert says what happened, in the words of the hall's notices: which item, how many wait, for how long.
    const alerts = await page.textContent('[data-testid=alerts]');
    expect(alerts).toContain('等候超时');
    expect(alerts).toContain('社保有31人等候，最长已等48分钟，超过设定的30分钟');
    // Each terminal as the hall's console names it; before, the city said kiosk-2 and pad-3.
    expect(alerts).toContain('取号机 2');
    expect(alerts).toContain('3号窗口评价器');
    expect(alerts).not.toMatch(/kiosk-2|pad-3/);
    expect(alerts).toContain('pad-9');
    // The report's rows by window as the hall says them (before: a bare 1, 2, 3).
    expect(await page.textContent('[data-testid=report]')).toMatch(/1号窗口[\s\S]*2号窗口/);
    await screenshot(page, 'city-hall');
    // The report by item names each item as the hall's console does (before: GA-SFZ-HL); one the hall dropped keeps its code.
    await page.selectOption('.controls select', 'item');
    await page.waitForSelector('[data-testid=report] td:has-text("居民身份证换领")');
    const byItem = await page.textContent('[data-testid=report]');
    expect(byItem).toContain('社会保障卡申领');
    expect(byItem).not.toContain('GA-SFZ-HL');
    expect(byItem).toContain('ZX-YJ-TS');
    // Rows of no item (pauses, lapsed cases) as the console says them.
    expect(byItem).toContain('（无事项）');
    // Each row's department beside its item, as the console shows them (the rows of no item are one a department).
    expect(await page.locator('[data-testid=report] tr', { hasText: '居民身份证换领' }).locator('td').nth(1).textContent()).toBe('公安户籍');
    await screenshot(page, 'city-hall-items');
    await page.click('header button:has-text("English")');
    await page.waitForSelector('text=Unhandled alerts');
    const byItemEn = await page.textContent('[data-testid=report]');
    expect(byItemEn).toContain('Renewal of Resident Identity Card');
    expect(byItemEn).not.toContain('GA-SFZ-HL');
    expect(byItemEn).toContain('ZX-YJ-TS');
    await screenshot(page, 'city-hall-items-en');
    await page.selectOption('.controls select', 'window');
    await page.waitForSelector('[data-testid=report] td:has-text("Window 1")');
    expect(await page.textContent('[data-testid=alerts]')).toContain('社保: 31 waiting, the longest for 48 min');
    expect(await page.textContent('[data-testid=alerts]')).toContain('Kiosk 2');
    expect(await page.textContent('[data-testid=report]')).toContain('Window 1');
    await screenshot(page, 'city-hall-en');
    const admin = await openScreen(browser, city.url, { width: 1366, height: 768 });
    await admin.fill('input[name=id]', 'hall-01-admin');
    await admin.fill('input[name=password]', PASSWORD);
    await admin.click('button[type=submit]');
    await admin.waitForSelector('[data-testid=report]');
    // The hall's administrator lands on the hall, with no way back to the city's list.
    expect(await admin.isVisible('text=返回全市')).toBe(false);
    await screenshot(admin, 'city-hall-admin');
  }, 120_000);

  it('tells one who got the password wrong three times, in Chinese, that the account is locked for now and for how long', async () => {
    await createAccount(city.pool, { id: 'hall-02-admin', name: '北山街道 赵管理员', role: 'hall', hall: '330106-02' }, PASSWORD);
    browser ??= await launchChromium();
    const page = await openScreen(browser, city.url, { width: 1920, height: 1080 });
    await page.fill('input[name=id]', 'hall-02-admin');
    // Each try waits for the server's answer: the words of the first wrong one stay on the page, and the right
    // password sent before the third wrong one was answered would sign in (and clear the count) instead.
    const answered = () => page.waitForResponse((r) => new URL(r.url()).pathname === '/api/login');
    for (let i = 0; i < 3; i++) {
      await page.fill('input[name=password]', `guess-number-${i}`);
      const answer = answered();
      await page.click('button[type=submit]');
      expect((await answer).status()).toBe(401);
      await page.waitForSelector('text=账号或密码不正确');
    }
    // The right password now, while the lock holds: refused without being tried, and said so.
    await page.fill('input[name=password]', PASSWORD);
    const locked = answered();
    await page.click('button[type=submit]');
    expect((await locked).status()).toBe(429);
    await page.waitForSelector('text=已暂时锁定');
    expect(await page.textContent('.login .notice')).toMatch(/请在 \d+ 秒后再试/);
    expect(await page.isVisible('[data-testid=halls]')).toBe(false);
    await screenshot(page, 'city-login-locked');
  }, 60_000);

  it("marks a hall the city has not heard from for a while, rather than call its stale figures 已同步", async () => {
    // The second hall's hub went quiet two hours ago (its network down, its PC off); it had shipped everything it had.
    await city.pool.query("UPDATE halls SET hall_seen_at = now() - interval '2 hours' WHERE hall = '330106-02'");
    const { cookie } = await signIn('city-supervisor');
    const halls = (await get(cookie, '/api/halls')).body.halls as HallSummary[];
    expect(halls.find((h) => h.hall === '330106-02')).toMatchObject({ behindEvents: 0, unheardSeconds: expect.any(Number) });
    expect(halls.find((h) => h.hall === '330106-02')!.unheardSeconds!).toBeGreaterThan(7000);
    expect(halls.find((h) => h.hall === '330106-01')!.unheardSeconds!).toBeLessThan(300);
    const page = await supervisorAtDesk();
    await page.waitForSelector('[data-testid=halls] tr[data-hall="330106-02"]');
    // Before: 已同步, as for a hall heard from a minute ago.
    const quiet = await page.textContent('tr[data-hall="330106-02"]');
    expect(quiet).toContain('以来未收到该大厅的消息');
    expect(quiet).not.toContain('已同步');
    expect(await page.textContent('tr[data-hall="330106-01"]')).toContain('已同步');
    // Before: listed by code, the silent hall after the first; now first, saying why.
    expect(await page.locator('[data-testid=halls] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-hall')))).toEqual(['330106-02', '330106-01']);
    expect(await page.textContent('tr[data-hall="330106-02"] [data-testid=attention]')).toMatch(/^排在前面：已 2 小时( \d 分钟)?未收到该大厅的消息，请联系该大厅查看主机和网络$/);
    expect(await page.textContent('tr[data-hall="330106-01"] [data-testid=attention]')).toBe('排在前面：4 条提醒未处理');
    await screenshot(page, 'city-halls-unheard');
    await page.click('header button.link >> text=English');
    // Before: 2026/12/7 19:45:53 on the English page.
    await expect.poll(() => page.textContent('tr[data-hall="330106-02"] td.warn')).toMatch(/^Not heard from since \d{1,2}\/\d{1,2}\/\d{4}, \d{2}:\d{2}:\d{2}:/);
    expect(await page.textContent('tr[data-hall="330106-02"] [data-testid=attention]')).toMatch(/^Listed first: not heard from for 2 h( \d min)?; call the hall to look at its hub and network$/);
    await screenshot(page, 'city-halls-unheard-en');
    await page.click('header button.link >> text=中文');
  }, 60_000);

  it("says a hall whose hub's clock is hours off, whose figures of today are then not the city's today", async () => {
    const { cookie } = await signIn('city-supervisor');
    const summaries = async () => (await get(cookie, '/api/halls')).body.halls as HallSummary[];
    // As the shippers measured it (this machine's one clock): none off.
    for (const h of await summaries()) expect(Math.abs(h.clockAheadSeconds!)).toBeLessThan(5);
    // The second hall's hub PC runs 3 h 5 min slow (a dead CMOS battery, time sync off), as its shipper said.
    await city.pool.query("UPDATE halls SET hall_clock_ahead_ms = -11100000 WHERE hall = '330106-02'");
    try {
      expect((await summaries()).find((h) => h.hall === '330106-02')!.clockAheadSeconds).toBe(-11_100);
      const page = await supervisorAtDesk();
      await page.waitForSelector('tr[data-hall="330106-02"] [data-testid=clock-off]');
      // Before, nothing: its figures of today were simply 0 or wrong.
      expect(await page.textContent('tr[data-hall="330106-02"] [data-testid=clock-off]')).toBe(
        '该大厅主机的时钟比市里慢 3 小时 5 分钟：大厅按主机的日期和时间统计，今日数字可能为 0 或不准。请校准大厅主机的时间（开启自动对时）。',
      );
      expect(await page.locator('tr[data-hall="330106-01"] [data-testid=clock-off]').count()).toBe(0);
      await screenshot(page, 'city-halls-clock-off');
    } finally {
      await city.pool.query("UPDATE halls SET hall_clock_ahead_ms = 0 WHERE hall = '330106-02'");
    }
  }, 60_000);

  it("says so on the hall's own console and at the city when a real hub's clock is hours off, measured through its shipper", async () => {
    // A third hall whose hub PC runs 3 h 5 min slow, shipping to the city through its worker as a hall runs it.
    const logged: string[] = [];
    onTestFinished(useLogger(createLogger({ level: 'info', destination: { write: (line: string) => void logged.push(line) } })));
    const slow = await startTestHall({ clock: () => Date.now() - 11_100_000, upstream: { url: pgCity.url, hall: '330106-09', firstRetryMs: 200, maxRetryMs: 1_000 } });
    try {
      browser ??= await launchChromium();
      const console = await consoleAsFirstAdmin(slow, browser, { width: 1440, height: 900 });
      await console.goto(`${slow.hub.url}/console/`);
      const said = console.locator('[data-testid=hub-clock-off]');
      // Before: nothing, on the console or at the city; the hall's figures of today were 0 at the city.
      await expect.poll(() => said.count(), { timeout: 20_000 }).toBe(1);
      expect(await said.textContent()).toBe('本大厅主机的时钟比市级平台慢 3 小时 5 分钟：取号、叫号、工作日和统计都按主机的时钟，请校准主机时间（开启自动对时），市级平台的今日数字才会准确。');
      await said.scrollIntoViewIfNeeded();
      await screenshot(console, 'console-overview-hub-clock-off');
      const { cookie } = await signIn('city-supervisor');
      const third = ((await get(cookie, '/api/halls')).body.halls as HallSummary[]).find((h) => h.hall === '330106-09');
      expect(Math.abs(third!.clockAheadSeconds! + 11_100)).toBeLessThanOrEqual(5);
      // And its log says it once, in both languages, with what to do.
      const clockLines = () => logged.map((l) => JSON.parse(l) as { msg: string; clockAheadMs?: number }).filter((l) => l.clockAheadMs !== undefined);
      expect(clockLines()).toHaveLength(1);
      expect(clockLines()[0]!.msg).toMatch(/^本主机的时钟比市级平台的数据库慢 3 小时 5 分钟：[^]*本大厅（330106-09）[^]*请校准本机时间[^]*\nthis hub's clock is 3 h 5 min slow against the city's database/);
    } finally {
      await slow.close();
    }
  }, 90_000);

  it('says a period it will not take by the dates, and keeps them there to be put right', async () => {
    const page = await supervisorAtDesk();
    await page.click('tr[data-hall="330106-01"] button');
    await page.waitForSelector('[data-testid=report] tr.total');
    // The first day after the last, as a supervisor picks it in the date field.
    await page.locator('.controls input[type=date]').first().fill(addCalendarDays(today, 3));
    await page.waitForSelector('[data-testid=bad-period]');
    // Before: the whole page gave way to 市级数据库暂时无法连接，请稍后刷新, dates and all.
    expect(await page.textContent('[data-testid=bad-period]')).toContain('开始日期不能晚于结束日期');
    expect(await page.isVisible('text=市级数据库暂时无法连接')).toBe(false);
    expect(await page.isVisible('[data-testid=report] tr.total')).toBe(true);
    await screenshot(page, 'city-hall-bad-period');
    // Put right, the notice goes and the report is the period's.
    await page.locator('.controls input[type=date]').first().fill(addCalendarDays(today, -2));
    await page.waitForSelector('[data-testid=bad-period]', { state: 'detached' });
  }, 60_000);

  it('sends one whose session has lasted 12 hours back to the sign-in page, saying so, though the tab kept asking', async () => {
    const page = await supervisorAtDesk();
    await page.waitForSelector('[data-testid=halls] tr[data-hall="330106-01"]');
    // Signed in twelve hours ago, the view asking every 30 s since.
    await city.pool.query("UPDATE city_sessions SET created_at = now() - interval '12 hours 1 minute', last_seen = now()");
    await page.click('tr[data-hall="330106-01"] button');
    // Before: 市级数据库暂时无法连接 (or, polling, the session never ended at all).
    await page.waitForSelector('[data-testid=session-ended]');
    expect(await page.textContent('[data-testid=session-ended]')).toContain('会话已过期，请重新登录');
    expect(await page.isVisible('input[name=password]')).toBe(true);
    await screenshot(page, 'city-session-ended');
    await page.fill('input[name=id]', 'city-supervisor');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=report] tr.total');
    expect(await page.isVisible('[data-testid=session-ended]')).toBe(false);
  }, 60_000);

  it("tells a hall's administrator whose hall has not shipped yet that it has not, not that the city's database is down", async () => {
    // A street hall's administrator, made before the hall's hub was set up to ship (or with its code typed otherwise there).
    await createAccount(city.pool, { id: 'hall-05-admin', name: '转塘街道 钱管理员', role: 'hall', hall: '330106-05' }, PASSWORD);
    browser ??= await launchChromium();
    const page = await openScreen(browser, city.url, { width: 1920, height: 1080 });
    await page.fill('input[name=id]', 'hall-05-admin');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    // Before: 市级数据库暂时无法连接，请稍后刷新, which sent the hall to the city's database people.
    await page.waitForSelector('[data-testid=hall-not-shipped]');
    expect(await page.textContent('[data-testid=hall-not-shipped]')).toMatch(/^市级平台还没有收到大厅 330106-05 的数据[^]*SERVICEHALL_UPSTREAM_HALL=330106-05/);
    expect(await page.isVisible('text=市级数据库暂时无法连接')).toBe(false);
    await screenshot(page, 'city-hall-not-shipped');
  }, 60_000);

  it("keeps a hall administrator's view of the hall up to date while it stays open, through the city's database going away and back", async () => {
    browser ??= await launchChromium();
    // The view's timers on the page's own clock, so that its half-minutes pass at once.
    const page = await openScreen(browser, city.url, { width: 1920, height: 1080 }, { clockOffMs: 0 });
    await page.fill('input[name=id]', 'hall-01-admin');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=report] tr.total');
    const asked = () => page.waitForResponse((r) => new URL(r.url()).pathname === '/api/halls/330106-01');
    pgCity.stop();
    try {
      let answer = asked();
      await page.clock.runFor(31_000);
      expect((await answer).status()).toBe(503);
      // Before: the view never asked again, its figures of the morning shown all day as if they were now.
      await page.waitForSelector('[data-testid=city-unavailable]');
      await screenshot(page, 'city-hall-database-down');
      pgCity.start();
      answer = asked();
      await page.clock.runFor(31_000);
      expect((await answer).status()).toBe(200);
      await page.waitForSelector('[data-testid=report] tr.total');
      expect(await page.isVisible('[data-testid=city-unavailable]')).toBe(false);
    } finally {
      if (!pgCity.running()) pgCity.start();
    }
  }, 90_000);

  it("says the city's database cannot be reached, not that the password is wrong, while it is down, and goes on once it is back", async () => {
    browser ??= await launchChromium();
    const signedIn = await supervisorAtDesk();
    await signedIn.waitForSelector('[data-testid=halls] tr[data-hall="330106-01"]');
    pgCity.stop();
    try {
      // One who opens the view meanwhile, signed in before: before, the sign-in page, as if signed out.
      const reopened = await openScreen(browser, city.url, { width: 1920, height: 1080 });
      await reopened.context().addCookies(await signedIn.context().cookies());
      await reopened.reload();
      await reopened.waitForSelector('[data-testid=city-unavailable]');
      expect(await reopened.isVisible('input[name=password]')).toBe(false);
      // One who signs in meanwhile: before, 账号或密码不正确，请核对后重试 for the right password.
      const page = await supervisorAtDesk();
      await page.waitForSelector('.login [data-testid=city-unavailable]');
      expect(await page.textContent('.login [data-testid=city-unavailable]')).toContain('市级数据库暂时无法连接');
      expect(await page.isVisible('text=账号或密码不正确')).toBe(false);
      await screenshot(page, 'city-login-database-down');
      pgCity.start();
      // Back: the view that waited signs in by itself with the session it had, and shows the halls.
      await reopened.waitForSelector('[data-testid=halls] tr[data-hall="330106-01"]', { timeout: 20_000 });
      await page.click('button[type=submit]');
      await page.waitForSelector('[data-testid=halls] tr[data-hall="330106-01"]');
    } finally {
      if (!pgCity.running()) pgCity.start();
    }
  }, 90_000);
});
