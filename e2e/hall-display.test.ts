import { demoCatalogue } from '@servicehall/fixtures';
import { startHub, type RunningHub } from '@servicehall/hub';
import fs from 'node:fs';
import { freePort } from '@servicehall/hub/testing';
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

/** Until the waiting list shows the page numbered `wanted`, the screen's clock moved on a page at a time. */
async function turnTo(wanted: string | RegExp): Promise<void> {
  await expect
    .poll(
      async () => {
        const shown = (await text('waiting-page')) ?? '';
        const there = typeof wanted === 'string' ? shown === wanted : wanted.test(shown);
        if (!there) await turnPage(page);
        return there;
      },
      { timeout: 60_000 },
    )
    .toBe(true);
}

/** The board on the screen is the hub's latest. */
async function screenCaughtUp() {
  const health = await api<{ seq: number }>('GET', '/api/health');
  await expect.poll(() => page.locator('main').getAttribute('data-seq')).toBe(String(health.seq));
}

/** How long a page of a paged panel stays on these screens (SERVICEHALL_PAGE_MS, the least a hall may set). */
const PAGE_MS = 3000;

/** The screen's clock (installed as it opens) moved on by a page's time: its next page now, rather than 3 s later. */
const turnPage = (screen: Page) => screen.clock.fastForward(PAGE_MS);

/**
 * Each page of a paged panel (the waiting list, the notices) as `screen` turns them, in page order:
 * `read` takes one page at once, its page number (第 2/3 页, or none for a single page) with it, and is
 * asked again, the page turned between, until every page has been seen. The bound is generous for a busy
 * machine.
 */
async function eachPage<T extends { indicator: string }>(screen: Page, read: () => Promise<T>): Promise<T[]> {
  const pages = new Map<number, T>();
  await expect
    .poll(
      async () => {
        const shown = await read();
        const [at, count] = shown.indicator === '' ? [1, 1] : /^第 (\d+)\/(\d+) 页$/.exec(shown.indicator)!.slice(1).map(Number);
        pages.set(at!, shown);
        if (pages.size === count) return true;
        await turnPage(screen);
        return false;
      },
      { timeout: 60_000, interval: 250 },
    )
    .toBe(true);
  return [...pages.entries()].sort(([a], [b]) => a - b).map(([, shown]) => shown);
}

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
    // The waiting list's shortest page time, so that a hall of 27 items is paged through in seconds.
    SERVICEHALL_PAGE_MS: '3000',
  });
  page = await openScreen(browser, display.screen.url, { width: 1920, height: 1080 }, { clockOffMs: 0 });
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
    await screenCaughtUp();
    const read = () =>
      page.locator('[data-testid=waiting]').evaluate((panel) => {
        const inner = panel.getBoundingClientRect().bottom - parseFloat(getComputedStyle(panel).paddingBottom);
        const rows = [...panel.querySelectorAll<HTMLElement>('li')].map((li) => {
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
        return { indicator: panel.querySelector('[data-testid=waiting-page]')?.textContent ?? '', rows };
      });
    const names = (await eachPage(page, read)).flatMap((p) => p.rows);
    expect(names.find((n) => n.code === 'RS-LHJY-DJ')).toMatchObject({ length: 40 });
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
    await page.locator('[data-testid=waiting] li[data-code=RS-LHJY-DJ]').waitFor({ timeout: 60_000 });
    await screenshot(page, 'hall-display-long-names');
  });

  it('pages through every item with people waiting, each page inside the panel, with its page number', async () => {
    // Two names of 40 characters, two lines of the grid apart on the first page: a page of the five lines
    // that hold ten one-line rows would draw its last row past the panel's edge.
    const longNames = {
      'GA-CS-DJ': '新生儿出生医学证明、预防接种证、户口登记、医保参保和社会保障卡申领出生一件事联办',
      'RS-LHJY-DJ': '灵活就业人员及新就业形态劳动者参加企业职工基本养老保险登记和缴费业务线上线下办理',
    };
    const catalogue = await api<{ items: { code: string; name: string }[] }>('GET', '/api/catalogue');
    expect(catalogue.items).toHaveLength(27);
    for (const [code, name] of Object.entries(longNames)) catalogue.items.find((i) => i.code === code)!.name = name;
    await api('PUT', '/api/catalogue', catalogue);
    // Someone waits for every item of the demo hall.
    for (const item of catalogue.items) await api('POST', '/api/tickets', { serviceCode: item.code });
    await screenCaughtUp();

    // One page as drawn, read at once: its page number, its rows, and where each row lies against the panel.
    const read = () =>
      page.locator('[data-testid=waiting]').evaluate((panel) => {
        const box = panel.getBoundingClientRect();
        const style = getComputedStyle(panel);
        const inner = { top: box.top + parseFloat(style.paddingTop), bottom: box.bottom - parseFloat(style.paddingBottom), left: box.left + parseFloat(style.paddingLeft), right: box.right - parseFloat(style.paddingRight) };
        const rows = [...panel.querySelectorAll<HTMLElement>('li')].map((li) => {
          const r = li.getBoundingClientRect();
          const name = li.querySelector<HTMLElement>('.name')!;
          // A name set long is on as many lines as its line height goes into; the others are on one (nowrap).
          const lines = name.classList.contains('long') ? Math.round(name.getBoundingClientRect().height / parseFloat(getComputedStyle(name).lineHeight)) : 1;
          return { code: li.dataset.code!, lines, inside: r.top >= inner.top - 1 && r.bottom <= inner.bottom + 1 && r.left >= inner.left - 1 && r.right <= inner.right + 1 };
        });
        return { indicator: panel.querySelector('[data-testid=waiting-page]')?.textContent ?? '', rows };
      });
    const pages = await eachPage(page, read);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages.map((p) => p.indicator)).toEqual(pages.map((_, i) => `第 ${i + 1}/${pages.length} 页`));
    // Every item with people waiting is on exactly one page, in the hub's order.
    expect(pages.flatMap((p) => p.rows.map((r) => r.code))).toEqual(catalogue.items.map((i) => i.code));
    for (const p of pages) expect(p.rows.filter((r) => !r.inside).map((r) => r.code), p.indicator).toEqual([]);
    // Both long names on one page, each on two lines, and still every row of it inside.
    const both = pages.find((p) => p.rows.some((r) => r.code === 'RS-LHJY-DJ'))!;
    expect(both.rows.filter((r) => r.lines === 2).map((r) => r.code)).toEqual(['GA-CS-DJ', 'RS-LHJY-DJ']);
    // The rows as Chromium draws them add up to the panel: five lines of one-line rows fit, and so do four
    // with a fifth holding a name on two lines (10 rows a page, not 8).
    const drawn = await page.locator('section.waiting.measure').evaluate((measure) => {
      const heights = (long: boolean) => [...measure.querySelectorAll<HTMLElement>('li')].filter((li) => li.querySelector('.name.long') !== null === long).map((li) => li.getBoundingClientRect().height);
      // A one-line row beside a two-line one is as tall as its line: the shortest one-line row is a line of them.
      return { one: Math.min(...heights(false)), two: Math.max(...heights(true)), room: document.querySelector<HTMLElement>('[data-testid=waiting] .rows')!.clientHeight };
    });
    expect(drawn.two).toBeGreaterThan(drawn.one);
    expect(5 * drawn.one, JSON.stringify(drawn)).toBeLessThanOrEqual(drawn.room);
    expect(4 * drawn.one + drawn.two, JSON.stringify(drawn)).toBeLessThanOrEqual(drawn.room);
    await turnTo(`第 1/${pages.length} 页`);
    await screenshot(page, 'hall-display-pages');
  }, 120_000);

  it('shows the rows left on one page when the list falls from three pages to one while page 2 is shown', async () => {
    // Page 2 of the 27 items waiting (the test before) is on the screen.
    await turnTo(/^第 2\/[3-9] 页$/);
    // Every change to the panel from now on, as drawn: its rows and its page number.
    await page.evaluate(() => {
      const seen: { rows: string[]; indicator: string | null }[] = [];
      (window as unknown as { waitingSeen: typeof seen }).waitingSeen = seen;
      const panel = document.querySelector('[data-testid=waiting]')!;
      new MutationObserver(() =>
        seen.push({ rows: [...panel.querySelectorAll<HTMLElement>('li')].map((li) => li.dataset.code!), indicator: panel.querySelector('[data-testid=waiting-page]')?.textContent ?? null }),
      ).observe(panel, { subtree: true, childList: true, characterData: true });
    });
    // The three items last in the hub's order (on the last page) keep their people; everyone else has gone.
    const queue = await api<{ tickets: { id: string; serviceCode: string }[]; items: { code: string }[] }>('GET', '/api/queue');
    const kept = queue.items.slice(-3).map((i) => i.code);
    await Promise.all(queue.tickets.filter((t) => !kept.includes(t.serviceCode)).map((t) => api('POST', `/api/tickets/${encodeURIComponent(t.id)}/void`, { reason: '群众离开' })));
    await screenCaughtUp();
    await expect.poll(() => page.locator('[data-testid=waiting] li').evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.code))).toEqual(kept);
    expect(await page.locator('[data-testid=waiting-page]').count()).toBe(0);
    // On the way, never a blank page or a page number past the last.
    const seen = await page.evaluate(() => (window as unknown as { waitingSeen: { rows: string[]; indicator: string | null }[] }).waitingSeen);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((s) => s.rows.length === 0)).toEqual([]);
    for (const s of seen) {
      const [at, count] = s.indicator === null ? [1, 1] : /^第 (\d+)\/(\d+) 页$/.exec(s.indicator)!.slice(1).map(Number);
      expect(at!, s.indicator ?? '').toBeLessThanOrEqual(count!);
    }
  }, 120_000);

  it('pages through seven notices of mixed lengths, each whole on exactly one page inside the panel', async () => {
    // Newest and most urgent first, as the hall lists them; the fourth as long as a notice may be (120 characters).
    const notices = [
      '今天下午两点至四点不动产登记系统升级，暂停受理不动产业务，请改日办理或到综合咨询台咨询。',
      '国庆节假期（10月1日至7日）大厅暂停对外服务，10月8日起正常办理；急事请拨打12345。',
      '自12月1日起，居民身份证换领可在全市任一政务服务中心办理，无需回户籍所在地。',
      '根据市政务服务管理办公室通知，自下月一日起，企业开办、变更登记、公章刻制、银行开户预约、社保医保参保登记和住房公积金缴存登记实行一窗受理、一次办结，申请人携带营业执照正本、法定代表人身份证原件及股东决议材料到十二号窗口办理，请提前网上预约。',
      '请凭号码按序办理，留意屏幕和语音叫号。',
      '老年人、残疾人、军人、孕妇可走绿色通道，优先为您办理。',
      '请妥善保管好您的证件和随身财物。',
    ];
    expect(notices[3]).toHaveLength(120);
    const noticed = await runHallDisplayInBrowserMode(undefined, {
      SERVICEHALL_HUB_URL: hub.wsUrl,
      SERVICEHALL_TOKEN: HALL_TOKEN,
      SERVICEHALL_TERMINAL: 'hall-display-notices',
      SERVICEHALL_TERMINAL_DATA: path.join(dir, 'terminals', 'hall-display-notices'),
      SERVICEHALL_VOICE: 'chime-only',
      SERVICEHALL_PAGE_MS: '3000',
      SERVICEHALL_NOTICES: notices.join('|'),
    });
    const screen = await openScreen(browser, noticed.screen.url, { width: 1920, height: 1080 }, { clockOffMs: 0 });
    try {
      // One page as drawn, read at once: its page number, and each notice: its text, inside the panel, not cut short.
      const read = () =>
        screen.locator('[data-testid=notices]').evaluate((panel) => {
          const box = panel.getBoundingClientRect();
          const style = getComputedStyle(panel);
          const inner = { top: box.top + parseFloat(style.paddingTop), bottom: box.bottom - parseFloat(style.paddingBottom), left: box.left + parseFloat(style.paddingLeft), right: box.right - parseFloat(style.paddingRight) };
          const rows = [...panel.querySelectorAll<HTMLElement>('li')].map((li) => {
            const r = li.getBoundingClientRect();
            const text = li.querySelector<HTMLElement>('span') ?? li;
            return {
              text: li.textContent!,
              inside: r.top >= inner.top - 1 && r.bottom <= inner.bottom + 1 && r.left >= inner.left - 1 && r.right <= inner.right + 1,
              whole: text.scrollHeight <= text.clientHeight + 1,
            };
          });
          return { indicator: panel.querySelector('[data-testid=notices-page]')?.textContent ?? '', rows };
        });
      const pages = await eachPage(screen, read);
      expect(pages.length).toBeGreaterThanOrEqual(2);
      expect(pages.map((p) => p.indicator)).toEqual(pages.map((_, i) => `第 ${i + 1}/${pages.length} 页`));
      // Every notice on exactly one page, in the hall's order.
      expect(pages.flatMap((p) => p.rows.map((r) => r.text))).toEqual(notices);
      for (const p of pages) {
        expect(p.rows.filter((r) => !r.inside).map((r) => r.text), p.indicator).toEqual([]);
        expect(p.rows.filter((r) => !r.whole).map((r) => r.text), p.indicator).toEqual([]);
      }
      await expect.poll(() => screen.locator('[data-testid=notices-page]').textContent(), { timeout: 60_000 }).toBe(`第 1/${pages.length} 页`);
      await screenshot(screen, 'hall-display-notices');
    } finally {
      await screen.context().close();
      await noticed.stop();
    }
  }, 120_000);

  it('fits the newest 8 calls in their panel, the widest the catalogue allows (WW00009 at 999号窗口) set smaller, never cut', async () => {
    // Five-digit numbers with a two-letter prefix, called at window 999: the widest a recent call can be.
    const catalogue = await api<{ items: { code: string; prefix: string }[]; windows: { number: number; name: string; serves: string[] }[]; clerks: { number: string }[]; numbering: { digits: number } }>('GET', '/api/catalogue');
    catalogue.numbering.digits = 5;
    catalogue.items.find((i) => i.code === 'SW-FP-SL')!.prefix = 'WW';
    catalogue.windows.push({ number: 999, name: '999号窗口', serves: ['SW-FP-SL'] });
    await api('PUT', '/api/catalogue', catalogue);
    await api('POST', '/api/windows/999/open', { clerk: catalogue.clerks.at(-1)!.number });
    for (let i = 0; i < 8; i++) await api('POST', '/api/tickets', { serviceCode: 'SW-FP-SL' });
    for (let i = 0; i < 8; i++) {
      await api('POST', '/api/windows/999/call-next');
      await api('POST', '/api/windows/999/no-show');
    }
    await api('POST', '/api/tickets', { serviceCode: 'SW-FP-SL' });
    await api('POST', '/api/windows/999/call-next');
    await screenCaughtUp();
    const rows = await page.locator('[data-testid=recent-calls]').evaluate((panel) => {
      const box = panel.getBoundingClientRect();
      const style = getComputedStyle(panel);
      const inner = { top: box.top + parseFloat(style.paddingTop), bottom: box.bottom - parseFloat(style.paddingBottom), left: box.left + parseFloat(style.paddingLeft), right: box.right - parseFloat(style.paddingRight) };
      return [...panel.querySelectorAll<HTMLElement>('li')].map((li) => {
        const r = li.getBoundingClientRect();
        return {
          text: li.textContent!,
          inside: r.top >= inner.top - 1 && r.bottom <= inner.bottom + 1 && r.left >= inner.left - 1 && r.right <= inner.right + 1,
          cut: li.scrollWidth > li.clientWidth,
          ticketPx: parseFloat(getComputedStyle(li.querySelector('.ticket')!).fontSize),
        };
      });
    });
    // The latest call, WW00009 with 手机取号 beside it when taken by phone, whole inside its panel.
    const latest = await page.locator('[data-testid=latest-call]').evaluate((panel) => {
      const box = panel.getBoundingClientRect();
      const ticket = panel.querySelector<HTMLElement>('.ticket')!;
      const r = ticket.getBoundingClientRect();
      return { text: ticket.textContent, inside: r.left >= box.left && r.right <= box.right, px: parseFloat(getComputedStyle(ticket).fontSize) };
    });
    expect(latest).toMatchObject({ text: 'WW00009', inside: true });
    expect(latest.px).toBeGreaterThanOrEqual(120);
    expect(rows).toHaveLength(8);
    for (const r of rows) {
      expect(r.text).toMatch(/^WW\d{5}999号窗口$/);
      expect(r, r.text).toMatchObject({ inside: true, cut: false });
      expect(r.ticketPx, r.text).toBeGreaterThanOrEqual(28);
    }
    await screenshot(page, 'hall-display-recent');
  });
});
