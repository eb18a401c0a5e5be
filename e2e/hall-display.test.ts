import { demoCatalogue } from '@servicehall/fixtures';
import { startHub, type RunningHub } from '@servicehall/hub';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHallDisplayInBrowserMode } from '../apps/hall-display/src/main/browser';
import { HALL_TOKEN, launchChromium, openScreen, screenshot } from './harness';

/**
 * The hall screen against a hub of its own on a fixed port, so that the hub can be stopped and a new
 * one started on the same data folder and port, as when the hall's server restarts.
 */
let dir: string;
let port: number;
let hub: RunningHub;
let browser: Browser;
let page: Page;
let display: Awaited<ReturnType<typeof runHallDisplayInBrowserMode>>;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const startOurHub = () => {
  const catalogue = demoCatalogue({ allDay: true });
  // Recalls at once, so that a burst can hold calls and recalls.
  catalogue.queue.recallCooldownSeconds = 0;
  return startHub({ dataDir: path.join(dir, 'hub'), token: HALL_TOKEN, seed: catalogue, port });
};

async function api<T = { ok: boolean; seq: number; ticket?: { number: string; window?: number } }>(method: string, route: string, body?: unknown) {
  const res = await fetch(hub.url + route, {
    method,
    headers: { authorization: `Bearer ${HALL_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as T;
  if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const text = (testid: string) => page.locator(`[data-testid=${testid}]`).textContent();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-hall-display-'));
  port = await freePort();
  hub = await startOurHub();
  browser = await launchChromium();
  display = await runHallDisplayInBrowserMode(undefined, {
    SERVICEHALL_HUB_URL: hub.wsUrl,
    SERVICEHALL_TOKEN: HALL_TOKEN,
    SERVICEHALL_TERMINAL: 'hall-display',
    SERVICEHALL_TERMINAL_DATA: path.join(dir, 'terminals', 'hall-display'),
    // The real pace, shortened: a chime, a gap, and the caption held while the voice would speak.
    SERVICEHALL_ANNOUNCE_GAP_MS: '10',
    SERVICEHALL_CHIME_MS: '20',
    SERVICEHALL_CAPTION_MS: '40',
  });
  page = await openScreen(browser, display.screen.url, { width: 1920, height: 1080 });
});
afterAll(async () => {
  await display?.stop();
  await browser?.close();
  await hub?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the hall screen in Chromium', () => {
  it('shows a call the moment a window makes it, with the waiting, the notices and the complaint channels', async () => {
    await expect.poll(() => text('latest-call')).toContain('您好！很高兴为您服务');
    await api('POST', '/api/windows/3/open', { clerk: '1005' });
    for (let i = 0; i < 3; i++) await api('POST', '/api/tickets', { serviceCode: 'CRJ-HZ-SL' });
    const called = await api('POST', '/api/windows/3/call-next');
    await expect.poll(() => text('latest-call')).toContain(`${called.ticket!.number}请到3号窗口`);
    await expect.poll(() => text('waiting')).toMatch(/普通护照申领2 人 · (约 \d+ 分钟|\d+–\d+ 分钟)/);
    expect(await text('complaint')).toContain('12345');
    expect(await text('complaint')).toContain('15号窗口 综合咨询台');
    expect(await text('notices')).toContain('老年人、残疾人、军人、孕妇可走绿色通道');
    // H-19: numbers only; the clerk who called is not named.
    const clerk = demoCatalogue().clerks.find((c) => c.number === '1005')!;
    expect(await page.locator('body').textContent()).not.toContain(clerk.name);
  });

  it('announces a burst of 10 calls from 5 windows in call order, each with its own ticket and window', async () => {
    // Headless Chromium has speechSynthesis but no voice: the screen falls back and says so.
    await expect.poll(() => page.locator('main').getAttribute('data-voice')).not.toBe('deciding');
    const voice = await page.locator('main').getAttribute('data-voice');
    const windows = [1, 2, 5, 6, 7];
    // Each window its own clerk (window 3's clerk 1005 is signed in from the first test).
    for (const w of windows) await api('POST', `/api/windows/${w}/open`, { clerk: String(1005 + w) });
    for (const code of ['GA-SFZ-HL', 'GA-SFZ-HL', 'RS-SBK-SL', 'YB-GX-ZY', 'SJ-QY-SL']) await api('POST', '/api/tickets', { serviceCode: code });
    const before = display.announcements.list().length;
    // Every caption the screen shows is kept with the board it stood beside.
    await page.evaluate(() => {
      const seen: { seq: number; caption: string }[] = [];
      (window as unknown as { captions: typeof seen }).captions = seen;
      new MutationObserver(() => {
        const caption = (document.querySelector('[data-testid=caption]')?.textContent ?? '').replace('正在呼叫', '');
        seen.push({ seq: Number(document.querySelector('main')?.getAttribute('data-seq') ?? 0), caption });
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });

    // Five windows call at once, then recall at once: ten calls in well under 200 ms.
    const calls = await Promise.all(windows.map((w) => api('POST', `/api/windows/${w}/call-next`)));
    const recalls = await Promise.all(windows.map((w) => api('POST', `/api/windows/${w}/recall`)));
    // The hub's sequence is the call order; a recall names the ticket its window called.
    const expected = [...calls, ...recalls]
      .map((answer, i) => ({ seq: answer.seq, ticket: calls[i % 5]!.ticket!.number, window: windows[i % 5]! }))
      .sort((x, y) => x.seq - y.seq);
    expect(expected).toHaveLength(10);

    const burst = new Set(expected.map((c) => c.seq));
    const ofBurst = () => display.announcements.list().slice(before).filter((e) => burst.has(e.seq));
    await expect.poll(() => ofBurst().filter((e) => e.time > 0).length, { timeout: 15_000 }).toBe(20);
    const heard = ofBurst();
    expect(heard.filter((e) => e.skipped)).toEqual([]);
    const firstSayings = heard.filter((e) => e.time === 1);
    expect(firstSayings.map((e) => ({ seq: e.seq, ticket: e.ticket, window: e.window }))).toEqual(expected);
    for (const e of heard) {
      expect(e.text).toBe(`请${e.ticket}号到${e.window}号窗口办理`);
      expect(e.voice).toBe(voice);
    }
    // Each call is said twice, the second saying right after the first.
    expect(heard.map((e) => `${e.seq}:${e.time}`)).toEqual(expected.flatMap((c) => [`${c.seq}:1`, `${c.seq}:2`]));
    expect(heard.filter((e) => e.recall).map((e) => e.ticket)).toHaveLength(10);

    // The voice in use is on the hub's device board.
    const events = await api<{ events: { type: string; terminal?: string; devices?: { kind: string; code?: string; status: string }[] }[] }>('GET', '/api/events?since=0');
    const reported = events.events.filter((e) => e.type === 'devices.reported' && e.terminal === 'hall-display');
    expect(reported.at(-1)?.devices).toEqual([expect.objectContaining({ kind: 'voice', code: voice, status: voice === 'chime-only' ? 'warning' : 'ok' })]);

    const last = expected.at(-1)!;
    // The caption never lagged: once the board held the last call, it only ever showed that call,
    // while the voice was still working through the burst in order.
    const captions = await page.evaluate(() => (window as unknown as { captions: { seq: number; caption: string }[] }).captions);
    const afterLast = captions.filter((c) => c.seq >= last.seq && c.caption !== '');
    expect(afterLast.length).toBeGreaterThan(0);
    expect(new Set(afterLast.map((c) => c.caption))).toEqual(new Set([`请${last.ticket}号到${last.window}号窗口办理`]));
    // 重呼 stands above the number; 请到 is followed by the window and nothing else.
    await expect.poll(() => text('latest-call')).toContain(`重呼${last.ticket}请到${last.window}号窗口`);
    expect(await text('go-to')).toBe(`请到${last.window}号窗口`);
    const mark = (await page.locator('[data-testid=recall-mark]').boundingBox())!;
    const number = (await page.locator('.latest .ticket').boundingBox())!;
    expect(mark.y + mark.height).toBeLessThanOrEqual(number.y + 1);
    expect(await page.locator('[data-testid=recent-calls] li').count()).toBe(5);
    // The hall fills up: the waiting counts follow each ticket taken.
    for (const code of ['GA-SFZ-HL', 'GA-SFZ-HL', 'RS-SBK-SL', 'SJ-QY-SL', 'BDC-ZY-DJ', 'SW-FP-SL', 'GJJ-TQ-GF', 'CRJ-GA-SL']) await api('POST', '/api/tickets', { serviceCode: code });
    await expect.poll(() => page.locator('[data-testid=waiting] li').count()).toBe(8);
    expect(await text('waiting')).toMatch(/居民身份证换领2 人 · (约 \d+ 分钟|\d+–\d+ 分钟|即将叫号|暂无窗口办理)/);
    // Nobody behind others is told 0 minutes (H-09).
    expect(await text('waiting')).not.toMatch(/(^|[^\d–])0 分钟/);
    await screenshot(page, 'hall-display');
  });

  it('keeps the last board while the hub is away, and shows what the hub holds once it is back', async () => {
    const shownBefore = await text('latest-call');
    await hub.close();
    await expect.poll(() => page.locator('[data-testid=link]').getAttribute('data-status')).not.toBe('online');
    expect(await text('link')).toContain('请稍候');
    expect(await text('latest-call')).toBe(shownBefore);
    await screenshot(page, 'hall-display-reconnecting');

    hub = await startOurHub();
    // The hall moves on before the screen is back: window 9 calls a new ticket.
    await api('POST', '/api/windows/9/open', { clerk: '1013' });
    await api('POST', '/api/tickets', { serviceCode: 'BDC-ZY-DJ' });
    const called = await api('POST', '/api/windows/9/call-next');

    await expect.poll(() => page.locator('[data-testid=link]').getAttribute('data-status'), { timeout: 10_000 }).toBe('online');
    await expect.poll(() => text('latest-call')).toContain(`${called.ticket!.number}请到9号窗口`);
    const health = await api<{ seq: number }>('GET', '/api/health');
    await expect.poll(() => page.locator('main').getAttribute('data-seq')).toBe(String(health.seq));
    // The call made while the screen was away is announced once it is back.
    await expect.poll(() => display.announcements.list().some((e) => e.ticket === called.ticket!.number && e.window === 9 && e.time === 1)).toBe(true);
  });

  it('shows a long item name on up to two lines, smaller within a floor, and ends only a cut name in an ellipsis', async () => {
    // 40 characters, as some items' official names are; the demo hall's longest is 个人所得税汇算清缴咨询 (11).
    const long = '灵活就业人员及新就业形态劳动者参加企业职工基本养老保险登记和缴费业务线上线下办理';
    expect(long.length).toBe(40);
    const catalogue = await api<{ items: { code: string; name: string }[] }>('GET', '/api/catalogue');
    catalogue.items.find((i) => i.code === 'RS-LHJY-DJ')!.name = long;
    await api('PUT', '/api/catalogue', catalogue);
    for (const code of ['RS-LHJY-DJ', 'SW-GS-HSQJ']) await api('POST', '/api/tickets', { serviceCode: code });
    await expect.poll(() => page.locator('[data-testid=waiting] li[data-code=RS-LHJY-DJ] .name').textContent()).toBe(long);
    await page.locator('[data-testid=waiting] li[data-code=SW-GS-HSQJ]').waitFor();
    const names = await page.locator('[data-testid=waiting]').evaluate((panel) => {
      const inner = panel.getBoundingClientRect().bottom - parseFloat(getComputedStyle(panel).paddingBottom);
      return [...panel.querySelectorAll<HTMLElement>('li')].map((li) => {
        const name = li.querySelector<HTMLElement>('.name')!;
        const box = name.getBoundingClientRect();
        const style = getComputedStyle(name);
        // The characters drawn inside the name's box (those past its second line are not).
        const range = document.createRange();
        let shown = 0;
        const tops = new Set<number>();
        for (let i = 0; i < name.firstChild!.textContent!.length; i++) {
          range.setStart(name.firstChild!, i);
          range.setEnd(name.firstChild!, i + 1);
          const r = range.getBoundingClientRect();
          if (r.bottom <= box.bottom + 1 && r.right <= box.right + 1) (shown++, tops.add(Math.round(r.top)));
        }
        return { code: li.dataset.code!, length: name.textContent!.length, shown, lines: tops.size, fontSize: parseFloat(style.fontSize), clamp: style.webkitLineClamp, inPanel: box.bottom <= inner + 1 };
      });
    });
    for (const n of names) {
      expect(n.fontSize, n.code).toBeGreaterThanOrEqual(21);
      expect(n.inPanel, n.code).toBe(true);
      expect(n.lines, n.code).toBeLessThanOrEqual(2);
      // Whole, or cut after as much as two lines hold, where line-clamp draws the ellipsis.
      if (n.shown < n.length) expect([n.code, n.lines, n.clamp]).toEqual([n.code, 2, '2']);
    }
    expect(names.find((n) => n.code === 'SW-GS-HSQJ')).toMatchObject({ length: 11, shown: 11 });
    // Of the 40 characters, at least two lines' worth shows (one line at the row's size held 8).
    expect(names.find((n) => n.code === 'RS-LHJY-DJ')!.shown).toBeGreaterThanOrEqual(20);
    await screenshot(page, 'hall-display-long-names');
  });
});
