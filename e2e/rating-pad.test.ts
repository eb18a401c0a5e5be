import type { FollowUp, Rating } from '@servicehall/core';
import { KeyPadSimulator, startPtyPair, type PtyPair } from '@servicehall/fixtures/devices';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRatingPadInBrowserMode } from '../apps/rating-pad/src/main/browser';
import type { RateOutcome } from '../apps/rating-pad/src/shared/api';
import { launchChromium, openScreen, screenshot, startTestHall, terminalEnv, type TestHall } from './harness';

let hall: TestHall;
let browser: Browser;
let pty: PtyPair;
let keys: KeyPadSimulator;
let pad: Awaited<ReturnType<typeof runRatingPadInBrowserMode>>;
let page: Page;

const WINDOW = 5;
const SIZE = { width: 1280, height: 800 };

/** Window 5 serves one citizen from ticket to finish, as its clerk would. */
async function serveOne(): Promise<{ id: string; number: string }> {
  const issued = await hall.api<{ ticket: { id: string; number: string } }>('POST', '/api/tickets', { serviceCode: 'RS-SBK-SL' });
  expect(issued.status).toBe(201);
  for (const step of ['call-next', 'start', 'finish']) expect((await hall.api('POST', `/api/windows/${WINDOW}/${step}`)).status).toBe(200);
  return issued.body.ticket;
}

async function ratingsOf(ticketId: string, target?: string): Promise<Rating[]> {
  const r = await hall.api<{ ratings: Rating[] }>('GET', `/api/ratings${target ? `?target=${target}` : ''}`);
  return target ? r.body.ratings : r.body.ratings.filter((x) => x.ticketId === ticketId);
}

const phase = () => page.locator('[data-testid=pad]').getAttribute('data-phase');
const waitPhase = (p: string) => expect.poll(phase, { timeout: 8000 }).toBe(p);

beforeAll(async () => {
  hall = await startTestHall();
  browser = await launchChromium();
  pty = await startPtyPair();
  keys = await KeyPadSimulator.open(pty.device, 1);
  expect((await hall.api('PUT', '/api/clerks/1005/pin', { pin: '2580' })).status).toBe(200);
  expect((await hall.api('POST', `/api/windows/${WINDOW}/sign-in`, { clerk: '1005', pin: '2580' })).status).toBe(200);
  pad = await runRatingPadInBrowserMode(
    undefined,
    terminalEnv(hall, 'rating-pad-5', { SERVICEHALL_WINDOW: String(WINDOW), SERVICEHALL_KEYPAD: pty.host, SERVICEHALL_RATING_THANKS_SECONDS: '2', SERVICEHALL_RATING_DETAILS_SECONDS: '6' }),
  );
  page = await openScreen(browser, pad.screen.url, SIZE);
});
afterAll(async () => {
  await pad?.stop();
  await keys?.close();
  await pty?.close();
  await browser?.close();
  await hall?.close();
});

describe('the rating pad of window 5 in Chromium', () => {
  it('shows the clerk card and the greeting while idle, and 暂停服务 while the window is paused', async () => {
    await waitPhase('idle');
    await expect.poll(() => page.locator('[data-testid=clerk]').textContent()).toContain('刘子豪');
    expect(await page.locator('[data-testid=clerk-number]').textContent()).toBe('1005');
    expect(await page.locator('[data-testid=greeting]').textContent()).toBe('您好！很高兴为您服务');
    expect(await page.locator('footer').textContent()).toContain('投诉电话 12345');
    // The key pad is open: no word about it failing.
    await expect.poll(() => page.locator('footer .warn').count()).toBe(0);
    await screenshot(page, 'rating-pad-idle');

    expect((await hall.api('POST', `/api/windows/${WINDOW}/pause`, { reason: '会议' })).status).toBe(200);
    await expect.poll(() => page.locator('[data-testid=paused]').textContent()).toBe('暂停服务');
    expect((await hall.api('POST', `/api/windows/${WINDOW}/resume`)).status).toBe(200);
    await expect.poll(() => page.locator('[data-testid=greeting]').count()).toBe(1);
  });

  it('asks when the window finishes, records the rating once with every field, and refuses a second one', async () => {
    const ticket = await serveOne();
    await waitPhase('asking');
    expect(await page.locator('[data-testid=ticket]').textContent()).toContain(ticket.number);
    await expect.poll(() => page.locator('[data-testid=qr] img').getAttribute('data-link')).toContain(`/rate/${ticket.id}?e=`);
    const link = (await page.locator('[data-testid=qr] img').getAttribute('data-link'))!;
    const phonePage = await fetch(link);
    expect(phonePage.status).toBe(200);
    expect(await phonePage.text()).toContain('服务评价');

    // The QR code's title is one line beside it, not 手机扫码评 with 价 alone below.
    const titleLines = await page.locator('[data-testid=qr] strong').evaluate((el) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    });
    expect(titleLines).toBe(1);
    await page.click('[data-testid=aspect-efficiency-5]');
    await page.click('[data-testid=aspect-skill-4]');
    // A screen reader hears which aspect each star rates, and which is chosen: 业务水平：满意, pressed.
    expect(await page.getByRole('group', { name: '业务水平' }).getByRole('button', { name: '业务水平：满意' }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByRole('button', { name: '服务态度：非常满意' }).getAttribute('aria-pressed')).toBe('false');
    await page.click('[data-testid=aspect-attitude-5]');
    await screenshot(page, 'rating-pad-asking');
    await page.click('[data-testid=level-very-satisfied]');
    await waitPhase('thanks');
    await expect.poll(() => page.locator('[data-testid=thanks]').getAttribute('data-status')).toBe('recorded');
    expect(await page.locator('[data-testid=thanks] h1').textContent()).toBe('感谢您的评价');
    await screenshot(page, 'rating-pad-thanks');

    const [rating, ...more] = await ratingsOf(ticket.id);
    expect(more).toHaveLength(0);
    expect(rating).toMatchObject({
      ticketId: ticket.id,
      ticketNumber: ticket.number,
      serviceCode: 'RS-SBK-SL',
      window: WINDOW,
      clerk: '1005',
      channel: 'window-pad',
      raterType: 'citizen',
      anonymous: true,
      level: 'very-satisfied',
      aspects: { efficiency: 'very-satisfied', skill: 'satisfied', attitude: 'very-satisfied' },
      reasons: [],
      count: 1,
      isDefault: false,
    });
    expect(rating!.at).toBeGreaterThan(0);
    const national = (await ratingsOf(ticket.id, 'national')).at(-1) as unknown as { level: number; channel: string };
    const provincial = (await ratingsOf(ticket.id, 'provincial-reversed')).at(-1) as unknown as { level: number };
    expect([national.level, national.channel, provincial.level]).toEqual([1, 'hall-terminal', 5]);

    await waitPhase('idle');
    // A second attempt through the pad's own bridge, as a second tap would be.
    const second = await page.evaluate(
      (ticketId) =>
        new Promise<RateOutcome>((resolve) => {
          const secret = document.querySelector('meta[name="servicehall-bridge"]')!.getAttribute('content')!;
          const ws = new WebSocket(`ws://${location.host}/bridge?s=${secret}`);
          ws.onopen = () => ws.send(JSON.stringify({ type: 'call', id: 1, name: 'rate', arg: { ticketId, level: 'very-dissatisfied' } }));
          ws.onmessage = (e) => {
            const m = JSON.parse(String(e.data));
            if (m.type === 'result') resolve(m.value), ws.close();
          };
        }),
      ticket.id,
    );
    expect(second).toEqual({ status: 'refused', code: 'already-rated' });
    await expect.poll(() => page.locator('[data-testid=thanks-line]').textContent()).toBe('本次服务已评价，感谢您的支持。');
    expect(await ratingsOf(ticket.id)).toHaveLength(1);
    expect((await hall.api<{ followUps: FollowUp[] }>('GET', '/api/follow-ups')).body.followUps.filter((f) => f.ticketId === ticket.id)).toHaveLength(0);
    await waitPhase('idle');
  });

  it('records 不满意 at the press, then adds the reasons to that same rating, with one follow-up case', async () => {
    const ticket = await serveOne();
    await waitPhase('asking');
    await page.click('[data-testid=level-dissatisfied]');
    await waitPhase('details');
    // The level pressed is the rating, recorded before any reason is given.
    await expect.poll(async () => (await ratingsOf(ticket.id)).map((r) => [r.level, r.reasons.length])).toEqual([['dissatisfied', 0]]);
    await expect.poll(() => page.locator('[data-testid=recorded-level]').textContent()).toBe('已记录：不满意');
    expect(await page.locator('[data-testid=submit]').isDisabled()).toBe(true);
    await page.click('[data-testid=reason-wait]');
    await page.click('[data-testid=reason-notice]');
    await page.fill('[data-testid=reason-text]', '材料清单没有一次说清楚，跑了两趟');
    expect(await page.locator('[data-testid=submit]').isDisabled()).toBe(false);
    await screenshot(page, 'rating-pad-reason');
    await page.click('[data-testid=submit]');
    await waitPhase('thanks');
    await expect.poll(() => page.locator('[data-testid=thanks]').getAttribute('data-status')).toBe('recorded');

    const [rating, ...more] = await ratingsOf(ticket.id);
    expect(more).toHaveLength(0);
    expect(rating).toMatchObject({ level: 'dissatisfied', reasons: ['等候时间长', '一次性告知不到位'], text: '材料清单没有一次说清楚，跑了两趟', channel: 'window-pad', count: 1 });
    expect(rating!.amendedAt).toBeGreaterThanOrEqual(rating!.at);
    const followUps = (await hall.api<{ followUps: FollowUp[] }>('GET', '/api/follow-ups')).body.followUps.filter((f) => f.ticketId === ticket.id);
    expect(followUps).toHaveLength(1);
    expect(followUps[0]).toMatchObject({ window: WINDOW, clerk: '1005', level: 'dissatisfied', closed: false });
    expect(Object.keys(followUps[0]!.due).sort()).toEqual(['fix', 'reply', 'revisit', 'verify']);
    const advanced = await hall.api('POST', `/api/follow-ups/${encodeURIComponent(followUps[0]!.id)}/advance`, { step: 'verify', note: '已调取录像核实' });
    expect(advanced.status).toBe(200);
    await waitPhase('idle');
  });

  it('keeps 不满意 when the citizen walks away from the reasons screen, never the default level', async () => {
    const ticket = await serveOne();
    await waitPhase('asking');
    await page.click('[data-testid=level-very-dissatisfied]');
    await waitPhase('details');
    // Nobody touches the screen: it closes by itself, the level pressed stands.
    await expect.poll(phase, { timeout: 15_000 }).toBe('thanks');
    await waitPhase('idle');
    const ratings = await ratingsOf(ticket.id);
    expect(ratings.map((r) => [r.level, r.isDefault, r.reasons])).toEqual([['very-dissatisfied', false, []]]);
  });

  it('records a key pad press as the same rating, and acknowledges a press with nothing to rate', async () => {
    const idlePress = await keys.press('satisfied');
    expect(idlePress.acked).toBe(true);
    await expect.poll(() => page.locator('[data-testid=notice]').count()).toBe(1);

    const ticket = await serveOne();
    await waitPhase('asking');
    const press = await keys.press('satisfied');
    expect(press).toMatchObject({ acked: true, attempts: 1 });
    await waitPhase('thanks');
    await expect.poll(async () => (await ratingsOf(ticket.id)).map((r) => [r.channel, r.level, r.window, r.clerk])).toEqual([['key-pad', 'satisfied', WINDOW, '1005']]);
    await waitPhase('idle');
  });

  it('gives a key press after one citizen’s rating to nobody: not to an earlier service still unrated at the window', async () => {
    // The first citizen leaves without rating; the next one is served and rates on the key pad.
    const left = await serveOne();
    await waitPhase('asking');
    const next = await serveOne();
    await expect.poll(() => page.locator('[data-testid=ticket]').textContent()).toContain(next.number);
    expect((await keys.press('satisfied')).acked).toBe(true);
    await waitPhase('thanks');
    await expect.poll(() => page.locator('[data-testid=thanks]').getAttribute('data-status')).toBe('recorded');
    // Pressed again during the thanks: acknowledged, said on the pad, dropped.
    expect((await keys.press('very-dissatisfied')).acked).toBe(true);
    await expect.poll(() => page.locator('[data-testid=notice]').getAttribute('data-notice')).toBe('already-rated');
    expect(await page.locator('[data-testid=notice]').textContent()).toBe('本次服务已评价，无需再次按键，感谢您的支持');
    await waitPhase('idle');
    // Pressed on the idle pad: nothing is asked, the earlier service is not rated by it.
    expect((await keys.press('very-dissatisfied')).acked).toBe(true);
    await expect.poll(() => page.locator('[data-testid=notice]').getAttribute('data-notice')).toBe('nothing-to-rate');
    expect(await ratingsOf(left.id)).toEqual([]);
    expect((await ratingsOf(next.id)).map((r) => [r.channel, r.level])).toEqual([['key-pad', 'satisfied']]);
    const followUps = (await hall.api<{ followUps: FollowUp[] }>('GET', '/api/follow-ups')).body.followUps;
    expect(followUps.filter((f) => f.ticketId === left.id || f.ticketId === next.id)).toEqual([]);
  });

  it('counts a key press whose acknowledgement the line does not take, tells the citizen the screen is what counts, and reports the key pad to the hub until the line takes bytes', async () => {
    type Board = { terminals: { terminal: string; devices: { kind: string; status: string; code?: string; detail?: string }[] }[] };
    const keypad = async () => (await hall.api<Board>('GET', '/api/devices')).body.terminals.find((t) => t.terminal === 'rating-pad-5')?.devices.find((d) => d.kind === 'keypad');
    const ticket = await serveOne();
    await waitPhase('asking');
    // The line holds its flow control: the acknowledgement never leaves, the pad resends and lights its error lamp.
    await pty.holdFlow();
    expect(await keys.press('very-satisfied')).toMatchObject({ acked: false });
    await expect.poll(async () => (await ratingsOf(ticket.id)).map((r) => [r.channel, r.level])).toEqual([['key-pad', 'very-satisfied']]);
    const warning = page.locator('[data-testid=keypad-unanswered]');
    await expect.poll(() => warning.textContent(), { timeout: 10_000 }).toBe('评价按键的指示灯如显示错误，您的按键评价仍然有效，请以屏幕显示为准');
    await expect.poll(async () => (await keypad())?.code, { timeout: 10_000 }).toBe('write-failed');
    expect((await keypad())?.detail).toContain('无法回复按键器');
    await expect.poll(() => page.locator('[data-testid=notice]').count(), { timeout: 10_000 }).toBe(0);
    await screenshot(page, 'rating-pad-keypad-unanswered');
    await pty.releaseFlow();
    await waitPhase('idle');
    expect(await keys.press('satisfied')).toMatchObject({ acked: true });
    await expect.poll(() => warning.count()).toBe(0);
    await expect.poll(async () => (await keypad())?.status).toBe('ok');
  });

  it('goes back to idle, in Chinese, when the service is rated by phone instead', async () => {
    const ticket = await serveOne();
    await waitPhase('asking');
    // Every greeting the screen ever shows is kept, so that one English frame before the switch back is seen.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { greetings: string[] }).greetings = seen;
      new MutationObserver(() => {
        const g = document.querySelector('[data-testid=greeting]');
        if (g && seen.at(-1) !== g.textContent) seen.push(g.textContent ?? '');
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.click('[data-testid=language]');
    await expect.poll(() => page.locator('.ask-head h1').textContent()).toBe('Please rate the service you received');
    expect(await page.locator('[data-testid=level-basically-satisfied]').textContent()).toBe('Basically satisfied');
    await screenshot(page, 'rating-pad-asking-en');
    expect((await hall.api('POST', '/api/ratings', { ticketId: ticket.id, level: 'satisfied' })).status).toBe(201);
    await waitPhase('idle');
    expect(await page.locator('[data-testid=greeting]').textContent()).toBe('您好！很高兴为您服务');
    expect(await page.evaluate(() => (window as unknown as { greetings: string[] }).greetings)).toEqual(['您好！很高兴为您服务']);
    expect((await ratingsOf(ticket.id)).map((r) => r.channel)).toEqual(['qr']);
  });

  it('says 正在呼叫 while the number is only called, and 正在为…办理 once the clerk starts', async () => {
    const issued = await hall.api<{ ticket: { id: string; number: string } }>('POST', '/api/tickets', { serviceCode: 'RS-SBK-SL' });
    const { number } = issued.body.ticket;
    expect((await hall.api('POST', `/api/windows/${WINDOW}/call-next`)).status).toBe(200);
    await expect.poll(() => page.locator('[data-testid=serving]').textContent()).toBe(`正在呼叫 ${number} 号`);
    await screenshot(page, 'rating-pad-calling');
    expect((await hall.api('POST', `/api/windows/${WINDOW}/start`)).status).toBe(200);
    await expect.poll(() => page.locator('[data-testid=serving]').textContent()).toBe(`正在为 ${number} 号办理`);
    expect((await hall.api('POST', `/api/windows/${WINDOW}/finish`)).status).toBe(200);
    await waitPhase('asking');
  });

  it('says 本窗口暂未开放 on one line once the window closes (not 本窗口暂未 / 开放)', async () => {
    // The last service's rating first (the pad asks for it), then the window closes.
    await page.click('[data-testid=level-satisfied]');
    await waitPhase('idle');
    expect((await hall.api('POST', `/api/windows/${WINDOW}/close`)).status).toBe(200);
    await expect.poll(() => page.locator('[data-testid=paused]').textContent(), { timeout: 5_000 }).toBe('本窗口暂未开放');
    const lines = await page.locator('[data-testid=paused]').evaluate((el) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    });
    expect(lines).toBe(1);
    await screenshot(page, 'rating-pad-closed');
  });
});
