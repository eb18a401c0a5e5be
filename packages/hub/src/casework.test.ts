import { demoCatalogue } from '@servicehall/fixtures';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { overdueAlertReports, sniffEvidence } from './casework';
import { housekeep } from './housekeeping';
import { startHub, type RunningHub } from './server';
import { TestConsole } from './testing/console';

// The cases that need someone through the hub: each change a command carrying the staff member,
// each list scoped by role, evidence stored by its hash apart from the log, complaints escalated
// by the hub's own sweep on its (injected) clock.

const TOKEN = 'hall-token-for-casework-tests';
const MON = Date.parse('2026-11-30T09:00:00+08:00');
let now = MON;
let hubs: RunningHub[] = [];
let dirs: string[] = [];

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('a photo of the counter, fixed')]);

async function hall() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-casework-'));
  dirs.push(dir);
  const hub = await startHub({ dataDir: dir, token: TOKEN, clock: () => now, seed: demoCatalogue({ allDay: true }), demoPin: '246810' });
  hubs.push(hub);
  const token = new TestConsole(hub.url);
  const api = <T = Record<string, unknown>>(method: string, route: string, body?: unknown) => token.request<T>(method, route, body, { authorization: `Bearer ${TOKEN}` });
  const admin = new TestConsole(hub.url);
  expect((await admin.request('POST', '/api/console/first-admin', { setupCode: hub.setupCode, id: 'admin', name: '王管理', password: 'first-admin-pass-1' })).status).toBe(201);
  await admin.login('admin', 'first-admin-pass-1');
  const member = async (id: string, role: string, department?: string) => {
    const made = await admin.request('POST', '/api/staff', { id, name: id, role, ...(department ? { department } : {}) });
    expect(made.status).toBe(201);
    const c = new TestConsole(hub.url);
    await c.login(id, String(made.body.password));
    expect((await c.request('POST', '/api/console/password', { current: made.body.password, next: `${id}-own-pass-9` })).status).toBe(200);
    return c;
  };
  const clerk = async (number: string) => {
    const c = new TestConsole(hub.url);
    expect((await c.login(number, '246810')).status).toBe(200);
    return c;
  };
  /** Signs a staff member in again (a session ends after hours idle; the tests move the clock by days). */
  const again = async (id: string) => {
    const c = new TestConsole(hub.url);
    expect((await c.login(id, `${id}-own-pass-9`)).status).toBe(200);
    return c;
  };
  return { hub, api, admin, member, clerk, again };
}

/** One visit at window 7 (市场监管（企业开办）, clerk 1011) accepted as a case and rated 不满意. */
async function badVisit(api: Awaited<ReturnType<typeof hall>>['api']) {
  expect((await api('POST', '/api/windows/7/open', { clerk: '1011' })).status).toBe(200);
  const t = await api<{ ticket: { id: string } }>('POST', '/api/tickets', { serviceCode: 'SJ-QY-SL' });
  for (const step of ['call-next', 'start']) expect((await api('POST', `/api/windows/7/${step}`)).status).toBe(200);
  expect((await api('POST', '/api/windows/7/outcome', { serviceCode: 'SJ-QY-SL', outcome: 'accepted', applicant: { name: '张三丰', idNumber: '330106198801011234' } })).status).toBe(200);
  expect((await api('POST', '/api/windows/7/finish')).status).toBe(200);
  expect((await api('POST', '/api/ratings', { ticketId: t.body.ticket.id, level: 'very-dissatisfied', reasons: ['态度生硬'] })).status).toBe(201);
  return { ticketId: t.body.ticket.id, caseNumber: 'SL202611300001' };
}

afterEach(async () => {
  for (const h of hubs) await h.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  hubs = [];
  dirs = [];
  now = MON;
});

describe("a bad rating's follow-up through the console (N-03)", () => {
  it("is listed for its department's head, who takes it through every step with a photo as evidence; the clerk appeals, a supervisor decides", async () => {
    const { api, member, clerk } = await hall();
    await badVisit(api);
    const head = await member('li', 'department-head', '市场监管（企业开办）');
    const taxHead = await member('zhao', 'department-head', '税务');
    const supervisor = await member('wang', 'supervisor');
    const listed = await head.request<{ followUps: { id: string; department: string; due: Record<string, string> }[] }>('GET', '/api/follow-ups');
    expect(listed.body.followUps).toHaveLength(1);
    const f = listed.body.followUps[0]!;
    expect(f.department).toBe('市场监管（企业开办）');
    expect((await taxHead.request<{ followUps: unknown[] }>('GET', '/api/follow-ups')).body.followUps).toEqual([]);
    expect((await taxHead.request('POST', `/api/follow-ups/${f.id}/advance`, { step: 'verify', note: '核实' })).status).toBe(403);

    // Evidence: a PNG stored once by its hash; what is not a photo or PDF is refused.
    const bad = await head.request('POST', '/api/evidence?name=x.exe', Buffer.from('MZ not a photo'), { 'content-type': 'application/octet-stream' });
    expect(bad.status).toBe(400);
    const up = await head.request<{ evidence: { hash: string; type: string; size: number; name: string } }>('POST', `/api/evidence?name=${encodeURIComponent('整改照片.png')}`, PNG, {
      'content-type': 'application/octet-stream',
    });
    expect(up.status).toBe(201);
    expect(up.body.evidence).toMatchObject({ type: 'image/png', size: PNG.length, name: '整改照片.png' });
    const again = await head.request<{ evidence: { hash: string } }>('POST', '/api/evidence?name=same.png', PNG, { 'content-type': 'application/octet-stream' });
    expect(again.body.evidence.hash).toBe(up.body.evidence.hash);
    const file = await supervisor.request('GET', `/api/evidence/${up.body.evidence.hash}`);
    expect(file.headers.get('content-type')).toBe('image/png');
    expect(Buffer.compare(file.body as unknown as Buffer, PNG)).toBe(0);

    const c1011 = await clerk('1011');
    expect((await c1011.request('POST', `/api/follow-ups/${f.id}/appeal`, { reason: '录像显示并无怠慢' })).status).toBe(200);
    expect((await head.request('POST', `/api/follow-ups/${f.id}/appeal/decision`, { upheld: false, note: '复核' })).status).toBe(403);
    expect((await supervisor.request('POST', `/api/follow-ups/${f.id}/appeal/decision`, { upheld: false, note: '录像显示确有生硬' })).status).toBe(200);

    const steps = ['verify', 'fix', 'reply', 'revisit'] as const;
    for (const step of steps) {
      const r = await head.request('POST', `/api/follow-ups/${f.id}/advance`, { step, note: `${step} 已完成`, ...(step === 'fix' ? { evidence: [up.body.evidence] } : {}) });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    const done = await head.request<{ followUp: { closed: boolean; done: { step: string; by: string; evidence?: unknown[] }[]; appeal: { by: string; decision: { upheld: boolean; by: string } } } }>(
      'GET',
      `/api/follow-ups/${f.id}`,
    );
    expect(done.body.followUp).toMatchObject({ closed: true, appeal: { by: '1011', decision: { upheld: false, by: 'wang' } } });
    expect(done.body.followUp.done.map((d) => [d.step, d.by, d.evidence?.length ?? 0])).toEqual([
      ['verify', 'li', 0],
      ['fix', 'li', 1],
      ['reply', 'li', 0],
      ['revisit', 'li', 0],
    ]);
    // The events name the staff member; the file itself is not in the log.
    const events = await api<{ events: { type: string; staff?: { id: string }; evidence?: unknown }[] }>('GET', '/api/events?since=0&limit=5000');
    const advanced = events.body.events.filter((e) => e.type === 'followUp.advanced');
    expect(advanced.map((e) => e.staff?.id)).toEqual(['li', 'li', 'li', 'li']);
    expect(JSON.stringify(events.body.events)).not.toContain(PNG.toString('base64'));
    // The audit log names each step taken, not the follow-up alone.
    const audit = await supervisor.request<{ entries: { action: string; target: string; after?: unknown }[] }>('GET', '/api/audit?limit=20');
    expect(audit.body.entries.filter((e) => e.action === 'advanceFollowUp').map((e) => [e.target, e.after])).toEqual(
      [...steps].reverse().map((step) => [`follow-up:${f.id}`, { step }]),
    );
    expect((await head.request<{ followUps: unknown[] }>('GET', '/api/follow-ups')).body.followUps).toEqual([]);
  });
});

describe('complaints through the console (H-15)', () => {
  it('is named in the audit log by the number it was given and by the ticket and window it concerns', async () => {
    const { api, member } = await hall();
    const { ticketId } = await badVisit(api);
    const supervisor = await member('wang', 'supervisor');
    const made = await supervisor.request<{ complaint: { id: string } }>('POST', '/api/complaints', { source: 'complaint-window', summary: '等候时间过长', about: { ticketId, window: 7 } });
    expect(made.status).toBe(201);
    const audit = await supervisor.request<{ entries: { action: string; target: string; after?: unknown }[] }>('GET', '/api/audit?limit=1');
    const number = (await api<{ number: string }>('GET', `/api/tickets/${ticketId}`)).body.number;
    expect(number).toMatch(/^[A-Z]{1,2}\d+$/);
    expect(audit.body.entries[0]).toMatchObject({
      action: 'createComplaint',
      target: `complaint:${made.body.complaint.id}`,
      after: { source: 'complaint-window', ticket: number, window: 7, department: '市场监管（企业开办）' },
    });
  });

  it("goes overdue on the hub's clock and is escalated to the supervisor by the sweep, once; then assigned, replied to and closed", async () => {
    const { hub, api, member, again } = await hall();
    const { caseNumber } = await badVisit(api);
    let supervisor = await member('wang', 'supervisor');
    await member('li', 'department-head', '市场监管（企业开办）');
    let head = await again('li');
    expect((await head.request('POST', '/api/complaints', { source: 'qr', summary: '态度生硬' })).status).toBe(403);
    const made = await supervisor.request<{ complaint: { id: string; due: string; department: string } }>('POST', '/api/complaints', {
      source: 'hotline-12345',
      sourceRef: '12345-GD-0001',
      summary: '窗口工作人员态度生硬',
      complainant: '张三丰',
      about: { caseNumber },
    });
    expect(made.status).toBe(201);
    // 5 working days from Monday 11-30: Monday 12-07.
    expect(made.body.complaint).toMatchObject({ id: 'TS202611300001', due: '2026-12-07', department: '市场监管（企业开办）', complainant: '张**' });
    const id = made.body.complaint.id;

    now = Date.parse('2026-12-07T20:00:00+08:00');
    housekeep(hub.store, now);
    supervisor = await again('wang');
    head = await again('li');
    expect((await supervisor.request<{ complaint: { escalated?: unknown } }>('GET', `/api/complaints/${id}`)).body.complaint.escalated).toBeUndefined();
    now = Date.parse('2026-12-08T08:00:00+08:00');
    housekeep(hub.store, now);
    housekeep(hub.store, now + 60_000);
    supervisor = await again('wang');
    head = await again('li');
    const seen = await supervisor.request<{ complaint: { escalated: { overdueSince: string }; history: { action: string }[] } }>('GET', `/api/complaints/${id}`);
    expect(seen.body.complaint.escalated).toMatchObject({ overdueSince: '2026-12-07' });
    expect(seen.body.complaint.history.filter((h) => h.action === 'escalated')).toHaveLength(1);
    const overdue = await head.request<{ items: { kind: string; id: string }[] }>('GET', '/api/overdue');
    expect(overdue.body.items).toContainEqual(expect.objectContaining({ kind: 'complaint', id, workingDaysLate: 1, escalated: true }));
    // What the supervisors' alerts take from the hub's records: one 督办 report for it.
    expect(overdueAlertReports(hub.store, now)).toContainEqual({ subject: 'complaint', reference: id, due: '2026-12-07', department: '市场监管（企业开办）' });

    expect((await supervisor.request('POST', `/api/complaints/${id}/advance`, { action: 'assign', department: '市场监管（企业开办）', note: '请科室回复' })).status).toBe(200);
    expect((await head.request('POST', `/api/complaints/${id}/advance`, { action: 'reply', channel: 'phone', note: '已电话致歉并说明整改' })).status).toBe(200);
    expect((await head.request('POST', `/api/complaints/${id}/advance`, { action: 'close', note: '结案' })).status).toBe(403);
    expect((await supervisor.request('POST', `/api/complaints/${id}/advance`, { action: 'close', note: '投诉人满意', satisfied: true })).status).toBe(200);
    expect((await supervisor.request<{ complaints: unknown[] }>('GET', '/api/complaints')).body.complaints).toEqual([]);
    expect((await supervisor.request<{ complaints: { id: string; state: string }[] }>('GET', '/api/complaints?closed=1')).body.complaints).toEqual([
      expect.objectContaining({ id, state: 'closed' }),
    ]);
    // "true" is yes as "1" is, "false" no; a word that is neither is refused rather than read as the open list.
    const closed = (flag: string) => supervisor.request<{ complaints: { id: string }[]; text?: string }>('GET', `/api/complaints?closed=${flag}`);
    expect((await closed('true')).body.complaints).toEqual([expect.objectContaining({ id, state: 'closed' })]);
    expect((await closed('false')).body.complaints).toEqual([]);
    for (const flag of ['abc', '', 'yes'])
      expect(await closed(flag)).toMatchObject({ status: 400, body: { code: 'bad-request', text: '查询条件 closed 应为 1 或 true（是），0 或 false（否）。' } });
  });
});

describe("the citizen's complaint page (H-15, the QR page)", () => {
  it('registers a complaint from the QR page once, linked to the ticket named, with its number and deadline shown', async () => {
    const { hub, api } = await hall();
    const { ticketId } = await badVisit(api);
    const number = ticketId.slice('2026-11-30-'.length);
    const form = await (await fetch(`${hub.url}/complain?ticket=${number}`)).text();
    expect(form).toContain('意见投诉');
    expect(form).toContain('12345');
    const once = /name="once" value="([0-9a-f-]{36})"/.exec(form)![1]!;
    const send = (text: string) =>
      fetch(`${hub.url}/complain`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ once, ticket: number.toLowerCase(), text }).toString() });
    expect((await send('   ')).status).toBe(400);
    const first = await send('等候时叫号屏不显示号码，工作人员也没有解释。');
    expect(first.status).toBe(200);
    const page = await first.text();
    expect(page).toContain('TS202611300001');
    expect(page).toContain('2026-12-07');
    // The same form sent again (a second press): the same complaint, none added.
    expect(await (await send('等候时叫号屏不显示号码，工作人员也没有解释。')).text()).toContain('TS202611300001');
    const open = await api<{ complaints: { id: string; source: string; about: { ticketId?: string } }[] }>('GET', '/api/complaints');
    expect(open.body.complaints).toEqual([expect.objectContaining({ id: 'TS202611300001', source: 'qr', about: { ticketId }, department: '市场监管（企业开办）' })]);
  });
});

describe('the text of a complaint (H-15), as screens, printers and exports can take it', () => {
  it('refuses a control character pasted into its summary, complainant or reference, saying so; keeps the line breaks of its summary', async () => {
    const { api } = await hall();
    const register = (more: Record<string, string>) => api<{ complaint?: { id: string; summary: string }; text?: string }>('POST', '/api/complaints', { source: 'hotline-12345', summary: '态度生硬', ...more });
    expect(await register({ summary: '叫号屏\u001b@不显示' })).toMatchObject({
      status: 400,
      body: { code: 'bad-request', text: '字段 summary 不正确：应为不含看不见的控制字符的文字（可以换行；控制字符可能是从其他程序粘贴来的，请删除后重新输入）。未作任何更改，请改正后再试。' },
    });
    for (const [field, value] of [['complainant', '张\u0000三'], ['complainant', '张\n三'], ['sourceRef', '12345-GD\u0007-0001']] as const)
      expect((await register({ [field]: value })).body.text, field).toBe(`字段 ${field} 不正确：应为一行文字，不含看不见的控制字符（可能是从其他程序粘贴来的，请删除后重新输入）。未作任何更改，请改正后再试。`);
    expect((await api<{ complaints: unknown[] }>('GET', '/api/complaints')).body.complaints).toEqual([]);
    const made = await register({ summary: '第一次：等候过长\n第二次：无人解释' });
    expect(made.status).toBe(201);
    expect(made.body.complaint!.summary).toBe('第一次：等候过长\n第二次：无人解释');
  });

  it("leaves a control character out of a citizen's complaint from the QR page rather than refuse it", async () => {
    const { hub, api } = await hall();
    const form = await (await fetch(`${hub.url}/complain`)).text();
    const once = /name="once" value="([0-9a-f-]{36})"/.exec(form)![1]!;
    const sent = await fetch(`${hub.url}/complain`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ once, text: '等候\u0007过长\u001b@\r\n无人解释' }).toString() });
    expect(sent.status).toBe(200);
    const open = await api<{ complaints: { summary: string }[] }>('GET', '/api/complaints');
    expect(open.body.complaints.map((c) => c.summary)).toEqual(['等候过长@\r\n无人解释']);
  });
});

describe('complaint numbers', () => {
  it('run on after the hub restarts the same day: a new complaint never takes an earlier one\'s number', async () => {
    const { hub, api } = await hall();
    const register = (summary: string) => api<{ complaint: { id: string } }>('POST', '/api/complaints', { source: 'complaint-window', summary });
    expect((await register('第一件')).body.complaint.id).toBe('TS202611300001');
    await hub.close();
    hubs = hubs.filter((h) => h !== hub);
    const again = await startHub({ dataDir: dirs.at(-1)!, token: TOKEN, clock: () => now });
    hubs.push(again);
    const after = await new TestConsole(again.url).request<{ complaint: { id: string } }>('POST', '/api/complaints', { source: 'letter', summary: '第二件' }, { authorization: `Bearer ${TOKEN}` });
    expect(after.body.complaint.id).toBe('TS202611300002');
    expect(again.store.casework.complaintOf('TS202611300001')?.summary).toBe('第一件');
  });
});

describe('cases between departments, delivery and who read personal data (H-10, H-12, H-19)', () => {
  it('routes a case, records its delivery by post, and logs each read of its applicant by staff member and purpose', async () => {
    const { api, member, clerk, again } = await hall();
    const { caseNumber } = await badVisit(api);
    let head = await member('li', 'department-head', '市场监管（企业开办）');
    let tax = await member('zhao', 'department-head', '税务');
    let supervisor = await member('wang', 'supervisor');
    await member('sun', 'department-head', '公安户籍');
    expect((await tax.request('POST', `/api/cases/${caseNumber}/route`, { toDepartment: '税务', note: '请协办' })).status).toBe(403);
    expect((await head.request('POST', `/api/cases/${caseNumber}/route`, { toDepartment: '税务', note: '请协办', days: 1 })).status).toBe(200);
    const routes = await tax.request<{ routes: { caseNumber: string; steps: { department: string; due: string }[] }[] }>('GET', '/api/case-routes');
    expect(routes.body.routes).toEqual([expect.objectContaining({ caseNumber, steps: [expect.objectContaining({ department: '税务', due: '2026-12-01' })] })]);
    now = Date.parse('2026-12-02T09:00:00+08:00');
    [head, tax, supervisor] = [await again('li'), await again('zhao'), await again('wang')];
    expect((await supervisor.request<{ items: unknown[] }>('GET', '/api/overdue')).body.items).toContainEqual(expect.objectContaining({ kind: 'case-route', id: caseNumber, department: '税务' }));
    expect((await tax.request('POST', `/api/cases/${caseNumber}/route`, { finish: true, note: '已办结' })).status).toBe(200);

    const c1011 = await clerk('1011');
    expect((await c1011.request('POST', `/api/cases/${caseNumber}/delivery`, { action: 'send', method: 'post' })).status).toBe(400);
    for (const step of [
      { action: 'notify', channel: 'sms', method: 'post' },
      { action: 'send', trackingNumber: 'SF1234567890' },
      { action: 'hand-over', signedBy: '张三丰' },
      { action: 'return-originals', items: '营业执照正副本原件', signedBy: '张三丰' },
    ])
      expect((await c1011.request('POST', `/api/cases/${caseNumber}/delivery`, step)).status).toBe(200);
    const delivery = await head.request<{ delivery: Record<string, unknown>; route: { state: string } }>('GET', `/api/cases/${caseNumber}/delivery`);
    expect(delivery.body.delivery).toMatchObject({ method: 'post', sent: { trackingNumber: 'SF1234567890', by: '1011' }, delivered: { signedBy: '张**' } });
    expect(delivery.body.route.state).toBe('done');

    expect((await head.request('GET', `/api/cases/${caseNumber}/applicant?purpose=delivery`)).status).toBe(200);
    expect((await supervisor.request('GET', `/api/cases/${caseNumber}/applicant?purpose=complaint&note=${encodeURIComponent('核对投诉人')}`)).status).toBe(200);
    // 税务 held the case on its route and may read its applicant; 公安户籍 never had it, and its head is refused, unlogged.
    expect((await tax.request('GET', `/api/cases/${caseNumber}/applicant?purpose=delivery`)).status).toBe(200);
    const police = await again('sun');
    const refused = await police.request<{ message: string }>('GET', `/api/cases/${caseNumber}/applicant?purpose=supervision`);
    expect(refused.status).toBe(403);
    expect(refused.body.message).not.toContain('张');
    expect((await police.request('GET', '/api/cases/SL209912310001/applicant?purpose=supervision')).status).toBe(403);
    expect((await supervisor.request('GET', '/api/cases/SL209912310001/applicant?purpose=supervision')).status).toBe(404);
    const everyRead = await supervisor.request<{ records: { staffId: string; caseNumber: string }[] }>('GET', '/api/personal-data-access');
    expect(everyRead.body.records.map((r) => `${r.staffId} ${r.caseNumber}`)).toEqual([`zhao ${caseNumber}`, `wang ${caseNumber}`, `li ${caseNumber}`]);
    expect((await head.request('GET', '/api/personal-data-access')).status).toBe(403);
    const byHead = await supervisor.request<{ records: { staffId: string; purpose: string; caseNumber: string }[] }>('GET', '/api/personal-data-access?staff=li');
    expect(byHead.body.records).toEqual([expect.objectContaining({ staffId: 'li', purpose: 'delivery', caseNumber })]);
    const forComplaints = await supervisor.request<{ records: { staffId: string }[] }>('GET', `/api/personal-data-access?purpose=complaint&case=${caseNumber}`);
    expect(forComplaints.body.records.map((r) => r.staffId)).toEqual(['wang']);
    expect((await supervisor.request('GET', '/api/personal-data-access?purpose=curiosity')).status).toBe(400);
  });
});

describe('evidence files', () => {
  it.each([
    [Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'image/jpeg'],
    [PNG, 'image/png'],
    [Buffer.from('%PDF-1.7\n'), 'application/pdf'],
    [Buffer.from('<svg/>'), undefined],
    [Buffer.from('GIF89a'), undefined],
  ])('are known by their first bytes (%#)', (data, type) => {
    expect(sniffEvidence(data)).toBe(type);
  });
});

describe('the API of the cases that need someone', () => {
  it('is in the OpenAPI document, each operation open to the roles that see to it', async () => {
    const { api } = await hall();
    const doc = (await api<{ paths: Record<string, Record<string, { operationId: string; 'x-staff-roles'?: string[] }>> }>('GET', '/api/openapi.json')).body;
    const ops = new Map(Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => [o.operationId, o['x-staff-roles'] ?? []] as const)));
    for (const id of ['listFollowUps', 'advanceFollowUp', 'listComplaints', 'createComplaint', 'advanceComplaint', 'listCaseRoutes', 'routeCase', 'recordDelivery', 'listPersonalDataAccess'])
      expect(ops.has(id), id).toBe(true);
    expect(ops.get('createComplaint')).toEqual(['administrator', 'supervisor']);
    expect(ops.get('listPersonalDataAccess')).toEqual(['administrator', 'supervisor']);
    expect(ops.get('appealFollowUp')).toContain('clerk');
  });
});
