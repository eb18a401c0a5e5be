import {
  currentTicket,
  findItem,
  findWindow,
  heldTickets,
  itemWaits,
  outcomeOf,
  waitPhrase,
  windowQueue,
  type Case,
  type HallView,
  type Ticket,
} from '@servicehall/core';
import type { CaseCard, CurrentTicket, Desk, DeviceState, ItemCard, PrintRecord, TicketCard } from '../shared/api';

/** How many waiting tickets and cases the screen gets; the counts are always whole. */
export const QUEUE_SHOWN = 40;
export const CASES_SHOWN = 12;
const CONSULTATION_ITEM = 'ZX-ZH-ZX';

export interface DeskExtras {
  devices: { printer: DeviceState; display: DeviceState };
  lastPrint?: PrintRecord;
}

function itemName(view: HallView, code: string): string {
  return findItem(view.catalogue, code)?.name ?? code;
}

function clerkOf(view: HallView, number: string | undefined): { number: string; name?: string } | undefined {
  if (!number) return undefined;
  const c = view.catalogue.clerks.find((k) => k.number === number);
  return { number, ...(c ? { name: c.name } : {}) };
}

export function ticketCard(view: HallView, t: Ticket): TicketCard {
  return {
    id: t.id,
    number: t.number,
    serviceCode: t.serviceCode,
    serviceName: itemName(view, t.serviceCode),
    lane: t.lane,
    ...(t.priorityReason ? { priorityReason: t.priorityReason } : {}),
    issuedAt: t.issuedAt,
    transferred: t.transfers.length > 0,
    remote: t.remote === true,
  };
}

function currentCard(view: HallView, t: Ticket): CurrentTicket {
  const { recallLimit, recallCooldownSeconds } = view.catalogue.queue;
  return {
    ...ticketCard(view, t),
    state: t.state === 'serving' ? 'serving' : 'called',
    calledAt: t.calledAt,
    servingAt: t.servingAt,
    recalls: t.recalls,
    recallLimit,
    recallReadyAt: t.lastCalledAt === undefined ? undefined : t.lastCalledAt + recallCooldownSeconds * 1000,
    firstClerk: clerkOf(view, t.firstClerk),
    transfers: t.transfers.map((x) => ({ at: x.at, fromService: itemName(view, x.fromService), toService: itemName(view, x.toService), fromWindow: x.fromWindow, toWindow: x.toWindow, reason: x.reason })),
  };
}

export function caseCard(view: HallView, c: Case): CaseCard {
  const item = findItem(view.catalogue, c.serviceCode);
  const materialName = (id: string) => item?.materials.find((m) => m.id === id)?.name ?? id;
  const ticket = c.ticketId ? view.tickets.get(c.ticketId) : undefined;
  return {
    number: c.number,
    serviceCode: c.serviceCode,
    serviceName: item?.name ?? c.serviceCode,
    state: c.state,
    outcome: outcomeOf(c),
    ...(c.ticketId ? { ticketId: c.ticketId } : {}),
    ...(ticket ? { ticketNumber: ticket.number } : {}),
    openedAt: c.openedAt,
    acceptedOn: c.acceptedOn,
    promisedDue: c.promisedDue,
    legalDue: c.legalDue,
    dueCertain: c.dueCertain,
    rejectReason: c.rejectReason,
    // The hub sends masked data only; masked again here should a raw value ever slip through.
    applicant: c.applicant && { name: c.applicant.name, ...(c.applicant.idNumber ? { idNumber: maskedId(c.applicant.idNumber) } : {}) },
    firstClerk: c.firstClerk,
    notices: c.notices.map((n) => ({ at: n.at, materials: n.materials.map(materialName), newMaterials: n.newMaterials.map(materialName), breach: n.breach, ...(n.breachReason ? { breachReason: n.breachReason } : {}) })),
    breach: c.notices.some((n) => n.breach),
    amendments: (c.amendments ?? []).map((a) => ({ at: a.at, from: a.from, to: a.to, reason: a.reason })),
  };
}

/** An ID number that still shows more than its first and last four characters is masked (H-19). */
export function maskedId(id: string): string {
  if (/^\d{4}\*+[\dXx*]{4}$/.test(id) || /^\*+$/.test(id)) return id;
  return id.length <= 8 ? '*'.repeat(id.length) : id.slice(0, 4) + '*'.repeat(id.length - 8) + id.slice(-4);
}

/** This window's cases only (H-19): those opened or last handled here, newest first. */
export function windowCases(view: HallView, window: number): Case[] {
  return [...view.cases.values()].filter((c) => c.window === window).sort((a, b) => b.openedAt - a.openedAt || b.number.localeCompare(a.number));
}

function ratingOf(view: HallView, window: number): Desk['rating'] {
  let last: Ticket | undefined;
  for (const t of view.tickets.values()) if (t.state === 'done' && t.window === window && (!last || (t.finishedAt ?? 0) > (last.finishedAt ?? 0))) last = t;
  if (!last) return undefined;
  const rated = view.ratings.get(last.id)?.[0];
  if (rated) return { ticketNumber: last.number, state: 'rated', level: rated.level, isDefault: rated.isDefault };
  if (view.ratingRequests.has(last.id)) return { ticketNumber: last.number, state: 'waiting' };
  return undefined;
}

export function itemCard(view: HallView, code: string): ItemCard | undefined {
  const item = findItem(view.catalogue, code);
  if (!item) return undefined;
  return {
    code: item.code,
    name: item.name,
    department: item.department,
    promisedLimitDays: item.promisedLimitDays,
    legalLimitDays: item.legalLimitDays,
    materials: item.materials.map((m) => ({ id: m.id, name: m.name, form: m.form, count: m.count, ...(m.note ? { note: m.note } : {}) })),
  };
}

/** The clerk's screen for `window`, from the hub's view of the hall. */
export function deskOf(view: HallView, window: number, now: number, extras: DeskExtras): Desk {
  const hallWindow = findWindow(view.catalogue, window);
  const state = view.windows.get(window);
  const current = currentTicket(view, window);
  const queue = windowQueue(view, window, now);
  const servesCodes = new Set(hallWindow?.serves ?? []);
  // The current ticket's item may have come by transfer to this window: its checklist is needed too.
  if (current) servesCodes.add(current.serviceCode);
  const serves = [...servesCodes].map((code) => itemCard(view, code)).filter((c): c is ItemCard => !!c);
  const { windows, items } = view.catalogue;
  const waits = itemWaits(view, now, hallWindow?.serves ?? []);
  return {
    seq: view.seq,
    day: view.day,
    hallName: view.catalogue.hall.name,
    timeZone: view.catalogue.hall.timeZone,
    window: { number: window, name: hallWindow?.name ?? `${window}号窗口`, ...(hallWindow?.department ? { department: hallWindow.department } : {}) },
    open: !!state?.open,
    clerk: state?.open ? clerkOf(view, state.clerk) : undefined,
    pausedSince: state?.pausedSince,
    pauseReason: state?.pauseReason,
    ...(!state?.open && state?.dayEndedAt !== undefined ? { dayEndedAt: state.dayEndedAt } : {}),
    current: current && (current.state === 'called' || current.state === 'serving') ? currentCard(view, current) : undefined,
    queue: queue.slice(0, QUEUE_SHOWN).map((t) => ticketCard(view, t)),
    waitingTotal: queue.length,
    byItem: (hallWindow?.serves ?? []).map((code) => {
      const w = waits.get(code)!;
      return { code, name: itemName(view, code), waiting: queue.filter((t) => t.serviceCode === code).length, minutes: w.minutes, wait: waitPhrase(w) };
    }),
    held: heldTickets(view, window).map((t) => ticketCard(view, t)),
    serves,
    targets: {
      items: items.map((i) => ({ code: i.code, name: i.name, department: i.department, windows: windows.filter((w) => w.serves.includes(i.code)).map((w) => w.number) })),
      windows: windows.filter((w) => w.number !== window).map((w) => ({ number: w.number, name: w.name, serves: w.serves, open: view.windows.get(w.number)?.open === true })),
      consultationWindow: windows.find((w) => w.serves.includes(CONSULTATION_ITEM))?.number,
    },
    neighbours: windows
      .filter((w) => w.number !== window && w.serves.some((code) => hallWindow?.serves.includes(code)))
      .map((w) => {
        const s = view.windows.get(w.number);
        const t = currentTicket(view, w.number);
        return { number: w.number, name: w.name, open: !!s?.open, paused: s?.pausedSince !== undefined, ...(t ? { ticket: t.number } : {}) };
      }),
    cases: windowCases(view, window)
      .slice(0, CASES_SHOWN)
      .map((c) => caseCard(view, c)),
    // The cases this visit has recorded, wherever (before a transfer too): one outcome per item, amended here.
    visitCases: current ? [...view.cases.values()].filter((c) => c.ticketId === current.id).map((c) => caseCard(view, c)) : [],
    rating: ratingOf(view, window),
    devices: extras.devices,
    ...(extras.lastPrint ? { lastPrint: extras.lastPrint } : {}),
    recallCooldownSeconds: view.catalogue.queue.recallCooldownSeconds,
    recallLimit: view.catalogue.queue.recallLimit,
  };
}

/** What the window's number display should show (H-05: the greeting with the call; 暂停服务 while paused, but for a call not yet answered). */
export type DisplayFace =
  | { kind: 'clear' }
  | { kind: 'idle'; window: number }
  | { kind: 'paused'; window: number }
  | { kind: 'call'; number: string; window: number }
  | { kind: 'serving'; number: string; window: number };

export function displayFaceOf(view: HallView, window: number): DisplayFace {
  const state = view.windows.get(window);
  if (!state?.open) return { kind: 'clear' };
  const t = currentTicket(view, window);
  // A citizen called is on the way to this window: the call stays above it while the window is paused (暂停服务 would tell them their number was missed).
  if (t?.state === 'called') return { kind: 'call', number: t.number, window };
  if (state.pausedSince !== undefined) return { kind: 'paused', window };
  if (t?.state === 'serving') return { kind: 'serving', number: t.number, window };
  return { kind: 'idle', window };
}
