import { describe, expect, it } from 'vitest';
import demo from '../../../../fixtures/catalogue/demo-hall.json' with { type: 'json' };
import { makeCalendar } from '../calendar';
import { checkCatalogue, findItem, type Catalogue, type CatalogueInput } from '../catalogue';
import type { Actor, CommandBody } from '../commands';
import type { Result } from '../result';
import { refusalTextOf } from '../strings';
import { applyEvent, bookableDays, bookingBlock, dayChange, decide, emptyView, fromSnapshot, isBookable, slotsOf, toSnapshot, type Decision, type HallView, type HolderHistory } from '.';

const DAY = '2026-11-27'; // a Friday
const at = (time: string, day = DAY) => Date.parse(`${day}T${time}:00+08:00`);
const phone: Actor = { role: 'admin', terminal: 'phone' };
const kiosk: Actor = { role: 'kiosk', terminal: 'kiosk-1' };
const ITEM = 'GA-SFZ-HL';

function catalogue(change?: (c: CatalogueInput) => void): Catalogue {
  const input = JSON.parse(JSON.stringify(demo)) as CatalogueInput;
  change?.(input);
  const r = checkCatalogue(input);
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r.catalogue;
}

const nobody = (): HolderHistory => ({ tickets: [], appointments: [] });

function run(view: HallView, command: CommandBody, now: number, holder: HolderHistory | null = nobody(), actor = phone): Result<Decision> {
  for (const e of dayChange(view, now)) applyEvent(view, { ...e, seq: view.seq + 1, at: now });
  const r = decide(view, command, { now, actor, ...(holder ? { holder } : {}) });
  if (r.ok) for (const e of r.value.events) applyEvent(view, { ...e, seq: view.seq + 1, at: now });
  return r;
}
/** What the citizen reads for a refusal (as the hub says it), in Chinese or in English. */
const said = (r: Result<unknown>, language: 'zh-CN' | 'en' = 'zh-CN') => (r.ok ? 'accepted' : refusalTextOf(r, language));
const code = (r: Result<unknown>) => (r.ok ? 'accepted' : r.code);
const book = (code: string, slotStart: number, slotEnd: number, serviceCode = ITEM): CommandBody => ({ type: 'bookAppointment', code, serviceCode, slotStart, slotEnd, remote: true });

describe('the days and slots a phone may book (N-06)', () => {
  it('offers tomorrow to seven days ahead, working days only', () => {
    expect(bookableDays(catalogue(), DAY)).toEqual(['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04']);
  });

  it('skips the National Day holiday and counts its make-up Saturday (调休)', () => {
    const c = catalogue((x) => (x.appointments = { daysAhead: 10 }));
    expect(bookableDays(c, '2026-09-30')).toEqual(['2026-10-08', '2026-10-09', '2026-10-10']);
  });

  it("follows the hall's own calendar when it has one", () => {
    const closed = makeCalendar({ holidays: {}, workdays: {} }, { holidays: { '2026-12-01': '本地闭厅' } });
    expect(bookableDays(catalogue(), DAY, closed)).not.toContain('2026-12-01');
  });

  it('cuts the appointment hours into slots in the hall time, each with the item quota', () => {
    const view = emptyView(catalogue(), DAY);
    const slots = slotsOf(view, findItem(view.catalogue, ITEM)!, '2026-11-30');
    // 09:00-11:30 and 13:30-16:30 in half hours.
    expect(slots.map((s) => s.from)).toEqual(['09:00', '09:30', '10:00', '10:30', '11:00', '13:30', '14:00', '14:30', '15:00', '15:30', '16:00']);
    expect(slots[0]).toEqual({ start: at('09:00', '2026-11-30'), end: at('09:30', '2026-11-30'), from: '09:00', to: '09:30', capacity: 2, booked: 0, left: 2 });
  });

  it('drops a rest shorter than a slot and takes an item quota over the hall one', () => {
    const view = emptyView(
      catalogue((c) => {
        c.appointments = { slotMinutes: 45, hours: [{ from: '09:00', to: '10:40' }], perSlot: 2 };
        c.items[0]!.slotQuota = 5;
      }),
      DAY,
    );
    const slots = slotsOf(view, findItem(view.catalogue, ITEM)!, '2026-11-30');
    expect(slots.map((s) => `${s.from}-${s.to}/${s.capacity}`)).toEqual(['09:00-09:45/5', '09:45-10:30/5']);
  });

  it("offers only the slots within the item's own issuing hours, and refuses a booking outside them", () => {
    const view = emptyView(
      catalogue((c) => {
        c.items.find((i) => i.code === ITEM)!.issuingHours = [{ from: '08:30', to: '11:00' }];
      }),
      DAY,
    );
    const slots = slotsOf(view, findItem(view.catalogue, ITEM)!, '2026-11-30');
    expect(slots.map((s) => s.from)).toEqual(['09:00', '09:30', '10:00', '10:30']);
    expect(run(view, book('PMPMPM22', at('14:00', '2026-11-30'), at('14:30', '2026-11-30')), at('10:00'))).toMatchObject({ ok: false, code: 'slot-unavailable' });
    expect(run(view, book('AMAMAM22', at('10:30', '2026-11-30'), at('11:00', '2026-11-30')), at('10:00')).ok).toBe(true);
  });

  it('counts an item bookable only where a slot lies within its issuing hours and takes someone', () => {
    const evening = catalogue((c) => {
      // Given out 17:30-19:00 only: the hall's booking hours (09:00-11:30, 13:30-16:30) hold no slot of it.
      c.items.find((i) => i.code === ITEM)!.issuingHours = [{ from: '17:30', to: '19:00' }];
    });
    expect(isBookable(evening, findItem(evening, ITEM)!)).toBe(false);
    expect(slotsOf(emptyView(evening, DAY), findItem(evening, ITEM)!, '2026-11-30')).toEqual([]);
    const morning = catalogue((c) => void (c.items.find((i) => i.code === ITEM)!.issuingHours = [{ from: '08:30', to: '09:30' }]));
    expect(isBookable(morning, findItem(morning, ITEM)!)).toBe(true);
    const none = catalogue((c) => void (c.items.find((i) => i.code === ITEM)!.slotQuota = 0));
    expect(isBookable(none, findItem(none, ITEM)!)).toBe(false);
  });

  it('refuses appointment hours that end before they start', () => {
    const input = JSON.parse(JSON.stringify(demo)) as CatalogueInput;
    input.appointments = { hours: [{ from: '12:00', to: '09:00' }] };
    const r = checkCatalogue(input);
    expect(r.ok ? [] : r.problems).toEqual(['appointments.hours.0.to: the end must be later than the start']);
  });
});

describe('booking on the phone', () => {
  const monday = (time: string) => at(time, '2026-11-30');

  it('books a slot, counts it, and frees it when cancelled', () => {
    const view = emptyView(catalogue(), DAY);
    expect(code(run(view, book('K7M2Q9PA', monday('09:00'), monday('09:30')), at('10:00')))).toBe('accepted');
    expect(view.appointments.get('K7M2Q9PA')).toEqual({ code: 'K7M2Q9PA', serviceCode: ITEM, day: '2026-11-30', slotStart: monday('09:00'), slotEnd: monday('09:30'), remote: true });
    expect(slotsOf(view, findItem(view.catalogue, ITEM)!, '2026-11-30')[0]).toMatchObject({ booked: 1, left: 1 });
    expect(code(run(view, { type: 'cancelAppointment', code: 'K7M2Q9PA' }, at('10:05')))).toBe('accepted');
    expect(view.appointments.get('K7M2Q9PA')?.cancelledAt).toBe(at('10:05'));
    expect(slotsOf(view, findItem(view.catalogue, ITEM)!, '2026-11-30')[0]).toMatchObject({ booked: 0, left: 2 });
    expect(code(run(view, { type: 'cancelAppointment', code: 'K7M2Q9PA' }, at('10:06')))).toBe('appointment-cancelled');
  });

  it('refuses a full slot', () => {
    const view = emptyView(catalogue(), DAY);
    run(view, book('AAAA0001', monday('09:00'), monday('09:30')), at('10:00'));
    run(view, book('AAAA0002', monday('09:00'), monday('09:30')), at('10:00'));
    expect(code(run(view, book('AAAA0003', monday('09:00'), monday('09:30')), at('10:00')))).toBe('slot-full');
    // An appointment recorded from elsewhere takes its place in the slot too.
    run(view, { type: 'bookAppointment', code: 'ELSEWHERE', serviceCode: ITEM, slotStart: monday('09:30'), slotEnd: monday('10:00') }, at('10:00'), null, phone);
    run(view, book('AAAA0004', monday('09:30'), monday('10:00')), at('10:00'));
    expect(code(run(view, book('AAAA0005', monday('09:30'), monday('10:00')), at('10:00')))).toBe('slot-full');
  });

  it.each([
    ['today', at('15:00'), at('15:30')],
    ['a weekend day', at('09:00', '2026-11-28'), at('09:30', '2026-11-28')],
    ['past the days ahead', at('09:00', '2026-12-07'), at('09:30', '2026-12-07')],
    ['a time that is no slot', monday('09:10'), monday('09:40')],
    ['a slot of the wrong length', monday('09:00'), monday('10:00')],
    ['the lunch rest', monday('12:00'), monday('12:30')],
  ])('refuses %s', (_what, start, end) => {
    const view = emptyView(catalogue(), DAY);
    expect(code(run(view, book('BBBB0001', start, end), at('10:00')))).toBe('slot-unavailable');
  });

  it('says which day cannot be booked, and why, for a weekend day asked for by hand', () => {
    const view = emptyView(catalogue(), DAY);
    const r = run(view, book('BBBB0002', at('09:00', '2026-11-28'), at('09:30', '2026-11-28')), at('10:00'));
    expect(said(r)).toBe('抱歉，11月28日不可预约：可预约明天起 7 天内的工作日，节假日和周末（调休上班日除外）不办理预约。请选择其他日期。');
    expect(said(r, 'en')).toContain('Sorry, 28 Nov cannot be booked');
  });

  it('refuses an item the hall does not book ahead, and a phone not verified', () => {
    const view = emptyView(catalogue((c) => (c.items[0]!.slotQuota = 0)), DAY);
    expect(code(run(view, book('CCCC0001', monday('09:00'), monday('09:30')), at('10:00')))).toBe('slot-unavailable');
    expect(code(run(view, book('CCCC0002', monday('09:00'), monday('09:30'), 'GA-HK-QR'), at('10:00'), null))).toBe('phone-unverified');
  });

  it('holds one phone to three bookings at once and one a day for an item', () => {
    const view = emptyView(catalogue(), DAY);
    const holder: HolderHistory = {
      tickets: [],
      appointments: [
        { code: 'X1', serviceCode: ITEM, day: '2026-11-30', slotEnd: monday('09:30'), checkedIn: false, cancelled: false },
        { code: 'X2', serviceCode: 'GA-HK-QR', day: '2026-12-01', slotEnd: 0, checkedIn: false, cancelled: true },
      ],
    };
    const again = run(view, book('DDDD0001', monday('10:00'), monday('10:30')), at('10:00'), holder);
    expect(code(again)).toBe('booking-limit');
    // Booked already (the answer lost, the page reloaded): said as that booking, not as "several bookings".
    expect(said(again)).toBe('您已预约 11月30日 办理居民身份证换领，可在“我的号码和预约”中查看；如需改约，请先取消原预约。');
    expect(said(again, 'en')).toContain('You have booked Renewal of Resident Identity Card on 30 Nov already');
    expect(code(run(view, book('DDDD0002', monday('10:00'), monday('10:30'), 'GA-HK-QR'), at('10:00'), holder))).toBe('accepted');
    holder.appointments.push({ code: 'X3', serviceCode: 'GA-CS-DJ', day: '2026-12-02', slotEnd: 0, checkedIn: false, cancelled: false });
    holder.appointments.push({ code: 'X4', serviceCode: 'GA-HK-QR', day: '2026-12-02', slotEnd: 0, checkedIn: false, cancelled: false });
    const fourth = run(view, book('DDDD0003', monday('11:00'), monday('11:30'), 'CRJ-HZ-SL'), at('10:00'), holder);
    expect(code(fourth)).toBe('booking-limit');
    expect(said(fourth)).toBe('您已有 3 个未办理的预约，已达上限。请先办理或取消其中一个，再预约。');
  });

  it('refuses a cancel after check-in and after the slot is over', () => {
    const view = emptyView(catalogue(), DAY);
    run(view, { type: 'bookAppointment', code: 'TODAY1', serviceCode: ITEM, slotStart: at('09:00'), slotEnd: at('09:30') }, at('08:00'));
    run(view, { type: 'bookAppointment', code: 'TODAY2', serviceCode: ITEM, slotStart: at('10:00'), slotEnd: at('10:30') }, at('08:00'));
    expect(code(run(view, { type: 'checkInAppointment', code: 'TODAY2' }, at('09:50'), null, kiosk))).toBe('accepted');
    expect(code(run(view, { type: 'cancelAppointment', code: 'TODAY2' }, at('09:55')))).toBe('appointment-used');
    expect(code(run(view, { type: 'cancelAppointment', code: 'TODAY1' }, at('09:55')))).toBe('illegal-transition');
    expect(code(run(view, { type: 'cancelAppointment', code: 'NOPE' }, at('09:55')))).toBe('appointment-unknown');
  });

  it('checks in a booking whose code is typed in small letters or with spaces, once', () => {
    const view = emptyView(catalogue(), DAY);
    run(view, { type: 'bookAppointment', code: 'K7MX3PQ2', serviceCode: ITEM, slotStart: at('10:00'), slotEnd: at('10:30') }, at('08:00'));
    expect(code(run(view, { type: 'checkInAppointment', code: ' k7mx3pq2 ' }, at('09:50'), null, kiosk))).toBe('accepted');
    expect(view.appointments.get('K7MX3PQ2')?.ticketId).toBeDefined();
    expect(code(run(view, { type: 'checkInAppointment', code: 'K7mx3PQ2' }, at('09:51'), null, kiosk))).toBe('appointment-used');
  });

  it.each([
    ['grouped as it is read out', 'K7MX 3PQ2'],
    ['with a dash', 'k7mx-3pq2'],
    ['full-width, from a scanner or keyboard behind a Chinese input method', 'Ｋ７ＭＸ３ＰＱ２'],
    ['with an ideographic space', 'K7MX\u30003PQ2'],
  ])('checks in a booking whose code is typed %s', (_, typed) => {
    const view = emptyView(catalogue(), DAY);
    run(view, { type: 'bookAppointment', code: 'K7MX3PQ2', serviceCode: ITEM, slotStart: at('10:00'), slotEnd: at('10:30') }, at('08:00'));
    expect(code(run(view, { type: 'checkInAppointment', code: typed }, at('09:50'), null, kiosk))).toBe('accepted');
  });

  it('does not check in a cancelled booking at the kiosk', () => {
    const view = emptyView(catalogue(), DAY);
    run(view, { type: 'bookAppointment', code: 'GONE01', serviceCode: ITEM, slotStart: at('14:00'), slotEnd: at('14:30') }, at('08:00'));
    run(view, { type: 'cancelAppointment', code: 'GONE01' }, at('09:00'));
    expect(code(run(view, { type: 'checkInAppointment', code: 'GONE01' }, at('13:50'), null, kiosk))).toBe('appointment-cancelled');
  });

  it('keeps bookings and their cancellations through a snapshot', () => {
    const view = emptyView(catalogue(), DAY);
    run(view, book('EEEE0001', monday('09:00'), monday('09:30')), at('10:00'));
    run(view, book('EEEE0002', monday('09:00'), monday('09:30')), at('10:00'));
    run(view, { type: 'cancelAppointment', code: 'EEEE0001' }, at('10:01'));
    const copy = fromSnapshot(JSON.parse(JSON.stringify(toSnapshot(view))));
    expect(copy.appointments).toEqual(view.appointments);
    expect(slotsOf(copy, findItem(copy.catalogue, ITEM)!, '2026-11-30')[0]).toMatchObject({ booked: 1 });
  });
});

describe('bookings of an item the hall stops offering (a setup removes it, or gives it another code)', () => {
  const admin: Actor = { role: 'admin', terminal: 'console', staff: { id: 's1', name: '王主任' } } as Actor;
  /** The hall's catalogue with ITEM dropped from items and windows, or changed by `change`. */
  const without = (change?: (c: CatalogueInput) => void) =>
    catalogue((c) => {
      if (change) change(c);
      else {
        c.items = c.items.filter((i) => i.code !== ITEM);
        for (const w of c.windows) w.serves = w.serves.filter((s) => s !== ITEM);
      }
    });
  /** A hall on DAY with bookings of ITEM: today's, next Monday's, one checked in, one cancelled by its citizen, and one of another item. */
  function booked(): HallView {
    const view = emptyView(catalogue(), DAY);
    // Today's, booked elsewhere (an integration): a phone books from tomorrow on.
    run(view, { type: 'bookAppointment', code: 'TODAY001', serviceCode: ITEM, slotStart: at('14:00'), slotEnd: at('14:30') }, at('08:00'), null);
    run(view, book('MON00001', at('09:00', '2026-11-30'), at('09:30', '2026-11-30')), at('08:00'));
    run(view, book('MON00002', at('10:00', '2026-11-30'), at('10:30', '2026-11-30')), at('08:00'));
    run(view, { type: 'bookAppointment', code: 'USED0001', serviceCode: ITEM, slotStart: at('09:00'), slotEnd: at('09:30') }, at('08:00'), null);
    run(view, { type: 'checkInAppointment', code: 'USED0001' }, at('08:55'), null, kiosk);
    // Served by now (a setup cannot drop an item while a number waits for it).
    const window: Actor = { role: 'window', terminal: 'win-1', window: 1 };
    for (const [command, time] of [
      [{ type: 'openWindow', window: 1, clerk: '1001' }, '08:56'],
      [{ type: 'callNext', window: 1 }, '08:57'],
      [{ type: 'startService', window: 1 }, '08:58'],
      [{ type: 'finishService', window: 1 }, '08:59'],
    ] as const)
      expect(code(run(view, command, at(time), null, window))).toBe('accepted');
    run(view, { type: 'cancelAppointment', code: 'MON00002' }, at('08:56'));
    run(view, book('OTHER001', at('09:00', '2026-11-30'), at('09:30', '2026-11-30'), 'GA-HK-QR'), at('08:00'));
    return view;
  }
  const withdrawals = (r: Result<Decision>) => (r.ok ? r.value.events.filter((e) => e.type === 'appointment.cancelled') : []);

  it('cancels the bookings still to come of an item a setup removes at once, keeping its name, and not those checked in or cancelled already', () => {
    const view = booked();
    const r = run(view, { type: 'replaceCatalogue', catalogue: without() }, at('09:00'), null, admin);
    expect(code(r)).toBe('accepted');
    expect(withdrawals(r)).toEqual([
      { type: 'appointment.cancelled', code: 'TODAY001', withdrawn: { itemName: '居民身份证换领', itemNameEn: 'Renewal of Resident Identity Card' } },
      { type: 'appointment.cancelled', code: 'MON00001', withdrawn: { itemName: '居民身份证换领', itemNameEn: 'Renewal of Resident Identity Card' } },
    ]);
    expect(view.appointments.get('MON00001')).toMatchObject({ cancelledAt: at('09:00'), withdrawn: { itemName: '居民身份证换领' } });
    expect(view.appointments.get('OTHER001')?.cancelledAt).toBeUndefined();
    expect(view.appointments.get('MON00002')?.withdrawn).toBeUndefined();
  });

  it('cancels them as well when the item keeps its name and takes another code', () => {
    const view = booked();
    const renumbered = without((c) => {
      c.items = c.items.map((i) => (i.code === ITEM ? { ...i, code: 'GA-SFZ-HL2' } : i));
      for (const w of c.windows) w.serves = w.serves.map((s) => (s === ITEM ? 'GA-SFZ-HL2' : s));
    });
    expect(withdrawals(run(view, { type: 'replaceCatalogue', catalogue: renumbered }, at('09:00'), null, admin)).map((e) => e.code)).toEqual(['TODAY001', 'MON00001']);
  });

  it('keeps the bookings of an item renamed under the same code', () => {
    const view = booked();
    const renamed = without((c) => (c.items = c.items.map((i) => (i.code === ITEM ? { ...i, name: '居民身份证换领（到期换证）' } : i))));
    expect(withdrawals(run(view, { type: 'replaceCatalogue', catalogue: renamed }, at('09:00'), null, admin))).toEqual([]);
    expect(view.appointments.get('MON00001')?.cancelledAt).toBeUndefined();
  });

  it("cancels them at the opening a setup saved for the day's end applies at, not before", () => {
    const view = booked();
    const saved = run(view, { type: 'replaceCatalogue', catalogue: without(), atDayEnd: true }, at('09:00'), null, admin);
    expect(withdrawals(saved)).toEqual([]);
    expect(view.appointments.get('MON00001')?.cancelledAt).toBeUndefined();
    const monday = at('08:00', '2026-11-30');
    const opening = dayChange(view, monday);
    expect(opening.filter((e) => e.type === 'appointment.cancelled')).toEqual([
      { type: 'appointment.cancelled', code: 'MON00001', withdrawn: { itemName: '居民身份证换领', itemNameEn: 'Renewal of Resident Identity Card' } },
    ]);
    // After the setup it belongs to.
    expect(opening.findIndex((e) => e.type === 'appointment.cancelled')).toBeGreaterThan(opening.findIndex((e) => e.type === 'catalogue.replaced'));
  });

  it('says at the kiosk that the hall cancelled the booking and why, not that it is unknown', () => {
    const view = booked();
    run(view, { type: 'replaceCatalogue', catalogue: without() }, at('09:00'), null, admin);
    const r = run(view, { type: 'checkInAppointment', code: 'TODAY001' }, at('13:50'), null, kiosk);
    expect(code(r)).toBe('appointment-withdrawn');
    expect(said(r)).toBe('抱歉，本大厅已不再办理“居民身份证换领”，您的这个预约已由大厅取消。请到服务台咨询，工作人员将为您安排；也可以预约其他事项。');
    expect(said(r, 'en')).toContain('no longer offers "Renewal of Resident Identity Card", so the hall has cancelled this booking');
  });

  it('keeps a withdrawn booking as such through a snapshot', () => {
    const view = booked();
    run(view, { type: 'replaceCatalogue', catalogue: without() }, at('09:00'), null, admin);
    const copy = fromSnapshot(JSON.parse(JSON.stringify(toSnapshot(view))));
    expect(copy.appointments.get('MON00001')?.withdrawn).toEqual({ itemName: '居民身份证换领', itemNameEn: 'Renewal of Resident Identity Card' });
  });
});

describe('the no-show rule: 3 no-shows in 30 days pause booking for 30 days', () => {
  const rule = { count: 3, withinDays: 30, blockDays: 30 };
  const missed = (day: string) => ({ code: day, serviceCode: ITEM, day, slotEnd: 0, checkedIn: false, cancelled: false });
  const history = (appointments: string[], tickets: string[] = []): HolderHistory => ({
    appointments: appointments.map(missed),
    tickets: tickets.map((day) => ({ day, state: 'no-show' as const })),
  });

  it.each([
    ['two missed bookings', history(['2026-11-02', '2026-11-20']), { blocked: false }],
    ['three missed bookings in 30 days', history(['2026-11-02', '2026-11-10', '2026-11-20']), { blocked: true, until: '2026-12-20' }],
    ['a missed booking and two numbers taken by phone and not answered', history(['2026-11-02'], ['2026-11-10', '2026-11-20']), { blocked: true, until: '2026-12-20' }],
    ['three no-shows spread over more than 30 days', history(['2026-10-01', '2026-10-20', '2026-11-20']), { blocked: false }],
    ['a pause that has run out', history(['2026-10-01', '2026-10-05', '2026-10-10']), { blocked: false }],
    ['a pause that outlives its older no-shows', history(['2026-10-10', '2026-10-20', '2026-11-05']), { blocked: true, until: '2026-12-05' }],
  ])('%s', (_story, h, expected) => {
    expect(bookingBlock(h, rule, DAY)).toEqual(expected);
  });

  it('counts neither a booking that checked in, nor a cancelled one, nor one still to come', () => {
    const h: HolderHistory = {
      tickets: [{ day: '2026-11-20', state: 'done' }],
      appointments: [
        { ...missed('2026-11-02'), checkedIn: true },
        { ...missed('2026-11-10'), cancelled: true },
        missed('2026-11-20'),
        missed(DAY),
        missed('2026-11-30'),
      ],
    };
    expect(bookingBlock(h, { ...rule, count: 2 }, DAY)).toEqual({ blocked: false });
  });

  it('refuses a booking while paused', () => {
    const view = emptyView(catalogue(), DAY);
    const r = run(view, book('FFFF0001', at('09:00', '2026-11-30'), at('09:30', '2026-11-30')), at('10:00'), history(['2026-11-02', '2026-11-10', '2026-11-20']));
    expect(r).toMatchObject({ ok: false, code: 'booking-blocked' });
    // From when the citizen may book again, in the citizen's words.
    expect(said(r)).toBe('抱歉，因近期多次预约未按时签到，预约已暂停，12月20日起可再次预约；您仍可到大厅取号办理。');
    expect(said(r, 'en')).toBe('Sorry, after several missed bookings, booking is paused until 20 Dec. You can still take a number in the hall.');
  });
});
