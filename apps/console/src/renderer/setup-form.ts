import { appointmentPolicyOf, bookingsByItem, bookingsOfItemsGone, isConfigured, periodsOf, withMaterialIds, phonePolicyOf, supervisionOf, type BookedAppointment, type Catalogue, type HallWindow, type SupervisionPolicy } from '@servicehall/core';

/**
 * The setup wizard's form and the catalogue: what the form shows is text to type, and everything
 * it does not show (the calendar's holidays, the case policy, a window opened for today only, any
 * field of a later version) is kept as it was when the form is saved.
 */

// The wizard edits the catalogue as a form: lists inside an item are text, one entry a line.
export interface ItemForm {
  code: string;
  name: string;
  nameEn?: string;
  department: string;
  prefix: string;
  dailyQuota: string;
  issuingHours: string;
  conditions: string;
  materials: string;
  steps: string;
  fees: string;
  legalLimitDays: string;
  promisedLimitDays: string;
  onlineUrl: string;
  /** Bookings a time slot of this item takes: blank, the hall's number; 0, not booked ahead. */
  slotQuota: string;
  /** The materials as stored, whose ids a line of the same name keeps (a correction notice names materials by id). */
  materialsWere?: readonly { id: string; name: string }[];
  /** What the form does not show is kept as it was. */
  rest: Record<string, unknown>;
}
export interface WindowForm {
  number: string;
  name: string;
  department: string;
  serves: string[];
  devices: NonNullable<HallWindow['devices']>;
  /** What the form does not show is kept as it was. */
  rest: Record<string, unknown>;
}
export interface Draft {
  hall: { name: string; nameEn: string; timeZone: string; publicUrl: string; complaintPhone: string; complaintWindow: string; notices: string; rest: Record<string, unknown> };
  departments: { name: string; nameEn: string; rest: Record<string, unknown> }[];
  items: ItemForm[];
  windows: WindowForm[];
  clerks: { number: string; name: string; department: string; title: string; photo?: string; rest: Record<string, unknown> }[];
  /** The alert thresholds of the live hall (H-16, H-18, H-04), as typed. */
  supervision: Record<keyof SupervisionPolicy, string>;
  /** The citizen's phone (扫码取号, 无声叫号, codes by SMS) and bookings ahead, as typed. */
  phone: PhoneForm;
  /** The catalogue's other parts (numbering, queue, rating, calendar, cases), as they were. */
  base: Partial<Catalogue>;
  /** Windows opened for one day at peak: not in the form, kept until their day ends. */
  temporary: HallWindow[];
}

export interface PhoneForm {
  remoteTickets: boolean;
  ticketsPerPersonPerDay: string;
  nearAhead: string;
  codesPerDay: string;
  codesPerPhonePerDay: string;
  codesPerAddressPerDay: string;
  daysAhead: string;
  slotMinutes: string;
  /** The hours cut into slots, one span a line (09:00-11:30). */
  hours: string;
  perSlot: string;
  activePerPerson: string;
  /** Bookings missed `noShowCount` times within `noShowWithinDays` pause booking for `noShowBlockDays`. */
  noShowCount: string;
  noShowWithinDays: string;
  noShowBlockDays: string;
  /** What the form does not show of the two policies is kept as it was. */
  rest: { phone: Record<string, unknown>; appointments: Record<string, unknown> };
}

const phoneDraft = (c: Catalogue | undefined): PhoneForm => {
  const { remoteTickets, ticketsPerPersonPerDay, nearAhead, codesPerDay, codesPerPhonePerDay, codesPerAddressPerDay, ...phoneRest } = phonePolicyOf(c ?? ({} as Catalogue));
  const { daysAhead, slotMinutes, hours, perSlot, activePerPerson, noShow, ...appointmentsRest } = appointmentPolicyOf(c ?? ({} as Catalogue));
  return {
    remoteTickets,
    ticketsPerPersonPerDay: String(ticketsPerPersonPerDay),
    nearAhead: String(nearAhead),
    codesPerDay: String(codesPerDay),
    codesPerPhonePerDay: String(codesPerPhonePerDay),
    codesPerAddressPerDay: String(codesPerAddressPerDay),
    daysAhead: String(daysAhead),
    slotMinutes: String(slotMinutes),
    hours: spans(hours),
    perSlot: String(perSlot),
    activePerPerson: String(activePerPerson),
    noShowCount: String(noShow.count),
    noShowWithinDays: String(noShow.withinDays),
    noShowBlockDays: String(noShow.blockDays),
    rest: { phone: phoneRest, appointments: appointmentsRest },
  };
};

/** 08:30-12:00, one span a line, as the form shows hours. */
const spans = (hours: readonly { from: string; to: string }[]) => hours.map((h) => `${h.from}-${h.to}`).join('\n');

const supervisionDraft = (c: Catalogue | undefined): Draft['supervision'] => {
  const p = supervisionOf(c ?? {});
  return {
    waitMinutes: String(p.waitMinutes),
    waitingCount: p.waitingCount === undefined ? '' : String(p.waitingCount),
    pauseMinutes: String(p.pauseMinutes),
    offlineMinutes: String(p.offlineMinutes),
    checkBeforeOpeningMinutes: String(p.checkBeforeOpeningMinutes),
  };
};

export const FORMS: Record<string, string> = { original: '原件', copy: '复印件', 'original-and-copy': '原件及复印件', electronic: '电子版' };
const FORM_BY_NAME = Object.fromEntries(Object.entries(FORMS).map(([k, v]) => [v, k]));
export const DEVICES: NonNullable<HallWindow['devices']> = ['window-terminal', 'number-display', 'rating-pad', 'rating-keypad', 'receipt-printer'];
const lines = (s: string) =>
  s
    .split('\n')
    .map((x) => x.trim())
    .filter(Boolean);

export function toDraft(c: Catalogue | undefined): Draft {
  // The parts of the catalogue the form shows; the others are kept whole.
  const { hall: _hall, departments: _departments, items: _items, windows: _windows, clerks: _clerks, supervision: _supervision, phone: _phone, appointments: _appointments, ...base } =
    c ?? ({} as Partial<Catalogue>);
  if (!c || !isConfigured(c))
    return {
      hall: { name: c?.hall.name ?? '', nameEn: '', timeZone: 'Asia/Shanghai', publicUrl: '', complaintPhone: '12345', complaintWindow: '', notices: '', rest: {} },
      departments: [{ name: '', nameEn: '', rest: {} }],
      items: [emptyItem('')],
      windows: [{ number: '1', name: '1号窗口', department: '', serves: [], devices: ['window-terminal', 'number-display', 'rating-pad'], rest: {} }],
      clerks: [],
      supervision: supervisionDraft(c),
      phone: phoneDraft(c),
      base,
      temporary: [],
    };
  const { name: _n, nameEn: _e, timeZone: _z, publicUrl: _u, complaintPhone: _p, complaintWindow: _w, notices: _o, ...hallRest } = c.hall;
  return {
    hall: {
      name: c.hall.name,
      nameEn: c.hall.nameEn ?? '',
      timeZone: c.hall.timeZone,
      publicUrl: c.hall.publicUrl ?? '',
      complaintPhone: c.hall.complaintPhone,
      complaintWindow: c.hall.complaintWindow ?? '',
      notices: c.hall.notices.join('\n'),
      rest: hallRest,
    },
    departments: c.departments.map(({ name, nameEn, ...rest }) => ({ name, nameEn: nameEn ?? '', rest })),
    items: c.items.map(({ code, name, nameEn, department, prefix, dailyQuota, issuingHours, conditions, materials, steps, fees, legalLimitDays, promisedLimitDays, onlineUrl, slotQuota, ...rest }) => ({
      code,
      name,
      nameEn,
      department,
      prefix,
      dailyQuota: dailyQuota === undefined ? '' : String(dailyQuota),
      issuingHours: spans(issuingHours),
      conditions: conditions.join('\n'),
      materials: materials.map((m) => [m.name, FORMS[m.form], m.count, m.note].filter((x) => x !== undefined && x !== '').join('|')).join('\n'),
      steps: steps.join('\n'),
      fees,
      legalLimitDays: String(legalLimitDays),
      promisedLimitDays: String(promisedLimitDays),
      onlineUrl: onlineUrl ?? '',
      slotQuota: slotQuota === undefined ? '' : String(slotQuota),
      materialsWere: materials.map(({ id, name }) => ({ id, name })),
      rest,
    })),
    windows: c.windows
      .filter((w) => !w.temporary)
      .map(({ number, name, department, serves, devices, ...rest }) => ({ number: String(number), name, department: department ?? '', serves: [...serves], devices: [...(devices ?? [])], rest })),
    clerks: c.clerks.map(({ number, name, department, title, photo, ...rest }) => ({ number, name, department, title: title ?? '', ...(photo ? { photo } : {}), rest })),
    supervision: supervisionDraft(c),
    phone: phoneDraft(c),
    base,
    temporary: c.windows.filter((w) => w.temporary),
  };
}

export function emptyItem(department: string): ItemForm {
  return {
    code: '',
    name: '',
    department,
    prefix: '',
    dailyQuota: '',
    issuingHours: '08:30-12:00\n13:30-17:00',
    conditions: '',
    materials: '',
    steps: '',
    fees: '不收费',
    legalLimitDays: '20',
    promisedLimitDays: '10',
    onlineUrl: '',
    slotQuota: '',
    rest: {},
  };
}

const num = (s: string) => (s.trim() === '' ? undefined : Number(s.trim()));

/** The form as the catalogue the hub checks; what is wrong is for the hub to say, all at once. */
export function fromDraft(d: Draft): unknown {
  const opt = (s: string) => (s.trim() === '' ? undefined : s.trim());
  return {
    ...d.base,
    supervision: Object.fromEntries(Object.entries(d.supervision).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, Number(v.trim())])),
    ...phoneParts(d.phone),
    hall: {
      ...d.hall.rest,
      name: d.hall.name.trim(),
      ...(opt(d.hall.nameEn) ? { nameEn: opt(d.hall.nameEn) } : {}),
      timeZone: d.hall.timeZone.trim(),
      ...(opt(d.hall.publicUrl) ? { publicUrl: opt(d.hall.publicUrl) } : {}),
      complaintPhone: d.hall.complaintPhone.trim(),
      ...(opt(d.hall.complaintWindow) ? { complaintWindow: opt(d.hall.complaintWindow) } : {}),
      notices: lines(d.hall.notices),
    },
    departments: d.departments.map((x) => ({ ...x.rest, name: x.name.trim(), ...(opt(x.nameEn) ? { nameEn: opt(x.nameEn) } : {}) })),
    items: d.items.map((i) => ({
      ...i.rest,
      code: i.code.trim(),
      name: i.name.trim(),
      ...(i.nameEn ? { nameEn: i.nameEn } : {}),
      department: i.department,
      prefix: i.prefix.trim().toUpperCase(),
      ...(num(i.dailyQuota) !== undefined ? { dailyQuota: num(i.dailyQuota) } : {}),
      issuingHours: periodsOf(i.issuingHours),
      conditions: lines(i.conditions),
      materials: materialsOf(i.materials, i.materialsWere),
      steps: lines(i.steps),
      fees: i.fees.trim() || '不收费',
      legalLimitDays: num(i.legalLimitDays),
      promisedLimitDays: num(i.promisedLimitDays),
      ...(opt(i.onlineUrl) ? { onlineUrl: opt(i.onlineUrl) } : {}),
      ...(num(i.slotQuota) !== undefined ? { slotQuota: num(i.slotQuota) } : {}),
    })),
    windows: [
      ...d.windows.map((w) => ({ ...w.rest, number: num(w.number), name: w.name.trim(), ...(w.department ? { department: w.department } : {}), serves: w.serves, ...(w.devices.length > 0 ? { devices: w.devices } : {}) })),
      ...d.temporary,
    ],
    clerks: d.clerks.map((k) => ({ ...k.rest, number: k.number.trim(), name: k.name.trim(), department: k.department, ...(opt(k.title) ? { title: opt(k.title) } : {}), ...(k.photo ? { photo: k.photo } : {}) })),
  };
}

/**
 * Materials typed one a line (居民身份证|原件|1|note). A line keeps the id of the stored material of its
 * name, so that saving any step leaves an untouched item as it was and a correction notice's
 * materials keep naming the same ones; a new line takes the first m1, m2, … no material had.
 */
function materialsOf(text: string, were: readonly { id: string; name: string }[] = []) {
  const typed = lines(text).map((line) => {
    const [name = '', form = '原件', count = '1', note] = line.split(/[|｜]/).map((x) => x.trim());
    return { name, form: FORM_BY_NAME[form] ?? form, count: Number(count), ...(note ? { note } : {}) };
  });
  return withMaterialIds(typed, were);
}

/** The phone's and the bookings' rules as the catalogue holds them; a field left blank takes the hall's default. */
function phoneParts(p: PhoneForm): Pick<Catalogue, 'phone' | 'appointments'> {
  const given = (fields: Record<string, string>) => Object.fromEntries(Object.entries(fields).flatMap(([k, v]) => (num(v) === undefined ? [] : [[k, num(v)]])));
  return {
    phone: { ...p.rest.phone, remoteTickets: p.remoteTickets, ...given({ ticketsPerPersonPerDay: p.ticketsPerPersonPerDay, nearAhead: p.nearAhead, codesPerDay: p.codesPerDay, codesPerPhonePerDay: p.codesPerPhonePerDay, codesPerAddressPerDay: p.codesPerAddressPerDay }) },
    appointments: {
      ...p.rest.appointments,
      ...given({ daysAhead: p.daysAhead, slotMinutes: p.slotMinutes, perSlot: p.perSlot, activePerPerson: p.activePerPerson }),
      ...(lines(p.hours).length > 0 ? { hours: periodsOf(p.hours) } : {}),
      noShow: given({ count: p.noShowCount, withinDays: p.noShowWithinDays, blockDays: p.noShowBlockDays }),
    },
  } as Pick<Catalogue, 'phone' | 'appointments'>;
}

/** Rows the items step shows at once: a hall of 2,000 items is looked through by search and by page, not drawn whole. */
export const ITEMS_PAGE = 50;

/**
 * Bookings still to come (today's not yet checked in, and later days') for items the draft no longer has
 * (removed, or given another code): their citizens would come and find no item to check in to. By item,
 * with how many and the first day, in the order of that day.
 */
export function bookingsOfDroppedItems(
  d: Pick<Draft, 'items'>,
  catalogue: Pick<Catalogue, 'items'>,
  appointments: Iterable<BookedAppointment>,
  today: string,
): { code: string; name: string; count: number; firstDay: string }[] {
  const kept = new Set(d.items.map((i) => i.code.trim()));
  return [...bookingsByItem(bookingsOfItemsGone(appointments, (code) => kept.has(code), today))]
    .map(([code, { count, firstDay }]) => ({ code, name: catalogue.items.find((i) => i.code === code)?.name ?? '', count, firstDay }))
    .sort((x, y) => x.firstDay.localeCompare(y.firstDay) || x.code.localeCompare(y.code));
}

/** Items no window of the setup serves: the kiosk still gives their numbers, and no window would call them (the review step says so before the save). */
export function unservedItems(d: Pick<Draft, 'items' | 'windows'>): ItemForm[] {
  const served = new Set(d.windows.flatMap((w) => w.serves));
  return d.items.filter((i) => i.code.trim() !== '' && !served.has(i.code.trim()));
}

/** Whether an item is the one looked for: by its code, its name or its department, any part of them, capitals or not. */
export function itemMatches(item: Pick<ItemForm, 'code' | 'name' | 'department'>, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (q === '') return true;
  return item.code.toLowerCase().includes(q) || item.name.toLowerCase().includes(q) || item.department.toLowerCase().includes(q);
}

/** The places in the form (indexes, which the hub's problems name) of the items a search finds, in the form's order. */
export function findItems(items: readonly ItemForm[], query: string): number[] {
  const found: number[] = [];
  items.forEach((item, i) => itemMatches(item, query) && found.push(i));
  return found;
}
