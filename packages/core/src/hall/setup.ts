import { chinaCalendar, makeCalendar, type CalendarData, type WorkingCalendar } from '../calendar';
import chineseDays from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { findItem, findWindow, isConfigured, todayHoursSentence, type Catalogue, type HallWindow, type ServiceItem } from '../catalogue';
import { localTime } from '../clock';
import { shownAsSent, type CommandBody } from '../commands';
import type { EventBody, PendingChange, ScheduledChange, SetupOvertaken } from '../events';
import { ok, refuse, type Result } from '../result';
import { forbiddenPhrasesIn, inBothLanguages } from '../strings';
import type { Ticket } from '../ticket';
import { windowOf, type BookedAppointment, type DecideContext, type Decision, type EventOf, type HallView } from './view';

// The hall's setup and the changes a busy hall makes to it at peak: the catalogue as a whole, a
// window's items, a temporary window, an item's quota, hours or closure for today, the calendar's
// years. A change that cannot apply now names the tickets in its way and may wait for the next day.

export type SetupEventType =
  | 'catalogue.replaced'
  | 'window.itemsAssigned'
  | 'window.temporaryOpened'
  | 'item.todaySet'
  | 'change.scheduled'
  | 'change.cancelled'
  | 'calendar.yearSet';

export type SetupCommand = Extract<
  CommandBody,
  { type: 'replaceCatalogue' | 'assignWindowItems' | 'openTemporaryWindow' | 'setItemToday' | 'cancelPendingChange' | 'setCalendarYear' }
>;

/** The catalogue with one window changed (the catalogue is replaced, never changed in place: snapshots share it). */
function withWindow(catalogue: Catalogue, number: number, change: (w: HallWindow) => HallWindow): Catalogue {
  return { ...catalogue, windows: catalogue.windows.map((w) => (w.number === number ? change(w) : w)) };
}

function withItem(catalogue: Catalogue, code: string, change: (i: ServiceItem) => ServiceItem): Catalogue {
  return { ...catalogue, items: catalogue.items.map((i) => (i.code === code ? change(i) : i)) };
}

/** A whole setup waiting for the day's end would undo a change made at once after it was saved: it is marked, and cancelled at the opening. */
function overtake(view: HallView, event: EventOf<'catalogue.replaced' | 'window.itemsAssigned'>): void {
  if (event.pendingId !== undefined || !view.pending.some((p) => p.change.type === 'replaceCatalogue')) return;
  const by = { seq: event.seq, at: event.at, ...(event.staff ? { staff: event.staff } : {}), ...(event.type === 'window.itemsAssigned' ? { window: event.window } : {}) };
  view.pending = view.pending.map((p) => (p.change.type === 'replaceCatalogue' ? { ...p, overtaken: by } : p));
}

export function applySetupEvent(view: HallView, event: EventOf<SetupEventType>): void {
  const done = (pendingId: number | undefined) => {
    if (pendingId !== undefined) view.pending = view.pending.filter((p) => p.id !== pendingId);
  };
  switch (event.type) {
    case 'catalogue.replaced':
      view.catalogue = event.catalogue;
      for (const w of event.catalogue.windows) windowOf(view, w.number);
      done(event.pendingId);
      overtake(view, event);
      break;
    case 'window.itemsAssigned':
      view.catalogue = withWindow(view.catalogue, event.window, (w) => ({ ...w, serves: [...event.serves] }));
      done(event.pendingId);
      overtake(view, event);
      break;
    case 'window.temporaryOpened':
      view.catalogue = { ...view.catalogue, windows: [...view.catalogue.windows, event.window] };
      windowOf(view, event.window.number);
      break;
    case 'item.todaySet':
      view.catalogue = withItem(view.catalogue, event.serviceCode, (i) => ({ ...i, today: event.today }));
      break;
    case 'change.scheduled':
      view.pending = [...view.pending, { id: event.seq, at: event.at, ...(event.staff ? { staff: event.staff } : {}), change: event.change }];
      break;
    case 'change.cancelled':
      done(event.pendingId);
      break;
    case 'calendar.yearSet': {
      const prefix = `${event.year}-`;
      const keep = (days: Record<string, string>) => Object.fromEntries(Object.entries(days).filter(([d]) => !d.startsWith(prefix)));
      view.catalogue = {
        ...view.catalogue,
        calendar: {
          holidays: { ...keep(view.catalogue.calendar.holidays), ...event.holidays },
          workdays: { ...keep(view.catalogue.calendar.workdays), ...event.workdays },
        },
      };
      break;
    }
  }
}

/** What the hall day's opening does to the catalogue: temporary windows and today's changes end. */
export function catalogueForNewDay(catalogue: Catalogue, day: string): Catalogue {
  const stale = catalogue.windows.some((w) => w.temporary !== undefined && w.temporary < day) || catalogue.items.some((i) => i.today && i.today.day < day);
  if (!stale) return catalogue;
  return {
    ...catalogue,
    windows: catalogue.windows.filter((w) => w.temporary === undefined || w.temporary >= day),
    items: catalogue.items.map((i) => (i.today && i.today.day < day ? { ...i, today: undefined } : i)),
  };
}

/**
 * A setup as it is saved over the hall's: the calendar (a year the hall entered wins over the
 * setup's), the windows opened for today and an item's changes for today are the hall's own and
 * carry over; the rest is the setup's. The console's setup save, PUT /api/catalogue and the day's
 * opening all save through it.
 */
export function carriedSetup(hall: Catalogue, setup: Catalogue): Catalogue {
  const numbers = new Set(setup.windows.map((w) => w.number));
  const temporary = hall.windows.filter((w) => w.temporary !== undefined && !numbers.has(w.number));
  const items = setup.items.map(({ today: _today, ...item }) => {
    const today = findItem(hall, item.code)?.today;
    return today ? { ...item, today } : item;
  });
  const hallYears = new Set([...Object.keys(hall.calendar.holidays), ...Object.keys(hall.calendar.workdays)].map((d) => d.slice(0, 4)));
  const otherYears = (days: Record<string, string>) => Object.fromEntries(Object.entries(days).filter(([d]) => !hallYears.has(d.slice(0, 4))));
  const calendar = {
    holidays: { ...otherYears(setup.calendar.holidays), ...hall.calendar.holidays },
    workdays: { ...otherYears(setup.calendar.workdays), ...hall.calendar.workdays },
  };
  return { ...setup, items, windows: [...setup.windows, ...temporary], calendar };
}

/** Why a change waiting for the day's end will not apply at the next opening. */
export type PendingCancel =
  /** A whole setup: a change made at once to the setup after it was saved, which it would undo. */
  | { kind: 'overtaken'; by: SetupOvertaken }
  /** A whole setup: a change saved before it for the same opening applies first, and it would undo that. */
  | { kind: 'behind'; change: ScheduledChange }
  /** A window's items: the window is not in the catalogue by then (a temporary window ends with its day). */
  | { kind: 'window-gone'; window: number }
  /** A window's items: one of them is not in the catalogue by then. */
  | { kind: 'item-gone'; serviceCode: string };

/** What the next opening does with one change waiting for it: the event that applies it, or why it is cancelled. */
export type PendingOutcome =
  | { pending: ScheduledChange; applies: Extract<EventBody, { type: 'catalogue.replaced' | 'window.itemsAssigned' }> }
  | { pending: ScheduledChange; cancelled: PendingCancel };

/**
 * Each change waiting for the day's end, in the order the opening of `day` takes them, with what
 * that opening does to it, checked against the catalogue as it then stands. A whole setup applies
 * only if the setup has not changed since it was saved and no change before it applied at this
 * opening; otherwise it is cancelled, never applied over what came before or after it. The
 * opening (pendingChangesAt) and the console's notices both read it.
 */
export function pendingAtOpening(view: HallView, day: string): PendingOutcome[] {
  const out: PendingOutcome[] = [];
  let catalogue = catalogueForNewDay(view.catalogue, day);
  let applied: ScheduledChange | undefined;
  for (const p of view.pending) {
    const c = p.change;
    if (c.type === 'replaceCatalogue') {
      if (p.overtaken) out.push({ pending: p, cancelled: { kind: 'overtaken', by: p.overtaken } });
      else if (applied) out.push({ pending: p, cancelled: { kind: 'behind', change: applied } });
      else {
        catalogue = catalogueForNewDay(carriedSetup(catalogue, c.catalogue), day);
        out.push({ pending: p, applies: { type: 'catalogue.replaced', catalogue, pendingId: p.id } });
        applied = p;
      }
    } else {
      const unknown = c.serves.find((code) => !findItem(catalogue, code));
      if (!findWindow(catalogue, c.window)) out.push({ pending: p, cancelled: { kind: 'window-gone', window: c.window } });
      else if (unknown) out.push({ pending: p, cancelled: { kind: 'item-gone', serviceCode: unknown } });
      else {
        out.push({ pending: p, applies: { type: 'window.itemsAssigned', window: c.window, serves: c.serves, pendingId: p.id } });
        catalogue = withWindow(catalogue, c.window, (w) => ({ ...w, serves: c.serves }));
        applied ??= p;
      }
    }
  }
  return out;
}

/** The log's reason (English) for a change the opening cancels. */
function cancelReason(view: HallView, why: PendingCancel): string {
  switch (why.kind) {
    case 'overtaken': {
      const o = why.by;
      const t = localTime(o.at, view.catalogue.hall.timeZone);
      const what = o.window !== undefined ? `window ${o.window}'s items` : 'the setup';
      // The event's reason holds 200 characters: a long name is cut, never the opening refused.
      return `not applied: ${what} changed after it was saved (by ${o.staff?.name ?? 'the hub'}, ${t.day} ${t.time}, seq ${o.seq}); save the setup again from the current one`.slice(0, 200);
    }
    case 'behind':
      return 'not applied: a change saved before it applied at this opening and it would have undone that; save the setup again from the current one';
    case 'window-gone':
      return `window ${why.window} is no longer in the catalogue`;
    case 'item-gone':
      return `service item ${why.serviceCode} is no longer in the catalogue`;
  }
}

/**
 * The events that carry out the changes that waited for this new day (pendingAtOpening): each applied,
 * or cancelled with its reason; and, by the cancelled change's id, why (for the hub's audit, which
 * says it in the administrator's words from the same outcome the event was written from).
 */
export function pendingChangesAt(view: HallView, day: string): { events: EventBody[]; cancelled: Map<number, PendingCancel> } {
  const cancelled = new Map<number, PendingCancel>();
  const events = pendingAtOpening(view, day).flatMap((o): EventBody[] => {
    if ('applies' in o) return o.applies.type === 'catalogue.replaced' ? [o.applies, ...withdrawnBookings(view, o.applies.catalogue, day)] : [o.applies];
    cancelled.set(o.pending.id, o.cancelled);
    return [{ type: 'change.cancelled', pendingId: o.pending.id, reason: cancelReason(view, o.cancelled) }];
  });
  return { events, cancelled };
}

/**
 * The hall's cancellations of the bookings still to come (from `fromDay` on, not checked in) of items
 * `catalogue` no longer has (removed, or given another code): their citizens could not check in. Each
 * keeps the item's names from the catalogue it was booked under, for the citizen's page and SMS.
 */
export function withdrawnBookings(view: HallView, catalogue: Catalogue, fromDay: string): EventBody[] {
  return bookingsOfItemsGone(view.appointments.values(), (code) => findItem(catalogue, code) !== undefined, fromDay).map((a) => {
    const was = findItem(view.catalogue, a.serviceCode);
    return { type: 'appointment.cancelled', code: a.code, withdrawn: { itemName: was?.name ?? a.serviceCode, ...(was?.nameEn ? { itemNameEn: was.nameEn } : {}) } };
  });
}

/**
 * The bookings still to come (from `fromDay` on, neither cancelled nor checked in) of the items `offered` does
 * not find: those a setup cancels as it takes effect (withdrawnBookings), and its review step names before.
 */
export function bookingsOfItemsGone(appointments: Iterable<BookedAppointment>, offered: (code: string) => boolean, fromDay: string): BookedAppointment[] {
  const gone: BookedAppointment[] = [];
  for (const a of appointments) if (a.cancelledAt === undefined && a.ticketId === undefined && a.day >= fromDay && !offered(a.serviceCode)) gone.push(a);
  return gone;
}

/** Bookings counted by their item, with the first day of each (the setup's review step, the audit of those withdrawn). */
export function bookingsByItem(bookings: Iterable<Pick<BookedAppointment, 'serviceCode' | 'day'>>): Map<string, { count: number; firstDay: string }> {
  const by = new Map<string, { count: number; firstDay: string }>();
  for (const a of bookings) {
    const was = by.get(a.serviceCode);
    if (!was) by.set(a.serviceCode, { count: 1, firstDay: a.day });
    else {
      was.count += 1;
      if (a.day < was.firstDay) was.firstDay = a.day;
    }
  }
  return by;
}

/** Tickets still waiting for an item that no window would serve under `catalogue`. */
export function strandedTickets(view: HallView, catalogue: Catalogue): Ticket[] {
  const out: Ticket[] = [];
  const served = new Set(catalogue.windows.flatMap((w) => w.serves));
  const numbers = new Set(catalogue.windows.map((w) => w.number));
  for (const t of view.tickets.values()) {
    if (t.state === 'done' || t.state === 'voided' || t.state === 'no-show') continue;
    if (!findItem(catalogue, t.serviceCode)) out.push(t);
    else if (t.state === 'issued' && t.targetWindow === undefined && !served.has(t.serviceCode)) out.push(t);
    else if (t.targetWindow !== undefined && !numbers.has(t.targetWindow)) out.push(t);
  }
  return out.sort((a, b) => a.place - b.place);
}

function inTheWay(tickets: Ticket[], what: string) {
  const numbers = tickets.map((t) => t.number);
  const shown = numbers.slice(0, 10).join(', ') + (numbers.length > 10 ? ` and ${numbers.length - 10} more` : '');
  return { ...refuse('conflict', `tickets ${shown} still need ${what}; it can apply when the hall day ends`), tickets: numbers };
}

export function decideSetup(view: HallView, command: SetupCommand, ctx: DecideContext): Result<Decision> {
  switch (command.type) {
    case 'replaceCatalogue': {
      if (command.atDayEnd) return ok({ events: [{ type: 'change.scheduled', change: { type: 'replaceCatalogue', catalogue: command.catalogue } }] });
      const stranded = strandedTickets(view, command.catalogue);
      if (stranded.length > 0) return inTheWay(stranded, 'a service item or window this catalogue drops');
      return ok({ events: [{ type: 'catalogue.replaced', catalogue: command.catalogue }, ...withdrawnBookings(view, command.catalogue, view.day)] });
    }
    case 'assignWindowItems': {
      const w = findWindow(view.catalogue, command.window);
      if (!w) return refuse('not-found', `there is no window ${command.window}`);
      const serves = [...new Set(command.serves)];
      const unknown = serves.find((code) => !findItem(view.catalogue, code));
      if (unknown) return refuse('not-found', `there is no service item ${unknown}`);
      const change: PendingChange = { type: 'assignWindowItems', window: command.window, serves };
      if (command.atDayEnd) return ok({ events: [{ type: 'change.scheduled', change }] });
      const after = withWindow(view.catalogue, command.window, (x) => ({ ...x, serves }));
      const before = new Set(strandedTickets(view, view.catalogue).map((t) => t.id));
      const stranded = strandedTickets(view, after).filter((t) => !before.has(t.id));
      if (stranded.length > 0) return inTheWay(stranded, `an item that window ${command.window} would no longer serve, and no other window does`);
      return ok({ events: [{ type: 'window.itemsAssigned', window: command.window, serves }] });
    }
    case 'openTemporaryWindow': {
      const existing = findWindow(view.catalogue, command.window);
      // Two supervisors on one long-wait alert both open the number it proposes: the second is told the first did.
      if (existing?.temporary === view.day && command.serves.every((code) => existing.serves.includes(code)))
        return refuse(
          'conflict',
          inBothLanguages(
            `临时窗口${command.window}已开设，并已办理该事项（可能刚由他人开设）：无需再开。`,
            `Temporary window ${command.window} is open already and serves the item (someone may have just opened it): nothing more to do.`,
          ),
        );
      if (existing)
        return refuse(
          'conflict',
          inBothLanguages(
            `${command.window}号窗口已存在：请换一个窗口号开设临时窗口，或把该事项加到这个窗口。`,
            `Window ${command.window} exists already: give it the item instead of opening a temporary window, or choose another number.`,
          ),
        );
      const serves = [...new Set(command.serves)];
      const unknown = serves.find((code) => !findItem(view.catalogue, code));
      if (unknown) return refuse('not-found', `there is no service item ${unknown}`);
      if (command.department !== undefined && !view.catalogue.departments.some((d) => d.name === command.department))
        return refuse('not-found', `there is no department ${command.department}`);
      const name = command.name ?? `临时窗口${command.window}`;
      const found = forbiddenPhrasesIn(name);
      if (found.length > 0) return refuse('bad-request', `the window's name uses a phrase the handbook forbids (H-14): ${found.join('、')}`);
      const window: HallWindow = { number: command.window, name, serves, temporary: view.day, ...(command.department ? { department: command.department } : {}) };
      return ok({ events: [{ type: 'window.temporaryOpened', window }] });
    }
    case 'setItemToday': {
      // Said as the console says them, for a script or terminal sending the command over the hub's link.
      const item = findItem(view.catalogue, command.serviceCode);
      if (!item)
        return refuse('not-found', inBothLanguages(`本大厅没有编码为 ${command.serviceCode} 的事项：请核对事项编码。未作任何更改。`, `There is no service item ${command.serviceCode} in this hall: check the item's code. Nothing was changed.`));
      if (command.dailyQuota === undefined && command.issuingHours === undefined && command.closedNotice === undefined && !command.reopen)
        return refuse(
          'bad-request',
          inBothLanguages(
            `没有说明事项 ${item.code}（${item.name}）今日要调整什么：请给出今日限额、今日取号时段、今日停止取号的公告，或恢复取号。未作任何更改。`,
            `Nothing to change today for item ${item.code} (${item.name}): give the quota, the issuing hours, a closure with its notice, or reopening. Nothing was changed.`,
          ),
        );
      if (command.reopen && command.closedNotice !== undefined)
        return refuse(
          'bad-request',
          inBothLanguages(
            `事项 ${item.code}（${item.name}）不能同时今日停止取号和恢复取号：请只选其一。未作任何更改。`,
            `Item ${item.code} (${item.name}) cannot be closed and reopened at once: choose one. Nothing was changed.`,
          ),
        );
      const hoursWrong = command.issuingHours && todayHoursSentence(item, command.issuingHours, 'zh-CN');
      if (hoursWrong) return refuse('bad-request', inBothLanguages(hoursWrong, todayHoursSentence(item, command.issuingHours, 'en')!));
      const found = command.closedNotice ? forbiddenPhrasesIn(command.closedNotice) : [];
      if (found.length > 0)
        return refuse(
          'bad-request',
          inBothLanguages(
            `停止取号公告中有服务忌语（${found.join('、')}），群众会在屏幕和手机上看到：请改用文明用语后重新发布（H-14）。未作任何更改。`,
            `The closing notice uses a phrase the handbook forbids (H-14): ${found.join(', ')}, which citizens would read on the screens and their phones: please word it civilly and post it again. Nothing was changed.`,
          ),
        );
      const before = item.today?.day === view.day ? item.today : { day: view.day };
      const today = {
        ...before,
        day: view.day,
        ...(command.dailyQuota !== undefined ? { dailyQuota: command.dailyQuota } : {}),
        ...(command.issuingHours ? { issuingHours: command.issuingHours } : {}),
        ...(command.closedNotice ? { closedNotice: command.closedNotice } : {}),
      };
      if (command.reopen) delete today.closedNotice;
      return ok({ events: [{ type: 'item.todaySet', serviceCode: item.code, today }] });
    }
    case 'cancelPendingChange':
      if (!view.pending.some((p) => p.id === command.pendingId)) return refuse('not-found', `there is no change ${command.pendingId} waiting for the day's end`);
      return ok({ events: [{ type: 'change.cancelled', pendingId: command.pendingId, reason: `cancelled by ${ctx.actor.role === 'admin' && ctx.actor.staff ? ctx.actor.staff.name : ctx.actor.terminal}` }] });
    case 'setCalendarYear': {
      const prefix = `${command.year}-`;
      const days = [...Object.keys(command.holidays), ...Object.keys(command.workdays)];
      const outside = days.find((d) => !d.startsWith(prefix) || Number.isNaN(Date.parse(`${d}T00:00:00Z`)) || new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) !== d);
      // Said in the supervisor's words: which day, and what a right one is (a day of the year, as YYYY-MM-DD).
      if (outside)
        return refuse(
          'bad-request',
          inBothLanguages(
            `“${shownAsSent(outside, 20)}”不是 ${command.year} 年的日期：日期应写作 YYYY-MM-DD，如 ${command.year}-01-01，且为该年真实存在的一天。未作任何更改。`,
            `"${shownAsSent(outside, 20)}" is not a day of ${command.year}: write each day as YYYY-MM-DD, e.g. ${command.year}-01-01, a day the year has. Nothing was changed.`,
          ),
        );
      const both = Object.keys(command.holidays).find((d) => d in command.workdays);
      if (both)
        return refuse(
          'bad-request',
          inBothLanguages(`${both} 不能既是节假日又是调休上班日：请从其中一处删去。未作任何更改。`, `${both} cannot be both a holiday and a make-up working day: remove it from one of them. Nothing was changed.`),
        );
      if (days.length === 0)
        return refuse('bad-request', inBothLanguages(`${command.year} 年至少要有一个节假日。未作任何更改。`, `The year ${command.year} needs at least one holiday. Nothing was changed.`));
      return ok({ events: [{ type: 'calendar.yearSet', year: command.year, holidays: command.holidays, workdays: command.workdays }] });
    }
  }
}

/** An item as it issues today: its own quota and hours, or today's change of them, and whether it is closed (H-16). */
export function itemToday(item: ServiceItem, day: string): { dailyQuota?: number; issuingHours: ServiceItem['issuingHours']; closedNotice?: string } {
  const today = item.today?.day === day ? item.today : undefined;
  return {
    dailyQuota: today?.dailyQuota ?? item.dailyQuota,
    issuingHours: today?.issuingHours ?? item.issuingHours,
    ...(today?.closedNotice ? { closedNotice: today.closedNotice } : {}),
  };
}

/** Commands a hall that is not set up yet still takes: its setup, its calendar, the devices' reports. */
export function allowedUnconfigured(command: CommandBody): boolean {
  return command.type === 'replaceCatalogue' || command.type === 'setCalendarYear' || command.type === 'reportDevices';
}

export function unconfiguredRefusal(view: HallView, command: CommandBody) {
  if (isConfigured(view.catalogue) || allowedUnconfigured(command)) return undefined;
  return refuse('unconfigured', 'the hall is not set up yet: an administrator sets it up in the console (/console)');
}

const packageData = chineseDays as CalendarData;
const calendars = new WeakMap<Catalogue['calendar'], WorkingCalendar>();

/** The hall's working-day calendar: the package's statutory data with the hall's own years on top. */
export function hallCalendar(catalogue: Catalogue): WorkingCalendar {
  const own = catalogue.calendar;
  if (!own || (Object.keys(own.holidays).length === 0 && Object.keys(own.workdays).length === 0)) return chinaCalendar;
  let c = calendars.get(own);
  if (!c) {
    c = makeCalendar(packageData, own);
    calendars.set(own, c);
  }
  return c;
}

export interface CalendarYear {
  year: number;
  /** package: from the chinese-days data; hall: entered by the hall (which wins). */
  source: 'package' | 'hall';
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

/** The years the calendar knows, each with its days, and a warning when next year is still unknown from November on. */
export function calendarYears(catalogue: Catalogue, today: string): { years: CalendarYear[]; warning?: { year: number } } {
  const byYear = new Map<number, CalendarYear>();
  const add = (source: CalendarYear['source'], data: { holidays: Record<string, string>; workdays: Record<string, string> }) => {
    const years = new Set([...Object.keys(data.holidays), ...Object.keys(data.workdays)].map((d) => Number(d.slice(0, 4))));
    for (const year of years) {
      const pick = (days: Record<string, string>) => Object.fromEntries(Object.entries(days).filter(([d]) => d.startsWith(`${year}-`)));
      byYear.set(year, { year, source, holidays: pick(data.holidays), workdays: pick(data.workdays) });
    }
  };
  add('package', packageData);
  add('hall', catalogue.calendar ?? { holidays: {}, workdays: {} });
  const years = [...byYear.values()].sort((a, b) => a.year - b.year);
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  const warning = month >= 11 && !byYear.has(year + 1) ? { year: year + 1 } : undefined;
  return { years, ...(warning ? { warning } : {}) };
}
