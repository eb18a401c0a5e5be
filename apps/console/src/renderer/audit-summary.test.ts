import { describe, expect, it } from 'vitest';
import { auditSummary, type AuditRecord } from './audit-summary';
import { STRINGS } from './i18n';

const zh = STRINGS['zh-CN'].audit.summary;
const names = {
  item: (code: string) => ({ 'CRJ-HZ-SL': '普通护照申领', 'CRJ-GA-SL': '往来港澳通行证申领', 'CRJ-GA-QZ': '往来港澳通行证签注' })[code],
  person: (id: string) => ({ zhang: '张三', '1001': '王建国' })[id],
  date: (at: number) => new Date(at).toISOString().slice(0, 10),
};
const admin = { id: 'admin', name: '王管理', role: 'administrator' };
const entry = (action: string, target: string, before?: unknown, after?: unknown): AuditRecord => ({ action, target, staff: admin, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) });
const item = (code: string, name: string) => ({ code, name });
const setup = (items: { code: string; name: string; fees?: string }[], windows = 15, clerks = 18) => ({ items, windows: Array.from({ length: windows }, (_, i) => ({ number: i + 1 })), clerks: Array.from({ length: clerks }, () => ({})) });

// Each action the hub writes into the audit log, with the record as it writes it (packages/hub: staff/index.ts, console-api.ts, store.ts, staff/audit.ts).
const cases: [string, AuditRecord, string][] = [
  ['createStaff', entry('createStaff', 'staff:zhang', undefined, { name: '张三', role: 'supervisor' }), '新增账号 张三（zhang，值班主任）'],
  ['createStaff of a department', entry('createStaff', 'staff:zhao', undefined, { name: '赵科长', role: 'department-head', department: '公安户籍' }), '新增账号 赵科长（zhao，科室负责人，公安户籍）'],
  ['resetPassword', entry('resetPassword', 'staff:zhang'), '重置 张三（zhang） 的密码'],
  ['disableStaff', entry('disableStaff', 'staff:zhang', { disabled: false }, { disabled: true }), '停用账号 张三（zhang）'],
  ['enableStaff', entry('enableStaff', 'staff:gone', { disabled: true }, { disabled: false }), '启用账号 gone'],
  ['changeOwnPassword', entry('changeOwnPassword', 'staff:admin'), '修改了本人的登录密码'],
  ['changeOwnPin', entry('changeOwnPin', 'clerk:1001'), '修改了本人的 PIN'],
  ['issueInitialPin', entry('issueInitialPin', 'clerk:1001'), '为 王建国（1001） 生成初始 PIN'],
  ['unlockClerk', entry('unlockClerk', 'clerk:1001'), '解除 王建国（1001） 的登录锁定'],
  [
    'enrolTerminal',
    entry('enrolTerminal', 'terminal:window-3', undefined, { role: 'window', terminal: 'window-3', window: 3, credential: 'c-1', expiresAt: Date.UTC(2027, 11, 6), replaced: true }),
    '登记终端 window-3（窗口终端 · 3号窗口），凭据有效至 2027-12-06，原凭据同时作废',
  ],
  ['revokeTerminal', entry('revokeTerminal', 'terminal:kiosk-1', { credential: 'c-1', revokedAt: null }, { credential: 'c-1', revokedAt: 1 }), '吊销终端 kiosk-1 的凭据'],
  ['removeHallTokenTerminal', entry('removeHallTokenTerminal', 'terminal:kiosk-9'), '从终端列表移除使用大厅令牌连接的终端 kiosk-9'],
  [
    'assignWindowItems',
    entry('assignWindowItems', 'window:3', { number: 3, serves: ['CRJ-HZ-SL', 'CRJ-GA-SL', 'CRJ-GA-QZ'] }, { number: 3, serves: ['CRJ-GA-SL'] }),
    '调整 3号窗口 的事项：普通护照申领、往来港澳通行证申领、往来港澳通行证签注 → 往来港澳通行证申领',
  ],
  [
    'assignWindowItems at the day’s end',
    entry('assignWindowItems', 'window:4', { number: 4, serves: ['CRJ-HZ-SL'] }, { atDayEnd: { type: 'assignWindowItems', window: 4, serves: ['CRJ-GA-SL'] } }),
    '调整 4号窗口 的事项：普通护照申领 → 往来港澳通行证申领（今日营业结束后生效）',
  ],
  ['openTemporaryWindow', entry('openTemporaryWindow', 'window:21', null, { number: 21, name: '临时窗口', serves: ['CRJ-HZ-SL'] }), '开设临时窗口 21号（临时窗口），办理 普通护照申领'],
  [
    'setItemToday: hours',
    entry('setItemToday', 'item:CRJ-HZ-SL', { dailyQuota: 100, issuingHours: [{ from: '08:30', to: '11:30' }], today: null }, { dailyQuota: 100, issuingHours: [{ from: '08:30', to: '11:30' }], today: { day: '2026-12-06', issuingHours: [{ from: '09:00', to: '11:30' }] } }),
    '修改事项 普通护照申领 的今日设置：取号时段 08:30–11:30 → 09:00–11:30',
  ],
  [
    'setItemToday: closed',
    entry('setItemToday', 'item:CRJ-GA-QZ', { issuingHours: [{ from: '08:30', to: '17:00' }], today: null }, { issuingHours: [{ from: '08:30', to: '17:00' }], today: { day: '2026-12-06', closedNotice: '系统升级' } }),
    '修改事项 往来港澳通行证签注 的今日设置：今日停止取号（公告：系统升级）',
  ],
  [
    'setItemToday: quota and reopened',
    entry('setItemToday', 'item:CRJ-GA-QZ', { dailyQuota: 80, issuingHours: [], today: { day: 'd', closedNotice: '系统升级' } }, { dailyQuota: 80, issuingHours: [], today: { day: 'd', dailyQuota: 40 } }),
    '修改事项 往来港澳通行证签注 的今日设置：每日取号上限 80 → 40；恢复今日取号',
  ],
  ['replaceCatalogue, the first', entry('replaceCatalogue', 'catalogue', null, setup([item('A', '甲')], 2, 3)), '首次保存大厅设置：事项 1 项，窗口 2 个，工作人员 3 人'],
  [
    'replaceCatalogue',
    entry('replaceCatalogue', 'catalogue', setup([item('A', '甲'), item('B', '乙'), item('C', '丙')]), setup([item('A', '甲一'), item('C', '丙'), item('D', '丁')])),
    '保存大厅设置：事项 3 项，窗口 15 个，工作人员 18 人；新增事项 丁；删除事项 乙；事项改名 甲 → 甲一',
  ],
  [
    'replaceCatalogue of its rules only',
    entry('replaceCatalogue', 'catalogue', { ...setup([item('A', '甲')]), queue: { ordinaryPerPriority: 3 }, appointments: { perSlot: 2 } }, { ...setup([item('A', '甲')]), queue: { ordinaryPerPriority: 4 }, appointments: { perSlot: 3 } }),
    '保存大厅设置：事项 1 项，窗口 15 个，工作人员 18 人；修改 取号规则、预约规则',
  ],
  [
    'replaceCatalogue giving an item a new code, and changing another’s guide',
    entry('replaceCatalogue', 'catalogue', setup([item('A01', '甲'), { ...item('B', '乙'), fees: '不收费' }]), setup([item('A02', '甲'), { ...item('B', '乙'), fees: '工本费 20 元' }])),
    '保存大厅设置：事项 2 项，窗口 15 个，工作人员 18 人；事项改编码 甲（A01 → A02）；修改事项 乙',
  ],
  [
    'replaceCatalogue of a big hall’s many new items, named by the first few',
    entry('replaceCatalogue', 'catalogue', setup([item('A', '甲')]), setup([item('A', '甲'), ...Array.from({ length: 30 }, (_, i) => item(`N${i + 1}`, `新${i + 1}`))])),
    '保存大厅设置：事项 31 项，窗口 15 个，工作人员 18 人；新增事项 新1、新2、新3、新4、新5 等 30 项',
  ],
  [
    'replaceCatalogue at the day’s end',
    entry('replaceCatalogue', 'catalogue', setup([item('A', '甲')]), { atDayEnd: { type: 'replaceCatalogue', catalogue: setup([item('A', '甲')], 16) } }),
    '保存大厅设置（今日营业结束后生效）：事项 1 项，窗口 16 个，工作人员 18 人；修改 窗口',
  ],
  [
    'withdrawBookings: the bookings of an item the setup removed, cancelled by the hall',
    entry('withdrawBookings', 'item:GA-SFZ-HL', null, { itemName: '居民身份证换领', bookings: 2, firstDay: '2026-11-30', reason: 'item-withdrawn' }),
    '事项 GA-SFZ-HL 居民身份证换领 已删除或改了编码，由大厅取消其预约 2 个（最早 2026-11-30）；已通知预约的群众（预约页面说明原因，有短信渠道时另发短信）',
  ],
  ['cancelPendingChange', entry('cancelPendingChange', 'pending:7', { id: 7, at: 1, change: { type: 'assignWindowItems', window: 3, serves: [] } }, { reason: 'cancelled' }), '取消待生效的调整：3号窗口的事项'],
  [
    'cancelPendingChange by the hub at the opening, in its own words',
    entry('cancelPendingChange', 'pending:8', { id: 8, at: 1, change: { type: 'replaceCatalogue', catalogue: {} } }, { text: '整套设置未生效：保存后 3号窗口的事项又有调整', reason: 'overtaken' }),
    '取消待生效的调整：整套设置未生效：保存后 3号窗口的事项又有调整',
  ],
  [
    'setCalendarYear',
    entry('setCalendarYear', 'calendar:2027', { holidays: {}, workdays: {} }, { holidays: { '2027-01-01': '元旦', '2027-02-11': '春节' }, workdays: { '2027-01-04': '元旦调休' } }),
    '录入 2027 年工作日历：放假 2 天，调休上班 1 天',
  ],
  ['acknowledgeAlert', entry('acknowledgeAlert', 'alert:wait-threshold:CRJ-HZ-SL'), '确认了一条提醒：提醒 wait-threshold:CRJ-HZ-SL'],
  ['acknowledgeAlert as recorded before its alert was named', entry('acknowledgeAlert', 'acknowledgeAlert'), '确认了一条提醒'],
  ['advanceComplaint', entry('advanceComplaint', 'complaint:TS-20261207-001'), '推进投诉处理：投诉 TS-20261207-001'],
  [
    'createComplaint',
    entry('createComplaint', 'complaint:TS202612070001', undefined, { source: 'hotline-12345', ticket: 'A012', window: 3, clerk: '1001', department: '出入境', due: '2026-12-14' }),
    '登记了一件投诉：投诉 TS202612070001（涉及 A012号、3号窗口、工作人员 王建国（1001））',
  ],
  ['createComplaint of nothing in the hall', entry('createComplaint', 'complaint:TS202612070002', undefined, { source: 'letter', due: '2026-12-14' }), '登记了一件投诉：投诉 TS202612070002'],
  ['createComplaint as recorded before its complaint was named', entry('createComplaint', 'createComplaint'), '登记了一件投诉'],
  ['advanceFollowUp: verify', entry('advanceFollowUp', 'follow-up:FU-1', undefined, { step: 'verify' }), '完成差评整改环节“核实”：差评整改 FU-1'],
  ['advanceFollowUp: fix', entry('advanceFollowUp', 'follow-up:FU-1', undefined, { step: 'fix' }), '完成差评整改环节“整改”：差评整改 FU-1'],
  ['advanceFollowUp: revisit', entry('advanceFollowUp', 'follow-up:FU-1', undefined, { step: 'revisit' }), '完成差评整改环节“回访”：差评整改 FU-1'],
  ['advanceFollowUp as recorded before its step was kept', entry('advanceFollowUp', 'follow-up:FU-1'), '推进差评整改：差评整改 FU-1'],
  ['appealFollowUp', entry('appealFollowUp', 'follow-up:FU-1'), '对差评提出申诉：差评整改 FU-1'],
  ['decideFollowUpAppeal', entry('decideFollowUpAppeal', 'follow-up:FU-1'), '裁定差评申诉：差评整改 FU-1'],
  ['routeCase', entry('routeCase', 'case:SL202612070001'), '办件在部门间流转：办件 SL202612070001'],
  ['recordDelivery', entry('recordDelivery', 'case:SL202612070001'), '登记办件送达：办件 SL202612070001'],
];

describe('the audit log as a supervisor reads it', () => {
  it.each(cases)('says what %s did, from the record', (_, record, said) => {
    expect(auditSummary(record, zh, names)).toBe(said);
  });

  it('says every action the console names in English too', () => {
    for (const [, record, said] of cases) {
      const en = auditSummary(record, STRINGS.en.audit.summary, names);
      expect(en, record.action).toBeDefined();
      expect(en, record.action).not.toBe(said);
    }
    expect(auditSummary(cases[0]![1], STRINGS.en.audit.summary, names)).toBe('New account 张三 (zhang, supervisor)');
  });

  it('has a label for every action it summarises', () => {
    for (const [, record] of cases) expect(STRINGS['zh-CN'].audit.actions[record.action], record.action).toBeTruthy();
  });

  it('leaves an action it does not know, or a record not of the hub’s shape, to be shown as it is', () => {
    expect(auditSummary(entry('somethingNew', 'thing:1', { a: 1 }, { a: 2 }), zh, names)).toBeUndefined();
    expect(auditSummary(entry('assignWindowItems', 'window:3', { serves: [] }, 'odd'), zh, names)).toBeUndefined();
    expect(auditSummary(entry('createStaff', 'catalogue', undefined, { name: '张三' }), zh, names)).toBeUndefined();
  });
});
