import { describe, expect, it } from 'vitest';
import demo from '../../../fixtures/catalogue/demo-hall.json' with { type: 'json' };
import { chinaCalendar } from './calendar';
import type { CaseRoute, Complaint, Delivery } from './casework';
import { CatalogueSchema } from './catalogue';
import type { Actor, CommandBody } from './commands';
import { applyEvent, dayChange, decide, emptyView, overdueItems, overdueReports, type DecideContext, type Decision, type HallView } from './hall';
import type { FollowUp } from './ratings';
import type { Result } from './result';
import type { StaffRef } from './staff';
import { refusalTextOf } from './strings';

const DAY = '2026-09-28';
const at = (time: string, day = DAY) => Date.parse(`${day}T${time}:00+08:00`);
const TZ = 'Asia/Shanghai';
const kiosk: Actor = { role: 'kiosk', terminal: 'kiosk-1' };
const win7: Actor = { role: 'window', terminal: 'window-7', window: 7 };
const pad7: Actor = { role: 'rating-pad', terminal: 'pad-7', window: 7 };
const staff = (s: StaffRef): Actor => ({ role: 'admin', terminal: 'console', staff: s });
const supervisor = staff({ id: 'wang', name: '王督导', role: 'supervisor' });
const head7 = staff({ id: 'li', name: '李科长', role: 'department-head', department: '市场监管（企业开办）' });
const headTax = staff({ id: 'zhao', name: '赵科长', role: 'department-head', department: '税务' });
const clerk1011 = staff({ id: '1011', name: '窗口七', role: 'clerk' });
const clerk1001 = staff({ id: '1001', name: '窗口一', role: 'clerk' });

/** The hall's records of what the view does not hold (the hub's tables), kept by the events. */
class Records {
  complaints = new Map<string, Complaint>();
  routes = new Map<string, CaseRoute>();
  deliveries = new Map<string, Delivery>();
  files = new Set<string>();
  ctx(now: number, actor: Actor): DecideContext {
    return {
      now,
      actor,
      complaintOf: (id) => this.complaints.get(id),
      caseRouteOf: (n) => this.routes.get(n),
      deliveryOf: (n) => this.deliveries.get(n),
      evidenceOf: (h) => this.files.has(h),
    };
  }
}

function run(view: HallView, records: Records, command: CommandBody, actor: Actor, now: number): Result<Decision> {
  // As the hub does: a new hall day opens before the first command on it.
  for (const e of dayChange(view, now)) applyEvent(view, { ...e, seq: view.seq + 1, at: now });
  const r = decide(view, command, records.ctx(now, actor));
  if (!r.ok) return r;
  for (const e of r.value.events) {
    applyEvent(view, { ...e, seq: view.seq + 1, at: now });
    if (e.type === 'complaint.changed') records.complaints.set(e.complaint.id, e.complaint);
    if (e.type === 'caseRoute.changed') records.routes.set(e.route.caseNumber, e.route);
    if (e.type === 'delivery.recorded') records.deliveries.set(e.delivery.caseNumber, e.delivery);
  }
  return r;
}

function must(view: HallView, records: Records, command: CommandBody, actor: Actor, now: number): Decision {
  const r = run(view, records, command, actor, now);
  if (!r.ok) throw new Error(`${command.type} refused: ${r.code}: ${r.message}`);
  return r.value;
}

/** The demo hall on 2026-09-28 (the Monday before 国庆): one visit at window 7 accepted as a case and rated 不满意. */
function hall() {
  const view = emptyView(CatalogueSchema.parse(demo), DAY);
  const records = new Records();
  const go = (command: CommandBody, actor: Actor, time: string, day = DAY) => must(view, records, command, actor, at(time, day));
  go({ type: 'openWindow', window: 7, clerk: '1011' }, win7, '08:30');
  go({ type: 'issueTicket', serviceCode: 'SJ-QY-SL', lane: 'ordinary' }, kiosk, '09:00');
  go({ type: 'callNext', window: 7 }, win7, '09:01');
  go({ type: 'startService', window: 7 }, win7, '09:02');
  go({ type: 'recordOutcome', window: 7, serviceCode: 'SJ-QY-SL', outcome: 'accepted' }, win7, '09:10');
  go({ type: 'finishService', window: 7 }, win7, '09:12');
  const ticketId = [...view.tickets.keys()][0]!;
  const rated = go({ type: 'rate', window: 7, ticketId, level: 'dissatisfied', channel: 'window-pad', aspects: {}, reasons: [] }, pad7, '09:13');
  const opened = rated.events.find((e) => e.type === 'followUp.opened');
  const followUp = opened?.type === 'followUp.opened' ? opened.followUp : undefined;
  return { view, records, go, followUp: followUp!, caseNumber: 'SL202609280001', try: (command: CommandBody, actor: Actor, now: number) => run(view, records, command, actor, now) };
}

const PHOTO = { hash: 'a'.repeat(64), name: '整改照片.jpg', type: 'image/jpeg' as const, size: 2048 };

describe("a bad rating's follow-up (N-03)", () => {
  it('belongs to the department of the window rated, and its head takes it through every step with text and evidence', () => {
    const h = hall();
    expect(h.followUp.department).toBe('市场监管（企业开办）');
    const advance = (step: 'verify' | 'fix' | 'reply' | 'revisit', evidence?: (typeof PHOTO)[]): CommandBody => ({
      type: 'advanceFollowUp',
      followUpId: h.followUp.id,
      step,
      note: `${step}：已办`,
      ...(evidence ? { evidence } : {}),
    });
    // Another department's head may not; evidence must be stored before a step names it.
    expect(h.try(advance('verify'), headTax, at('10:00'))).toMatchObject({ ok: false, code: 'forbidden' });
    expect(h.try(advance('verify', [PHOTO]), head7, at('10:00'))).toMatchObject({ ok: false, code: 'not-found' });
    h.records.files.add(PHOTO.hash);
    h.go(advance('verify', [PHOTO]), head7, '10:00');
    expect(h.try(advance('reply'), head7, at('10:01'))).toMatchObject({ ok: false, code: 'illegal-transition' });
    for (const step of ['fix', 'reply', 'revisit'] as const) h.go(advance(step), head7, '10:05');
    const f = h.view.followUps.get(h.followUp.id)!;
    expect(f.done.map((d) => [d.step, d.by])).toEqual([
      ['verify', 'li'],
      ['fix', 'li'],
      ['reply', 'li'],
      ['revisit', 'li'],
    ]);
    expect(f.done[0]!.evidence).toEqual([PHOTO]);
    expect(f).toMatchObject({ closed: true, closure: { how: 'revisited', at: at('10:05') } });
    expect(h.try(advance('revisit'), supervisor, at('10:06'))).toMatchObject({ ok: false, code: 'illegal-transition' });
  });

  it("takes the clerk's own appeal, and a supervisor's decision: upheld closes it, rejected lets it go on", () => {
    const h = hall();
    const appeal: CommandBody = { type: 'appealFollowUp', followUpId: h.followUp.id, reason: '评价与录像不符' };
    const decision = (upheld: boolean): CommandBody => ({ type: 'decideFollowUpAppeal', followUpId: h.followUp.id, upheld, note: '调阅录像' });
    expect(h.try(decision(true), supervisor, at('10:00'))).toMatchObject({ ok: false, code: 'illegal-transition' });
    expect(h.try(appeal, clerk1001, at('10:00'))).toMatchObject({ ok: false, code: 'forbidden' });
    h.go(appeal, clerk1011, '10:00');
    expect(h.try(appeal, clerk1011, at('10:01'))).toMatchObject({ ok: false, code: 'illegal-transition' });
    expect(h.try(decision(true), head7, at('10:02'))).toMatchObject({ ok: false, code: 'forbidden' });
    h.go(decision(true), supervisor, '10:03');
    expect(h.view.followUps.get(h.followUp.id)).toMatchObject({
      closed: true,
      closure: { how: 'appeal-upheld' },
      appeal: { reason: '评价与录像不符', by: '1011', decision: { upheld: true, by: 'wang' } },
    });

    const other = hall();
    other.go({ ...appeal, followUpId: other.followUp.id }, clerk1011, '10:00');
    other.go({ type: 'decideFollowUpAppeal', followUpId: other.followUp.id, upheld: false, note: '录像显示确有怠慢' }, supervisor, '10:03');
    expect(other.view.followUps.get(other.followUp.id)).toMatchObject({ closed: false, appeal: { decision: { upheld: false } } });
    other.go({ type: 'advanceFollowUp', followUpId: other.followUp.id, step: 'verify', note: '已核实' }, head7, '10:10');
  });
});

describe('complaints (H-15)', () => {
  const create = (extra: Partial<Extract<CommandBody, { type: 'createComplaint' }>> = {}): CommandBody => ({
    type: 'createComplaint',
    source: 'hotline-12345',
    sourceRef: 'GD-2026-0001',
    summary: '窗口工作人员态度生硬',
    complainant: '张三丰',
    about: { window: 7 },
    ...extra,
  });

  it('registers from the hotline with a number, the department of its window and a deadline in working days across 国庆', () => {
    const h = hall();
    expect(h.try(create(), head7, at('11:00'))).toMatchObject({ ok: false, code: 'forbidden' });
    h.go(create(), supervisor, '11:00');
    h.go(create({ source: 'letter', about: { caseNumber: h.caseNumber } }), supervisor, '11:01');
    const [first, second] = [...h.records.complaints.values()];
    // 5 working days from 09-28: 09-29, 09-30, then 10-08, 10-09 and the make-up Saturday 10-10.
    expect(first).toMatchObject({ id: 'TS202609280001', department: '市场监管（企业开办）', complainant: '张**', due: '2026-10-10', state: 'registered' });
    expect(second).toMatchObject({ id: 'TS202609280002', source: 'letter', department: '市场监管（企业开办）' });
    expect(h.try(create({ about: { caseNumber: 'SL209901010001' } }), supervisor, at('11:02'))).toMatchObject({ ok: false, code: 'not-found' });
  });

  it('goes to the supervisor once overdue without a reply, once only, and is assigned, replied to and closed', () => {
    const h = hall();
    h.go(create(), supervisor, '11:00');
    const id = 'TS202609280001';
    const escalate: CommandBody = { type: 'escalateComplaint', complaintId: id };
    // Due 10-10: not overdue that day, overdue the next.
    expect(h.try(escalate, supervisor, at('18:00', '2026-10-10'))).toMatchObject({ ok: false, code: 'conflict' });
    const open = () => ({ followUps: [], complaints: [...h.records.complaints.values()], routes: [] });
    expect(overdueItems(open(), at('18:00', '2026-10-10'), chinaCalendar, TZ)).toEqual([]);
    h.go(escalate, supervisor, '08:01', '2026-10-11');
    expect(h.records.complaints.get(id)).toMatchObject({ escalated: { to: 'supervisor', overdueSince: '2026-10-10' } });
    expect(h.try(escalate, supervisor, at('08:02', '2026-10-11'))).toMatchObject({ ok: false, code: 'conflict' });
    expect(overdueItems(open(), at('08:02', '2026-10-12'), chinaCalendar, TZ)).toEqual([
      { kind: 'complaint', id, due: '2026-10-10', workingDaysLate: 1, escalated: true, department: '市场监管（企业开办）' },
    ]);

    const advance = (action: 'assign' | 'reply' | 'close', extra: object = {}): CommandBody => ({ type: 'advanceComplaint', complaintId: id, action, note: `${action} 说明`, ...extra });
    expect(h.try(advance('close'), supervisor, at('09:00', '2026-10-11'))).toMatchObject({ ok: false, code: 'illegal-transition' });
    h.go(advance('assign', { department: '市场监管（企业开办）' }), supervisor, '09:00', '2026-10-11');
    expect(h.try(advance('reply', { channel: 'phone' }), headTax, at('09:30', '2026-10-11'))).toMatchObject({ ok: false, code: 'forbidden' });
    expect(h.try({ ...advance('reply', { channel: 'phone' }), note: '不归我管' } as CommandBody, head7, at('09:30', '2026-10-11'))).toMatchObject({ ok: false, code: 'bad-request' });
    h.go(advance('reply', { channel: 'phone' }), head7, '09:30', '2026-10-11');
    expect(overdueItems(open(), at('08:00', '2026-10-12'), chinaCalendar, TZ)).toEqual([]);
    h.go(advance('close', { satisfied: true }), supervisor, '10:00', '2026-10-11');
    expect(h.records.complaints.get(id)).toMatchObject({ state: 'closed', reply: { channel: 'phone', by: 'li' }, closed: { satisfied: true, by: 'wang' } });
    expect(h.records.complaints.get(id)!.history.map((x) => x.action)).toEqual(['registered', 'escalated', 'assign', 'reply', 'close']);
  });
});

describe('cases handed between departments (H-10)', () => {
  it('tracks who holds a case and till when; a step past its day is overdue', () => {
    const h = hall();
    const route = (extra: object): CommandBody => ({ type: 'routeCase', caseNumber: h.caseNumber, note: '请协办', ...extra }) as CommandBody;
    // The item's department hands it on first; another department's head may not.
    expect(h.try(route({ toDepartment: '税务' }), headTax, at('11:00'))).toMatchObject({ ok: false, code: 'forbidden' });
    h.go(route({ toDepartment: '税务' }), head7, '11:00');
    expect(h.try(route({ toDepartment: '税务' }), supervisor, at('11:01'))).toMatchObject({ ok: false, code: 'conflict' });
    h.go(route({ toDepartment: '不动产登记', days: 2 }), headTax, '11:05');
    const r = h.records.routes.get(h.caseNumber)!;
    expect(r.steps.map((s) => [s.from, s.department, s.due, s.doneAt !== undefined])).toEqual([
      ['市场监管（企业开办）', '税务', '2026-10-08', true],
      ['税务', '不动产登记', '2026-09-30', false],
    ]);
    const open = () => ({ followUps: [], complaints: [], routes: [...h.records.routes.values()] });
    expect(overdueItems(open(), at('09:00', '2026-09-30'), chinaCalendar, TZ)).toEqual([]);
    expect(overdueItems(open(), at('09:00', '2026-10-08'), chinaCalendar, TZ)).toEqual([
      { kind: 'case-route', id: h.caseNumber, step: 2, due: '2026-09-30', workingDaysLate: 1, department: '不动产登记', from: '税务' },
    ]);
    h.go(route({ finish: true }), supervisor, '11:10');
    expect(h.records.routes.get(h.caseNumber)).toMatchObject({ state: 'done' });
    expect(overdueItems(open(), at('09:00', '2026-10-08'), chinaCalendar, TZ)).toEqual([]);
  });
});

describe('two supervisors on one record, or a page left open', () => {
  /** What the console shows for a refusal: the hall's sentence in Chinese. */
  const shown = (r: Result<Decision>) => (r.ok ? 'done' : refusalTextOf(r, 'zh-CN', 'staff'));

  it('does it once; the second is told in Chinese that it is done already and to refresh the page', () => {
    const h = hall();
    const verify: CommandBody = { type: 'advanceFollowUp', followUpId: h.followUp.id, step: 'verify', note: '已核实' };
    h.go(verify, head7, '10:00');
    const again = h.try(verify, supervisor, at('10:00'));
    expect(again).toMatchObject({ ok: false, code: 'illegal-transition' });
    expect(shown(again)).toBe(`差评整改 ${h.followUp.id} 的「核实」已有人办理，现在待办「整改」：请刷新页面后再办理。`);
    expect(h.view.followUps.get(h.followUp.id)!.done).toHaveLength(1);
    expect(shown(h.try({ ...verify, step: 'reply' }, head7, at('10:01')))).toBe(`差评整改 ${h.followUp.id} 现在待办「整改」，还不能办理「反馈」。`);

    h.go({ type: 'createComplaint', source: 'hotline-12345', summary: '窗口工作人员态度生硬', about: { window: 7 } }, supervisor, '11:00');
    const id = 'TS202609280001';
    const reply: CommandBody = { type: 'advanceComplaint', complaintId: id, action: 'reply', channel: 'phone', note: '已电话答复' };
    h.go(reply, supervisor, '11:10');
    expect(shown(h.try(reply, supervisor, at('11:10')))).toBe(`投诉 ${id} 已答复投诉人，不能再改派或再次答复：请刷新页面查看。`);
    const close: CommandBody = { type: 'advanceComplaint', complaintId: id, action: 'close', note: '办结' };
    h.go(close, supervisor, '11:20');
    expect(shown(h.try(close, supervisor, at('11:20')))).toBe(`投诉 ${id} 已办结，无需再办理：请刷新页面查看。`);
    expect(h.records.complaints.get(id)!.history.map((x) => x.action)).toEqual(['registered', 'reply', 'close']);

    const route = (extra: object): CommandBody => ({ type: 'routeCase', caseNumber: h.caseNumber, note: '请协办', ...extra }) as CommandBody;
    h.go(route({ toDepartment: '税务' }), supervisor, '12:00');
    expect(shown(h.try(route({ toDepartment: '税务' }), supervisor, at('12:00')))).toBe(`案件 ${h.caseNumber} 已在税务办理，无需再移交：请刷新页面查看。`);
    h.go(route({ finish: true }), supervisor, '12:10');
    expect(shown(h.try(route({ finish: true }), supervisor, at('12:10')))).toBe(`案件 ${h.caseNumber} 的部门流转已结束，无需再办理：请刷新页面查看。`);
    // A head of another department is told as an account, not as a terminal.
    expect(shown(h.try(verify, headTax, at('12:20')))).toBe('您的账号无权进行此项操作；如确需办理，请联系督查人员或管理员。');
  });
});

describe('delivery of results (H-12)', () => {
  it('is recorded by the head of a department that held the case on its route, as by the item’s own; not by another', () => {
    const h = hall();
    const deliver = (extra: object): CommandBody => ({ type: 'recordDelivery', caseNumber: h.caseNumber, ...extra }) as CommandBody;
    const headBdc = staff({ id: 'sun', name: '孙科长', role: 'department-head', department: '不动产登记' });
    h.go({ type: 'routeCase', caseNumber: h.caseNumber, toDepartment: '税务', note: '请税务办结并送达' }, head7, '11:00');
    h.go({ type: 'routeCase', caseNumber: h.caseNumber, finish: true, note: '已办结' }, headTax, '11:30');
    h.go(deliver({ action: 'notify', channel: 'sms', method: 'post' }), headTax, '11:40');
    h.go(deliver({ action: 'send', trackingNumber: 'SF1234567890' }), head7, '11:50');
    expect(h.try(deliver({ action: 'hand-over', signedBy: '张三丰' }), headBdc, at('12:00'))).toMatchObject({ ok: false, code: 'forbidden' });
    expect(h.records.deliveries.get(h.caseNumber)).toMatchObject({ notices: [{ channel: 'sms', by: 'zhao' }], sent: { by: 'li' } });
  });

  it('records the notice, the post with its tracking number, the signature and the originals given back', () => {
    const h = hall();
    const deliver = (extra: object): CommandBody => ({ type: 'recordDelivery', caseNumber: h.caseNumber, ...extra }) as CommandBody;
    expect(h.try(deliver({ action: 'notify' }), clerk1011, at('11:00'))).toMatchObject({ ok: false, code: 'bad-request' });
    h.go(deliver({ action: 'notify', channel: 'sms', method: 'post' }), clerk1011, '11:00');
    const untracked = h.try(deliver({ action: 'send' }), clerk1011, at('11:01'));
    expect(untracked).toMatchObject({ ok: false, code: 'bad-request' });
    expect(!untracked.ok && refusalTextOf(untracked, 'zh-CN', 'staff')).toBe('邮寄送达请填写快递单号。');
    h.go(deliver({ action: 'send', trackingNumber: 'SF1234567890' }), clerk1011, '11:02');
    // Sent already, most often by a colleague a moment before: said in the console's language, with what to do.
    const twice = h.try(deliver({ action: 'send', trackingNumber: 'SF1234567890' }), clerk1011, at('11:03'));
    expect(twice).toMatchObject({ ok: false, code: 'illegal-transition' });
    expect(!twice.ok && refusalTextOf(twice, 'zh-CN', 'staff')).toBe(`办件 ${h.caseNumber} 的办理结果已寄出，无需再次登记：请刷新页面查看。`);
    expect(!twice.ok && refusalTextOf(twice, 'en', 'staff')).toBe(`The result of case ${h.caseNumber} is sent already: refresh the page to see it.`);
    h.go(deliver({ action: 'hand-over', signedBy: '张三丰' }), clerk1011, '11:04', DAY);
    h.go(deliver({ action: 'return-originals', items: '营业执照原件', signedBy: '张三丰' }), head7, '11:05');
    const again = h.try(deliver({ action: 'return-originals', items: '营业执照原件', signedBy: '张三丰' }), head7, at('11:05'));
    expect(!again.ok && refusalTextOf(again, 'zh-CN', 'staff')).toBe(`办件 ${h.caseNumber} 的原件已退还，无需再次登记：请刷新页面查看。`);
    expect(h.try(deliver({ action: 'notify', channel: 'sms' }), headTax, at('11:06'))).toMatchObject({ ok: false, code: 'forbidden' });
    expect(h.records.deliveries.get(h.caseNumber)).toMatchObject({
      method: 'post',
      notices: [{ channel: 'sms', by: '1011' }],
      sent: { trackingNumber: 'SF1234567890' },
      delivered: { signedBy: '张**' },
      originals: { items: '营业执照原件', signedBy: '张**', by: 'li' },
    });
  });
});

describe('what is overdue (督办)', () => {
  it("becomes the supervisors' overdue alerts, one for each item and due day", () => {
    const h = hall();
    const f = h.view.followUps.get(h.followUp.id)!;
    const reports = overdueReports(overdueItems({ followUps: [f], complaints: [], routes: [] }, at('09:00', '2026-10-08'), chinaCalendar, TZ));
    expect(reports).toEqual([{ subject: 'follow-up', reference: f.id, due: '2026-09-29', department: '市场监管（企业开办）' }]);
    // The view the alerts are reviewed on raises one overdue alert for it, whose key names the step's due day.
    const review = decide(h.view, { type: 'reviewAlerts', terminals: [], overdue: reports }, h.records.ctx(at('09:00', '2026-10-08'), { role: 'admin', terminal: 'hub' }));
    expect(review.ok).toBe(true);
    expect(review.ok && review.value.events.map((e) => (e.type === 'alert.raised' ? e.key : e.type))).toContain(`overdue:follow-up:${f.id}:2026-09-29`);
  });

  it('names the step a follow-up waits for once its day has passed, with its department', () => {
    const h = hall();
    const f: FollowUp = h.view.followUps.get(h.followUp.id)!;
    const open = { followUps: [f], complaints: [], routes: [] };
    expect(overdueItems(open, at('17:00', '2026-09-29'), chinaCalendar, TZ)).toEqual([]);
    // verify was due 09-29; during 国庆 it is one working day late until 10-08 counts.
    expect(overdueItems(open, at('09:00', '2026-10-08'), chinaCalendar, TZ)).toEqual([
      { kind: 'follow-up', id: f.id, step: 'verify', due: '2026-09-29', workingDaysLate: 2, window: 7, department: '市场监管（企业开办）', clerk: '1011' },
    ]);
  });
});
