import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestConsole } from '../packages/hub/src/testing/console';
import { launchChromium, screenshot, startTestHall, type TestHall } from './harness';

/**
 * The cases that need someone, in Chromium on the demo hall: a department head takes a bad
 * rating's follow-up through every step with a photo as evidence; a supervisor registers a
 * complaint from the 12345 line, the hall's clock (injected) moves past its deadline and the hub's
 * own sweep sends it to the supervisor; a case handed between departments, its delivery by post,
 * and the log of who read the applicant's data.
 */
const WIDE = { width: 1920, height: 1080 };
const MON = Date.parse('2026-11-30T09:00:00+08:00');
let now = MON;
let hall: TestHall;
let browser: Browser;
let dir: string;
const CASE = 'SL202611300001';
// A small real PNG (1×1, white): the evidence a head attaches to the rectification step.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==', 'base64');

async function staff(admin: TestConsole, id: string, role: string, department?: string): Promise<string> {
  const made = await admin.request('POST', '/api/staff', { id, name: id === 'li' ? '李科长' : id === 'wang' ? '王主任' : id, role, ...(department ? { department } : {}) });
  expect(made.status).toBe(201);
  const c = new TestConsole(hall.hub.url);
  await c.login(id, String(made.body.password));
  const own = `${id}-own-pass-9`;
  expect((await c.request('POST', '/api/console/password', { current: made.body.password, next: own })).status).toBe(200);
  return own;
}

async function signedIn(id: string, password: string): Promise<Page> {
  const context = await browser.newContext({ viewport: WIDE, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`console page error: ${error.message}`));
  await page.goto(`${hall.hub.url}/console/login`);
  await page.locator('[name=id]').fill(id);
  await page.locator('[name=password]').fill(password);
  await page.locator('button[type=submit]').click();
  await page.locator('.nav .who').waitFor();
  return page;
}

const passwords: Record<string, string> = {};

/** The supervisor's page at `route`, no longer hearing the hub's pushes (a page left open on a flaky network). */
async function behindPage(route: string): Promise<Page> {
  const page = await signedIn('wang', passwords.wang!);
  await page.route('**/api/console/stream', (r) => r.abort());
  await page.goto(`${hall.hub.url}${route}`);
  return page;
}

beforeAll(async () => {
  hall = await startTestHall({ clock: () => now, ratingSweepMs: 200, demoPin: '246810' });
  browser = await launchChromium();
  dir = fs.mkdtempSync(path.join(hall.dir, 'files-'));
  const admin = new TestConsole(hall.hub.url);
  expect((await admin.request('POST', '/api/console/first-admin', { setupCode: hall.hub.setupCode, id: 'admin', name: '王管理', password: 'first-admin-pass-1' })).status).toBe(201);
  await admin.login('admin', 'first-admin-pass-1');
  passwords.li = await staff(admin, 'li', 'department-head', '市场监管（企业开办）');
  passwords.zhao = await staff(admin, 'zhao', 'department-head', '税务');
  passwords.wang = await staff(admin, 'wang', 'supervisor');
  // A visit at window 7 accepted as a case, then rated 非常不满意: a follow-up opens (N-03).
  const api = hall.api;
  expect((await api('POST', '/api/windows/7/open', { clerk: '1011' })).status).toBe(200);
  const t = await api<{ ticket: { id: string } }>('POST', '/api/tickets', { serviceCode: 'SJ-QY-SL' });
  for (const step of ['call-next', 'start']) expect((await api('POST', `/api/windows/7/${step}`)).status).toBe(200);
  expect((await api('POST', '/api/windows/7/outcome', { serviceCode: 'SJ-QY-SL', outcome: 'accepted', applicant: { name: '张三丰', idNumber: '330106198801011234' } })).status).toBe(200);
  expect((await api('POST', '/api/windows/7/finish')).status).toBe(200);
  expect((await api('POST', '/api/ratings', { ticketId: t.body.ticket.id, level: 'very-dissatisfied', reasons: ['态度生硬'], text: '窗口人员不耐烦' })).status).toBe(201);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await hall?.close();
});

describe('the cases that need someone, in the console', { timeout: 90_000 }, () => {
  it("takes a bad rating's follow-up through 核实, 整改, 反馈, 回访 with a photo as evidence", async () => {
    const head = await signedIn('li', passwords.li!);
    await head.getByRole('link', { name: '差评整改' }).click();
    const row = head.locator('table.casework tbody tr');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    expect(await row.first().textContent()).toContain('核实');
    expect(await row.first().textContent()).toContain('市场监管（企业开办）');
    // The clerk named as the follow-up's own pages name people: 名字（工号）.
    expect(await row.first().locator('td').nth(3).textContent()).toMatch(/^[\u4e00-\u9fff]+（\d+）$/);
    await screenshot(head, 'console-follow-ups');
    await row.first().locator('a').click();
    const photo = path.join(dir, '整改后窗口.png');
    fs.writeFileSync(photo, PNG);
    const texts = { verify: '调阅录像，核实窗口人员答复生硬属实。', fix: '对当事人谈话提醒，科室组织文明用语培训。', reply: '已电话向评价人反馈整改情况并致歉。', revisit: '回访评价人，对整改表示认可。' };
    for (const [step, text] of Object.entries(texts)) {
      const current = head.locator(`li.current[data-step=${step}]`);
      await current.waitFor();
      await current.locator('textarea[name=note]').fill(text);
      // The file button is the console's own, in Chinese (not the browser's “Choose Files”), and names what was chosen.
      if (step === 'fix') {
        const files = current.locator('.files');
        expect(await files.textContent()).toContain('选择文件');
        expect(await files.textContent()).toContain('未选择文件');
        await current.locator('input[name=evidence]').setInputFiles(photo);
        expect(await files.textContent()).toContain('整改后窗口.png');
        await screenshot(head, 'console-follow-up-evidence');
      }
      await current.locator('button[type=submit]').click();
      await head.locator(`li.done[data-step=${step}]`).waitFor();
      if (step === 'reply') await screenshot(head, 'console-follow-up-steps');
    }
    expect(await head.locator('li.done').count()).toBe(4);
    // Who did each step, by name (the staff account's id beside it), not by id alone.
    expect(await head.locator('li.done[data-step=verify]').textContent()).toContain('李科长（li）');
    await head.getByText('已回访办结').waitFor();
    expect(await head.locator('li.done[data-step=fix] a.evidence').textContent()).toContain('整改后窗口.png');
    await screenshot(head, 'console-follow-up-closed');
    // The hub holds the same: four steps by the head, the photo stored by its hash, the follow-up closed.
    const open = await hall.api<{ followUps: unknown[] }>('GET', '/api/follow-ups');
    expect(open.body.followUps).toEqual([]);
    const closed = await hall.api<{ followUps: { closed: boolean; done: { by: string; evidence?: { type: string }[] }[] }[] }>('GET', '/api/follow-ups?closed=1');
    expect(closed.body.followUps[0]!.done.map((d) => d.by)).toEqual(['li', 'li', 'li', 'li']);
    expect(closed.body.followUps[0]!.done[1]!.evidence).toEqual([expect.objectContaining({ type: 'image/png', size: PNG.length })]);
  });

  it('registers a complaint from the 12345 line; once the clock passes its deadline the hub escalates it to the supervisor', async () => {
    let supervisor = await signedIn('wang', passwords.wang!);
    await supervisor.getByRole('link', { name: '投诉处理' }).click();
    await supervisor.locator('[name=summary]').waitFor();
    await supervisor.locator('[name=source]').selectOption('hotline-12345');
    await supervisor.locator('[name=sourceRef]').fill('12345-20261130-0088');
    await supervisor.locator('[name=complainant]').fill('张三丰');
    await supervisor.locator('[name=summary]').fill('办理企业设立登记时，窗口工作人员态度生硬，没有一次性说明所需材料。');
    await supervisor.locator('[name=caseNumber]').fill(CASE);
    await supervisor.locator('button[type=submit]').click();
    await supervisor.getByRole('heading', { name: '投诉处理 TS202611300001' }).waitFor();
    expect(await supervisor.textContent('body')).toContain('2026-12-07');
    expect(await supervisor.textContent('body')).toContain('张**');
    await screenshot(supervisor, 'console-complaint-new');
    // The audit log names the complaint by its number and the case it concerns.
    await supervisor.setViewportSize({ width: 1366, height: 768 });
    await supervisor.getByRole('link', { name: '操作日志' }).click();
    await supervisor.getByText(`登记了一件投诉：投诉 TS202611300001（涉及 办件 ${CASE}）`).waitFor();
    // The bad rating's follow-up above: each step in the log by the step taken, not all as 核实.
    const said = await supervisor.locator('table.audit td.summary').allTextContents();
    expect(said.filter((t) => t.startsWith('完成差评整改环节')).map((t) => t.replace(/：.*/, ''))).toEqual(['回访', '反馈', '整改', '核实'].map((step) => `完成差评整改环节“${step}”`));
    await screenshot(supervisor, 'console-audit-complaint-1366');

    // Tuesday 12-08: past the 5 working days; the hub's own sweep on its clock sends it to the supervisor.
    now = Date.parse('2026-12-08T08:30:00+08:00');
    await expect.poll(() => hall.hub.store.casework.complaintOf('TS202611300001')?.escalated?.overdueSince, { timeout: 10_000 }).toBe('2026-12-07');
    // A week on, the console session has ended: the supervisor signs in again.
    supervisor = await signedIn('wang', passwords.wang!);
    await supervisor.getByRole('link', { name: '投诉处理' }).click();
    const row = supervisor.locator('table.casework tbody tr', { hasText: 'TS202611300001' });
    await row.waitFor();
    expect(await row.textContent()).toContain('已超期');
    expect(await row.textContent()).toContain('已提交主任督办');
    await screenshot(supervisor, 'console-complaints-overdue');
    await row.locator('a').click();
    await supervisor.locator('[name=note]').fill('请科室核实并答复投诉人。');
    await supervisor.locator('[name=department]').selectOption('市场监管（企业开办）');
    await supervisor.getByRole('button', { name: '交办' }).click();
    await supervisor.getByText('已交办').first().waitFor();
    await supervisor.locator('[name=note]').fill('已电话致歉，说明补正材料清单，并告知整改措施。');
    await supervisor.locator('[name=channel]').selectOption('phone');
    await supervisor.getByRole('button', { name: '答复投诉人' }).click();
    await supervisor.locator('text=已答复').first().waitFor();
    expect(await supervisor.textContent('body')).toContain('超期提交主任督办');
    await screenshot(supervisor, 'console-complaint-detail');
  });

  it("hands the case to another department, records its delivery by post, and shows who read the applicant's data", async () => {
    const head = await signedIn('li', passwords.li!);
    await head.getByRole('link', { name: '办件送达' }).click();
    await head.locator('[name=caseNumber]').fill(CASE);
    await head.getByRole('button', { name: '查询' }).click();
    await head.getByRole('heading', { name: CASE }).waitFor();
    await head.locator('[name=toDepartment]').selectOption('税务');
    await head.locator('[name=days]').fill('2');
    await head.locator('[name=routeNote]').fill('涉税信息确认，请税务窗口协办');
    await head.getByRole('button', { name: '移交', exact: true }).click();
    await head.locator('table.casework tbody tr', { hasText: '税务' }).waitFor();
    await head.locator('[name=method]').selectOption('post');
    await head.locator('[name=channel]').selectOption('sms');
    await head.getByRole('button', { name: '记录通知' }).click();
    await head.locator('dd', { hasText: '短信' }).waitFor();
    // A supervisor's page of the case, left open without the hub's pushes, while the head records the post.
    const behind = await behindPage(`/console/cases/${CASE}`);
    await behind.getByRole('button', { name: '记录寄出' }).waitFor();
    await head.locator('[name=tracking]').fill('SF1234567890');
    await head.getByRole('button', { name: '记录寄出' }).click();
    await head.locator('dd', { hasText: 'SF1234567890' }).waitFor();
    // Sent twice: refused in Chinese, and the page shows the post as the head recorded it.
    await behind.locator('[name=tracking]').fill('YT0000000001');
    await behind.getByRole('button', { name: '记录寄出' }).click();
    await behind.locator('p.error', { hasText: `办件 ${CASE} 的办理结果已寄出，无需再次登记` }).waitFor();
    await behind.locator('dd', { hasText: 'SF1234567890' }).waitFor();
    await behind.context().close();
    await head.locator('[name=signedBy]').fill('张三丰');
    await head.getByRole('button', { name: '记录签收' }).click();
    await head.locator('dd', { hasText: '张**' }).first().waitFor();
    await head.locator('[name=items]').fill('营业执照申请书原件');
    await head.getByRole('button', { name: '记录原件退还' }).click();
    await head.locator('dd', { hasText: '营业执照申请书原件' }).waitFor();
    await screenshot(head, 'console-case-delivery');

    const tax = await signedIn('zhao', passwords.zhao!);
    await tax.getByRole('link', { name: '部门流转' }).click();
    const route = tax.locator('table.casework tbody tr', { hasText: CASE });
    await route.waitFor();
    expect(await route.textContent()).toContain('税务');
    await screenshot(tax, 'console-case-routes');

    // Staff read the applicant for their purposes; the supervisor filters the log by staff member and purpose.
    const reader = new TestConsole(hall.hub.url);
    await reader.login('li', passwords.li!);
    expect((await reader.request('GET', `/api/cases/${CASE}/applicant?purpose=delivery&note=${encodeURIComponent('核对邮寄地址')}`)).status).toBe(200);
    const boss = new TestConsole(hall.hub.url);
    await boss.login('wang', passwords.wang!);
    expect((await boss.request('GET', `/api/cases/${CASE}/applicant?purpose=complaint`)).status).toBe(200);
    const supervisor = await signedIn('wang', passwords.wang!);
    await supervisor.getByRole('link', { name: '个人信息访问' }).click();
    await supervisor.locator('table.access tbody tr').nth(1).waitFor();
    await supervisor.locator('[name=staff]').fill('li');
    await supervisor.locator('[name=purpose]').selectOption('delivery');
    await supervisor.getByRole('button', { name: '筛选' }).click();
    await expect.poll(() => supervisor.locator('table.access tbody tr').count()).toBe(1);
    expect(await supervisor.locator('table.access tbody tr').textContent()).toContain('核对邮寄地址');
    await screenshot(supervisor, 'console-personal-data-access');
  });

  it("takes the clerk's appeal of their own follow-up, and the supervisor's review", async () => {
    const api = hall.api;
    await api('POST', '/api/windows/7/open', { clerk: '1011' });
    const t = await api<{ ticket: { id: string } }>('POST', '/api/tickets', { serviceCode: 'SJ-QY-SL' });
    for (const step of ['call-next', 'start', 'finish']) expect((await api('POST', `/api/windows/7/${step}`)).status).toBe(200);
    expect((await api('POST', '/api/ratings', { ticketId: t.body.ticket.id, level: 'dissatisfied', reasons: ['等候时间长'] })).status).toBe(201);

    const clerk = await signedIn('1011', '246810');
    await clerk.getByRole('link', { name: '差评整改' }).click();
    const row = clerk.locator('table.casework tbody tr');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    await row.first().locator('a').click();
    await clerk.locator('[name=reason]').fill('当日系统故障导致等候较长，非本人服务原因，申请复核。');
    await clerk.getByRole('button', { name: '提交申诉' }).click();
    await clerk.getByText('申诉待复核').waitFor();
    // The clerk sees the steps but cannot take them.
    expect(await clerk.locator('textarea[name=note]').count()).toBe(0);

    const supervisor = await signedIn('wang', passwords.wang!);
    await supervisor.getByRole('link', { name: '差评整改' }).click();
    await supervisor.locator('table.casework tbody tr', { hasText: '申诉待复核' }).locator('a').click();
    await supervisor.locator('[name=decision]').fill('调阅当日设备记录，叫号系统故障属实，申诉成立。');
    await screenshot(supervisor, 'console-follow-up-appeal');
    await supervisor.getByRole('button', { name: '申诉成立（撤销差评整改）' }).click();
    await supervisor.getByText('申诉成立，已办结').waitFor();
    const closed = await api<{ followUps: { appeal?: { by: string; decision?: { upheld: boolean; by: string } }; closure?: { how: string } }[] }>('GET', '/api/follow-ups?closed=1');
    expect(closed.body.followUps[0]).toMatchObject({ appeal: { by: '1011', decision: { upheld: true, by: 'wang' } }, closure: { how: 'appeal-upheld' } });
  });

  it("takes a citizen's complaint from the QR page on a phone, and lists it for the supervisor", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', deviceScaleFactor: 2 });
    const phone = await context.newPage();
    const { number } = (await hall.api<{ ticket: { number: string } }>('POST', '/api/tickets', { serviceCode: 'GA-SFZ-HL' })).body.ticket;
    await phone.goto(`${hall.hub.url}/complain?ticket=${number}`);
    await phone.locator('textarea[name=text]').fill('叫号屏长时间不显示号码，也没有人解释原因。');
    await screenshot(phone, 'phone-complaint-form');
    // A number mistyped: said before anything is registered, what was written kept.
    await phone.locator('input[name=ticket]').fill('A0099');
    await phone.locator('button[type=submit]').click();
    await phone.getByText('未查到今天的号码 A0099').waitFor();
    expect(await phone.locator('textarea[name=text]').inputValue()).toBe('叫号屏长时间不显示号码，也没有人解释原因。');
    await screenshot(phone, 'phone-complaint-no-ticket');
    await phone.locator('input[name=ticket]').fill(number);
    await phone.locator('button[type=submit]').click();
    await phone.getByText('已收到您的投诉').waitFor();
    const id = (await phone.locator('.big').textContent())!.trim();
    expect(id).toMatch(/^TS\d{12}$/);
    await screenshot(phone, 'phone-complaint-received');
    const supervisor = await signedIn('wang', passwords.wang!);
    await supervisor.getByRole('link', { name: '投诉处理' }).click();
    const row = supervisor.locator('table.casework tbody tr', { hasText: id });
    await row.waitFor();
    expect(await row.textContent()).toContain('扫码评价页');
  });

  it('tells a supervisor whose complaint page was behind that another replied already, and shows the reply', async () => {
    const made = await hall.api<{ complaint: { id: string } }>('POST', '/api/complaints', { source: 'hotline-12345', summary: '等候时间太长，无人解释。' });
    const id = made.body.complaint.id;
    const page = await behindPage(`/console/complaints/${id}`);
    await page.getByRole('button', { name: '答复投诉人' }).waitFor();
    expect((await hall.api('POST', `/api/complaints/${id}/advance`, { action: 'reply', channel: 'phone', note: '已电话说明高峰时段安排并致歉。' })).status).toBe(200);
    await page.locator('[name=note]').fill('已短信答复。');
    await page.locator('[name=channel]').selectOption('sms');
    await page.getByRole('button', { name: '答复投诉人' }).click();
    await page.locator('p.error', { hasText: `投诉 ${id} 已答复投诉人` }).waitFor();
    // Beside the reason, the reply that was given.
    await page.locator('section.card p', { hasText: '已电话说明高峰时段安排并致歉。' }).first().waitFor();
    // The reply the supervisor wrote is kept and shown, not left in the box as the note of closing it.
    await page.locator('.stale-draft', { hasText: '已短信答复。' }).waitFor();
    expect(await page.locator('.stale-draft').textContent()).toContain('这件投诉已由他人办理，现在是“已答复”');
    expect(await page.locator('textarea[name=note]').count()).toBe(0);
    expect(await page.getByRole('button', { name: '办结' }).isDisabled()).toBe(true);
    await screenshot(page, 'console-complaint-replied-already');
    await page.getByRole('button', { name: '继续使用' }).click();
    expect(await page.locator('textarea[name=note]').inputValue()).toBe('已短信答复。');
    expect((await hall.api<{ complaint: { history: { action: string }[] } }>('GET', `/api/complaints/${id}`)).body.complaint.history.map((h) => h.action)).toEqual(['registered', 'reply']);
    await page.context().close();
  });

  it('tells a supervisor whose page was behind that the head did the step already, in Chinese, and shows the follow-up as it is now', async () => {
    // A second visit at window 7 rated 不满意: a new follow-up, open on the supervisor's page.
    const t = await hall.api<{ ticket: { id: string } }>('POST', '/api/tickets', { serviceCode: 'SJ-QY-SL' });
    for (const step of ['call-next', 'start', 'finish']) expect((await hall.api('POST', `/api/windows/7/${step}`)).status).toBe(200);
    expect((await hall.api('POST', '/api/ratings', { ticketId: t.body.ticket.id, level: 'dissatisfied', reasons: ['等候时间长'] })).status).toBe(201);
    const open = await hall.api<{ followUps: { id: string; ticketId: string }[] }>('GET', '/api/follow-ups');
    const id = open.body.followUps.find((f) => f.ticketId === t.body.ticket.id)!.id;
    const page = await behindPage(`/console/follow-ups/${encodeURIComponent(id)}`);
    const verify = page.locator('li.current[data-step=verify]');
    await verify.waitFor();
    const head = new TestConsole(hall.hub.url);
    await head.login('li', passwords.li!);
    expect((await head.request('POST', `/api/follow-ups/${encodeURIComponent(id)}/advance`, { step: 'verify', note: '调阅录像，等候时间长属实。' })).status).toBe(200);
    await verify.locator('textarea[name=note]').fill('核实：等候时间长');
    await verify.locator('button[type=submit]').click();
    await page.locator('p.error', { hasText: '「核实」已有人办理' }).waitFor();
    expect(await page.locator('p.error').textContent()).toContain('请刷新页面后再办理');
    // Beside the reason, the follow-up as it stands: 核实 done by 李科长, 整改 next.
    await page.locator('li.done[data-step=verify]', { hasText: '李科长' }).waitFor();
    // What the supervisor wrote for 核实 is kept and shown, not left in 整改's form to be sent as its record.
    const fix = page.locator('li.current[data-step=fix]');
    await fix.locator('.stale-draft', { hasText: '核实：等候时间长' }).waitFor();
    expect(await fix.locator('.stale-draft').textContent()).toContain('“核实”已由他人办理，现在待办“整改”');
    expect(await fix.locator('textarea[name=note]').count()).toBe(0);
    await screenshot(page, 'console-follow-up-done-already');
    await fix.getByRole('button', { name: '用于“整改”' }).click();
    expect(await fix.locator('textarea[name=note]').inputValue()).toBe('核实：等候时间长');
    const after = await hall.api<{ followUp: { done: { by: string }[] } }>('GET', `/api/follow-ups/${encodeURIComponent(id)}`);
    expect(after.body.followUp.done.map((d) => d.by)).toEqual(['li']);
    await page.context().close();
  });
});
