import { deviceReport } from '@servicehall/agent';
import { oneTimeNotice, ticket as ticketDocumentOf, type PrintDocument, type PrinterHealth } from '@servicehall/escpos-printer';
import { findItem, findWindow, issuingRefusal, itemToday, itemWait, itemWaits, localTime, ticketWait, waitPhrase, type DeviceReport, type HallView, type QueueWait, type ServiceItem, type Ticket } from '@servicehall/core';
import { pinyin } from 'pinyin-pro';
import type { Guide, Home, ItemCard, KioskStatus, Lang, QueryResult } from '../shared/api';
import { periodsText, tr } from '../shared/strings';

/** When the kiosk starts suggesting online and self-service channels (H-16). */
export interface BusyThreshold {
  minutes: number;
  people: number;
}

/** http://host:port of the hub, from its terminal address ws://host:port/ws (wss gives https). */
export function httpBaseOf(hubUrl: string): string {
  const url = new URL(hubUrl);
  const protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  return `${protocol}//${url.host}${url.pathname.replace(/\/ws$/, '')}`.replace(/\/$/, '');
}

/** The base of the links on tickets, or undefined when there is none a phone could reach (no QR code then, only the number). */
export { publicBaseOf } from '@servicehall/core';

/** What the kiosk knows of its printer: a warning is paper near-end, or a job whose end the printer did not report. */
export type PrinterState = { kind: 'absent' } | { kind: 'checking' } | PrinterHealth;

/** The printer as reported to the hub's device board (H-04, H-17): a fault with what its line said (its port, what to do). */
export function printerReport(state: PrinterState): DeviceReport {
  return deviceReport('printer', 'ticket-printer', state.kind === 'checking' ? { kind: 'ok' } : state);
}

/** What the kiosk can do now; `emergency` while it gives numbers from its leases (应急取号). */
export function kioskStatus(printer: PrinterState, linkStatus: string, linkReason?: string, emergency?: { leasesLeft: boolean }): KioskStatus {
  const status: KioskStatus = { printer: printer.kind, outOfService: false };
  if (printer.kind === 'warning' || printer.kind === 'fault') status.printerCode = printer.code;
  if (printer.kind === 'fault') return { ...status, outOfService: true, reason: 'printer' };
  if (emergency) return emergency.leasesLeft ? { ...status, emergency: true } : { ...status, emergency: true, outOfService: true, reason: 'leases-spent' };
  if (linkStatus === 'offline') return { ...status, outOfService: true, reason: linkReason === 'unconfigured' ? 'unconfigured' : 'hub' };
  return status;
}

const romanised = new Map<string, { initials: string; pinyin: string }>();

/** Pinyin initials and full pinyin of a name, letters only (居民身份证换领 → jmsfzhl). */
export function romanise(name: string): { initials: string; pinyin: string } {
  let r = romanised.get(name);
  if (!r) {
    const letters = (s: string) => s.toLowerCase().replace(/[^a-z]/g, '');
    r = {
      initials: letters(pinyin(name, { pattern: 'first', toneType: 'none', type: 'array' }).join('')),
      pinyin: letters(pinyin(name, { toneType: 'none', type: 'array' }).join('')),
    };
    romanised.set(name, r);
  }
  return r;
}

export function isBusy(wait: { waiting: number; minutes: number }, threshold: BusyThreshold): boolean {
  return wait.waiting >= threshold.people || wait.minutes >= threshold.minutes;
}

/** An item on the home screen, with the wait of a ticket taken now from the queue policy itself (H-09). */
export function itemCard(view: HallView, item: ServiceItem, threshold: BusyThreshold, now: number, wait: QueueWait = itemWait(view, item.code, now)): ItemCard {
  // As the hub would refuse a number now (a console's closing for today is the card's closedNotice).
  const refused = issuingRefusal(item, view, now)?.code;
  const notIssuing = refused === 'daily-quota-reached' ? 'full' : refused === 'outside-issuing-hours' ? 'hours' : undefined;
  return {
    code: item.code,
    name: item.name,
    ...(item.nameEn ? { nameEn: item.nameEn } : {}),
    department: item.department,
    prefix: item.prefix,
    ...romanise(item.name),
    waiting: wait.waiting,
    ahead: wait.ahead,
    minutes: wait.minutes,
    wait: waitPhrase(wait),
    noWindowOpen: wait.noWindowOpen,
    busy: isBusy(wait, threshold),
    ...(item.onlineUrl ? { onlineUrl: item.onlineUrl } : {}),
    ...(itemToday(item, view.day).closedNotice ? { closedNotice: itemToday(item, view.day).closedNotice } : {}),
    ...(notIssuing ? { notIssuing } : {}),
    ...(notIssuing === 'hours' ? { issuingHours: issuingPeriods(item, view.day) } : {}),
  };
}

export function homeOf(view: HallView, threshold: BusyThreshold, now: number): Home {
  const waits = itemWaits(view, now);
  const items = view.catalogue.items.map((item) => itemCard(view, item, threshold, now, waits.get(item.code)));
  const { hall } = view.catalogue;
  return {
    hallName: hall.name,
    ...(hall.nameEn ? { hallNameEn: hall.nameEn } : {}),
    timeZone: hall.timeZone,
    complaintPhone: hall.complaintPhone,
    departments: view.catalogue.departments.map((d) => ({ name: d.name, ...(d.nameEn ? { nameEn: d.nameEn } : {}) })),
    items,
    busy: items.some((i) => i.busy),
    threshold,
  };
}

/** The hours `item` issues on `day`: today's change of them (今日调整) where there is one, as the hub refuses by. */
export function issuingHoursText(item: ServiceItem, day: string, lang: Lang = 'zh-CN'): string {
  return periodsText(lang, issuingPeriods(item, day));
}

/** Each period `item` issues in on `day` (08:30-11:30), today's change of them where there is one. */
export function issuingPeriods(item: ServiceItem, day: string): string[] {
  return itemToday(item, day).issuingHours.map((h) => `${h.from}-${h.to}`);
}

export function guideOf(view: HallView, code: string, threshold: BusyThreshold, now: number): Omit<Guide, 'onlineQr'> | null {
  const item = findItem(view.catalogue, code);
  if (!item) return null;
  const wait = itemWait(view, code, now);
  const card = itemCard(view, item, threshold, now, wait);
  const caveats = wait.caveats;
  const today = itemToday(item, view.day);
  return {
    code: item.code,
    name: item.name,
    ...(item.nameEn ? { nameEn: item.nameEn } : {}),
    department: item.department,
    conditions: item.conditions,
    materials: item.materials,
    steps: item.steps,
    fees: item.fees,
    legalLimitDays: item.legalLimitDays,
    promisedLimitDays: item.promisedLimitDays,
    issuingHours: issuingHoursText(item, view.day),
    ...(today.dailyQuota !== undefined ? { dailyQuota: today.dailyQuota } : {}),
    ...(item.onlineUrl ? { onlineUrl: item.onlineUrl } : {}),
    waiting: card.waiting,
    ahead: card.ahead,
    minutes: card.minutes,
    wait: card.wait,
    caveats,
    busy: card.busy,
  };
}

/** HH:MM of a slot or instant in the hall's time zone. */
export function clock(at: number, timeZone: string): string {
  return localTime(at, timeZone).time;
}

export interface TicketPrintInput {
  view: HallView;
  ticket: Ticket;
  ahead: number;
  minutes: number;
  /** The progress page for the QR code; without one the ticket says which number to type at a kiosk. */
  progressUrl?: string;
  lang: Lang;
  /** 应急取号: no wait is known; the ticket says so. */
  emergency?: boolean;
}

/**
 * The paper ticket: hall, the number large, the item, people ahead, the expected wait, the time,
 * the progress QR code and a civil closing line (the driver's layout), with the lane when it is not ordinary.
 */
export function ticketDocument(input: TicketPrintInput): PrintDocument {
  const { view, ticket: t, lang } = input;
  const { hall } = view.catalogue;
  const item = findItem(view.catalogue, t.serviceCode);
  const itemName = (lang === 'en' ? item?.nameEn : undefined) ?? item?.name ?? t.serviceCode;
  const doc = ticketDocumentOf({
    hallName: (lang === 'en' ? hall.nameEn : undefined) ?? hall.name,
    number: t.number,
    itemName,
    waitingAhead: input.ahead,
    expectedWaitMinutes: input.minutes,
    issuedAt: { iso: new Date(t.issuedAt).toISOString(), timeZone: hall.timeZone },
    ...(input.progressUrl ? { qrUrl: input.progressUrl } : {}),
    lang,
    ...(input.emergency ? { emergency: true } : {}),
  });
  const lane = laneLine(t, lang, hall.timeZone);
  if (lane) {
    const after = doc.blocks.findIndex((b) => b.kind === 'text' && b.size === 2);
    doc.blocks.splice(after + 1, 0, { kind: 'text', text: lane, align: 'center', bold: true });
  }
  return doc;
}

export function slotText(t: Ticket, timeZone: string): string | undefined {
  return t.appointment ? `${clock(t.appointment.slotStart, timeZone)}-${clock(t.appointment.slotEnd, timeZone)}` : undefined;
}

function laneLine(t: Ticket, lang: Lang, timeZone: string): string | undefined {
  if (t.lane === 'priority') {
    const reason = t.priorityReason && t.priorityReason !== 'other' ? tr(lang, `reason.${t.priorityReason}`) : tr(lang, 'lane.priority');
    return tr(lang, 'print.priority', { reason });
  }
  if (t.lane === 'appointment') return tr(lang, 'print.appointment', { slot: slotText(t, timeZone) ?? '' });
  return undefined;
}

export function guideDocument(view: HallView, item: ServiceItem, lang: Lang, now: number): PrintDocument {
  const { hall } = view.catalogue;
  return oneTimeNotice({
    hallName: (lang === 'en' ? hall.nameEn : undefined) ?? hall.name,
    date: localTime(now, hall.timeZone).day,
    phone: hall.complaintPhone,
    lang,
    item,
  });
}

/** What the citizen typed or scanned into the progress query. */
export type QueryKey = { kind: 'ticket'; key: string } | { kind: 'ref'; ref: string } | { kind: 'case'; key: string } | { kind: 'invalid' };

export function parseQuery(text: string): QueryKey {
  const raw = String(text ?? '').trim();
  if (raw === '' || raw.length > 200) return { kind: 'invalid' };
  // A scanned ticket QR code: the live page <hall>/m/t/<reference>, or the older <hub>/q/<ticket id>
  const live = /\/m\/t\/([A-Za-z0-9_-]{22})(?:[/?#]|$)/.exec(raw);
  if (live) return { kind: 'ref', ref: live[1]! };
  const scanned = /\/q\/([^/?#\s]+)/.exec(raw);
  if (scanned) {
    try {
      return { kind: 'ticket', key: decodeURIComponent(scanned[1]!).toUpperCase() };
    } catch {
      return { kind: 'invalid' };
    }
  }
  const key = raw.toUpperCase().replace(/\s+/g, '');
  if (/^\d{4}-\d{2}-\d{2}-[A-Z]{1,2}\d{1,5}$/.test(key) || /^[A-Z]{1,2}\d{1,5}$/.test(key)) return { kind: 'ticket', key };
  if (/^[A-Z0-9][A-Z0-9_-]{2,63}$/.test(key)) return { kind: 'case', key: raw.replace(/\s+/g, '') };
  return { kind: 'invalid' };
}

/** A ticket of today by id (2026-11-27-A012), number (A012) or number without its zeros (A12). */
export function findTicket(view: HallView, key: string): Ticket | undefined {
  const upper = key.toUpperCase();
  const byId = [...view.tickets.values()].find((t) => t.id.toUpperCase() === upper);
  if (byId) return byId;
  const m = /^([A-Z]{1,2})(\d{1,5})$/.exec(upper);
  if (!m) return undefined;
  return [...view.tickets.values()].find((t) => t.number === upper || (t.number.startsWith(m[1]!) && Number(t.number.slice(m[1]!.length)) === Number(m[2])));
}

export function ticketProgress(view: HallView, t: Ticket, now: number): QueryResult {
  const item = findItem(view.catalogue, t.serviceCode);
  const wait = ticketWait(view, t, now);
  const window = t.state === 'called' || t.state === 'serving' || t.state === 'held' ? t.window : undefined;
  return {
    kind: 'ticket',
    number: t.number,
    itemName: item?.name ?? t.serviceCode,
    ...(item?.nameEn ? { itemNameEn: item.nameEn } : {}),
    state: t.state,
    ahead: wait.ahead,
    minutes: wait.minutes,
    wait: waitPhrase(wait),
    ...(window !== undefined ? { window, windowName: findWindow(view.catalogue, window)?.name ?? `${window}号窗口` } : {}),
  };
}

const text = (v: unknown, max = 120): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, max) : typeof v === 'number' ? String(v) : undefined);

/**
 * A case's progress as the hub answers it (numbers and states only), read tolerantly: only short
 * strings reach the screen, and never a name or an ID number (H-19).
 */
export function caseProgress(view: HallView | undefined, caseNumber: string, body: unknown): QueryResult {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const c = (b.case && typeof b.case === 'object' ? b.case : b) as Record<string, unknown>;
  const serviceCode = text(c.serviceCode);
  const item = view && serviceCode ? findItem(view.catalogue, serviceCode) : undefined;
  const at = (v: unknown) => (typeof v === 'number' && view ? `${localTime(v, view.catalogue.hall.timeZone).day} ${clock(v, view.catalogue.hall.timeZone)}` : text(v));
  const out: QueryResult = { kind: 'case', caseNumber: text(c.number) ?? text(c.caseNumber) ?? caseNumber };
  const itemName = item?.name ?? text(c.itemName) ?? text(c.serviceName);
  const state = text(c.state) ?? text(c.status);
  const stateText = text(c.stateText) ?? text(c.statusText);
  // The date promised to the citizen (承诺办结), the legal one as a fallback.
  const dueDate = text(c.promisedDue) ?? text(c.legalDue) ?? text(c.dueDate) ?? text(c.due);
  const updatedAt = at(c.updatedAt);
  // The materials the latest correction notice asks for, by their names in the catalogue (an id it does not know is not shown).
  const missing =
    state === 'correction' && Array.isArray(c.missing) && item
      ? c.missing.flatMap((id) => item.materials.find((m) => m.id === id)?.name ?? []).slice(0, 20)
      : [];
  return {
    ...out,
    ...(itemName ? { itemName } : {}),
    ...(state ? { state } : {}),
    ...(stateText ? { stateText } : {}),
    ...(dueDate ? { dueDate } : {}),
    ...(updatedAt ? { updatedAt } : {}),
    ...(missing.length > 0 ? { missing } : {}),
  };
}
