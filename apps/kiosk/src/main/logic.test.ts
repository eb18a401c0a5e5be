import { emptyView, putTicket, type HallView, type Ticket } from '@servicehall/core';
import { encodeDocument, encodeStatus, healthOf, profileByName, PROFILES, type PrinterStatus, type StatusResult } from '@servicehall/escpos-printer';
import { demoCatalogue } from '@servicehall/fixtures';
import { decodeReceipt } from '@servicehall/fixtures/devices';
import { describe, expect, it } from 'vitest';
import { caseStateText } from '../shared/strings';
import {
  caseProgress,
  findTicket,
  guideOf,
  homeOf,
  httpBaseOf,
  kioskStatus,
  parseQuery,
  printerReport,
  romanise,
  ticketDocument,
  ticketProgress,
} from './logic';

const DAY = '2026-11-27';
const AT = Date.parse('2026-11-27T01:15:00Z'); // 09:15 in the hall

function ticket(number: string, place: number, extra: Partial<Ticket> = {}): Ticket {
  return { id: `${DAY}-${number}`, number, day: DAY, serviceCode: 'GA-SFZ-HL', lane: 'ordinary', state: 'issued', issuedAt: AT, place, recalls: 0, transfers: [], ...extra };
}

function hall(...tickets: Ticket[]): HallView {
  const view = emptyView(demoCatalogue(), DAY);
  for (const t of tickets) {
    putTicket(view, t);
    view.nextPlace = Math.max(view.nextPlace, t.place + 1);
  }
  return view;
}

function status(s: Partial<Omit<PrinterStatus, 'raw'>>): StatusResult {
  const full = { offline: false, coverOpen: false, paperEnd: false, paperNearEnd: false, cutterError: false, unrecoverableError: false, autoRecoverableError: false, ...s };
  return { ok: true, status: { ...full, raw: encodeStatus(full) } };
}

describe('reaching the hub over HTTP', () => {
  it.each([
    ['ws://192.168.1.10:8600/ws', 'http://192.168.1.10:8600'],
    ['wss://hall.example.gov.cn/ws', 'https://hall.example.gov.cn'],
    ['ws://127.0.0.1:4000/hall/ws', 'http://127.0.0.1:4000/hall'],
  ])('%s is served over %s', (ws, http) => {
    expect(httpBaseOf(ws)).toBe(http);
  });
});

describe('the printer profile', () => {
  it.each([
    ['80mm', 'generic-80'],
    ['58mm', 'generic-58'],
    ['no-cutter-58', 'no-cutter-58'],
    [undefined, 'generic-80'],
    ['unknown', 'generic-80'],
  ])('%s prints with %s', (name, id) => {
    expect(profileByName(name).id).toBe(id);
  });
});

describe("the kiosk's printer state", () => {
  it.each<[string, string, string | undefined, StatusResult]>([
    ['a ready printer', 'ok', undefined, status({})],
    ['paper running low', 'warning', 'paper-near-end', status({ paperNearEnd: true })],
    ['paper out', 'fault', 'paper-end', status({ paperEnd: true, paperNearEnd: true, offline: true })],
    ['the cover open', 'fault', 'cover-open', status({ coverOpen: true, offline: true })],
    ['an offline printer', 'fault', 'offline', status({ offline: true })],
    ['a silent printer', 'fault', 'offline', { ok: false, code: 'timeout', message: 'no answer' }],
    ['a broken line', 'fault', 'write-failed', { ok: false, code: 'write-failed', message: 'EIO' }],
  ])('%s is %s (%s)', (_name, kind, code, result) => {
    const state = healthOf(result);
    expect(state.kind).toBe(kind);
    expect('code' in state ? state.code : undefined).toBe(code);
  });

  it('stops issuing on a printer fault and on a lost hub, not on a warning', () => {
    expect(kioskStatus({ kind: 'fault', code: 'paper-end' }, 'online')).toEqual({ printer: 'fault', printerCode: 'paper-end', outOfService: true, reason: 'printer' });
    expect(kioskStatus({ kind: 'warning', code: 'paper-near-end' }, 'online').outOfService).toBe(false);
    expect(kioskStatus({ kind: 'absent' }, 'offline')).toMatchObject({ outOfService: true, reason: 'hub' });
    expect(kioskStatus({ kind: 'absent' }, 'offline', 'unconfigured')).toMatchObject({ outOfService: true, reason: 'unconfigured' });
    // 应急取号: with no hub the kiosk issues from its leases, and once they are spent it is politely out of service.
    expect(kioskStatus({ kind: 'ok' }, 'offline', undefined, { leasesLeft: true })).toEqual({ printer: 'ok', outOfService: false, emergency: true });
    expect(kioskStatus({ kind: 'ok' }, 'offline', undefined, { leasesLeft: false })).toMatchObject({ outOfService: true, reason: 'leases-spent', emergency: true });
    expect(kioskStatus({ kind: 'fault', code: 'paper-end' }, 'offline', undefined, { leasesLeft: true })).toMatchObject({ outOfService: true, reason: 'printer' });
    expect(kioskStatus({ kind: 'ok' }, 'reconnecting').outOfService).toBe(false);
  });

  it('reports paper near-end as a warning and a paper end as a fault', () => {
    expect(printerReport({ kind: 'warning', code: 'paper-near-end' })).toEqual({ kind: 'printer', name: 'ticket-printer', status: 'warning', code: 'paper-near-end' });
    expect(printerReport({ kind: 'fault', code: 'paper-end' })).toMatchObject({ status: 'fault', code: 'paper-end' });
    expect(printerReport({ kind: 'absent' })).toMatchObject({ status: 'absent' });
  });

  it('reports a printer whose port cannot be opened with which port and what to do', () => {
    const detail = '无权打开串口 /dev/ttyS0：请把运行终端的用户加入 dialout 组（sudo usermod -aG dialout 用户名），再重新登录或重启终端';
    expect(printerReport({ kind: 'fault', code: 'offline', detail })).toEqual({ kind: 'printer', name: 'ticket-printer', status: 'fault', code: 'offline', detail });
    expect(printerReport({ kind: 'checking' })).toEqual({ kind: 'printer', name: 'ticket-printer', status: 'ok' });
  });
});

describe('the home screen', () => {
  it('gives each item its pinyin initials for search', () => {
    expect(romanise('居民身份证换领')).toEqual({ initials: 'jmsfzhl', pinyin: 'juminshenfenzhenghuanling' });
    expect(romanise('市场监管（企业开办）').initials).toBe('scjgqykb');
  });

  it('shows people waiting and marks an item busy past the threshold (H-16)', () => {
    const view = hall(ticket('A001', 1), ticket('A002', 2), ticket('A003', 3));
    const quiet = homeOf(view, { minutes: 30, people: 20 }, AT);
    const idCard = quiet.items.find((i) => i.code === 'GA-SFZ-HL')!;
    // No window is open yet: a ticket taken now would have the three before it, and the screen says no window is open.
    expect(idCard).toMatchObject({ waiting: 3, ahead: 3, busy: false, initials: 'jmsfzhl', noWindowOpen: true, wait: { kind: 'no-window' } });
    expect(idCard.minutes).toBeGreaterThan(0);
    expect(quiet.busy).toBe(false);
    const busy = homeOf(view, { minutes: 30, people: 3 }, AT);
    expect(busy.items.find((i) => i.code === 'GA-SFZ-HL')!.busy).toBe(true);
    expect(busy.busy).toBe(true);
    expect(busy.departments).toHaveLength(9);
  });

  it("shows an item closed for the rest of the day with the console's notice", () => {
    const view = hall();
    view.catalogue = { ...view.catalogue, items: view.catalogue.items.map((i) => (i.code === 'GA-SFZ-HL' ? { ...i, today: { day: view.day, closedNotice: '系统升级，今日暂停受理' } } : i)) };
    const home = homeOf(view, { minutes: 30, people: 20 }, AT);
    expect(home.items.find((i) => i.code === 'GA-SFZ-HL')!.closedNotice).toBe('系统升级，今日暂停受理');
    expect(home.items.find((i) => i.code === 'GA-HK-QR')!.closedNotice).toBeUndefined();
  });

  it('says on the card, not three screens later, that an item gives no number now: outside its hours, or its quota taken', () => {
    const view = hall(ticket('A001', 1), ticket('A002', 2));
    const card = (v: HallView, at: number) => homeOf(v, { minutes: 30, people: 20 }, at).items.find((i) => i.code === 'GA-SFZ-HL')!;
    // 09:15: within 08:30-11:30, numbers left.
    expect(card(view, AT).notIssuing).toBeUndefined();
    // 12:10: between the morning's and the afternoon's hours.
    const noon = Date.parse('2026-11-27T04:10:00Z');
    expect(card(view, noon)).toMatchObject({ notIssuing: 'hours', issuingHours: ['08:30-11:30', '13:30-17:00'] });
    // Two numbers given of a quota of two.
    view.catalogue = { ...view.catalogue, items: view.catalogue.items.map((i) => (i.code === 'GA-SFZ-HL' ? { ...i, dailyQuota: 2 } : i)) };
    view.issuedFor.set('GA-SFZ-HL', 2);
    expect(card(view, AT)).toMatchObject({ notIssuing: 'full' });
    expect(card(view, AT).issuingHours).toBeUndefined();
  });

  it('has a guide for every item, with its materials and time limits (H-01)', () => {
    const guide = guideOf(hall(), 'GA-SFZ-HL', { minutes: 30, people: 20 }, AT)!;
    expect(guide.materials.length).toBeGreaterThan(0);
    expect(guide.promisedLimitDays).toBeLessThanOrEqual(guide.legalLimitDays);
    expect(guide.issuingHours).toBe('08:30-11:30、13:30-17:00');
    expect(guideOf(hall(), 'NO-SUCH', { minutes: 30, people: 20 }, AT)).toBeNull();
  });

  it("gives today's hours and quota in the guide once the console changed them for today (今日调整), as the refusal does", () => {
    const view = hall();
    const today = { day: view.day, dailyQuota: 40, issuingHours: [{ from: '09:00', to: '11:00' }] };
    view.catalogue = { ...view.catalogue, items: view.catalogue.items.map((i) => (i.code === 'GA-SFZ-HL' ? { ...i, today } : i)) };
    const guide = guideOf(view, 'GA-SFZ-HL', { minutes: 30, people: 20 }, AT)!;
    expect(guide.issuingHours).toBe('09:00-11:00');
    expect(guide.dailyQuota).toBe(40);
    const nextDay = { ...view, day: '2026-11-28' };
    expect(guideOf(nextDay, 'GA-SFZ-HL', { minutes: 30, people: 20 }, AT)!.issuingHours).toBe('08:30-11:30、13:30-17:00');
  });
});

describe('the printed ticket', () => {
  const print = (t: Ticket, view: HallView, lang: 'zh-CN' | 'en' = 'zh-CN') =>
    decodeReceipt(encodeDocument(ticketDocument({ view, ticket: t, ahead: 4, minutes: 12, progressUrl: `http://hub/q/${t.id}`, lang }), PROFILES['generic-80'])).receipt;

  it('holds the hall, the number, the item, people ahead, the wait, the time, the QR code and a civil closing', () => {
    const t = ticket('A005', 5);
    const receipt = print(t, hall(t));
    const text = receipt.text.join('\n');
    for (const part of ['滨江区政务服务中心', 'A005', '居民身份证换领', '前面还有 4 人等候', '预计等候约 12 分钟', '09:15', '感谢您的耐心等候']) expect(text).toContain(part);
    expect(receipt.qrCodes).toEqual([`http://hub/q/${DAY}-A005`]);
    expect(text).not.toContain('绿色通道');
  });

  it('names the priority lane and its reason, and an appointment with its slot', () => {
    const p = ticket('A006', 6, { lane: 'priority', priorityReason: 'pregnant' });
    expect(print(p, hall(p)).text.join('\n')).toContain('绿色通道 · 孕妇');
    const a = ticket('A007', 7, { lane: 'appointment', appointment: { code: 'YY1', slotStart: AT, slotEnd: AT + 30 * 60_000 } });
    expect(print(a, hall(a)).text.join('\n')).toContain('预约签到 · 09:15-09:45');
  });

  it('prints in English on request', () => {
    const t = ticket('A008', 8);
    const text = print(t, hall(t), 'en').text.join(' ').replace(/\s+/g, ' ');
    expect(text).toContain('Renewal of Resident Identity Card');
    expect(text).toContain('People ahead of you: 4');
  });
});

describe('the progress query (H-11)', () => {
  it.each([
    ['A012', { kind: 'ticket', key: 'A012' }],
    [' a12 ', { kind: 'ticket', key: 'A12' }],
    ['2026-11-27-B003', { kind: 'ticket', key: '2026-11-27-B003' }],
    ['http://192.168.1.10:8600/q/2026-11-27-A012', { kind: 'ticket', key: '2026-11-27-A012' }],
    ['https://hall.example.cn/m/t/AbCdEfGhIjKlMnOpQrStUv', { kind: 'ref', ref: 'AbCdEfGhIjKlMnOpQrStUv' }],
    ['BJ2026112700012', { kind: 'case', key: 'BJ2026112700012' }],
    ['', { kind: 'invalid' }],
    ['<script>', { kind: 'invalid' }],
  ])('reads %j', (text, key) => {
    expect(parseQuery(text)).toEqual(key);
  });

  it('finds a ticket by number, with or without its zeros, and tells its place', () => {
    const view = hall(ticket('A001', 1), ticket('A012', 2));
    expect(findTicket(view, 'A12')?.number).toBe('A012');
    expect(findTicket(view, `${DAY}-A001`)?.number).toBe('A001');
    expect(findTicket(view, 'B001')).toBeUndefined();
    expect(ticketProgress(view, findTicket(view, 'A012')!, AT)).toMatchObject({ kind: 'ticket', state: 'issued', ahead: 1, itemName: '居民身份证换领' });
  });

  it('tells the window once the ticket is called', () => {
    const view = hall(ticket('A001', 1, { state: 'called', window: 2 }));
    expect(ticketProgress(view, findTicket(view, 'A001')!, AT)).toMatchObject({ state: 'called', window: 2, windowName: '2号窗口 公安户籍' });
  });

  it("reads the hub's case answer tolerantly, showing only short texts", () => {
    const result = caseProgress(hall(), 'BJ1', { caseNumber: 'BJ1', serviceCode: 'GA-SFZ-HL', stateText: '审核中', dueDate: '2026-12-10', applicantIdNumber: '330106199001011234' });
    expect(result).toEqual({ kind: 'case', caseNumber: 'BJ1', itemName: '居民身份证换领', stateText: '审核中', dueDate: '2026-12-10' });
    expect(caseProgress(hall(), 'BJ2', 'not json')).toEqual({ kind: 'case', caseNumber: 'BJ2' });
  });

  it("reads the hub's case as GET /api/cases/{number} gives it: state in words, the promised date, no applicant", () => {
    const hubCase = { number: 'SL202611270003', serviceCode: 'GA-SFZ-HL', state: 'accepted', acceptedOn: '2026-11-27', promisedDue: '2026-12-18', legalDue: '2027-02-26', applicant: { name: '王**', idNumber: '3301**********1234' }, notices: [] };
    const result = caseProgress(hall(), 'SL202611270003', hubCase);
    expect(result).toEqual({ kind: 'case', caseNumber: 'SL202611270003', itemName: '居民身份证换领', state: 'accepted', dueDate: '2026-12-18' });
    // The screen words the state from the string catalogue, in the citizen's language.
    expect(caseStateText('zh-CN', 'accepted')).toBe('已受理，正在办理');
    expect(caseStateText('en', 'correction')).toMatch(/correction notice/);
    expect(caseStateText('zh-CN', 'archived')).toBeUndefined();
    expect(JSON.stringify(result)).not.toContain('王');
  });

  it('names the materials a correction case still waits for, as the hub lists them, so that a citizen without the notice knows what to bring (H-03)', () => {
    const hubCase = { number: 'SL202611270004', serviceCode: 'GA-SFZ-HL', state: 'correction', openedAt: AT, missing: ['m2', 'm3', 'no-such'] };
    expect(caseProgress(hall(), 'SL202611270004', hubCase)).toMatchObject({ state: 'correction', missing: ['居民户口簿', '居民身份证数码相片回执'] });
    // Nothing said of materials once the case is accepted.
    expect(caseProgress(hall(), 'SL202611270004', { ...hubCase, state: 'accepted' })).not.toHaveProperty('missing');
  });
});
