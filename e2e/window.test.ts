import { demoCatalogue } from '@servicehall/fixtures';
import { DisplaySimulator, PrinterSimulator, startPtyPair, type PtyPair } from '@servicehall/fixtures/devices';
import { startHub, type RunningHub } from '@servicehall/hub';
import { DISPLAY_PROFILES } from '@servicehall/number-display';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWindowInBrowserMode } from '../apps/window/src/main/browser';
import { HALL_TOKEN, launchChromium, openScreen, screenshot, startTestHall, terminalEnv, type TestHall } from './harness';

const SIZE = { width: 1920, height: 1080 };
type Terminal = Awaited<ReturnType<typeof runWindowInBrowserMode>>;

let hall: TestHall;
let browser: Browser;
let pairs: PtyPair[] = [];
let display: DisplaySimulator;
let printer: PrinterSimulator;
let window3: Terminal;
let window4: Terminal;
let page3: Page;
let page4: Page;

const ticket = async (number: string) => (await hall.api<{ id: string; state: string; firstClerk?: string; recalls: number; window?: number }>('GET', `/api/tickets/${number}`)).body;
const receiptText = (p: PrinterSimulator, i: number) => p.device.receipts[i]?.text.join('') ?? '';

/** A function key, pressed once the screen has finished its previous action (it ignores keys meanwhile). */
async function press(page: Page, key: string) {
  await expect.poll(() => page.locator('[data-testid=desk]').getAttribute('data-busy')).toBe('no');
  await page.keyboard.press(key);
}

/** A computed style of the first element a selector finds. */
const style = (page: Page, selector: string, property: string) => page.locator(selector).first().evaluate((el, p) => getComputedStyle(el).getPropertyValue(p), property);
/** The lines each date (2026-12-28) under `selector` takes on screen: 1 where a date is kept whole. */
const linesOfDates = (page: Page, selector: string) =>
  page.locator(selector).evaluate((el) => {
    const lines: number[] = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode())
      for (const m of node.textContent!.matchAll(/\d{4}-\d{2}-\d{2}/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        lines.push(new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size);
      }
    return lines;
  });
/** Where each of the F-key buttons sits on screen. */
const actionBoxes = (page: Page) => page.locator('[data-testid=actions] button').evaluateAll((els) => els.map((el) => JSON.stringify(el.getBoundingClientRect())));

async function signIn(page: Page, clerk: string, pin: string) {
  await page.fill('input[name=clerk]', clerk);
  await page.fill('input[name=pin]', pin);
  await page.click('button[type=submit]');
}

beforeAll(async () => {
  hall = await startTestHall();
  // Recalls without waiting, capped at 2, so that the cap is reached within the test.
  const catalogue = demoCatalogue({ allDay: true });
  catalogue.queue = { ...catalogue.queue, recallCooldownSeconds: 0, recallLimit: 2 };
  expect((await hall.api('PUT', '/api/catalogue', catalogue)).status).toBe(200);
  for (const clerk of ['1005', '1006']) expect((await hall.api('PUT', `/api/clerks/${clerk}/pin`, { pin: '246810' })).status).toBe(200);
  pairs = await Promise.all([startPtyPair(), startPtyPair()]);
  display = await DisplaySimulator.open(pairs[0]!.device, DISPLAY_PROFILES['dm-d-chinese']);
  printer = await PrinterSimulator.open(pairs[1]!.device);
  browser = await launchChromium();
  window3 = await runWindowInBrowserMode(
    undefined,
    terminalEnv(hall, 'window-3', { SERVICEHALL_WINDOW: '3', SERVICEHALL_DISPLAY: pairs[0]!.host, SERVICEHALL_PRINTER: pairs[1]!.host }),
  );
  window4 = await runWindowInBrowserMode(undefined, terminalEnv(hall, 'window-4', { SERVICEHALL_WINDOW: '4' }));
  page3 = await openScreen(browser, window3.screen.url, SIZE);
  page4 = await openScreen(browser, window4.screen.url, SIZE);
});

afterAll(async () => {
  await window3?.stop();
  await window4?.stop();
  await browser?.close();
  await display?.close();
  await printer?.close();
  await Promise.all(pairs.map((p) => p.close()));
  await hall?.close();
});

describe('the window terminal in Chromium', () => {
  it('signs a clerk in with the PIN, refuses politely and locks after five wrong PINs (H-18)', async () => {
    await page3.waitForSelector('[data-testid=sign-in]');
    await page3.fill('input[name=clerk]', '1005');
    await screenshot(page3, 'window-sign-in');
    await signIn(page3, '1005', '1111');
    await expect.poll(() => page3.locator('[data-testid=sign-in-error]').textContent()).toContain('工号或密码不正确');
    expect(await page3.locator('[data-testid=sign-in-error]').textContent()).toContain('还可尝试 4 次');

    await page4.waitForSelector('[data-testid=sign-in]');
    for (let i = 0; i < 3; i++) {
      await signIn(page4, '1006', '9999');
      await expect.poll(() => page4.locator('[data-testid=sign-in-error]').textContent()).toMatch(`还可尝试 ${4 - i} 次`);
    }
    // After three wrong PINs the window itself must wait before its next try counts (one window cannot lock every clerk).
    await signIn(page4, '1006', '9999');
    await expect.poll(() => page4.locator('[data-testid=sign-in-error]').textContent()).toContain('请稍候片刻再签到');
    await screenshot(page4, 'window-sign-in-paused');
    // The supervisor lets window 4 go on; the clerk's own count was kept.
    expect((await hall.api('POST', '/api/windows/4/sign-in/unlock')).status).toBe(200);
    await signIn(page4, '1006', '9999');
    await expect.poll(() => page4.locator('[data-testid=sign-in-error]').textContent()).toMatch('还可尝试 1 次');
    await signIn(page4, '1006', '9999');
    await expect.poll(() => page4.locator('[data-testid=sign-in-error]').textContent()).toMatch('锁定');
    await signIn(page4, '1006', '246810');
    await expect.poll(() => page4.locator('[data-testid=sign-in-error]').textContent()).toContain('锁定');
    // A supervisor lifts the lock.
    expect((await hall.api('POST', '/api/clerks/1006/unlock')).status).toBe(200);
    await signIn(page4, '1006', '246810');
    await page4.waitForSelector('[data-testid=desk]');

    await signIn(page3, '1005', '246810');
    await page3.waitForSelector('[data-testid=desk]');
    expect(await page3.locator('[data-testid=clerk]').textContent()).toContain('刘子豪');
  });

  it('calls the next ticket: the number display greets with it, the hub and the other window see the call', async () => {
    const numbers: string[] = [];
    for (let i = 0; i < 4; i++) numbers.push((await hall.api<{ number: string }>('POST', '/api/tickets', { serviceCode: 'CRJ-HZ-SL' })).body.number);
    await expect.poll(() => page3.locator('[data-testid=queue] [data-ticket]').count()).toBe(4);
    expect(await page3.locator('[data-testid=queue] [data-ticket]').first().getAttribute('data-ticket')).toBe(numbers[0]);
    const before = await actionBoxes(page3);

    await press(page3, 'F1');
    await expect.poll(() => page3.locator('[data-testid=current]').getAttribute('data-ticket')).toBe(numbers[0]);
    expect(await page3.locator('[data-testid=current]').getAttribute('data-state')).toBe('called');
    // The F-key row stays where it was when the recall count appears under F2.
    expect(await page3.locator('[data-action=recall] .extra').textContent()).toContain('0/2');
    expect(await actionBoxes(page3)).toEqual(before);
    // F4 cannot finish a ticket not yet served, and looks it: grey like every disabled key, not green.
    expect(await page3.locator('[data-action=finish]').isDisabled()).toBe(true);
    const disabledLook = await style(page3, '[data-action=callNext]', 'background-color');
    expect(await style(page3, '[data-action=finish]', 'background-color')).toBe(disabledLook);
    expect(await style(page3, '[data-action=finish]', 'opacity')).toBe('1');
    expect(await style(page3, '[data-action=start]', 'background-color')).not.toBe(disabledLook);
    await expect.poll(() => display.shown.rows).toEqual(['您好！很高兴为您服务', `请${numbers[0]}号到3号窗口`]);
    expect((await ticket(numbers[0]!)).state).toBe('called');
    await expect.poll(() => page4.locator('[data-testid=neighbours] [data-window="3"]').textContent()).toContain(numbers[0]);
    await expect.poll(() => page4.locator('[data-testid=queue] [data-ticket]').count()).toBe(3);
    await screenshot(page3, 'window-queue');
  });

  it('holds the recall cap', async () => {
    const number = (await page3.locator('[data-testid=current]').getAttribute('data-ticket'))!;
    for (let i = 1; i <= 2; i++) {
      await press(page3, 'F2');
      await expect.poll(async () => (await ticket(number)).recalls).toBe(i);
    }
    expect(await page3.locator('[data-action=recall]').isDisabled()).toBe(true);
    await press(page3, 'F2');
    await expect.poll(() => page3.locator('[data-testid=toast]').textContent()).toContain('重呼次数已达上限');
    expect((await ticket(number)).recalls).toBe(2);
  });

  it('transfers to another window keeping the place and the first-responsible clerk (H-02)', async () => {
    const number = (await page3.locator('[data-testid=current]').getAttribute('data-ticket'))!;
    await press(page3, 'F3');
    await expect.poll(() => page3.locator('[data-testid=current]').getAttribute('data-state')).toBe('serving');
    await expect.poll(() => display.shown.rows).toEqual([number, '您好！很高兴为您服务']);
    await press(page3, 'F7');
    // A window nobody is signed in at is marked in the list.
    const option1 = page3.locator('[data-testid=transfer-dialog] select[name=to-window] option[value="1"]');
    expect(await option1.textContent()).toContain('（无人签到）');
    await page3.selectOption('[data-testid=transfer-dialog] select[name=to-window]', '4');
    await page3.fill('[data-testid=transfer-dialog] input[name=transfer-reason]', '需由4号窗口核验原护照');
    expect(await page3.locator('[data-testid=transfer-target-closed]').count()).toBe(0);
    // Window 4's clerk signs out while the dialog is open: the clerk at window 3 is told nobody would call the citizen there yet.
    await page4.click('[data-testid=sign-out]');
    await expect.poll(() => page4.locator('[data-testid=sign-in]').count()).toBe(1);
    await expect.poll(() => page3.locator('[data-testid=transfer-target-closed]').textContent()).toBe('所选窗口目前无人签到，转过去要等该窗口有人签到后才会叫号。可改选其他窗口，或只选事项（由任一办理该事项的窗口叫号）。');
    await screenshot(page3, 'window-transfer-closed');
    // Back at window 4, the warning goes, and so does the transfer.
    await signIn(page4, '1006', '246810');
    await expect.poll(() => page4.locator('[data-testid=desk]').count()).toBe(1);
    await expect.poll(() => page3.locator('[data-testid=transfer-target-closed]').count()).toBe(0);
    await page3.click('[data-testid=transfer-confirm]');
    await expect.poll(() => page3.locator('[data-testid=current]').getAttribute('data-state')).toBe('none');

    // The transferred ticket keeps its early place: window 4 calls it first.
    await expect.poll(() => page4.locator('[data-testid=queue] [data-ticket]').first().getAttribute('data-ticket')).toBe(number);
    // Nobody but window 4 would call it now: its clerk cannot sign out and leave it waiting.
    await page4.click('[data-testid=sign-out]');
    await expect.poll(() => page4.locator('[data-testid=toast]').textContent()).toContain('只能由本窗口叫号');
    await screenshot(page4, 'window-sign-out-refused');
    expect(await page4.locator('[data-testid=desk]').count()).toBe(1);
    await press(page4, 'F1');
    await expect.poll(() => page4.locator('[data-testid=current]').getAttribute('data-ticket')).toBe(number);
    expect(await page4.locator('[data-testid=first-clerk]').textContent()).toContain('刘子豪（1005）');
    const t = await ticket(number);
    expect(t.firstClerk).toBe('1005');
    expect(t.window).toBe(4);
  });

  let correctionCase = '';

  it('prints a correction notice with every chosen material, and starts the form afresh after recording', async () => {
    await press(page3, 'F1');
    await expect.poll(() => page3.locator('[data-testid=current]').getAttribute('data-state')).toBe('called');
    await press(page3, 'F3');
    await page3.waitForSelector('[data-testid=serve]');
    // F4 can finish now, and looks it.
    expect(await style(page3, '[data-action=finish]', 'background-color')).toBe('rgb(31, 122, 77)');
    await screenshot(page3, 'window-serving');

    const before = printer.device.receipts.length;
    await page3.click('[data-outcome=correction]');
    await page3.check('[data-material=m1]');
    await page3.check('[data-material=m3]');
    await page3.fill('input[name=applicant-name]', '李四');
    await page3.click('[data-testid=record-outcome]');
    await expect.poll(() => page3.locator('[data-testid=outcome-result]').textContent()).toContain('补正材料告知书已打印');
    correctionCase = (await page3.locator('[data-testid=outcome-result] .case-number').textContent())!;
    await expect.poll(() => receiptText(printer, before)).toContain('补正材料告知书');
    const first = receiptText(printer, before);
    expect(first).toContain(correctionCase);
    expect(first).toContain('居民身份证');
    expect(first).toContain('中国公民出入境证件申请表');
    expect(first).not.toContain('原护照');
    // The result keeps what the notice named; the form is ready for the next item.
    expect(await page3.locator('[data-testid=outcome-result] .listed').textContent()).toBe('居民身份证、中国公民出入境证件申请表');
    // The item has its outcome now: the form offers to correct it, from a clean state.
    await expect.poll(() => page3.locator('[data-testid=recorded-here]').textContent()).toContain(correctionCase);
    expect(await page3.locator('[data-outcome=accepted]').getAttribute('aria-checked')).toBe('true');
    expect(await page3.locator('[data-testid=materials]').count()).toBe(0);
    expect(await page3.inputValue('input[name=amend-reason]')).toBe('');
  });

  it('takes no second outcome for an item of the visit: it is amended with its reason, one case, the notice printed again (H-07)', async () => {
    const receipts = () => printer.device.receipts.length;
    await page3.click('[data-item=CRJ-GA-SL]');
    await page3.click('[data-outcome=correction]');
    await page3.check('[data-material=m2]');
    await page3.click('[data-testid=record-outcome]');
    await expect.poll(() => page3.locator('[data-testid=outcome-result]').getAttribute('data-outcome')).toBe('correction');
    const number = (await page3.locator('[data-testid=outcome-result] .case-number').textContent())!;
    // The item has its outcome in this visit: the form now corrects it, and asks why.
    await expect.poll(() => page3.locator('[data-testid=recorded-here]').textContent()).toContain(number);
    expect(await page3.locator('[data-testid=record-outcome]').textContent()).toBe('更正并重新打印');
    await page3.click('[data-outcome=consultation]');
    await page3.click('[data-testid=record-outcome]');
    expect(await page3.locator('[data-testid=serve] .error').textContent()).toBe('请填写更正原因。');
    let printed = receipts();
    await page3.fill('input[name=amend-reason]', '群众仅来咨询，材料下次一并提交');
    await page3.click('[data-testid=record-outcome]');
    await expect.poll(() => page3.locator('[data-testid=outcome-result] h3').textContent()).toBe('已由“需补正”更正为“仅咨询”');
    await expect.poll(() => receiptText(printer, printed)).toContain('一次性告知');
    printed = receipts();
    await page3.click('[data-outcome=accepted]');
    await page3.fill('input[name=amend-reason]', '材料已当场补齐');
    await page3.click('[data-testid=record-outcome]');
    await expect.poll(() => page3.locator('[data-testid=outcome-result] h3').textContent()).toBe('已由“仅咨询”更正为“受理”');
    // The result's narrow panel breaks between the promised and the legal due date, never inside one (2026-↵12-28).
    expect(await linesOfDates(page3, '[data-testid=outcome-result] .due')).toEqual([1, 1]);
    await expect.poll(() => receiptText(printer, printed)).toContain('受理通知书');
    expect(receiptText(printer, printed)).toContain(number);
    await expect.poll(() => page3.locator(`[data-testid=cases] [data-case="${number}"] [data-testid=amendment]`).count()).toBe(2);
    await screenshot(page3, 'window-amend');
    const c = (await hall.api<{ state: string; amendments: { from: string; to: string; reason: string }[] }>('GET', `/api/cases/${number}`)).body;
    expect(c.state).toBe('accepted');
    expect(c.amendments.map((a) => [a.from, a.to, a.reason])).toEqual([
      ['correction', 'consultation', '群众仅来咨询，材料下次一并提交'],
      ['consultation', 'accepted', '材料已当场补齐'],
    ]);
    const visit = await page3.locator('[data-testid=current]').getAttribute('data-ticket');
    const sameItem = [...hall.hub.store.view.cases.values()].filter((x) => x.serviceCode === 'CRJ-GA-SL' && x.ticketId?.endsWith(`-${visit}`));
    expect(sameItem.map((x) => x.number)).toEqual([number]);
  });

  it('warns of a 一次性告知 breach before the second correction notice is printed, and prints it only with the clerk’s reason (H-03)', async () => {
    // The citizen leaves; another visit: the same case comes back with its corrections.
    await press(page3, 'F4');
    await expect.poll(() => page3.locator('[data-testid=current]').getAttribute('data-state')).toBe('none');
    await press(page3, 'F1');
    await expect.poll(() => page3.locator('[data-testid=current]').getAttribute('data-state')).toBe('called');
    await press(page3, 'F3');
    await page3.waitForSelector('[data-testid=serve]');
    const before = printer.device.receipts.length;
    await page3.click('[data-outcome=correction]');
    await page3.fill('input[name=case-number]', correctionCase);
    await page3.check('[data-material=m1]');
    await page3.check('[data-material=m3]');
    await page3.check('[data-material=m4]');
    await page3.click('[data-testid=record-outcome]');
    // Warned on screen; nothing printed, nothing recorded yet.
    await expect.poll(() => page3.locator('[data-testid=breach-dialog]').textContent()).toContain('原护照');
    await screenshot(page3, 'window-correction');
    expect(printer.device.receipts.length).toBe(before);
    expect((await hall.api<{ notices: unknown[] }>('GET', `/api/cases/${correctionCase}`)).body.notices).toHaveLength(1);
    await page3.click('[data-testid=breach-confirm]');
    expect(await page3.locator('[data-testid=breach-dialog] .error').textContent()).toBe('请填写补充告知的原因。');
    await page3.fill('input[name=breach-reason]', '申请人改为加急办理，需核验原护照');
    await page3.click('[data-testid=breach-confirm]');
    await expect.poll(() => page3.locator('[data-testid=breach-banner]').textContent()).toContain('申请人改为加急办理');
    await expect.poll(() => receiptText(printer, before)).toContain('原护照');
    await expect.poll(() => page3.locator(`[data-testid=cases] [data-case="${correctionCase}"] [data-testid=breach]`).count()).toBe(1);
    const c = (await hall.api<{ notices: { breach: boolean; breachReason?: string }[] }>('GET', `/api/cases/${correctionCase}`)).body;
    expect(c.notices.map((n) => [n.breach, n.breachReason])).toEqual([
      [false, undefined],
      [true, '申请人改为加急办理，需核验原护照'],
    ]);
  });

  it('says in words, not in codes, that a window without a printer printed no notice', async () => {
    expect(await page4.locator('[data-testid=printer-state]').textContent()).toBe('打印机：未配置');
    await expect.poll(() => page4.locator('[data-testid=current]').getAttribute('data-state')).toBe('called');
    await press(page4, 'F3');
    await page4.waitForSelector('[data-testid=serve]');
    await page4.click('[data-outcome=consultation]');
    await page4.click('[data-testid=record-outcome]');
    await expect.poll(() => page4.locator('[data-testid=outcome-result] .print-failed').textContent()).toContain('本窗口未配置通知书打印机');
    const texts = [await page4.locator('[data-testid=outcome-result]').textContent(), await page4.locator('[data-testid=toast]').textContent()];
    // Case numbers aside (SL + digits), no code word such as "absent" inside the Chinese sentences.
    for (const text of texts) expect(text!.replace(/SL\d{12}/g, '')).not.toMatch(/[A-Za-z]/);
  });

  it('finishes, asks for the rating on the pad, and pauses with a reason shown timed (H-13, H-18)', async () => {
    const number = (await page3.locator('[data-testid=current]').getAttribute('data-ticket'))!;
    await press(page3, 'F4');
    await expect.poll(() => page3.locator('[data-testid=rating]').textContent()).toContain(`${number} 号已办结：请群众在评价器上评价`);
    expect(await page3.locator('[data-testid=rating] button').count()).toBe(0);
    // The citizen rates 不满意 (here by phone): the clerk's screen shows it as the bad news it is, never in green.
    const ticketId = (await ticket(number)).id;
    expect((await hall.api('POST', '/api/ratings', { ticketId, level: 'dissatisfied' })).status).toBe(201);
    await expect.poll(() => page3.locator('[data-testid=rating-line]').textContent()).toBe(`${number} 号评价结果：不满意`);
    expect(await style(page3, '[data-testid=rating-line]', 'color')).toBe('rgb(161, 42, 28)');

    await press(page3, 'F8');
    await page3.click('[data-testid=pause-dialog] [data-reason=会议]');
    await page3.click('[data-testid=pause-confirm]');
    await page3.waitForSelector('[data-testid=paused]');
    expect(await page3.locator('[data-testid=paused]').textContent()).toContain('暂停原因：会议');
    await expect.poll(() => display.shown.rows[0]).toBe('暂停服务');
    await expect.poll(() => page4.locator('[data-testid=neighbours] [data-window="3"]').textContent()).toContain('暂停');
    await page3.waitForTimeout(1600);
    await screenshot(page3, 'window-paused');
    // No call while paused.
    await press(page3, 'F1');
    expect(await page3.locator('[data-testid=current]').getAttribute('data-state')).toBe('none');
    await press(page3, 'F8');
    await expect.poll(() => page3.locator('[data-testid=desk]').getAttribute('data-paused')).toBe('no');
  });

  it('keeps an item’s waiting figures on one line beside a name of 40 characters', async () => {
    const catalogue = (await hall.api<{ items: { code: string; name: string }[] }>('GET', '/api/catalogue')).body;
    catalogue.items.find((i) => i.code === 'CRJ-GA-QZ')!.name = '往来港澳通行证签注（含团队旅游、个人旅游、探亲、商务及其他签注种类的办理与续签）';
    expect((await hall.api('PUT', '/api/catalogue', catalogue)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await hall.api('POST', '/api/tickets', { serviceCode: 'CRJ-GA-QZ' })).status).toBe(201);
    const row = page3.locator('[data-testid=queue] .by-item li[data-code=CRJ-GA-QZ]');
    await expect.poll(() => row.locator('.figures').textContent()).toMatch(/^\d+ 人 · /);
    const [name, figures] = await row.evaluate((li) =>
      ['.name', '.figures'].map((s) => {
        const el = li.querySelector<HTMLElement>(s)!;
        const box = el.getBoundingClientRect();
        // The lines the text takes: the distinct tops of its boxes.
        const range = document.createRange();
        range.selectNodeContents(el);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
        return { left: box.left, right: box.right, lines };
      }),
    );
    // The figures (people and the wait's range) whole on one line, the name wrapping beside them.
    expect(name!.lines).toBeGreaterThan(1);
    expect(figures!.lines).toBe(1);
    expect(name!.right).toBeLessThanOrEqual(figures!.left);
  });
});

describe('accepting on a fixed date', () => {
  let hub: RunningHub;
  let dir: string;
  let pair: PtyPair;
  let printer7: PrinterSimulator;
  let window7: Terminal;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-window-'));
    // Monday 2026-09-28, the last working days before 国庆.
    const fixed = Date.parse('2026-09-28T09:00:00+08:00');
    hub = await startHub({ dataDir: path.join(dir, 'hub'), token: HALL_TOKEN, seed: demoCatalogue({ allDay: true }), clock: () => fixed });
    await hub.store.pins.set('1011', '135790');
    pair = await startPtyPair();
    printer7 = await PrinterSimulator.open(pair.device);
    window7 = await runWindowInBrowserMode(undefined, {
      SERVICEHALL_HUB_URL: hub.wsUrl,
      SERVICEHALL_TOKEN: HALL_TOKEN,
      SERVICEHALL_TERMINAL: 'window-7',
      SERVICEHALL_WINDOW: '7',
      SERVICEHALL_TERMINAL_DATA: path.join(dir, 'window-7'),
      SERVICEHALL_PRINTER: pair.host,
    });
  });

  afterAll(async () => {
    await window7?.stop();
    await printer7?.close();
    await pair?.close();
    await hub?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints due dates that skip 国庆 and count the make-up Saturday, one notice per item of the visit (N-05)', async () => {
    const res = await fetch(`${hub.url}/api/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${HALL_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ serviceCode: 'SJ-SPJY-XK' }),
    });
    expect(res.status).toBe(201);
    const page = await openScreen(browser, window7.screen.url, SIZE);
    await signIn(page, '1011', '135790');
    await page.waitForSelector('[data-testid=desk]');
    await press(page, 'F1');
    await expect.poll(() => page.locator('[data-testid=current]').getAttribute('data-state')).toBe('called');
    await press(page, 'F3');
    await page.waitForSelector('[data-testid=serve]');

    // 食品经营许可: promised 5 working days from 09-28 → 09-29, 09-30, (10-01..07 off), 10-08, 10-09, 10-10 (调休 Saturday).
    await page.click('[data-outcome=accepted]');
    await page.fill('input[name=applicant-name]', '王小明');
    await page.fill('input[name=applicant-id]', '110101199003071234');
    await page.click('[data-testid=record-outcome]');
    await expect.poll(() => receiptText(printer7, 0)).toContain('受理通知书');
    const first = receiptText(printer7, 0);
    expect(first).toContain('SL202609280001');
    expect(first).toContain('受理日期：2026-09-28');
    expect(first).toContain('办结日期：2026-10-10');
    await expect.poll(() => page.locator('[data-testid=cases] [data-testid=applicant]').textContent()).toBe('王** · 1101**********1234');
    // The form keeps the ID number until the notice has printed and the outcome is answered.
    await expect.poll(() => page.content()).not.toContain('110101199003071234');

    // The same visit also registers the company (企业设立登记, promised 1 working day, legal 15).
    await page.click('[data-item=SJ-QY-SL]');
    await page.click('[data-outcome=accepted]');
    await page.click('[data-testid=record-outcome]');
    await expect.poll(() => receiptText(printer7, 1)).toContain('SL202609280002');
    expect(receiptText(printer7, 1)).toContain('办结日期：2026-09-29');
    await expect.poll(() => page.locator('[data-testid=cases] [data-case=SL202609280002]').textContent()).toContain('承诺办结 2026-09-29 · 法定办结 2026-10-23');
    await page.close();
  });
});
