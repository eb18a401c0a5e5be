import { describe, expect, it } from 'vitest';
import demo from '../../../../fixtures/catalogue/demo-hall.json' with { type: 'json' };
import { checkCatalogue, isConfigured, unconfiguredCatalogue, type Catalogue, type CatalogueInput } from '../catalogue';
import type { Actor, CommandBody } from '../commands';
import { applyEvent, calendarYears, dayChange, decide, emptyView, fromSnapshot, hallCalendar, pendingAtOpening, toSnapshot, windowQueue, type Decision, type HallView, type PendingOutcome } from '.';
import { dueDate } from '../calendar';
import type { Result } from '../result';
import { refusalTextOf, saidIn } from '../strings';
import type { Ticket } from '../ticket';

const DAY = '2026-11-27';
const at = (time: string, day = DAY) => Date.parse(`${day}T${time}:00+08:00`);
const kiosk: Actor = { role: 'kiosk', terminal: 'kiosk-1' };
const supervisor: Actor = { role: 'admin', terminal: 'console', staff: { id: 's1', name: '张主任', role: 'supervisor' } };
const win = (window: number): Actor => ({ role: 'window', terminal: `win-${window}`, window });

function catalogue(spoil?: (c: CatalogueInput) => void): Catalogue {
  const input = JSON.parse(JSON.stringify(demo)) as CatalogueInput;
  spoil?.(input);
  const r = checkCatalogue(input);
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r.catalogue;
}

function run(view: HallView, command: CommandBody, actor: Actor, now: number): Result<Decision> {
  for (const e of dayChange(view, now)) applyEvent(view, { ...e, seq: view.seq + 1, at: now });
  const r = decide(view, command, { now, actor });
  // The hub logs a console change with the staff member who made it.
  const staff = actor.role === 'admin' && actor.staff ? { staff: actor.staff } : {};
  if (r.ok) for (const e of r.value.events) applyEvent(view, { ...e, seq: view.seq + 1, at: now, ...staff });
  return r;
}
function step(view: HallView, command: CommandBody, actor: Actor, now: number): Ticket | undefined {
  const r = run(view, command, actor, now);
  if (!r.ok) throw new Error(`${command.type} refused: ${r.code}: ${r.message}`);
  return r.value.ticket;
}
const windowOf = (view: HallView, n: number) => view.catalogue.windows.find((w) => w.number === n);

describe('a hall that is not set up yet', () => {
  it('refuses tickets politely until its setup arrives, then serves', () => {
    const view = emptyView(unconfiguredCatalogue(), DAY);
    expect(isConfigured(view.catalogue)).toBe(false);
    const r = run(view, { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk, at('09:00'));
    expect(r.ok ? 'accepted' : r.code).toBe('unconfigured');
    step(view, { type: 'replaceCatalogue', catalogue: catalogue() }, supervisor, at('09:01'));
    expect(isConfigured(view.catalogue)).toBe(true);
    expect(step(view, { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk, at('09:02'))!.number).toBe('A001');
  });
});

describe('moving an item between windows at peak (H-16)', () => {
  it('gives window 3 the ID-card item and its next call follows it', () => {
    const view = emptyView(catalogue(), DAY);
    step(view, { type: 'openWindow', window: 3, clerk: '1003' }, win(3), at('08:30'));
    const a = step(view, { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk, at('09:00'))!;
    expect(windowQueue(view, 3, at('09:01'))).toEqual([]);
    step(view, { type: 'assignWindowItems', window: 3, serves: [...windowOf(view, 3)!.serves, 'GA-SFZ-HL'] }, supervisor, at('09:02'));
    expect(windowOf(view, 3)!.serves).toContain('GA-SFZ-HL');
    expect(step(view, { type: 'callNext', window: 3 }, win(3), at('09:03'))!.id).toBe(a.id);
  });

  it('names the waiting tickets when a change would leave them without a window, and applies it when the next day opens', () => {
    const view = emptyView(catalogue(), DAY);
    const b1 = step(view, { type: 'issueTicket', serviceCode: 'CRJ-HZ-SL', lane: 'ordinary' }, kiosk, at('09:00'))!;
    const b2 = step(view, { type: 'issueTicket', serviceCode: 'CRJ-HZ-SL', lane: 'ordinary' }, kiosk, at('09:01'))!;
    // Windows 3 and 4 serve passports; window 3 alone dropping it leaves window 4: fine.
    step(view, { type: 'assignWindowItems', window: 3, serves: ['CRJ-GA-SL'] }, supervisor, at('09:02'));
    const r = run(view, { type: 'assignWindowItems', window: 4, serves: ['CRJ-GA-SL'] }, supervisor, at('09:03'));
    expect(r).toMatchObject({ ok: false, code: 'conflict', tickets: [b1.number, b2.number] });
    expect(windowOf(view, 4)!.serves).toContain('CRJ-HZ-SL');

    step(view, { type: 'assignWindowItems', window: 4, serves: ['CRJ-GA-SL'], atDayEnd: true }, supervisor, at('09:04'));
    expect(view.pending).toHaveLength(1);
    expect(view.pending[0]).toMatchObject({ change: { type: 'assignWindowItems', window: 4 } });
    expect(windowOf(view, 4)!.serves).toContain('CRJ-HZ-SL');

    const next = dayChange(view, at('08:00', '2026-11-28'));
    // The two tickets still waiting end with their day (未办理) before it opens.
    expect(next.map((e) => e.type)).toEqual(['ticket.dayEnded', 'ticket.dayEnded', 'day.opened', 'window.itemsAssigned']);
    for (const e of next) applyEvent(view, { ...e, seq: view.seq + 1, at: at('08:00', '2026-11-28') });
    expect(windowOf(view, 4)!.serves).toEqual(['CRJ-GA-SL']);
    expect(view.pending).toEqual([]);
  });

  it('a catalogue that drops an item still needed waits for the day end when asked', () => {
    const view = emptyView(catalogue(), DAY);
    const t = step(view, { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk, at('09:00'))!;
    const smaller = catalogue((c) => {
      c.items = c.items.filter((i) => i.code !== 'GA-SFZ-HL');
      c.windows = c.windows.map((w) => ({ ...w, serves: w.serves.filter((s) => s !== 'GA-SFZ-HL') }));
    });
    expect(run(view, { type: 'replaceCatalogue', catalogue: smaller }, supervisor, at('09:01'))).toMatchObject({ ok: false, code: 'conflict', tickets: [t.number] });
    step(view, { type: 'replaceCatalogue', catalogue: smaller, atDayEnd: true }, supervisor, at('09:02'));
    expect(view.catalogue.items.some((i) => i.code === 'GA-SFZ-HL')).toBe(true);
    const r = run(view, { type: 'issueTicket', serviceCode: 'GA-HK-QR', lane: 'ordinary' }, kiosk, at('08:40', '2026-11-28'));
    expect(r.ok).toBe(true);
    expect(view.catalogue.items.some((i) => i.code === 'GA-SFZ-HL')).toBe(false);
  });

  it('a pending change to a window gone by then is cancelled, not applied', () => {
    const view = emptyView(catalogue(), DAY);
    step(view, { type: 'openTemporaryWindow', window: 60, serves: ['GA-SFZ-HL'] }, supervisor, at('09:00'));
    step(view, { type: 'assignWindowItems', window: 60, serves: ['GA-HK-QR'], atDayEnd: true }, supervisor, at('09:01'));
    const next = dayChange(view, at('08:00', '2026-11-28'));
    expect(next.map((e) => e.type)).toEqual(['day.opened', 'change.cancelled']);
  });
});

describe('a temporary window for one day', () => {
  it('opens for an item today, serves it, and is gone the next day', () => {
    const view = emptyView(catalogue(), DAY);
    const t = step(view, { type: 'issueTicket', serviceCode: 'RS-SBK-SL', lane: 'ordinary' }, kiosk, at('09:00'))!;
    step(view, { type: 'openTemporaryWindow', window: 60, serves: ['RS-SBK-SL'] }, supervisor, at('09:01'));
    expect(windowOf(view, 60)).toMatchObject({ name: '临时窗口60', temporary: DAY });
    step(view, { type: 'openWindow', window: 60, clerk: '1005' }, win(60), at('09:02'));
    expect(step(view, { type: 'callNext', window: 60 }, win(60), at('09:03'))!.id).toBe(t.id);
    run(view, { type: 'issueTicket', serviceCode: 'RS-SBK-SL', lane: 'ordinary' }, kiosk, at('09:00', '2026-11-28'));
    expect(windowOf(view, 60)).toBeUndefined();
  });

  it('tells the second of two supervisors opening the same temporary window for a long wait that the first did', () => {
    const view = emptyView(catalogue(), DAY);
    const open: CommandBody = { type: 'openTemporaryWindow', window: 21, serves: ['RS-SBK-SL'] };
    step(view, open, supervisor, at('09:00'));
    const again = run(view, open, supervisor, at('09:00'));
    expect(again).toMatchObject({ ok: false, code: 'conflict' });
    expect(refusalTextOf(again as { ok: false; code: 'conflict'; message: string }, 'zh-CN', 'staff')).toBe('临时窗口21已开设，并已办理该事项（可能刚由他人开设）：无需再开。');
    expect(view.catalogue.windows.filter((w) => w.number === 21)).toHaveLength(1);
  });

  it('refuses a number that is a window already, and a name the handbook forbids', () => {
    const view = emptyView(catalogue(), DAY);
    const taken = run(view, { type: 'openTemporaryWindow', window: 3, serves: ['RS-SBK-SL'] }, supervisor, at('09:00'));
    expect(taken).toMatchObject({ ok: false, code: 'conflict' });
    expect(refusalTextOf(taken as { ok: false; code: 'conflict'; message: string }, 'zh-CN', 'staff')).toBe('3号窗口已存在：请换一个窗口号开设临时窗口，或把该事项加到这个窗口。');
    expect(run(view, { type: 'openTemporaryWindow', window: 61, name: '不归我管窗口', serves: ['RS-SBK-SL'] }, supervisor, at('09:00'))).toMatchObject({ ok: false, code: 'bad-request' });
  });
});

describe("an item's quota, hours or closure for today", () => {
  it('lowers the quota for today only', () => {
    const view = emptyView(catalogue(), DAY);
    step(view, { type: 'setItemToday', serviceCode: 'GA-SFZ-HL', dailyQuota: 1 }, supervisor, at('09:00'));
    step(view, { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk, at('09:01'));
    expect(run(view, { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk, at('09:02'))).toMatchObject({ ok: false, code: 'daily-quota-reached' });
    expect(run(view, { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk, at('09:02', '2026-11-28')).ok).toBe(true);
    expect(view.catalogue.items.find((i) => i.code === 'GA-SFZ-HL')!.today).toBeUndefined();
  });

  it('ends the issuing hours early today', () => {
    const view = emptyView(catalogue(), DAY);
    step(view, { type: 'setItemToday', serviceCode: 'GA-SFZ-HL', issuingHours: [{ from: '08:30', to: '10:00' }] }, supervisor, at('09:00'));
    expect(run(view, { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk, at('09:59')).ok).toBe(true);
    const late = run(view, { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk, at('10:00'));
    expect(late).toMatchObject({ ok: false, code: 'outside-issuing-hours' });
    // Today's hours as changed, for the citizen who comes back.
    expect(!late.ok && refusalTextOf(late)).toBe('抱歉，居民身份证换领今天的取号时段为 08:30-10:00，现在不在取号时段内。您可以在取号时段内再来，或通过网上办事大厅办理。');
    expect(!late.ok && refusalTextOf(late, 'en')).toBe('Sorry, Renewal of Resident Identity Card issues tickets today at 08:30-10:00, and not at this hour. Please come back then, or apply online.');
  });

  it('closes an item for the rest of the day with a notice, and opens it again', () => {
    const view = emptyView(catalogue(), DAY);
    step(view, { type: 'setItemToday', serviceCode: 'GA-SFZ-HL', closedNotice: '制证系统升级，今日下午暂停受理，敬请谅解。' }, supervisor, at('09:00'));
    const closed = run(view, { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk, at('09:01'));
    expect(closed).toMatchObject({ ok: false, code: 'closed-today' });
    // The hall's notice inside the sentence, its full stop not doubled.
    expect(!closed.ok && refusalTextOf(closed)).toBe('抱歉，居民身份证换领今日已暂停取号：制证系统升级，今日下午暂停受理，敬请谅解。您可以改日办理，或通过网上办事大厅办理。');
    expect(run(view, { type: 'setItemToday', serviceCode: 'GA-SFZ-HL', closedNotice: '下班了，明天再来' }, supervisor, at('09:02'))).toMatchObject({ ok: false, code: 'bad-request' });
    step(view, { type: 'setItemToday', serviceCode: 'GA-SFZ-HL', reopen: true }, supervisor, at('09:03'));
    expect(run(view, { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk, at('09:04')).ok).toBe(true);
  });

  it('survives a snapshot: what waits for the day end and today’s changes travel with it', () => {
    const view = emptyView(catalogue(), DAY);
    step(view, { type: 'setItemToday', serviceCode: 'GA-SFZ-HL', dailyQuota: 5 }, supervisor, at('09:00'));
    step(view, { type: 'assignWindowItems', window: 4, serves: ['CRJ-GA-SL'], atDayEnd: true }, supervisor, at('09:01'));
    const copy = fromSnapshot(JSON.parse(JSON.stringify(toSnapshot(view))));
    expect(copy.pending).toEqual(view.pending);
    expect(copy.catalogue.items.find((i) => i.code === 'GA-SFZ-HL')!.today).toEqual({ day: DAY, dailyQuota: 5 });
  });
});

describe('the working-day calendar', () => {
  it("lists the package's years and warns from November when next year is unknown", () => {
    const c = catalogue();
    const known = calendarYears(c, '2026-10-31');
    expect(known.years.some((y) => y.year === 2026 && y.source === 'package')).toBe(true);
    const last = Math.max(...known.years.map((y) => y.year));
    expect(calendarYears(c, `${last}-10-31`).warning).toBeUndefined();
    expect(calendarYears(c, `${last}-11-01`).warning).toEqual({ year: last + 1 });
  });

  it("takes a year's holidays and make-up days, and due dates count them", () => {
    const view = emptyView(catalogue(), DAY);
    const year = Math.max(...calendarYears(view.catalogue, DAY).years.map((y) => y.year)) + 1;
    const before = dueDate(hallCalendar(view.catalogue), `${year}-01-01`, 1);
    expect(before.certain).toBe(false);
    step(
      view,
      { type: 'setCalendarYear', year, holidays: { [`${year}-01-02`]: '元旦' }, workdays: {} },
      supervisor,
      at('09:00'),
    );
    expect(calendarYears(view.catalogue, DAY).years.find((y) => y.year === year)).toMatchObject({ source: 'hall', holidays: { [`${year}-01-02`]: '元旦' } });
    const cal = hallCalendar(view.catalogue);
    expect(cal.knowsYear(year)).toBe(true);
    expect(cal.isWorkingDay(`${year}-01-02`)).toBe(false);
  });

  it('refuses days outside the year, impossible dates and a day both off and worked', () => {
    const view = emptyView(catalogue(), DAY);
    const bad = (holidays: Record<string, string>, workdays: Record<string, string> = {}) =>
      run(view, { type: 'setCalendarYear', year: 2031, holidays, workdays }, supervisor, at('09:00'));
    expect(bad({ '2030-12-31': '元旦' })).toMatchObject({ ok: false, code: 'bad-request' });
    expect(bad({ '2031-02-30': '春节' })).toMatchObject({ ok: false, code: 'bad-request' });
    expect(bad({ '2031-01-01': '元旦' }, { '2031-01-01': '调休' })).toMatchObject({ ok: false, code: 'bad-request' });
    // Said in the supervisor's words, which day and how a day is written, not as a request 有误.
    expect(saidIn((bad({ '2031-02-30': '春节' }) as { message: string }).message, 'zh-CN')).toBe('“2031-02-30”不是 2031 年的日期：日期应写作 YYYY-MM-DD，如 2031-01-01，且为该年真实存在的一天。未作任何更改。');
    expect(saidIn((bad({ '2031-01-01': '元旦' }, { '2031-01-01': '调休' }) as { message: string }).message, 'en')).toBe(
      '2031-01-01 cannot be both a holiday and a make-up working day: remove it from one of them. Nothing was changed.',
    );
  });
});

describe("a setup saved for the day's end, and what changes after it", () => {
  const admin: Actor = { role: 'admin', terminal: 'console', staff: { id: 'wang', name: '王管理', role: 'administrator' } };
  const li: Actor = { role: 'admin', terminal: 'console', staff: { id: 'li', name: '李管理', role: 'administrator' } };
  const noticed = (c: Catalogue, notice: string): Catalogue => ({ ...c, hall: { ...c.hall, notices: [notice] } });
  const opening = (view: HallView) => {
    const events = dayChange(view, at('08:00', '2026-11-28'));
    for (const e of events) applyEvent(view, { ...e, seq: view.seq + 1, at: at('08:00', '2026-11-28') });
    return events;
  };

  it('applies at the opening when nothing changed since, with the hall day of its own', () => {
    const view = emptyView(catalogue(), DAY);
    step(view, { type: 'replaceCatalogue', catalogue: noticed(view.catalogue, '明日起二楼办理'), atDayEnd: true }, admin, at('17:00'));
    expect(opening(view).map((e) => e.type)).toEqual(['day.opened', 'catalogue.replaced']);
    expect(view.catalogue.hall.notices).toEqual(['明日起二楼办理']);
    expect(view.pending).toEqual([]);
  });

  it("is cancelled at the opening, saying who changed the setup and when, when a supervisor gave window 3 another item after it was saved; window 3 keeps it", () => {
    const view = emptyView(catalogue(), DAY);
    step(view, { type: 'replaceCatalogue', catalogue: noticed(view.catalogue, '明日起二楼办理'), atDayEnd: true }, admin, at('15:00'));
    step(view, { type: 'assignWindowItems', window: 3, serves: [...windowOf(view, 3)!.serves, 'GA-SFZ-HL'] }, supervisor, at('15:10'));
    const events = opening(view);
    expect(events.map((e) => e.type)).toEqual(['day.opened', 'change.cancelled']);
    expect(events[1]).toMatchObject({ reason: expect.stringContaining('张主任') });
    expect((events[1] as { reason: string }).reason).toContain('15:10');
    expect((events[1] as { reason: string }).reason).toContain('window 3');
    expect(windowOf(view, 3)!.serves).toContain('GA-SFZ-HL');
    expect(view.catalogue.hall.notices).not.toContain('明日起二楼办理');
    expect(view.pending).toEqual([]);
  });

  it('is cancelled at the opening when another administrator saved a new item and clerk at once after it', () => {
    const view = emptyView(catalogue(), DAY);
    const before = view.catalogue;
    step(view, { type: 'replaceCatalogue', catalogue: noticed(before, '明日起二楼办理'), atDayEnd: true }, admin, at('15:00'));
    const theirs = catalogue((c) => {
      c.items.push({ ...c.items[0]!, code: 'GA-JZZ-BL', name: '居住证办理' });
      c.windows[0]!.serves.push('GA-JZZ-BL');
      c.clerks = [...(c.clerks ?? []), { ...c.clerks![0]!, number: '1099', name: '周新' }];
    });
    step(view, { type: 'replaceCatalogue', catalogue: theirs }, li, at('16:00'));
    const events = opening(view);
    expect(events.map((e) => e.type)).toEqual(['day.opened', 'change.cancelled']);
    expect((events[1] as { reason: string }).reason).toContain('李管理');
    expect(view.catalogue.items.map((i) => i.code)).toContain('GA-JZZ-BL');
    expect(view.catalogue.clerks.map((c) => c.number)).toContain('1099');
  });

  it('keeps a calendar year entered after it was saved: the setup applies with the hall’s calendar', () => {
    const view = emptyView(catalogue(), DAY);
    step(view, { type: 'replaceCatalogue', catalogue: noticed(view.catalogue, '明日起二楼办理'), atDayEnd: true }, admin, at('15:00'));
    step(view, { type: 'setCalendarYear', year: 2031, holidays: { '2031-01-01': '元旦' }, workdays: { '2031-01-04': '元旦调休' } }, supervisor, at('15:30'));
    expect(opening(view).map((e) => e.type)).toEqual(['day.opened', 'catalogue.replaced']);
    expect(view.catalogue.hall.notices).toEqual(['明日起二楼办理']);
    expect(view.catalogue.calendar).toEqual({ holidays: { '2031-01-01': '元旦' }, workdays: { '2031-01-04': '元旦调休' } });
  });

  it("applies a window's items scheduled after it on top of it", () => {
    const view = emptyView(catalogue(), DAY);
    step(view, { type: 'replaceCatalogue', catalogue: noticed(view.catalogue, '明日起二楼办理'), atDayEnd: true }, admin, at('15:00'));
    step(view, { type: 'assignWindowItems', window: 4, serves: ['CRJ-GA-SL'], atDayEnd: true }, supervisor, at('15:10'));
    expect(opening(view).map((e) => e.type)).toEqual(['day.opened', 'catalogue.replaced', 'window.itemsAssigned']);
    expect(view.catalogue.hall.notices).toEqual(['明日起二楼办理']);
    expect(windowOf(view, 4)!.serves).toEqual(['CRJ-GA-SL']);
  });

  it("is cancelled rather than undo a window's items that waited for the same opening before it was saved", () => {
    const view = emptyView(catalogue(), DAY);
    step(view, { type: 'assignWindowItems', window: 4, serves: ['CRJ-GA-SL'], atDayEnd: true }, supervisor, at('15:00'));
    step(view, { type: 'replaceCatalogue', catalogue: noticed(view.catalogue, '明日起二楼办理'), atDayEnd: true }, admin, at('15:10'));
    const events = opening(view);
    expect(events.map((e) => e.type)).toEqual(['day.opened', 'window.itemsAssigned', 'change.cancelled']);
    expect(windowOf(view, 4)!.serves).toEqual(['CRJ-GA-SL']);
    expect(view.catalogue.hall.notices).not.toContain('明日起二楼办理');
  });

  it('applies the first of two setups saved for the same opening and cancels the second, which would undo it', () => {
    const view = emptyView(catalogue(), DAY);
    step(view, { type: 'replaceCatalogue', catalogue: noticed(view.catalogue, '明日起二楼办理'), atDayEnd: true }, admin, at('15:00'));
    step(view, { type: 'replaceCatalogue', catalogue: noticed(view.catalogue, '明日起三楼办理'), atDayEnd: true }, li, at('15:10'));
    expect(opening(view).map((e) => e.type)).toEqual(['day.opened', 'catalogue.replaced', 'change.cancelled']);
    expect(view.catalogue.hall.notices).toEqual(['明日起二楼办理']);
  });

  it('does not bring back a window opened for the day it was saved on', () => {
    const view = emptyView(catalogue(), DAY);
    step(view, { type: 'openTemporaryWindow', window: 60, serves: ['GA-SFZ-HL'] }, supervisor, at('09:00'));
    step(view, { type: 'setItemToday', serviceCode: 'GA-SFZ-HL', dailyQuota: 5 }, supervisor, at('09:05'));
    // The console's save carries today's window and today's quota in the catalogue it schedules.
    step(view, { type: 'replaceCatalogue', catalogue: noticed(view.catalogue, '明日起二楼办理'), atDayEnd: true }, admin, at('17:00'));
    expect(opening(view).map((e) => e.type)).toEqual(['day.opened', 'catalogue.replaced']);
    expect(windowOf(view, 60)).toBeUndefined();
    expect(view.catalogue.items.find((i) => i.code === 'GA-SFZ-HL')!.today).toBeUndefined();
  });

  it('is still cancelled after a snapshot taken between the change and the opening', () => {
    const view = emptyView(catalogue(), DAY);
    step(view, { type: 'replaceCatalogue', catalogue: noticed(view.catalogue, '明日起二楼办理'), atDayEnd: true }, admin, at('15:00'));
    step(view, { type: 'assignWindowItems', window: 3, serves: [...windowOf(view, 3)!.serves, 'GA-SFZ-HL'] }, supervisor, at('15:10'));
    const copy = fromSnapshot(JSON.parse(JSON.stringify(toSnapshot(view))));
    expect(opening(copy).map((e) => e.type)).toEqual(['day.opened', 'change.cancelled']);
  });

  // What pendingAtOpening foretells, in a word a test can compare: the change's id and applies or why not.
  const foretold = (outcomes: PendingOutcome[]) => outcomes.map((o) => `${o.pending.id} ${'applies' in o ? 'applies' : o.cancelled.kind}`);
  // What the opening did to each change that waited: applied (an event with its pendingId) or cancelled.
  const done = (events: ReturnType<typeof dayChange>) =>
    events.flatMap((e) => ('pendingId' in e && e.pendingId !== undefined ? [`${e.pendingId} ${e.type === 'change.cancelled' ? 'cancelled' : 'applies'}`] : []));

  it("applies when the window's change waiting before it is itself cancelled at the opening: its temporary window ends with the day", () => {
    const view = emptyView(catalogue(), DAY);
    step(view, { type: 'openTemporaryWindow', window: 60, serves: ['GA-SFZ-HL'] }, supervisor, at('09:00'));
    step(view, { type: 'assignWindowItems', window: 60, serves: ['GA-HK-QR'], atDayEnd: true }, supervisor, at('09:01'));
    step(view, { type: 'replaceCatalogue', catalogue: noticed(view.catalogue, '明日起二楼办理'), atDayEnd: true }, admin, at('17:00'));
    const [windowChange, setup] = view.pending;
    expect(pendingAtOpening(view, '2026-11-28')).toEqual([
      { pending: windowChange, cancelled: { kind: 'window-gone', window: 60 } },
      { pending: setup, applies: expect.objectContaining({ type: 'catalogue.replaced', pendingId: setup!.id }) },
    ]);
    expect(opening(view).map((e) => e.type)).toEqual(['day.opened', 'change.cancelled', 'catalogue.replaced']);
    expect(view.catalogue.hall.notices).toEqual(['明日起二楼办理']);
  });

  it('foretells for each waiting change what the opening then does to it, and why a setup will not apply', () => {
    const mixes: [string, (view: HallView) => void, string[]][] = [
      [
        "a window's change, then a setup behind it",
        (view) => {
          step(view, { type: 'assignWindowItems', window: 4, serves: ['CRJ-GA-SL'], atDayEnd: true }, supervisor, at('15:00'));
          step(view, { type: 'replaceCatalogue', catalogue: noticed(view.catalogue, '明日起二楼办理'), atDayEnd: true }, admin, at('15:10'));
        },
        ['applies', 'behind'],
      ],
      [
        'a setup overtaken, then a second setup and a window change after it',
        (view) => {
          step(view, { type: 'replaceCatalogue', catalogue: noticed(view.catalogue, '明日起二楼办理'), atDayEnd: true }, admin, at('15:00'));
          step(view, { type: 'assignWindowItems', window: 3, serves: [...windowOf(view, 3)!.serves, 'GA-SFZ-HL'] }, supervisor, at('15:10'));
          step(view, { type: 'replaceCatalogue', catalogue: noticed(view.catalogue, '明日起三楼办理'), atDayEnd: true }, li, at('15:20'));
          step(view, { type: 'assignWindowItems', window: 4, serves: ['CRJ-GA-SL'], atDayEnd: true }, supervisor, at('15:30'));
        },
        ['overtaken', 'applies', 'applies'],
      ],
      [
        "a setup that drops an item, then a window's change asking for it, then two setups",
        (view) => {
          const without = { ...noticed(view.catalogue, '明日起二楼办理'), items: view.catalogue.items.filter((i) => i.code !== 'GA-HK-QR'), windows: view.catalogue.windows.map((w) => ({ ...w, serves: w.serves.filter((c) => c !== 'GA-HK-QR') })) };
          step(view, { type: 'replaceCatalogue', catalogue: without, atDayEnd: true }, admin, at('15:00'));
          step(view, { type: 'assignWindowItems', window: 4, serves: ['GA-HK-QR'], atDayEnd: true }, supervisor, at('15:10'));
          step(view, { type: 'replaceCatalogue', catalogue: noticed(view.catalogue, '明日起三楼办理'), atDayEnd: true }, li, at('15:20'));
        },
        ['applies', 'item-gone', 'behind'],
      ],
      [
        "a temporary window's change and another window's, then a setup",
        (view) => {
          step(view, { type: 'openTemporaryWindow', window: 60, serves: ['GA-SFZ-HL'] }, supervisor, at('09:00'));
          step(view, { type: 'assignWindowItems', window: 60, serves: ['GA-HK-QR'], atDayEnd: true }, supervisor, at('09:01'));
          step(view, { type: 'assignWindowItems', window: 4, serves: ['CRJ-GA-SL'], atDayEnd: true }, supervisor, at('09:02'));
          step(view, { type: 'replaceCatalogue', catalogue: noticed(view.catalogue, '明日起二楼办理'), atDayEnd: true }, admin, at('17:00'));
        },
        ['window-gone', 'applies', 'behind'],
      ],
    ];
    for (const [story, make, expected] of mixes) {
      const view = emptyView(catalogue(), DAY);
      make(view);
      const ids = view.pending.map((p) => p.id);
      const outcomes = pendingAtOpening(view, '2026-11-28');
      expect(foretold(outcomes), story).toEqual(ids.map((id, k) => `${id} ${expected[k]}`));
      expect(done(opening(view)), story).toEqual(outcomes.map((o) => `${o.pending.id} ${'applies' in o ? 'applies' : 'cancelled'}`));
      expect(view.pending, story).toEqual([]);
    }
  });

  it('names, for a setup behind other changes, the first change that applies before it', () => {
    const view = emptyView(catalogue(), DAY);
    step(view, { type: 'assignWindowItems', window: 4, serves: ['CRJ-GA-SL'], atDayEnd: true }, supervisor, at('15:00'));
    step(view, { type: 'assignWindowItems', window: 3, serves: ['CRJ-GA-SL'], atDayEnd: true }, supervisor, at('15:05'));
    step(view, { type: 'replaceCatalogue', catalogue: noticed(view.catalogue, '明日起二楼办理'), atDayEnd: true }, admin, at('15:10'));
    const outcome = pendingAtOpening(view, '2026-11-28')[2]!;
    expect(outcome).toMatchObject({ cancelled: { kind: 'behind', change: { id: view.pending[0]!.id, change: { window: 4 } } } });
  });
});
