import { changed } from '../copy';
import { findItem, supervisionOf, type HallWindow } from '../catalogue';
import { clockMinutes, localTime } from '../clock';
import type { CommandBody } from '../commands';
import type { DeviceReport, EventBody } from '../events';
import { isBadRating } from '../ratings';
import { ok, refuse, type Result } from '../result';
import type { AlertSubject, HallAlert, OverdueReport, StandbyLink, TerminalPresence } from '../supervision';
import type { Language } from '../strings';
import { terminalNames } from '../terminal-names';
import { departmentOf } from './casework';
import { itemToday } from './setup';
import { itemWaits } from './waits';
import { currentTicket, oldestWaiting, type DecideContext, type Decision, type EventOf, type HallView } from './view';

// The live hall as its supervisors see it (H-04, H-16, H-18, N-03): the board, and the alerts that
// follow from the hall's view, the clock and what only the hub knows (which terminals are linked,
// what is overdue in its records). Pure: every console and a restarted hub work them out alike; the
// log records each alert once, when its condition begins, and its end.

export type SupervisionEventType = 'alert.raised' | 'alert.cleared' | 'alert.acknowledged';
export type SupervisionCommand = Extract<CommandBody, { type: 'reviewAlerts' | 'acknowledgeAlert' }>;

const MINUTE = 60_000;

/** What the hub adds to the view for supervision: the terminals' links and the overdue records. */
export interface SupervisionFacts {
  now: number;
  terminals: readonly TerminalPresence[];
  overdue?: readonly OverdueReport[];
  /** The standby, when one is configured and not in step (undefined: in step, or none configured). */
  standby?: StandbyLink;
}

/** A condition that wants an alert while it holds; `key` names it, so that it is raised once however often it is seen. */
export interface AlertCondition {
  key: string;
  subject: AlertSubject;
}

/** One source of alerts. A new kind of alert is one more function in ALERT_SOURCES. */
export type AlertSource = (view: HallView, facts: SupervisionFacts) => AlertCondition[];

const minutesSince = (since: number, now: number) => Math.max(0, Math.floor((now - since) / MINUTE));

/** The hall's hours today: from the earliest issuing hour of its items to the latest (undefined: no item issues today). */
export function hallHours(view: HallView): { opensAt: string; closesAt: string } | undefined {
  const hours = view.catalogue.items.filter((i) => !itemToday(i, view.day).closedNotice).flatMap((i) => itemToday(i, view.day).issuingHours);
  if (hours.length === 0) return undefined;
  const from = Math.min(...hours.map((h) => clockMinutes(h.from)));
  const to = Math.max(...hours.map((h) => clockMinutes(h.to)));
  const text = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return { opensAt: text(from), closesAt: text(to) };
}

/** The tickets of an item waiting now, the longest wait among them in minutes. */
function longestWait(view: HallView, code: string, now: number): { waiting: number; longest: number } {
  const oldest = oldestWaiting(view, code);
  return { waiting: view.waitingFor.get(code)?.size ?? 0, longest: oldest ? minutesSince(oldest.issuedAt, now) : 0 };
}

/** H-16: an item waited on past the hall's threshold (its longest wait, or how many wait). */
export const waitAlerts: AlertSource = (view, { now }) => {
  const policy = supervisionOf(view.catalogue);
  const out: AlertCondition[] = [];
  for (const item of view.catalogue.items) {
    const { waiting, longest } = longestWait(view, item.code, now);
    if (waiting === 0) continue;
    const byCount = policy.waitingCount !== undefined && waiting >= policy.waitingCount;
    if (longest < policy.waitMinutes && !byCount) continue;
    out.push({
      key: `wait:${item.code}`,
      subject: {
        kind: 'wait-threshold',
        serviceCode: item.code,
        item: item.name,
        waiting,
        longestMinutes: longest,
        thresholdMinutes: policy.waitMinutes,
        ...(byCount ? { waitingCount: policy.waitingCount } : {}),
        department: item.department,
      },
    });
  }
  return out;
};

/** H-18: a pause longer than the hall allows; each pause is its own occurrence. */
export const pauseAlerts: AlertSource = (view, { now }) => {
  const allowed = supervisionOf(view.catalogue).pauseMinutes;
  const out: AlertCondition[] = [];
  for (const w of view.windows.values()) {
    if (!w.open || w.pausedSince === undefined) continue;
    const minutes = minutesSince(w.pausedSince, now);
    if (minutes < allowed) continue;
    const department = view.catalogue.windows.find((x) => x.number === w.number)?.department;
    out.push({ key: `pause:${w.number}:${w.pausedSince}`, subject: { kind: 'long-pause', window: w.number, minutes, allowedMinutes: allowed, ...(department ? { department } : {}) } });
  }
  return out;
};

/** A device's fault code as the notices name it (lower-case words and dashes). */
const faultCode = (d: DeviceReport) => (d.code && /^[a-z][a-z0-9-]{0,39}$/.test(d.code) ? d.code : d.status);

/** A device's detail as the board and the alerts show it: its first line, trimmed (a terminal's words, never a stack of them); undefined when it says nothing. */
export function deviceDetail(d: Pick<DeviceReport, 'detail'>): string | undefined {
  const line = d.detail?.split(/[\r\n]/, 1)[0]!.trim();
  return line ? line : undefined;
}

/** H-04: a device reported at fault, with what its terminal said of it (which port, what to do). */
export const deviceAlerts: AlertSource = (view) => {
  const out: AlertCondition[] = [];
  for (const t of view.devices.values())
    for (const d of t.devices) {
      if (d.status !== 'fault') continue;
      const detail = deviceDetail(d);
      out.push({ key: `device:${t.terminal}:${d.kind}:${faultCode(d)}`, subject: { kind: 'device-fault', terminal: t.terminal, device: d.kind, fault: faultCode(d), ...(detail ? { detail } : {}) } });
    }
  return out;
};

/** Whether the hall's clock is within its hours today, from the morning check on. */
function inHours(view: HallView, now: number): boolean {
  const hours = hallHours(view);
  if (!hours) return false;
  const local = localTime(now, view.catalogue.hall.timeZone);
  if (local.day !== view.day) return false;
  return local.minutes >= clockMinutes(hours.opensAt) - supervisionOf(view.catalogue).checkBeforeOpeningMinutes && local.minutes < clockMinutes(hours.closesAt);
}

/** H-04: a terminal out of touch during the hall's hours. */
export const offlineAlerts: AlertSource = (view, { now, terminals }) => {
  if (!inHours(view, now)) return [];
  const allowed = supervisionOf(view.catalogue).offlineMinutes;
  const out: AlertCondition[] = [];
  for (const t of terminals) {
    if (t.online || t.lastSeen === undefined) continue;
    const minutes = minutesSince(t.lastSeen, now);
    if (minutes >= allowed) out.push({ key: `offline:${t.terminal}`, subject: { kind: 'terminal-offline', terminal: t.terminal, minutes } });
  }
  return out;
};

/**
 * The hub in charge without its standby in step during the hall's hours, as long as a terminal may be
 * out of touch (`offlineMinutes`): a failure of the hub's PC now would stop the hall's calling, and
 * only the metrics and the hub's log said so.
 */
export const standbyAlerts: AlertSource = (view, { now, standby }) => {
  if (!standby || !inHours(view, now)) return [];
  const minutes = minutesSince(standby.since, now);
  if (minutes < supervisionOf(view.catalogue).offlineMinutes) return [];
  return [{ key: 'standby', subject: { kind: 'standby-unlinked', state: standby.state, minutes } }];
};

/** Whether a terminal has reported healthy today: linked, and every device it reported today ok (or only warned). */
export function terminalReady(view: HallView, t: TerminalPresence, now: number): boolean {
  if (!t.online) return false;
  const report = view.devices.get(t.terminal);
  if (!report) return false;
  if (localTime(report.at, view.catalogue.hall.timeZone).day !== localTime(now, view.catalogue.hall.timeZone).day) return false;
  return report.devices.every((d) => d.status === 'ok' || d.status === 'warning' || d.status === 'absent');
}

/** H-04, the morning device check: before the hall opens, the terminals that have not reported healthy. */
export function deviceCheck(view: HallView, facts: SupervisionFacts): { opensAt: string; notReady: string[] } | undefined {
  const hours = hallHours(view);
  if (!hours) return undefined;
  const local = localTime(facts.now, view.catalogue.hall.timeZone);
  const opens = clockMinutes(hours.opensAt);
  const before = supervisionOf(view.catalogue).checkBeforeOpeningMinutes;
  if (local.day !== view.day || local.minutes < opens - before || local.minutes >= opens) return undefined;
  const notReady = facts.terminals.filter((t) => !terminalReady(view, t, facts.now)).map((t) => t.terminal).sort();
  return { opensAt: hours.opensAt, notReady };
}

export const deviceCheckAlerts: AlertSource = (view, facts) => {
  const check = deviceCheck(view, facts);
  if (!check || check.notReady.length === 0) return [];
  return [{ key: `check:${view.day}`, subject: { kind: 'devices-not-ready', terminals: check.notReady.slice(0, 50), opensAt: check.opensAt } }];
};

/**
 * The department whose head answers for a rated service: the one its follow-up goes to (the window's,
 * else its clerk's, as casework's departmentOf), else the item's. A clerk of 不动产登记 at a window of
 * 市场监管 is followed up by 市场监管's head, and so alerted.
 */
function ratedDepartment(view: HallView, window: number, clerk: string | undefined, serviceCode: string): string | undefined {
  return departmentOf(view.catalogue, window, clerk).department ?? findItem(view.catalogue, serviceCode)?.department;
}

/** N-03: a bad rating today, at once for the head of the department that follows it up. */
export const badRatingAlerts: AlertSource = (view) => {
  const out: AlertCondition[] = [];
  for (const list of view.ratings.values())
    for (const r of list) {
      if (r.isDefault || (r.level !== 'dissatisfied' && r.level !== 'very-dissatisfied') || !isBadRating(r.level)) continue;
      const item = view.catalogue.items.find((i) => i.code === r.serviceCode);
      const department = ratedDepartment(view, r.window, r.clerk, r.serviceCode);
      out.push({
        key: `rating:${r.id}`,
        subject: { kind: 'bad-rating', window: r.window, level: r.level, ticket: r.ticketNumber, item: item?.name ?? r.serviceCode, serviceCode: r.serviceCode, ...(department ? { department } : {}) },
      });
    }
  return out;
};

/**
 * The conditions of one list of overdue reports. The hub reads its records again only when they may
 * have changed and hands the same list to every review until then, which a hall of a year, with
 * thousands of items overdue, makes several times a second while it is busy.
 */
const overdueConditions = new WeakMap<readonly OverdueReport[], AlertCondition[]>();

/** Anything overdue in the hall's records, as the hub finds it (follow-up steps, complaints, case routes, deliveries). */
export const overdueAlerts: AlertSource = (_view, { overdue }) => {
  if (!overdue) return [];
  let conditions = overdueConditions.get(overdue);
  if (!conditions) {
    conditions = overdue.map((o) => ({ key: `overdue:${o.subject}:${o.reference}:${o.due}`, subject: { kind: 'overdue', subject: o.subject, reference: o.reference, due: o.due, ...(o.department ? { department: o.department } : {}) } }));
    overdueConditions.set(overdue, conditions);
  }
  return conditions;
};

/** Every source of the hall's alerts, in the order the console lists their kinds. */
export const ALERT_SOURCES: readonly AlertSource[] = [waitAlerts, pauseAlerts, deviceAlerts, offlineAlerts, deviceCheckAlerts, badRatingAlerts, overdueAlerts, standbyAlerts];

export function alertConditions(view: HallView, facts: SupervisionFacts, sources: readonly AlertSource[] = ALERT_SOURCES): AlertCondition[] {
  return sources.flatMap((source) => source(view, facts));
}

/** The department an alert concerns (a department head sees their own), when it concerns one. */
export function alertDepartment(alert: Pick<HallAlert, 'subject'>): string | undefined {
  return 'department' in alert.subject ? alert.subject.department : undefined;
}

/**
 * What a terminal's devices, as it reported them last, say now of the fault a device alert was raised for (its
 * first line), or undefined when they no longer show that fault or say nothing of it. The hall's console and the
 * city's copy of its alerts (packages/upstream) both show an open device alert in these words.
 */
export function faultDetailNow(devices: readonly DeviceReport[], fault: { device: string; fault: string }): string | undefined {
  const device = devices.find((d) => d.kind === fault.device && d.status === 'fault' && faultCode(d) === fault.fault);
  return device && deviceDetail(device);
}

/**
 * An alert as it stands now. A device's fault that lasts while its terminal's words change (the port held by
 * another program, then gone: 未连接 both times) is one alert and one notice, as raised; what the board and
 * the console show of it is what the terminal says now, so that the duty officer checks what is wrong now.
 * The log keeps the words it was raised with; a cleared alert is as it was.
 */
export function alertAsItStands(view: HallView, alert: HallAlert): HallAlert {
  const s = alert.subject;
  if (s.kind !== 'device-fault' || alert.clearedAt !== undefined) return alert;
  const report = view.devices.get(s.terminal);
  const detail = report && faultDetailNow(report.devices, s);
  return detail === undefined || detail === s.detail ? alert : changed(alert, { subject: changed(s, { detail }) });
}

/** The alerts still standing: raised and not cleared, as they stand now. */
export function activeAlerts(view: HallView): HallAlert[] {
  const out: HallAlert[] = [];
  for (const a of view.alerts.values()) if (a.clearedAt === undefined) out.push(alertAsItStands(view, a));
  return out.sort((a, b) => b.raisedAt - a.raisedAt);
}

/**
 * The events that bring the recorded alerts in line with the conditions: each condition without a
 * standing alert raises one (once, however often it is asked), each standing alert whose condition
 * has ended is cleared. Nothing when nothing changed.
 */
export function alertChanges(view: HallView, facts: SupervisionFacts, sources: readonly AlertSource[] = ALERT_SOURCES): EventBody[] {
  const conditions = alertConditions(view, facts, sources);
  // The standing alerts by their condition (not sorted: a hall of a year may hold thousands, each review).
  const standing = new Map<string, HallAlert>();
  for (const a of view.alerts.values()) if (a.clearedAt === undefined && !standing.has(a.key)) standing.set(a.key, a);
  const holding = new Set(conditions.map((c) => c.key));
  const ended: HallAlert[] = [];
  for (const a of standing.values()) if (!holding.has(a.key)) ended.push(a);
  // Cleared the latest raised first, as the console lists them.
  const out: EventBody[] = ended.sort((a, b) => b.raisedAt - a.raisedAt).map((a) => ({ type: 'alert.cleared', id: a.id }));
  const seen = new Set<string>();
  for (const c of conditions) {
    if (standing.has(c.key) || seen.has(c.key)) continue;
    seen.add(c.key);
    out.push({ type: 'alert.raised', id: `${c.key}@${facts.now}`, key: c.key, subject: c.subject });
  }
  return out;
}

export function applySupervisionEvent(view: HallView, event: EventOf<SupervisionEventType>): void {
  switch (event.type) {
    case 'alert.raised':
      view.alerts.set(event.id, { id: event.id, key: event.key, subject: event.subject, raisedAt: event.at });
      break;
    case 'alert.cleared': {
      const a = view.alerts.get(event.id);
      if (a) view.alerts.set(a.id, changed(a, { clearedAt: event.at }));
      break;
    }
    case 'alert.acknowledged': {
      const a = view.alerts.get(event.id);
      if (a) view.alerts.set(a.id, changed(a, { acknowledged: { at: event.at, ...(event.staff ? { by: event.staff } : {}) } }));
      break;
    }
  }
}

/** What the new hall day keeps of the alerts: those still standing. */
export function alertsForNewDay(view: HallView): void {
  for (const [id, a] of view.alerts) if (a.clearedAt !== undefined) view.alerts.delete(id);
}

export function decideSupervision(view: HallView, command: SupervisionCommand, ctx: DecideContext): Result<Decision> {
  switch (command.type) {
    case 'reviewAlerts':
      if (ctx.actor.role !== 'admin' || ctx.actor.staff) return refuse('forbidden', 'alerts are raised by the hub itself');
      return ok({ events: alertChanges(view, { now: ctx.now, terminals: command.terminals, overdue: command.overdue, ...(command.standby ? { standby: command.standby } : {}) }) });
    case 'acknowledgeAlert': {
      const a = view.alerts.get(command.alertId);
      if (!a) return refuse('not-found', `there is no alert ${command.alertId} today`);
      if (a.acknowledged) return ok({ events: [] });
      return ok({ events: [{ type: 'alert.acknowledged', id: a.id }] });
    }
  }
}

// The board: the whole hall at a glance, for the console and the wall screen.

export interface BoardDevice {
  kind: DeviceReport['kind'];
  name: string;
  status: DeviceReport['status'];
  code?: string;
  /** Which port, what is wrong and what to do, as its terminal said it. */
  detail?: string;
}

export interface BoardTerminal {
  terminal: string;
  role: string;
  window?: number;
  online: boolean;
  lastSeen?: number;
  /** When its devices last reported. */
  reportedAt?: number;
  devices: BoardDevice[];
  /** Devices at fault (paper end, cover open, offline ...). */
  faults: BoardDevice[];
  /** A printer whose paper is nearly out. */
  paperNearEnd: boolean;
  /** Linked and reported healthy today (the morning check). */
  ready: boolean;
}

export interface BoardWindow {
  number: number;
  name: string;
  department?: string;
  temporary: boolean;
  open: boolean;
  paused?: { reason: string; since: number; minutes: number; tooLong: boolean };
  serving?: { ticket: string; serviceCode: string; state: 'called' | 'serving'; since: number; minutes: number };
  clerk?: { number: string; name?: string };
  serves: string[];
  terminals: BoardTerminal[];
}

export interface BoardItem {
  code: string;
  name: string;
  department: string;
  waiting: number;
  longestWaitMinutes: number;
  expectedWaitMinutes: number;
  windowsOpen: number;
  /** No window that may call it is open and at work (closed or paused): the kiosk says 暂无窗口办理, not a wait. */
  noWindowOpen: boolean;
  /** Past the hall's threshold (H-16). */
  overThreshold: boolean;
}

export interface BoardFigures {
  issued: number;
  served: number;
  waiting: number;
  noShow: number;
  /** Average minutes from issue to call of today's called tickets. */
  averageWaitMinutes: number;
  ratings: number;
  badRatings: number;
  windowsOpen: number;
}

export interface HallBoard {
  at: number;
  day: string;
  hallName: string;
  windows: BoardWindow[];
  items: BoardItem[];
  terminals: BoardTerminal[];
  figures: BoardFigures;
  /** Before opening: the morning device check (H-04). */
  check?: { opensAt: string; notReady: string[] };
  alerts: HallAlert[];
}

function boardTerminal(view: HallView, t: TerminalPresence, now: number): BoardTerminal {
  const report = view.devices.get(t.terminal);
  const devices: BoardDevice[] = (report?.devices ?? []).map((d) => {
    const detail = d.status === 'ok' ? undefined : deviceDetail(d);
    return { kind: d.kind, name: d.name, status: d.status, ...(d.code ? { code: d.code } : {}), ...(detail ? { detail } : {}) };
  });
  return {
    terminal: t.terminal,
    role: t.role,
    ...(t.window !== undefined ? { window: t.window } : {}),
    online: t.online,
    ...(t.lastSeen !== undefined ? { lastSeen: t.lastSeen } : {}),
    ...(report ? { reportedAt: report.at } : {}),
    devices,
    faults: devices.filter((d) => d.status === 'fault'),
    paperNearEnd: devices.some((d) => d.kind === 'printer' && d.code === 'paper-near-end'),
    ready: terminalReady(view, t, now),
  };
}

/** The hall's terminals: those the hub expects, and those that reported devices but are not in its list (an older installation). */
export function hallTerminals(view: HallView, presence: readonly TerminalPresence[]): TerminalPresence[] {
  const out = [...presence];
  for (const d of view.devices.values()) if (!out.some((p) => p.terminal === d.terminal)) out.push({ terminal: d.terminal, role: d.role, ...(d.window !== undefined ? { window: d.window } : {}), online: false });
  return out;
}

/** Each of the hall's terminals by the name staff know it by (取号机, 1号窗口评价器), for the board, the alerts and the notices. */
export function hallTerminalNames(view: HallView, presence: readonly TerminalPresence[], language: Language): Map<string, string> {
  return terminalNames(hallTerminals(view, presence), language);
}

/** Each of the hall's items by its code, named in `language`: its English name in English where the catalogue gives one, else its name. */
export function hallItemNames(view: HallView, language: Language): Map<string, string> {
  return new Map(view.catalogue.items.map((i) => [i.code, (language === 'en' ? i.nameEn : undefined) ?? i.name]));
}

/**
 * An alert as the channels and the city are told it: each terminal by the name the board gives it (取号机, 1号窗口评价器),
 * not its id, and each item by its name in the channel's language (`items`, from hallItemNames; an English channel read
 * "居民身份证换领: 12 waiting"). An item the hall no longer has keeps the name the alert was raised with.
 */
export function alertNotice(subject: AlertSubject, names: ReadonlyMap<string, string>, items: ReadonlyMap<string, string> = new Map()): AlertSubject {
  const named = (terminal: string) => names.get(terminal) ?? terminal;
  switch (subject.kind) {
    case 'wait-threshold':
      return changed(subject, { item: items.get(subject.serviceCode) ?? subject.item });
    case 'bad-rating':
      return subject.serviceCode === undefined ? subject : changed(subject, { item: items.get(subject.serviceCode) ?? subject.item });
    case 'device-fault':
    case 'terminal-offline':
      return changed(subject, { terminal: named(subject.terminal) });
    case 'devices-not-ready':
      return changed(subject, { terminals: subject.terminals.map(named) });
    default:
      return subject;
  }
}

const openFor = (view: HallView, w: HallWindow) => {
  const s = view.windows.get(w.number);
  return !!s?.open && s.pausedSince === undefined;
};

/** The live board: every window, every item's queue, every terminal and its devices, today's figures, the standing alerts. */
export function hallBoard(view: HallView, facts: SupervisionFacts): HallBoard {
  const { now } = facts;
  const policy = supervisionOf(view.catalogue);
  const terminals = hallTerminals(view, facts.terminals).map((t) => boardTerminal(view, t, now)).sort((a, b) => a.terminal.localeCompare(b.terminal));
  const windows: BoardWindow[] = view.catalogue.windows.map((w) => {
    const s = view.windows.get(w.number);
    const current = currentTicket(view, w.number);
    const clerk = s?.open && s.clerk ? view.catalogue.clerks.find((c) => c.number === s.clerk) : undefined;
    const since = current ? (current.state === 'serving' ? (current.servingAt ?? current.calledAt ?? now) : (current.calledAt ?? now)) : 0;
    return {
      number: w.number,
      name: w.name,
      ...(w.department ? { department: w.department } : {}),
      temporary: w.temporary !== undefined,
      open: !!s?.open,
      ...(s?.open && s.pausedSince !== undefined
        ? { paused: { reason: s.pauseReason ?? '', since: s.pausedSince, minutes: minutesSince(s.pausedSince, now), tooLong: minutesSince(s.pausedSince, now) >= policy.pauseMinutes } }
        : {}),
      ...(current && (current.state === 'called' || current.state === 'serving')
        ? { serving: { ticket: current.number, serviceCode: current.serviceCode, state: current.state, since, minutes: minutesSince(since, now) } }
        : {}),
      ...(s?.open && s.clerk ? { clerk: { number: s.clerk, ...(clerk ? { name: clerk.name } : {}) } } : {}),
      serves: [...w.serves],
      terminals: terminals.filter((t) => t.window === w.number),
    };
  });
  const waits = itemWaits(view, now);
  const items: BoardItem[] = view.catalogue.items.map((item) => {
    const { waiting, longest } = longestWait(view, item.code, now);
    return {
      code: item.code,
      name: item.name,
      department: item.department,
      waiting,
      longestWaitMinutes: longest,
      expectedWaitMinutes: waiting > 0 ? (waits.get(item.code)?.minutes ?? 0) : 0,
      windowsOpen: view.catalogue.windows.filter((w) => w.serves.includes(item.code) && openFor(view, w)).length,
      noWindowOpen: waits.get(item.code)?.noWindowOpen ?? false,
      overThreshold: waiting > 0 && (longest >= policy.waitMinutes || (policy.waitingCount !== undefined && waiting >= policy.waitingCount)),
    };
  });
  let issued = 0;
  let served = 0;
  let noShow = 0;
  let waited = 0;
  let called = 0;
  for (const t of view.tickets.values()) {
    if (t.state === 'voided') continue;
    issued++;
    if (t.state === 'done') served++;
    if (t.state === 'no-show') noShow++;
    if (t.calledAt !== undefined) {
      called++;
      waited += t.calledAt - t.issuedAt;
    }
  }
  const ratings = [...view.ratings.values()].flat();
  const check = deviceCheck(view, facts);
  return {
    at: now,
    day: view.day,
    hallName: view.catalogue.hall.name,
    windows,
    items,
    terminals,
    figures: {
      issued,
      served,
      waiting: view.waiting.size,
      noShow,
      averageWaitMinutes: called > 0 ? Math.round(waited / called / MINUTE) : 0,
      ratings: ratings.length,
      badRatings: ratings.filter((r) => isBadRating(r.level) && !r.isDefault).length,
      windowsOpen: windows.filter((w) => w.open).length,
    },
    ...(check ? { check } : {}),
    alerts: activeAlerts(view),
  };
}
