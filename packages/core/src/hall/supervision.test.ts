import { describe, expect, it } from 'vitest';
import demo from '../../../../fixtures/catalogue/demo-hall.json' with { type: 'json' };
import { checkCatalogue, type Catalogue, type CatalogueInput } from '../catalogue';
import type { Actor, CommandBody } from '../commands';
import type { TerminalPresence } from '../supervision';
import { activeAlerts, alertChanges, alertNotice, applyEvent, decide, hallItemNames, hallTerminalNames, emptyView, fromSnapshot, hallBoard, itemWait, toSnapshot, type AlertSource, type HallView } from '.';
import { overdueAlerts } from './supervision';

const DAY = '2026-11-27';
const at = (time: string, day = DAY) => Date.parse(`${day}T${time}:00+08:00`);
const kiosk: Actor = { role: 'kiosk', terminal: 'kiosk-1' };
const hub: Actor = { role: 'admin', terminal: 'hub' };
const head: Actor = { role: 'admin', terminal: 'console', staff: { id: 'head-ga', name: '赵科长', role: 'department-head' } };
const win = (window: number): Actor => ({ role: 'window', terminal: `win-${window}`, window });
const pad = (window: number): Actor => ({ role: 'rating-pad', terminal: `pad-${window}`, window });

function catalogue(supervision?: CatalogueInput['supervision']): Catalogue {
  const input = JSON.parse(JSON.stringify(demo)) as CatalogueInput;
  if (supervision) input.supervision = supervision;
  const r = checkCatalogue(input);
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r.catalogue;
}

function step(view: HallView, command: CommandBody, actor: Actor, now: number) {
  const r = decide(view, command, { now, actor });
  if (!r.ok) throw new Error(`${command.type} refused: ${r.code}: ${r.message}`);
  for (const e of r.value.events) applyEvent(view, { ...e, seq: view.seq + 1, at: now, ...(actor.role === 'admin' && actor.staff ? { staff: actor.staff } : {}) });
  return r.value;
}

/** The hub's sweep: reviews the alerts with the terminals' links as given; returns the events it made. */
const review = (view: HallView, now: number, terminals: TerminalPresence[] = []) => step(view, { type: 'reviewAlerts', terminals, overdue: [] }, hub, now).events;

const kinds = (view: HallView) => activeAlerts(view).map((a) => a.subject.kind).sort();

describe('alerts of the live hall', () => {
  it('raises a long-wait alert once when an item’s longest wait passes the threshold, and clears it once the queue is served (H-16)', () => {
    const view = emptyView(catalogue({ waitMinutes: 20 }), DAY);
    step(view, { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk, at('09:00'));
    step(view, { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk, at('09:05'));
    expect(review(view, at('09:19'))).toEqual([]);
    const raised = review(view, at('09:20'));
    expect(raised).toEqual([
      {
        type: 'alert.raised',
        id: `wait:GA-SFZ-HL@${at('09:20')}`,
        key: 'wait:GA-SFZ-HL',
        subject: { kind: 'wait-threshold', serviceCode: 'GA-SFZ-HL', item: expect.any(String), waiting: 2, longestMinutes: 20, thresholdMinutes: 20, department: '公安户籍' },
      },
    ]);
    // Every later sweep while the wait lasts raises nothing more.
    expect(review(view, at('09:21'))).toEqual([]);
    expect(review(view, at('09:40'))).toEqual([]);
    step(view, { type: 'openWindow', window: 1, clerk: '1001' }, win(1), at('09:41'));
    step(view, { type: 'openWindow', window: 2, clerk: '1002' }, win(2), at('09:41'));
    step(view, { type: 'callNext', window: 1 }, win(1), at('09:41'));
    // The second ticket has waited 36 minutes: still past the threshold, still the same alert.
    expect(review(view, at('09:41'))).toEqual([]);
    step(view, { type: 'callNext', window: 2 }, win(2), at('09:42'));
    expect(review(view, at('09:42'))).toEqual([{ type: 'alert.cleared', id: `wait:GA-SFZ-HL@${at('09:20')}` }]);
    expect(activeAlerts(view)).toEqual([]);
    // A new long wait later is a new occurrence.
    step(view, { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk, at('10:00'));
    expect(review(view, at('10:30')).map((e) => e.type === 'alert.raised' && e.id)).toEqual([`wait:GA-SFZ-HL@${at('10:30')}`]);
  });

  it('alerts on how many wait when the hall sets a count', () => {
    const view = emptyView(catalogue({ waitMinutes: 60, waitingCount: 3 }), DAY);
    for (const m of ['00', '01']) step(view, { type: 'issueTicket', serviceCode: 'GA-HK-QR', lane: 'ordinary' }, kiosk, at(`09:${m}`));
    expect(review(view, at('09:02'))).toEqual([]);
    step(view, { type: 'issueTicket', serviceCode: 'GA-HK-QR', lane: 'ordinary' }, kiosk, at('09:02'));
    expect(kinds(view)).toEqual([]);
    review(view, at('09:02'));
    expect(activeAlerts(view).map((a) => a.subject)).toEqual([expect.objectContaining({ kind: 'wait-threshold', waiting: 3, longestMinutes: 2, waitingCount: 3 })]);
  });

  it('raises one alert per pause longer than the hall allows (H-18)', () => {
    const view = emptyView(catalogue({ pauseMinutes: 10 }), DAY);
    step(view, { type: 'openWindow', window: 3, clerk: '1004' }, win(3), at('08:30'));
    step(view, { type: 'pauseWindow', window: 3, reason: '临时离岗' }, win(3), at('09:00'));
    expect(review(view, at('09:09'))).toEqual([]);
    review(view, at('09:10'));
    expect(activeAlerts(view).map((a) => a.subject)).toEqual([{ kind: 'long-pause', window: 3, minutes: 10, allowedMinutes: 10, department: '出入境' }]);
    step(view, { type: 'resumeWindow', window: 3 }, win(3), at('09:12'));
    expect(review(view, at('09:12'))).toMatchObject([{ type: 'alert.cleared' }]);
    step(view, { type: 'pauseWindow', window: 3, reason: '临时离岗' }, win(3), at('09:30'));
    review(view, at('09:45'));
    expect(activeAlerts(view).map((a) => a.key)).toEqual([`pause:3:${at('09:30')}`]);
  });

  it('carries what the terminal said of a fault (which port, what to do) to the board and the alert, its first line only', () => {
    const view = emptyView(catalogue(), DAY);
    const said = '串口 /dev/ttyUSB0 已被其他程序占用：请关闭占用它的程序（fuser /dev/ttyUSB0 可查看）';
    const printer = { kind: 'printer' as const, name: 'ticket-printer', status: 'fault' as const, code: 'offline', detail: `${said}\n    at SerialPort.open (serial.ts:12)` };
    step(view, { type: 'reportDevices', devices: [printer] }, kiosk, at('09:10'));
    review(view, at('09:10'));
    expect(activeAlerts(view).map((a) => a.subject)).toEqual([{ kind: 'device-fault', terminal: 'kiosk-1', device: 'printer', fault: 'offline', detail: said }]);
    const board = hallBoard(view, { now: at('09:10'), terminals: [{ terminal: 'kiosk-1', role: 'kiosk', online: true }] });
    expect(board.terminals[0]!.faults).toEqual([{ kind: 'printer', name: 'ticket-printer', status: 'fault', code: 'offline', detail: said }]);
    // A terminal of the older release says no detail: the alert is as it was.
    step(view, { type: 'reportDevices', devices: [{ kind: 'printer', name: 'ticket-printer', status: 'fault', code: 'paper-end' }] }, kiosk, at('09:20'));
    review(view, at('09:20'));
    expect(activeAlerts(view).map((a) => a.subject)).toEqual([{ kind: 'device-fault', terminal: 'kiosk-1', device: 'printer', fault: 'paper-end' }]);
  });

  it('shows an open device alert with what its terminal says now of the same fault, raising no second alert; a new fault is a new alert', () => {
    const view = emptyView(catalogue(), DAY);
    const offline = (detail: string) => ({ kind: 'printer' as const, name: 'ticket-printer', status: 'fault' as const, code: 'offline', detail });
    const busy = '串口 /dev/ttyUSB0 已被其他程序占用：请关闭占用它的程序（fuser /dev/ttyUSB0 可查看）';
    const gone = '串口 /dev/ttyUSB0 不存在：请检查设备是否插好、通电';
    step(view, { type: 'reportDevices', devices: [offline(busy)] }, kiosk, at('09:10'));
    const [raised] = review(view, at('09:10'));
    step(view, { type: 'acknowledgeAlert', alertId: (raised as { id: string }).id }, head, at('09:11'));
    // The port is gone now: still 未连接, the same alert, no second one to notify.
    step(view, { type: 'reportDevices', devices: [offline(gone)] }, kiosk, at('09:12'));
    expect(review(view, at('09:12'))).toEqual([]);
    const standing = activeAlerts(view);
    expect(standing.map((a) => [a.id, a.subject, !!a.acknowledged])).toEqual([[(raised as { id: string }).id, { kind: 'device-fault', terminal: 'kiosk-1', device: 'printer', fault: 'offline', detail: gone }, true]]);
    expect(hallBoard(view, { now: at('09:12'), terminals: [] }).alerts.map((a) => a.subject)).toEqual(standing.map((a) => a.subject));
    // The log keeps what it was raised with.
    expect(view.alerts.get((raised as { id: string }).id)!.subject).toMatchObject({ detail: busy });
    // Out of paper is another fault: the alert of the port clears and a new one is raised.
    step(view, { type: 'reportDevices', devices: [{ kind: 'printer', name: 'ticket-printer', status: 'fault', code: 'paper-end' }] }, kiosk, at('09:20'));
    expect(review(view, at('09:20')).map((e) => e.type)).toEqual(['alert.cleared', 'alert.raised']);
  });

  it('raises a device fault while it lasts, and a terminal out of touch only in the hall’s hours (H-04)', () => {
    const view = emptyView(catalogue({ offlineMinutes: 5 }), DAY);
    const printer = (status: 'ok' | 'fault' | 'warning', code?: string) => ({ kind: 'printer' as const, name: '号票打印机', status, ...(code ? { code } : {}) });
    step(view, { type: 'reportDevices', devices: [printer('warning', 'paper-near-end')] }, kiosk, at('09:00'));
    expect(review(view, at('09:00'))).toEqual([]);
    step(view, { type: 'reportDevices', devices: [printer('fault', 'paper-end')] }, kiosk, at('09:10'));
    review(view, at('09:10'));
    expect(activeAlerts(view).map((a) => a.subject)).toEqual([{ kind: 'device-fault', terminal: 'kiosk-1', device: 'printer', fault: 'paper-end' }]);
    step(view, { type: 'reportDevices', devices: [printer('ok')] }, kiosk, at('09:20'));
    review(view, at('09:20'));
    expect(activeAlerts(view)).toEqual([]);

    const gone: TerminalPresence = { terminal: 'win-2', role: 'window', window: 2, online: false, lastSeen: at('09:30') };
    expect(review(view, at('09:34'), [gone])).toEqual([]);
    review(view, at('09:35'), [gone]);
    expect(activeAlerts(view).map((a) => a.subject)).toEqual([{ kind: 'terminal-offline', terminal: 'win-2', minutes: 5 }]);
    // After hours a terminal switched off is no alert: the one standing clears.
    review(view, at('18:00'), [gone]);
    expect(activeAlerts(view)).toEqual([]);
  });

  it('raises one alert while the hub in charge has had no standby in step as long as a terminal may be out of touch, in the hall’s hours, and clears it when the standby is back', () => {
    const view = emptyView(catalogue({ offlineMinutes: 5 }), DAY);
    const standbyReview = (now: number, standby?: { state: 'none' | 'behind'; since: number }) =>
      step(view, { type: 'reviewAlerts', terminals: [], overdue: [], ...(standby ? { standby } : {}) }, hub, now).events;
    const gone = { state: 'none' as const, since: at('09:30') };
    expect(standbyReview(at('09:34'), gone)).toEqual([]);
    standbyReview(at('09:35'), gone);
    expect(activeAlerts(view).map((a) => a.subject)).toEqual([{ kind: 'standby-unlinked', state: 'none', minutes: 5 }]);
    // Linked again but behind: the same condition goes on, one alert.
    expect(standbyReview(at('09:40'), { state: 'behind', since: at('09:30') })).toEqual([]);
    expect(standbyReview(at('09:41'))).toMatchObject([{ type: 'alert.cleared' }]);
    expect(activeAlerts(view)).toEqual([]);
    // After hours a standby switched off for the night is no alert.
    expect(standbyReview(at('18:30'), { state: 'none', since: at('17:00') })).toEqual([]);
  });

  it('before opening names the terminals that have not reported healthy, once a day (the morning device check)', () => {
    const view = emptyView(catalogue({ checkBeforeOpeningMinutes: 30 }), DAY);
    const terminals: TerminalPresence[] = [
      { terminal: 'kiosk-1', role: 'kiosk', online: true, lastSeen: at('07:55') },
      { terminal: 'win-1', role: 'window', window: 1, online: true, lastSeen: at('07:55') },
      { terminal: 'pad-1', role: 'rating-pad', window: 1, online: false, lastSeen: at('07:00', '2026-11-26') },
    ];
    step(view, { type: 'reportDevices', devices: [{ kind: 'printer', name: '号票打印机', status: 'ok' }] }, kiosk, at('07:50'));
    step(view, { type: 'reportDevices', devices: [{ kind: 'display', name: '窗口屏', status: 'fault', code: 'offline' }] }, win(1), at('07:50'));
    expect(hallBoard(view, { now: at('07:50'), terminals }).check).toBeUndefined();
    const board = hallBoard(view, { now: at('08:05'), terminals });
    expect(board.check).toEqual({ opensAt: '08:30', notReady: ['pad-1', 'win-1'] });
    expect(board.terminals.find((t) => t.terminal === 'kiosk-1')?.ready).toBe(true);
    review(view, at('08:05'), terminals);
    expect(activeAlerts(view).find((a) => a.subject.kind === 'devices-not-ready')?.subject).toEqual({ kind: 'devices-not-ready', terminals: ['pad-1', 'win-1'], opensAt: '08:30' });
    expect(review(view, at('08:10'), terminals)).toEqual([]);
    // Once the hall opens the check is over.
    review(view, at('08:30'), terminals);
    expect(kinds(view)).not.toContain('devices-not-ready');
  });

  it('raises a bad rating for the head of the rated window’s department, who acknowledges it (N-03)', () => {
    const view = emptyView(catalogue(), DAY);
    step(view, { type: 'openWindow', window: 1, clerk: '1001' }, win(1), at('08:30'));
    const t = step(view, { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk, at('09:00')).ticket!;
    step(view, { type: 'callNext', window: 1 }, win(1), at('09:01'));
    step(view, { type: 'startService', window: 1 }, win(1), at('09:02'));
    step(view, { type: 'finishService', window: 1 }, win(1), at('09:10'));
    step(view, { type: 'rate', ticketId: t.id, window: 1, level: 'very-dissatisfied', channel: 'window-pad', aspects: {}, reasons: [] }, pad(1), at('09:11'));
    review(view, at('09:11'));
    const [alert] = activeAlerts(view);
    expect(alert?.subject).toEqual({ kind: 'bad-rating', window: 1, level: 'very-dissatisfied', ticket: t.number, item: expect.any(String), serviceCode: 'GA-SFZ-HL', department: '公安户籍' });
    expect(decide(view, { type: 'acknowledgeAlert', alertId: 'nothing' }, { now: at('09:12'), actor: head })).toMatchObject({ ok: false, code: 'not-found' });
    step(view, { type: 'acknowledgeAlert', alertId: alert!.id }, head, at('09:12'));
    expect(view.alerts.get(alert!.id)?.acknowledged).toEqual({ at: at('09:12'), by: head.role === 'admin' ? head.staff : undefined });
    // Acknowledged twice is still once.
    expect(step(view, { type: 'acknowledgeAlert', alertId: alert!.id }, head, at('09:13')).events).toEqual([]);
    // A staff member cannot raise alerts by hand.
    expect(decide(view, { type: 'reviewAlerts', terminals: [], overdue: [] }, { now: at('09:13'), actor: head })).toMatchObject({ ok: false, code: 'forbidden' });
  });

  it('sends a bad rating to the head who follows it up: a clerk of 不动产登记 at a window of 市场监管 is 市场监管’s to see to (N-03)', () => {
    const view = emptyView(catalogue(), DAY);
    step(view, { type: 'openWindow', window: 7, clerk: '1011' }, win(7), at('08:30'));
    const t = step(view, { type: 'issueTicket', serviceCode: 'SJ-QY-SL', lane: 'ordinary' }, kiosk, at('09:00')).ticket!;
    for (const command of [{ type: 'callNext', window: 7 }, { type: 'startService', window: 7 }, { type: 'finishService', window: 7 }] as const) step(view, command, win(7), at('09:05'));
    step(view, { type: 'rate', ticketId: t.id, window: 7, level: 'dissatisfied', channel: 'window-pad', aspects: {}, reasons: [] }, pad(7), at('09:11'));
    review(view, at('09:11'));
    const [followUp] = [...view.followUps.values()];
    expect(followUp?.department).toBe('市场监管（企业开办）');
    expect(activeAlerts(view).map((a) => a.subject)).toEqual([expect.objectContaining({ kind: 'bad-rating', window: 7, department: followUp!.department })]);
  });

  it('names the item of a long wait and of a bad rating in each channel’s language: its English name in English, its name where it has none', () => {
    const input = JSON.parse(JSON.stringify(demo)) as CatalogueInput;
    input.supervision = { waitMinutes: 20 };
    // One item without an English name: an English channel reads its Chinese one rather than nothing.
    delete (input.items.find((i) => i.code === 'GA-HK-QR') as { nameEn?: string }).nameEn;
    const checked = checkCatalogue(input);
    if (!checked.ok) throw new Error(checked.problems.join('\n'));
    const view = emptyView(checked.catalogue, DAY);
    step(view, { type: 'openWindow', window: 1, clerk: '1001' }, win(1), at('08:30'));
    const t = step(view, { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk, at('09:00')).ticket!;
    step(view, { type: 'issueTicket', serviceCode: 'GA-HK-QR', lane: 'ordinary' }, kiosk, at('09:00'));
    step(view, { type: 'callNext', window: 1 }, win(1), at('09:01'));
    step(view, { type: 'startService', window: 1 }, win(1), at('09:02'));
    step(view, { type: 'finishService', window: 1 }, win(1), at('09:10'));
    step(view, { type: 'rate', ticketId: t.id, window: 1, level: 'dissatisfied', channel: 'window-pad', aspects: {}, reasons: [] }, pad(1), at('09:11'));
    review(view, at('09:30'));
    const items = (language: 'zh-CN' | 'en') => activeAlerts(view).map((a) => alertNotice(a.subject, new Map(), hallItemNames(view, language))).map((n) => `${n.kind} ${'item' in n ? n.item : ''}`).sort();
    expect(items('en')).toEqual(['bad-rating Renewal of Resident Identity Card', 'wait-threshold 户口迁入']);
    expect(items('zh-CN')).toEqual(['bad-rating 居民身份证换领', 'wait-threshold 户口迁入']);
  });

  it('takes anything overdue as one more source, and every source through one list', () => {
    const view = emptyView(catalogue(), DAY);
    step(view, { type: 'reviewAlerts', terminals: [], overdue: [{ subject: 'follow-up', reference: 'FU-1', due: '2026-11-26', department: '出入境' }] }, hub, at('09:00'));
    expect(activeAlerts(view).map((a) => a.subject)).toEqual([{ kind: 'overdue', subject: 'follow-up', reference: 'FU-1', due: '2026-11-26', department: '出入境' }]);
    const always: AlertSource = () => [{ key: 'test:1', subject: { kind: 'overdue', subject: 'complaint', reference: 'TS-1', due: DAY } }];
    expect(alertChanges(view, { now: at('09:01'), terminals: [] }, [always]).map((e) => e.type)).toEqual(['alert.cleared', 'alert.raised']);
  });

  it('clears the alerts whose conditions ended the latest raised first, and makes the conditions of one overdue list once', () => {
    const view = emptyView(catalogue(), DAY);
    const overdue = ['FU-1', 'FU-2', 'FU-3'].map((reference, i) => ({ subject: 'follow-up' as const, reference, due: `2026-11-2${i + 1}` }));
    // Raised at 09:00, 09:01 and 09:02, one at a time.
    overdue.forEach((o, i) => step(view, { type: 'reviewAlerts', terminals: [], overdue: overdue.slice(0, i + 1) }, hub, at(`09:0${i}`)));
    expect(activeAlerts(view)).toHaveLength(3);
    const ended = alertChanges(view, { now: at('09:10'), terminals: [], overdue: [] });
    expect(ended.map((e) => (e.type === 'alert.cleared' ? e.id : e.type))).toEqual(activeAlerts(view).map((a) => a.id));
    expect(ended.map((e) => (e.type === 'alert.cleared' ? view.alerts.get(e.id)?.subject : undefined))).toEqual(
      [...overdue].reverse().map((o) => expect.objectContaining({ reference: o.reference })),
    );
    // The hub hands the same list to every review until it reads its records again: its conditions are made once.
    const facts = { now: at('09:10'), terminals: [], overdue };
    expect(overdueAlerts(view, facts)).toBe(overdueAlerts(view, facts));
    expect(overdueAlerts(view, { ...facts, overdue: [...overdue] })).not.toBe(overdueAlerts(view, facts));
    expect(alertChanges(view, facts)).toEqual([]);
  });

  it('keeps alerts through a snapshot, and the new day keeps only those still standing', () => {
    const view = emptyView(catalogue({ pauseMinutes: 5 }), DAY);
    step(view, { type: 'openWindow', window: 1, clerk: '1001' }, win(1), at('08:30'));
    step(view, { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk, at('09:00'));
    step(view, { type: 'pauseWindow', window: 1, reason: '会议' }, win(1), at('09:00'));
    review(view, at('10:00'));
    step(view, { type: 'resumeWindow', window: 1 }, win(1), at('10:01'));
    review(view, at('10:01'));
    expect(fromSnapshot(JSON.parse(JSON.stringify(toSnapshot(view)))).alerts).toEqual(view.alerts);
    expect([...view.alerts.values()].map((a) => [a.subject.kind, a.clearedAt !== undefined])).toEqual([
      ['wait-threshold', false],
      ['long-pause', true],
    ]);
    applyEvent(view, { type: 'day.opened', day: '2026-11-28', seq: view.seq + 1, at: at('00:01', '2026-11-28') });
    expect([...view.alerts.values()].map((a) => a.subject.kind)).toEqual(['wait-threshold']);
  });
});

describe('the board', () => {
  it('names a rating pad and a window terminal known only by their device reports with their window, also from a snapshot', () => {
    const view = emptyView(catalogue(), DAY);
    const keypad = { kind: 'keypad', name: '评价按键', status: 'fault', code: 'offline' } as const;
    step(view, { type: 'reportDevices', devices: [keypad] }, pad(3), at('09:00'));
    step(view, { type: 'reportDevices', devices: [{ kind: 'printer', name: 'notice-printer', status: 'ok' }] }, win(3), at('09:00'));
    step(view, { type: 'reportDevices', devices: [{ kind: 'printer', name: 'ticket-printer', status: 'ok' }] }, kiosk, at('09:00'));
    // No link, no credential, no remembered terminal: the reports alone (an older installation's, one removed from the list).
    for (const v of [view, fromSnapshot(toSnapshot(view))]) {
      expect(Object.fromEntries(hallTerminalNames(v, [], 'zh-CN'))).toEqual({ 'pad-3': '3号窗口评价器', 'win-3': '3号窗口终端', 'kiosk-1': '取号机' });
      expect(hallTerminalNames(v, [], 'en').get('pad-3')).toBe('Window 3 rating pad');
      expect(hallBoard(v, { terminals: [], overdue: [], now: at('09:05') }).terminals.find((t) => t.terminal === 'pad-3')).toMatchObject({ window: 3, online: false, faults: [keypad] });
    }
  });

  it('shows every window, item queue, terminal and today’s figures', () => {
    const view = emptyView(catalogue({ waitMinutes: 15, pauseMinutes: 10 }), DAY);
    step(view, { type: 'openWindow', window: 1, clerk: '1001' }, win(1), at('08:30'));
    step(view, { type: 'openWindow', window: 2, clerk: '1002' }, win(2), at('08:30'));
    for (const m of ['00', '02', '04']) step(view, { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk, at(`09:${m}`));
    step(view, { type: 'callNext', window: 1 }, win(1), at('09:10'));
    step(view, { type: 'startService', window: 1 }, win(1), at('09:11'));
    step(view, { type: 'pauseWindow', window: 2, reason: '系统故障' }, win(2), at('09:12'));
    step(view, { type: 'reportDevices', devices: [{ kind: 'printer', name: '号票打印机', status: 'fault', code: 'paper-end' }] }, kiosk, at('09:15'));
    const terminals: TerminalPresence[] = [
      { terminal: 'kiosk-1', role: 'kiosk', online: true, lastSeen: at('09:20') },
      { terminal: 'win-1', role: 'window', window: 1, online: true, lastSeen: at('09:20') },
    ];
    const board = hallBoard(view, { now: at('09:25'), terminals });
    expect(board.windows.find((w) => w.number === 1)).toMatchObject({
      open: true,
      clerk: { number: '1001', name: '王建国' },
      serving: { ticket: 'A001', state: 'serving', since: at('09:11'), minutes: 14 },
      terminals: [{ terminal: 'win-1', online: true }],
    });
    expect(board.windows.find((w) => w.number === 2)).toMatchObject({ open: true, paused: { reason: '系统故障', since: at('09:12'), minutes: 13, tooLong: true } });
    expect(board.windows.find((w) => w.number === 3)).toMatchObject({ open: false });
    expect(board.items.find((i) => i.code === 'GA-SFZ-HL')).toMatchObject({ waiting: 2, longestWaitMinutes: 23, windowsOpen: 1, overThreshold: true });
    expect(board.items.find((i) => i.code === 'GA-SFZ-HL')!.expectedWaitMinutes).toBeGreaterThan(0);
    expect(board.items.find((i) => i.code === 'GA-SFZ-HL')!.noWindowOpen).toBe(false);
    expect(board.terminals.find((t) => t.terminal === 'kiosk-1')).toMatchObject({ online: true, faults: [{ kind: 'printer', code: 'paper-end' }], ready: false });
    expect(board.figures).toMatchObject({ issued: 3, served: 0, waiting: 2, windowsOpen: 2, averageWaitMinutes: 10 });
  });

  it('says no window is open for an item whose only window is paused, as the kiosk tells the citizen', () => {
    const view = emptyView(catalogue({ waitMinutes: 15, pauseMinutes: 10 }), DAY);
    const only = view.catalogue.windows.filter((w) => w.serves.includes('GA-SFZ-HL')).map((w) => w.number);
    expect(only).toEqual([1, 2]);
    for (const n of only) step(view, { type: 'openWindow', window: n, clerk: `100${n}` }, win(n), at('08:30'));
    step(view, { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk, at('09:00'));
    expect(hallBoard(view, { now: at('09:01'), terminals: [] }).items.find((i) => i.code === 'GA-SFZ-HL')!.noWindowOpen).toBe(false);
    for (const n of only) step(view, { type: 'pauseWindow', window: n, reason: '暂离' }, win(n), at('09:02'));
    const paused = hallBoard(view, { now: at('09:03'), terminals: [] }).items.find((i) => i.code === 'GA-SFZ-HL')!;
    expect(paused).toMatchObject({ waiting: 1, noWindowOpen: true });
    expect(paused.noWindowOpen).toBe(itemWait(view, 'GA-SFZ-HL', at('09:03')).noWindowOpen);
  });
});
