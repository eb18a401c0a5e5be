import { CatalogueSchema, unconfiguredCatalogue, type Catalogue } from '@servicehall/core';
import { describe, expect, it } from 'vitest';
import { auditSummary } from './audit-summary';
import { STRINGS } from './i18n';
import { bookingsOfDroppedItems, findItems, fromDraft, toDraft, unservedItems } from './setup-form';

/** A hall set up over months: holidays in its calendar, its own phone, appointment and case policies, a window opened for today. */
function settledHall(): Catalogue {
  // (A renderer's tests use no fixtures of the agents: the hall is written out here.)
  const c = CatalogueSchema.parse({
    hall: { name: '滨江区政务服务中心', timeZone: 'Asia/Shanghai', complaintPhone: '12345', notices: ['午间不休'] },
    departments: [{ name: '公安户籍' }, { name: '市场监管（企业开办）', nameEn: 'Business registration' }],
    items: [
      { code: 'GA-SFZ-HL', name: '居民身份证换领', department: '公安户籍', prefix: 'A', issuingHours: [{ from: '08:30', to: '12:00' }], conditions: ['本人到场'], materials: [{ id: 'm1', name: '居民户口簿', form: 'original', count: 1 }], steps: ['取号', '办理'], fees: '20元', legalLimitDays: 60, promisedLimitDays: 30 },
      { code: 'SJ-QY-SL', name: '企业设立登记', department: '市场监管（企业开办）', prefix: 'E', dailyQuota: 80, issuingHours: [{ from: '09:00', to: '17:00' }], conditions: [], materials: [], steps: [], fees: '不收费', legalLimitDays: 15, promisedLimitDays: 3, onlineUrl: 'https://zwfw.example.gov.cn/qy' },
    ],
    windows: [
      { number: 1, name: '1号窗口', department: '公安户籍', serves: ['GA-SFZ-HL'], devices: ['window-terminal', 'number-display'] },
      { number: 7, name: '7号窗口', serves: ['SJ-QY-SL'] },
    ],
    clerks: [{ number: '1011', name: '徐静', department: '市场监管（企业开办）', title: '科员' }],
  });
  return CatalogueSchema.parse({
    ...c,
    calendar: { holidays: { '2027-02-08': '春节' }, workdays: { '2027-02-20': '春节调休' } },
    phone: { ...c.phone, remoteTickets: false, ticketsPerPersonPerDay: 1, nearAhead: 5 },
    appointments: { ...c.appointments, daysAhead: 14, slotMinutes: 20 },
    cases: { ...c.cases, correctionDays: 30 },
    numbering: { digits: 4, first: 1, last: 9999 },
    supervision: { waitMinutes: 25, waitingCount: 40, pauseMinutes: 10, offlineMinutes: 3, checkBeforeOpeningMinutes: 20 },
    windows: [...c.windows, { number: 40, name: '40号窗口（临时）', serves: [c.items[0]!.code], temporary: '2026-12-01' }],
  });
}

describe("the setup wizard's form", () => {
  it('names the bookings still to come of items the setup drops or gives another code, by item, and not those served, cancelled or past', () => {
    const hall = settledHall();
    const draft = toDraft(hall);
    const booking = (code: string, serviceCode: string, day: string, more: { ticketId?: string; cancelledAt?: number } = {}) => ({ code, serviceCode, day, slotStart: 0, slotEnd: 0, ...more });
    const bookings = [
      booking('B1', 'SJ-QY-SL', '2026-12-03'),
      booking('B2', 'SJ-QY-SL', '2026-12-01'),
      booking('B3', 'SJ-QY-SL', '2026-12-01', { ticketId: 't1' }),
      booking('B4', 'SJ-QY-SL', '2026-12-02', { cancelledAt: 1 }),
      booking('B5', 'SJ-QY-SL', '2026-11-30'),
      booking('B6', 'GA-SFZ-HL', '2026-12-05'),
    ];
    expect(bookingsOfDroppedItems(draft, hall, bookings, '2026-12-01')).toEqual([]);
    // The company registration removed, the ID card given another code.
    draft.items = draft.items.filter((i) => i.code !== 'SJ-QY-SL').map((i) => ({ ...i, code: i.code === 'GA-SFZ-HL' ? 'GA-SFZ-HL2' : i.code }));
    const dropped = bookingsOfDroppedItems(draft, hall, bookings, '2026-12-01');
    expect(dropped).toEqual([
      { code: 'SJ-QY-SL', name: '企业设立登记', count: 2, firstDay: '2026-12-01' },
      { code: 'GA-SFZ-HL', name: '居民身份证换领', count: 1, firstDay: '2026-12-05' },
    ]);
    expect(STRINGS['zh-CN'].setup.bookedAhead(dropped)).toBe(
      '以下事项在这份设置中已被删除或改了编码，但还有群众的预约：SJ-QY-SL 企业设立登记 2 个（最早 2026-12-01）、GA-SFZ-HL 居民身份证换领 1 个（最早 2026-12-05）。设置生效时，这些预约将由大厅取消，并告知预约的群众（预约页面和取号机说明原因，有短信渠道时另发短信）；取消的预约记入操作日志。如不想取消，请保留这些事项到预约办完。',
    );
  });

  it('names the items no window of the setup serves, which the kiosk would still give numbers for, and no others', () => {
    const draft = toDraft(settledHall());
    expect(unservedItems(draft)).toEqual([]);
    // Window 7 no longer serves the company registration: no window of the setup does.
    draft.windows[1]!.serves = ['GA-SFZ-HL'];
    expect(unservedItems(draft).map((i) => i.code)).toEqual(['SJ-QY-SL']);
    // Shown in the review step with its name, in both languages.
    expect(STRINGS['zh-CN'].setup.unserved(unservedItems(draft))).toBe('以下 1 个事项没有窗口办理：SJ-QY-SL 企业设立登记。取号机仍会为该事项出号，但没有窗口会叫号：请在“窗口”一步为它选择办理窗口；如已不再办理，请将它删除。');
    // One item is said as one, in each language (it read 为它们 and "for them" of a single item).
    expect(STRINGS.en.setup.unserved(unservedItems(draft))).toBe('1 item is served by no window: SJ-QY-SL 企业设立登记. The kiosk still gives numbers for it, and no window would call them: choose a window for it in the Windows step, or remove the item if it is no longer served.');
    const two = [{ code: 'A1', name: '甲' }, { code: 'B2', name: '乙' }];
    expect(STRINGS['zh-CN'].setup.unserved(two)).toBe('以下 2 个事项没有窗口办理：A1 甲、B2 乙。取号机仍会为它们出号，但没有窗口会叫号：请在“窗口”一步为它们选择办理窗口，或将不再办理的事项删除。');
    expect(STRINGS.en.setup.unserved(two)).toBe('2 items are served by no window: A1 甲, B2 乙. The kiosk still gives numbers for them, and no window would call them: choose windows for them in the Windows step, or remove the items no longer served.');
  });

  it('keeps, when saved unchanged, everything of the hall it does not show: calendar, policies, a window of today', () => {
    const before = settledHall();
    const saved = CatalogueSchema.parse(fromDraft(toDraft(before)));
    expect(saved).toEqual(before);
  });

  it('changes what was typed, and only that', () => {
    const before = settledHall();
    const draft = toDraft(before);
    draft.items[0]!.name = '居民身份证换领（新）';
    draft.supervision.waitMinutes = '45';
    const saved = CatalogueSchema.parse(fromDraft(draft));
    expect(saved.items[0]!.name).toBe('居民身份证换领（新）');
    expect(saved.supervision?.waitMinutes).toBe(45);
    expect({ ...saved, items: before.items, supervision: before.supervision }).toEqual(before);
  });

  it('keeps the settings of a hall not yet set up (its calendar typed first), and fills in the rest', () => {
    const empty = { ...unconfiguredCatalogue(), calendar: settledHall().calendar, numbering: { digits: 4, first: 1, last: 9999 } };
    const draft = toDraft(empty);
    draft.hall.name = '示范区政务服务中心';
    draft.departments[0]!.name = '公安户籍';
    Object.assign(draft.items[0]!, { code: 'GA-SFZ-HL', name: '居民身份证换领', department: '公安户籍', prefix: 'A' });
    draft.windows[0]!.serves = ['GA-SFZ-HL'];
    const saved = CatalogueSchema.parse(fromDraft(draft));
    expect(saved.calendar).toEqual(empty.calendar);
    expect(saved.numbering).toEqual(empty.numbering);
    expect(saved.items.map((i) => i.code)).toEqual(['GA-SFZ-HL']);
  });

  it("shows the phone's and the bookings' rules (issue 16), and saves what was typed of them", () => {
    const before = settledHall();
    const draft = toDraft(before);
    expect(draft.phone).toMatchObject({ remoteTickets: false, ticketsPerPersonPerDay: '1', nearAhead: '5', codesPerDay: '3000', codesPerPhonePerDay: '5', codesPerAddressPerDay: '60', daysAhead: '14', slotMinutes: '20', hours: '09:00-11:30\n13:30-16:30', noShowCount: '3' });
    Object.assign(draft.phone, { remoteTickets: true, nearAhead: '2', codesPerDay: '800', codesPerPhonePerDay: '3', codesPerAddressPerDay: '200', hours: '09:00-11:00\n14:00～16:00', perSlot: '4', noShowCount: '2', noShowBlockDays: '14' });
    draft.items[1]!.slotQuota = '0';
    const saved = CatalogueSchema.parse(fromDraft(draft));
    expect(saved.phone).toEqual({ remoteTickets: true, ticketsPerPersonPerDay: 1, nearAhead: 2, codesPerDay: 800, codesPerPhonePerDay: 3, codesPerAddressPerDay: 200 });
    expect(saved.appointments).toEqual({ ...before.appointments, hours: [{ from: '09:00', to: '11:00' }, { from: '14:00', to: '16:00' }], perSlot: 4, noShow: { count: 2, withinDays: 30, blockDays: 14 } });
    expect(saved.items.map((i) => i.slotQuota)).toEqual([undefined, 0]);
    expect({ ...saved, phone: before.phone, appointments: before.appointments, items: before.items }).toEqual(before);
    // And back into the form as saved: an item's own number, the hours one span a line.
    expect(toDraft(saved).items[1]!.slotQuota).toBe('0');
    expect(toDraft(saved).phone.hours).toBe('09:00-11:00\n14:00-16:00');
  });

  it('takes hours as a person types them, as the workbook does: 8:30, a full-width colon, 0830', () => {
    const draft = toDraft(settledHall());
    draft.items[0]!.issuingHours = '8:30-12:00\n13：30～1700';
    draft.phone.hours = '9:00至11:30';
    const saved = CatalogueSchema.parse(fromDraft(draft));
    expect(saved.items[0]!.issuingHours).toEqual([
      { from: '08:30', to: '12:00' },
      { from: '13:30', to: '17:00' },
    ]);
    expect(saved.appointments.hours).toEqual([{ from: '09:00', to: '11:30' }]);
  });

  it("takes the hall's default for a rule left blank, and names the field of one mistyped", () => {
    const draft = toDraft(settledHall());
    Object.assign(draft.phone, { codesPerDay: ' ', daysAhead: '' });
    const saved = CatalogueSchema.parse(fromDraft(draft));
    expect(saved.phone.codesPerDay).toBe(3000);
    expect(saved.appointments.daysAhead).toBe(7);
    Object.assign(draft.phone, { nearAhead: '三', noShowWithinDays: '0' });
    const wrong = CatalogueSchema.safeParse(fromDraft(draft));
    expect(wrong.success ? [] : wrong.error.issues.map((i) => i.path.join('.')).sort()).toEqual(['appointments.noShow.withinDays', 'phone.nearAhead']);
  });
});

describe('saving one step of the setup', () => {
  /** A hall whose catalogue came by the hub's API: its materials have ids of their own, and it has no alert thresholds (the defaults). */
  function hallByApi(): Catalogue {
    const c = settledHall();
    const { supervision: _none, ...rest } = c;
    return CatalogueSchema.parse({
      ...rest,
      items: c.items.map((i) => ({ ...i, materials: [{ id: 'CL-07', name: '居民户口簿', form: 'original', count: 1 }, { id: 'CL-02', name: '近期免冠照片', form: 'original', count: 2 }] })),
    });
  }
  const summary = (before: Catalogue, after: Catalogue) =>
    auditSummary({ action: 'replaceCatalogue', target: 'catalogue', staff: { id: 'admin', name: '王管理', role: 'administrator' }, before, after }, STRINGS['zh-CN'].audit.summary, {
      item: () => undefined,
      person: () => undefined,
      date: String,
    });

  it('of 手机与预约, the items untouched, changes no item and the log names the phone rules only', () => {
    const before = hallByApi();
    const draft = toDraft(before);
    draft.phone.codesPerDay = '800';
    const saved = CatalogueSchema.parse(fromDraft(draft));
    expect(saved.items).toEqual(before.items);
    expect(summary(before, saved)).toBe('保存大厅设置：事项 2 项，窗口 3 个，工作人员 1 人；修改 手机取号');
  });

  it('keeps the id of a material kept or moved, and gives a new one an id no material had', () => {
    const before = hallByApi();
    const draft = toDraft(before);
    draft.items[0]!.materials = '近期免冠照片|原件|2\n居民身份证|原件|1\n居民户口簿|原件|1';
    const saved = CatalogueSchema.parse(fromDraft(draft));
    expect(saved.items[0]!.materials.map((m) => [m.id, m.name])).toEqual([
      ['CL-02', '近期免冠照片'],
      ['m1', '居民身份证'],
      ['CL-07', '居民户口簿'],
    ]);
    expect(summary(before, saved)).toBe('保存大厅设置：事项 2 项，窗口 3 个，工作人员 1 人；修改事项 居民身份证换领');
  });
});

describe('finding an item in a big hall', () => {
  const items = toDraft(settledHall()).items;
  it.each([
    ['sfz', [0]],
    ['企业', [1]],
    ['公安', [0]],
    ['  市场监管 ', [1]],
    ['', [0, 1]],
    ['不存在', []],
  ])('finds %j at the places %j of the form', (query, places) => {
    expect(findItems(items, query)).toEqual(places);
  });
});
