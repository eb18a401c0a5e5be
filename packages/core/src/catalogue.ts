import { z } from 'zod';
import { CasePolicySchema, DEFAULT_CORRECTION_DAYS } from './cases';
import { RatingPolicySchema } from './ratings';
import { forbiddenPhrasesIn, type Language } from './strings';
import { NOTE_CONTROL_CHARACTER } from './free-text';

const CLOCK_TIME = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
/** HH:MM in the hall's local time. */
const clockTime = z.string().regex(CLOCK_TIME, 'expected HH:MM, e.g. 08:30 (24:00 is the end of the day)');

export const MaterialSchema = z.object({
  id: z.string().min(1).max(40),
  name: z.string().min(1).max(120),
  form: z.enum(['original', 'copy', 'original-and-copy', 'electronic']),
  count: z.number().int().min(1).max(99),
  note: z.string().max(200).optional(),
});
export type Material = z.infer<typeof MaterialSchema>;

/**
 * An item's materials as typed again (the setup's lines, a workbook's cell), each given an id: the
 * id of the stored material of its name, so that a correction notice's materials (named by id) keep
 * naming the same ones; a new material takes the first m1, m2, … no stored material had.
 */
export function withMaterialIds<M extends { name: string }>(materials: readonly M[], were: readonly { id: string; name: string }[] = []): (M & { id: string })[] {
  const unclaimed = [...were];
  const taken = new Set(were.map((m) => m.id));
  let n = 0;
  const fresh = () => {
    while (taken.has(`m${++n}`));
    return `m${n}`;
  };
  return materials.map((m) => {
    const same = unclaimed.findIndex((w) => w.name === m.name);
    return { id: same >= 0 ? unclaimed.splice(same, 1)[0]!.id : fresh(), ...m };
  });
}

export const IssuingHoursSchema = z.object({ from: clockTime, to: clockTime });
export type IssuingHours = z.infer<typeof IssuingHoursSchema>;

/**
 * A time of day as a person types it, as the catalogue holds it: 8:30, 8：30 (a full-width colon),
 * ８:３０ and 0830 are 08:30. Anything else comes back trimmed, for the check to name as typed.
 */
export function clockTimeOf(typed: string): string {
  const t = typed.normalize('NFKC').trim();
  const m = /^(\d{1,2}):(\d{2})$/.exec(t) ?? /^(\d{2})(\d{2})$/.exec(t);
  return m ? `${m[1]!.padStart(2, '0')}:${m[2]}` : t;
}

/** A period typed as 08:30-12:00 (or 08:30～12:00, 08:30至12:00), its times read by clockTimeOf. */
export function periodOf(typed: string): IssuingHours {
  const [from = '', to = ''] = typed.normalize('NFKC').split(/[-–~至]/);
  return { from: clockTimeOf(from), to: clockTimeOf(to) };
}

/**
 * A list of periods as people type it, each read by periodOf: one a line, or in one line parted by
 * commas, semicolons, 、 or spaces (8:30-12:00，13:30-17:00). Spaces around a period's dash are the
 * period's own (8:30 - 12:00 is one period), not a parting.
 */
export function periodsOf(typed: string): IssuingHours[] {
  return typed
    .normalize('NFKC')
    .replace(/\s*([-–~至])\s*/g, '$1')
    .split(/[,;、\s]+/)
    .filter(Boolean)
    .map(periodOf);
}

/**
 * The widest ticket numbers and windows a catalogue allows (a two-letter prefix, five digits,
 * window 999): every display that shows them must take these, or refuse its configuration.
 */
export const CATALOGUE_LIMITS = { prefixLetters: 2, digits: 5, window: 999 } as const;

/** The longest number the catalogue allows, e.g. for checking a display's width: ZZ99999. */
export const LONGEST_TICKET_NUMBER = 'Z'.repeat(CATALOGUE_LIMITS.prefixLetters) + '9'.repeat(CATALOGUE_LIMITS.digits);

export const ServiceItemSchema = z.object({
  code: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, - and _ only'),
  name: z.string().min(1).max(80),
  nameEn: z.string().max(120).optional(),
  department: z.string().min(1).max(40),
  /** Ticket prefix: one or two capital letters, shown before the number (A012). */
  prefix: z.string().regex(new RegExp(`^[A-Z]{1,${CATALOGUE_LIMITS.prefixLetters}}$`), 'one or two capital letters'),
  conditions: z.array(z.string().min(1).max(300)).default([]),
  materials: z.array(MaterialSchema).default([]),
  steps: z.array(z.string().min(1).max(200)).default([]),
  fees: z.string().max(200).default('不收费'),
  /** 法定办结时限, in working days. */
  legalLimitDays: z.number().int().min(0).max(365),
  /** 承诺办结时限, in working days; never longer than the legal limit. */
  promisedLimitDays: z.number().int().min(0).max(365),
  dailyQuota: z.number().int().min(1).max(9999).optional(),
  issuingHours: z.array(IssuingHoursSchema).min(1).default([{ from: '08:30', to: '17:00' }]),
  /** Default minutes one service takes, used until the hall has its own recent figures. */
  typicalServiceMinutes: z.number().positive().max(240).default(8),
  onlineUrl: z.string().max(200).optional(),
  /** Changes for one hall day only, made live from the console: quota, hours, or closed with a notice. */
  today: z
    .object({
      day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      dailyQuota: z.number().int().min(0).max(9999).optional(),
      issuingHours: z.array(IssuingHoursSchema).min(1).optional(),
      /** Closed for the rest of the day; this notice is shown to citizens. */
      closedNotice: z.string().trim().min(1).max(200).optional(),
    })
    .optional(),
  /** Appointments a time slot of this item takes; the hall's `appointments.perSlot` when absent, 0: not bookable. */
  slotQuota: z.number().int().min(0).max(999).optional(),
});
export type ServiceItem = z.infer<typeof ServiceItemSchema>;

export const WindowSchema = z.object({
  number: z.number().int().min(1).max(CATALOGUE_LIMITS.window),
  name: z.string().min(1).max(40),
  department: z.string().min(1).max(40).optional(),
  serves: z.array(z.string().min(1)).min(1),
  /** The devices at this window, so that the installer knows what to enrol and check. */
  devices: z.array(z.enum(['window-terminal', 'number-display', 'rating-pad', 'rating-keypad', 'receipt-printer'])).max(5).optional(),
  /** A window opened for one hall day only (this day), at peak; it leaves the catalogue at the next day. */
  temporary: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
});
export type HallWindow = z.infer<typeof WindowSchema>;

export const ClerkSchema = z.object({
  number: z.string().regex(/^[0-9A-Za-z]{1,16}$/),
  name: z.string().min(1).max(40),
  department: z.string().min(1).max(40),
  title: z.string().max(40).optional(),
  /** A photo for the clerk's card on the rating pad: a file name in the terminal's data folder or a data: URL. */
  photo: z.string().max(200_000).optional(),
});
export type Clerk = z.infer<typeof ClerkSchema>;

export const NumberingSchema = z.object({
  digits: z.number().int().min(2).max(CATALOGUE_LIMITS.digits).default(3),
  first: z.number().int().min(0).default(1),
  last: z.number().int().min(1).default(999),
});
export type NumberingConfig = z.infer<typeof NumberingSchema>;

export const QueuePolicySchema = z.object({
  /** After this many ordinary tickets, one priority (绿色通道) ticket is called. */
  ordinaryPerPriority: z.number().int().min(1).max(50).default(3),
  /** Appointments are served first from this many minutes before their slot starts. */
  appointmentEarlyMinutes: z.number().int().min(0).max(120).default(15),
  recallLimit: z.number().int().min(1).max(20).default(5),
  recallCooldownSeconds: z.number().int().min(0).max(600).default(20),
});
export type QueuePolicy = z.infer<typeof QueuePolicySchema>;

/** The citizen's phone (扫码取号, 无声叫号): what a phone may take, and when it is told its turn is near. */
export const PhonePolicySchema = z.object({
  /** Citizens may take a number on their phone, within the same issuing hours and quotas as the kiosk. */
  remoteTickets: z.boolean().default(true),
  /** Numbers one verified phone number may take by phone in a hall day (N-06). */
  ticketsPerPersonPerDay: z.number().int().min(1).max(20).default(2),
  /** The phone is alerted once when this many people or fewer are ahead. */
  nearAhead: z.number().int().min(1).max(50).default(3),
  /**
   * One-time codes the hall sends in a hall day, all phones together. Each is an SMS the hall pays
   * for: someone sending codes to thousands of numbers (from many addresses, each within its own
   * limit) costs the hall this many at most; past it phones are pointed to the kiosk until tomorrow.
   */
  codesPerDay: z.number().int().min(1).max(100_000).default(3000),
  /** One-time codes one phone number is sent in a hall day (a citizen who mistypes asks again; each is an SMS). */
  codesPerPhonePerDay: z.number().int().min(1).max(20).default(5),
  /**
   * One-time codes asked from one client address in a hall day (an IPv6 address by its /64): enough
   * for the many phones behind a carrier's or the hall Wi-Fi's shared address, not for one sender
   * spending the hall's codesPerDay by itself.
   */
  codesPerAddressPerDay: z.number().int().min(1).max(100_000).default(60),
});
export type PhonePolicy = z.infer<typeof PhonePolicySchema>;

/** What the hall's supervisors are alerted to (H-16, H-18, H-04): the thresholds of the live hall. */
export const SupervisionPolicySchema = z.object({
  /** An item whose longest wait passes this many minutes raises an alert (H-16). */
  waitMinutes: z.number().int().min(1).max(600).default(30),
  /** An item with this many or more waiting raises an alert too (H-16); none when absent. */
  waitingCount: z.number().int().min(1).max(9999).optional(),
  /** A pause longer than this many minutes raises an alert (H-18). */
  pauseMinutes: z.number().int().min(1).max(600).default(15),
  /** A terminal out of touch this long during the hall's hours raises an alert (H-04). */
  offlineMinutes: z.number().int().min(1).max(600).default(5),
  /** The morning device check: this many minutes before the hall opens, terminals not reported ready raise an alert (H-04). */
  checkBeforeOpeningMinutes: z.number().int().min(0).max(240).default(30),
});
export type SupervisionPolicy = z.infer<typeof SupervisionPolicySchema>;
export const SUPERVISION_DEFAULTS: SupervisionPolicy = { waitMinutes: 30, pauseMinutes: 15, offlineMinutes: 5, checkBeforeOpeningMinutes: 30 };

/** The hall's supervision thresholds; a catalogue saved before they existed has the defaults. */
export function supervisionOf(catalogue: { supervision?: SupervisionPolicy }): SupervisionPolicy {
  return { ...SUPERVISION_DEFAULTS, ...catalogue.supervision };
}

/** 弃号 rule for bookings: `count` no-shows within `withinDays` days block booking for `blockDays` days. */
export const NoShowRuleSchema = z.object({
  count: z.number().int().min(1).max(20).default(3),
  withinDays: z.number().int().min(1).max(365).default(30),
  blockDays: z.number().int().min(1).max(365).default(30),
});
export type NoShowRule = z.infer<typeof NoShowRuleSchema>;

/** Appointments booked ahead in time slots, on working days only (N-06). */
export const AppointmentPolicySchema = z.object({
  /** Bookable days: from tomorrow up to this many days ahead, working days only. */
  daysAhead: z.number().int().min(1).max(60).default(7),
  slotMinutes: z.number().int().min(10).max(240).default(30),
  /** The hours that are cut into slots, in the hall's time. */
  hours: z.array(IssuingHoursSchema).min(1).default([
    { from: '09:00', to: '11:30' },
    { from: '13:30', to: '16:30' },
  ]),
  /** Appointments one slot of an item takes, unless the item sets its own `slotQuota`. */
  perSlot: z.number().int().min(0).max(999).default(2),
  /** Bookings one phone number may hold at once (not yet checked in, not cancelled). */
  activePerPerson: z.number().int().min(1).max(20).default(3),
  noShow: NoShowRuleSchema.prefault({}),
});
export type AppointmentPolicy = z.infer<typeof AppointmentPolicySchema>;

const clockText = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** A period of one day, both times HH:MM and its end after its start. */
const isPeriod = (h: { from: unknown; to: unknown }) => typeof h.from === 'string' && typeof h.to === 'string' && CLOCK_TIME.test(h.from) && CLOCK_TIME.test(h.to) && clockText(h.to) > clockText(h.from);

/** The first period before the `j`-th that shares time with it (both right periods of a day), or -1. */
function overlapped(hours: readonly { from: unknown; to: unknown }[], j: number): number {
  const h = hours[j];
  if (!h || !isPeriod(h)) return -1;
  return hours.findIndex((o, k) => k < j && isPeriod(o) && clockText(h.from as string) < clockText(o.to as string) && clockText(o.from as string) < clockText(h.to as string));
}

/**
 * Each period of a day that does not end after it starts (17:00-08:30 is no period of one day), as an
 * issue at its `to`; a period with a time not HH:MM has that issue alone (8:3-17:00 is not also "backwards").
 */
function endsAfterStart(hours: readonly IssuingHours[], path: (string | number)[], ctx: z.RefinementCtx) {
  hours.forEach((h, j) => {
    if (CLOCK_TIME.test(h.from) && CLOCK_TIME.test(h.to) && clockText(h.to) <= clockText(h.from))
      ctx.addIssue({ code: 'custom', path: [...path, j, 'to'], message: 'the end must be later than the start' });
  });
}

/**
 * Each period that shares time with one before it (08:30-12:00 and 11:00-17:00), as an issue at its `from`:
 * bookable hours would cut the same slots twice, and the kiosk would show both periods. Asked of what
 * comes in only (a setup, a workbook, today's hours), so that a hall kept with such hours still loads.
 */
function noOverlaps(hours: readonly IssuingHours[], path: (string | number)[], ctx: z.RefinementCtx) {
  hours.forEach((_, j) => {
    const k = overlapped(hours, j);
    if (k >= 0) ctx.addIssue({ code: 'custom', path: [...path, j, 'from'], message: `the period overlaps period ${k + 1}` });
  });
}

/**
 * A catalogue's problem with a period of the day (an item's issuing hours, the bookable hours) in the
 * hall's words: whose periods (`subject`, e.g. 事项 A01（居民身份证换领）的取号时段) and which one is
 * wrong with what a right one looks like (`text`, e.g. 第 1 段“25:00-12:00”：时间应为 HH:MM……).
 * Undefined for a problem elsewhere. `catalogue` is the catalogue as sent, not yet checked.
 */
export function periodProblem(catalogue: unknown, path: readonly PropertyKey[], language: Language): { subject: string; text: string } | undefined {
  // An item's hours for today only (items.N.today.issuingHours) are said as its hours of today.
  const today = path[0] === 'items' && typeof path[1] === 'number' && path[2] === 'today' && path[3] === 'issuingHours';
  const items = today || (path[0] === 'items' && typeof path[1] === 'number' && path[2] === 'issuingHours');
  const booking = path[0] === 'appointments' && path[1] === 'hours';
  const at0 = today ? 4 : items ? 3 : 2;
  const j = path[at0];
  if ((!items && !booking) || typeof j !== 'number') return undefined;
  const field = path[at0 + 1];
  const at = (value: unknown, ...keys: (string | number)[]): unknown =>
    keys.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined), value);
  const shown = (v: unknown, length = 12) => (typeof v === 'string' ? v.slice(0, length) : '');
  const i = path[1] as number;
  const item = items ? at(catalogue, 'items', i) : undefined;
  const list = today ? at(item, 'today', 'issuingHours') : items ? at(item, 'issuingHours') : at(catalogue, 'appointments', 'hours');
  const hours = at(list, j);
  const period = `${shown(at(hours, 'from'))}-${shown(at(hours, 'to'))}`;
  const bad = (t: unknown) => typeof t !== 'string' || !CLOCK_TIME.test(t);
  // A period whose times are both HH:MM is wrong in its order; else in the form of the time `field` names (or of either).
  const format = field === 'from' || field === 'to' ? bad(at(hours, field)) : bad(at(hours, 'from')) || bad(at(hours, 'to'));
  const code = shown(at(item, 'code'), 40);
  const name = shown(at(item, 'name'), 30);
  // A right period whose problem is not its order shares time with an earlier one.
  const k = !format && Array.isArray(list) ? overlapped(list as { from: unknown; to: unknown }[], j) : -1;
  const other = k >= 0 ? `${shown(at(list, k, 'from'))}-${shown(at(list, k, 'to'))}` : '';
  if (language === 'en')
    return {
      subject: items ? `${code ? `Item ${code}` : `Item ${i + 1}`}${name ? ` (${name})` : ''}, ${today ? "today's " : ''}issuing hours, ` : 'Bookable hours, ',
      text:
        k >= 0
          ? `period ${j + 1} "${period}" overlaps period ${k + 1} "${other}": periods may not share time, e.g. 08:30-12:00 and 13:30-17:00`
          : `period ${j + 1} "${period}": ${format ? 'a time is HH:MM, e.g. 08:30 (24:00 is the end of the day)' : 'the end must be later than the start, e.g. 08:30-17:00'}`,
    };
  return {
    subject: items ? `${code ? `事项 ${code}` : `第 ${i + 1} 项事项`}${name ? `（${name}）` : ''}的${today ? '今日' : ''}取号时段` : '可预约时段',
    text:
      k >= 0
        ? `第 ${j + 1} 段“${period}”与第 ${k + 1} 段“${other}”时间重叠：各段不能重叠，例如 08:30-12:00 和 13:30-17:00`
        : `第 ${j + 1} 段“${period}”：${format ? '时间应为 HH:MM，例如 08:30（24:00 为一天的结束）' : '结束时间须晚于开始时间，例如 08:30-17:00'}`,
  };
}

const TodayHoursSchema = z
  .array(IssuingHoursSchema)
  .min(1)
  .max(6)
  .superRefine((hours, ctx) => {
    endsAfterStart(hours, [], ctx);
    noOverlaps(hours, [], ctx);
  });

/**
 * An item's issuing hours for today only (POST /api/items/{code}/today), checked as the setup checks
 * its hours: each wrong period with its path in `hours` and said as periodProblem says it
 * (事项 A01（居民身份证换领）的今日取号时段第 1 段“17:00-08:30”：结束时间须晚于开始时间……). None when right.
 */
export function todayHoursProblems(item: { code: string; name: string }, hours: unknown, language: Language): { path: PropertyKey[]; message: string; subject?: string; text?: string }[] {
  const parsed = TodayHoursSchema.safeParse(hours);
  if (parsed.success) return [];
  const sent = { items: [{ code: item.code, name: item.name, today: { issuingHours: hours } }] };
  // In the order of the periods, as the person wrote them.
  const issues = [...parsed.error.issues].sort((x, y) => Number(x.path[0] ?? -1) - Number(y.path[0] ?? -1));
  return issues.map((issue) => ({ path: issue.path, message: issue.message, ...periodProblem(sent, ['items', 0, 'today', 'issuingHours', ...issue.path], language) }));
}

/**
 * Today's hours of an item refused, as one sentence: whose hours, each wrong period and what a right one
 * looks like, nothing changed. The console's answer and the hub link's say the same. None when right.
 */
export function todayHoursSentence(item: { code: string; name: string }, hours: unknown, language: Language): string | undefined {
  const wrong = todayHoursProblems(item, hours, language);
  const said = wrong.flatMap((p) => (p.text ? [p.text] : []));
  if (said.length === 0) return undefined;
  const subject = wrong.find((p) => p.subject)?.subject ?? '';
  return language === 'en' ? `${subject}${said.join('; ')}. Nothing was changed.` : `${subject}${said.join('；')}。未作任何更改。`;
}

/** Whether this system knows `zone` as an IANA time zone (Asia/Shanghai). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** True for an address only this machine can reach (localhost, 127.x, ::1, 0.0.0.0): a phone never can. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  return host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '::1' || host === '0.0.0.0' || host === '::' || /^::ffff:127\./.test(host) || /^::ffff:7f/.test(host);
}

/**
 * What is wrong with an address as the hall's public address (the base of the links printed as QR
 * codes), or undefined when it will do.
 */
export function publicUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not an address: expected e.g. https://zwfw.example.gov.cn';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must start with https:// (or http://)';
  if (url.username || url.password) return 'must not hold a user name or password';
  if (url.search || url.hash) return 'must not hold a query (?) or a fragment (#): the hall adds its own paths';
  if (isLoopbackHost(url.hostname)) return `${url.hostname} is this machine's own address, which no phone can reach: give the address citizens' phones use`;
  return undefined;
}

/** The hall's public address without its trailing slash, when it is one phones can reach (else undefined). */
export function publicBaseOf(url: string | undefined): string | undefined {
  if (!url || publicUrlProblem(url)) return undefined;
  return url.replace(/\/+$/, '');
}

export const HallSchema = z.object({
  name: z.string().min(1).max(80),
  nameEn: z.string().max(120).optional(),
  timeZone: z
    .string()
    .min(1)
    .default('Asia/Shanghai')
    .refine(isTimeZone, 'not a time zone this system knows, e.g. Asia/Shanghai'),
  complaintPhone: z.string().max(40).default('12345'),
  /**
   * The address at which citizens' phones reach the hub's public pages (a ticket's progress), e.g.
   * https://zwfw.example.gov.cn/hall: the base of the QR codes printed on tickets. Without it the
   * tickets carry no QR code, only the number to type at a kiosk.
   */
  publicUrl: z
    .string()
    .max(200)
    .superRefine((v, ctx) => {
      const problem = publicUrlProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .transform((v) => v.replace(/\/+$/, ''))
    .optional(),
  /** The complaint window (投诉窗口) citizens are pointed to (H-15), e.g. "综合咨询台" or "1号窗口". */
  complaintWindow: z.string().max(40).optional(),
  /** Notices shown to citizens on the kiosk and the hall screen. */
  notices: z.array(z.string().trim().min(1).max(200)).max(20).default([]),
});

/** The hall's own entries in the working-day calendar, for years the package does not know yet. */
export const CalendarOverridesSchema = z.object({
  holidays: z.record(z.string().regex(/^\d{4}-\d{2}-\d{2}$/), z.string().max(40)).default({}),
  workdays: z.record(z.string().regex(/^\d{4}-\d{2}-\d{2}$/), z.string().max(40)).default({}),
});

/** What a hall's setup lacks that the hub should say at start (the hall still runs without it). */
export function hallSetupWarnings(catalogue: { hall: z.infer<typeof HallSchema> }): string[] {
  const warnings: string[] = [];
  if (!catalogue.hall.publicUrl)
    warnings.push(
      // Staff set it in the console; the API is for a hall that scripts its setup. Names as the console's setup says them.
      '大厅未设置公共访问地址：号票不印二维码，只印可在取号机查询的号码。请在管理控制台“大厅设置”的“大厅信息”一步填写“公共访问地址（二维码链接）”并保存（以接口设置时为 PUT /api/catalogue 的 hall.publicUrl）。' +
        ' / The hall has no public address: tickets print no QR code, only the number to type at a kiosk. In the console, open Hall setup, step Hall, fill in Public address (QR links) and save (by the API: hall.publicUrl in PUT /api/catalogue).',
    );
  return warnings;
}

/** C0 and C1 control characters but the tab and line breaks (a cell of a workbook may hold them; screens show a space, the printer a new line). */
const CONTROL_CHARACTER = NOTE_CONTROL_CHARACTER;

export const CatalogueSchema = z
  .object({
    hall: HallSchema,
    departments: z.array(z.object({ name: z.string().min(1).max(40), nameEn: z.string().max(80).optional() })).min(1),
    items: z.array(ServiceItemSchema).min(1),
    windows: z.array(WindowSchema).min(1),
    clerks: z.array(ClerkSchema).default([]),
    numbering: NumberingSchema.default({ digits: 3, first: 1, last: 999 }),
    queue: QueuePolicySchema.default({
      ordinaryPerPriority: 3,
      appointmentEarlyMinutes: 15,
      recallLimit: 5,
      recallCooldownSeconds: 20,
    }),
    rating: RatingPolicySchema.default({
      defaultAfterMinutes: 10,
      defaultLevel: 'satisfied',
      secondRatingDays: 15,
      followUpDays: { verify: 1, fix: 3, reply: 5, revisit: 10 },
    }),
    calendar: CalendarOverridesSchema.default({ holidays: {}, workdays: {} }),
    phone: PhonePolicySchema.prefault({}),
    appointments: AppointmentPolicySchema.prefault({}),
    cases: CasePolicySchema.default({ correctionDays: DEFAULT_CORRECTION_DAYS }),
    /** Absent: the defaults (see supervisionOf). */
    supervision: SupervisionPolicySchema.optional(),
  })
  .superRefine((c, ctx) => {
    const codes = new Set<string>();
    const departments = new Set(c.departments.map((d) => d.name));
    c.items.forEach((item, i) => {
      if (codes.has(item.code)) ctx.addIssue({ code: 'custom', path: ['items', i, 'code'], message: `duplicate service item code ${item.code}` });
      codes.add(item.code);
      if (!departments.has(item.department))
        ctx.addIssue({ code: 'custom', path: ['items', i, 'department'], message: `unknown department ${item.department}` });
      if (item.promisedLimitDays > item.legalLimitDays)
        ctx.addIssue({ code: 'custom', path: ['items', i, 'promisedLimitDays'], message: 'the promised limit cannot exceed the legal limit' });
      const ids = new Set<string>();
      item.materials.forEach((m, j) => {
        if (ids.has(m.id)) ctx.addIssue({ code: 'custom', path: ['items', i, 'materials', j, 'id'], message: `duplicate material id ${m.id}` });
        ids.add(m.id);
      });
    });
    const numbers = new Set<number>();
    c.windows.forEach((w, i) => {
      if (numbers.has(w.number)) ctx.addIssue({ code: 'custom', path: ['windows', i, 'number'], message: `duplicate window number ${w.number}` });
      numbers.add(w.number);
      w.serves.forEach((code, j) => {
        if (!codes.has(code)) ctx.addIssue({ code: 'custom', path: ['windows', i, 'serves', j], message: `unknown service item ${code}` });
      });
    });
    // Everything here reaches citizens: screens, tickets, notices (H-14).
    const civil = (text: string | undefined, path: (string | number)[]) => {
      const found = text ? forbiddenPhrasesIn(text) : [];
      if (found.length > 0) ctx.addIssue({ code: 'custom', path, message: `uses a phrase the handbook forbids (H-14): ${found.join('、')}` });
    };
    // Names shown to citizens and staff: a name of spaces only (from a script; the console and the workbook trim) shows as nothing.
    const blank = (text: string, path: (string | number)[]) => {
      if (text.trim() === '') ctx.addIssue({ code: 'custom', path, message: 'must not be spaces only' });
    };
    blank(c.hall.name, ['hall', 'name']);
    c.departments.forEach((d, i) => blank(d.name, ['departments', i, 'name']));
    c.items.forEach((item, i) => blank(item.name, ['items', i, 'name']));
    c.windows.forEach((w, i) => blank(w.name, ['windows', i, 'name']));
    c.clerks.forEach((clerk, i) => blank(clerk.name, ['clerks', i, 'name']));
    civil(c.hall.name, ['hall', 'name']);
    c.hall.notices.forEach((t, i) => civil(t, ['hall', 'notices', i]));
    const clerkNumbers = new Set<string>();
    c.clerks.forEach((clerk, i) => {
      if (clerkNumbers.has(clerk.number)) ctx.addIssue({ code: 'custom', path: ['clerks', i, 'number'], message: `duplicate clerk number ${clerk.number}` });
      clerkNumbers.add(clerk.number);
      if (!departments.has(clerk.department)) ctx.addIssue({ code: 'custom', path: ['clerks', i, 'department'], message: `unknown department ${clerk.department}` });
    });
    c.windows.forEach((w, i) => {
      if (w.department !== undefined && !departments.has(w.department))
        ctx.addIssue({ code: 'custom', path: ['windows', i, 'department'], message: `unknown department ${w.department}` });
    });
    c.items.forEach((item, i) => {
      civil(item.today?.closedNotice, ['items', i, 'today', 'closedNotice']);
      endsAfterStart(item.issuingHours, ['items', i, 'issuingHours'], ctx);
    });
    c.items.forEach((item, i) => {
      civil(item.name, ['items', i, 'name']);
      civil(item.fees, ['items', i, 'fees']);
      item.conditions.forEach((t, j) => civil(t, ['items', i, 'conditions', j]));
      item.steps.forEach((t, j) => civil(t, ['items', i, 'steps', j]));
      item.materials.forEach((m, j) => {
        civil(m.name, ['items', i, 'materials', j, 'name']);
        civil(m.note, ['items', i, 'materials', j, 'note']);
      });
    });
    c.windows.forEach((w, i) => civil(w.name, ['windows', i, 'name']));
    endsAfterStart(c.appointments.hours, ['appointments', 'hours'], ctx);
    // The calendar's own days, as setCalendarYear checks them: real days, none both off and worked (调休).
    for (const kind of ['holidays', 'workdays'] as const)
      for (const day of Object.keys(c.calendar[kind]))
        if (new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) ctx.addIssue({ code: 'custom', path: ['calendar', kind, day], message: `${day} is not a day of the calendar` });
    for (const day of Object.keys(c.calendar.holidays))
      if (day in c.calendar.workdays) ctx.addIssue({ code: 'custom', path: ['calendar', 'workdays', day], message: `${day} cannot be both a holiday and a make-up working day` });
    if (c.numbering.last <= c.numbering.first)
      ctx.addIssue({ code: 'custom', path: ['numbering', 'last'], message: 'the range must hold at least two numbers' });
    if (String(c.numbering.last).length > c.numbering.digits)
      ctx.addIssue({ code: 'custom', path: ['numbering', 'digits'], message: 'the last number does not fit in the digits' });
  });
/**
 * A catalogue as it comes in (a setup's save, an installer's file or script, a workbook): as
 * CatalogueSchema, and no control character in its texts. Text from a script or pasted from Word (its
 * cell marks \x07, line breaks \x0b) can hold them: screens show nothing for them and a ticket printer
 * takes them as commands (ESC @ resets it, GS V cuts the paper; the printer's driver leaves them out
 * too), so each is refused where it is. Only what comes in is held to this: a catalogue the hall
 * already keeps (its snapshot to the terminals, its event log) is read as it is, so that a hall set up
 * before this check keeps working.
 */
export const IncomingCatalogueSchema = CatalogueSchema.superRefine((c, ctx) => {
  const controls = (value: unknown, path: (string | number)[]) => {
    if (typeof value === 'string') {
      const m = CONTROL_CHARACTER.exec(value);
      if (m) ctx.addIssue({ code: 'custom', path, message: `holds a control character (U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}) that screens cannot show and printers take as a command` });
    } else if (Array.isArray(value)) value.forEach((v, i) => controls(v, [...path, i]));
    // An item's changes for today are the live hall's (a supervisor's notice), carried over by the hub, not the form's to mend.
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) if (k !== 'photo' && k !== 'today') controls(v, [...path, k]);
  };
  for (const part of ['hall', 'departments', 'items', 'windows', 'clerks'] as const) controls(c[part], [part]);
  c.items.forEach((item, i) => noOverlaps(item.issuingHours, ['items', i, 'issuingHours'], ctx));
  noOverlaps(c.appointments.hours, ['appointments', 'hours'], ctx);
});

export type Catalogue = z.infer<typeof CatalogueSchema>;
export type CatalogueInput = z.input<typeof CatalogueSchema>;

/**
 * The catalogue of a hall that is not set up yet: no items, no windows. It never passes the schema;
 * a hub holds it until the administrator's setup puts the hall's own.
 */
export function unconfiguredCatalogue(): Catalogue {
  return {
    hall: { name: '', timeZone: 'Asia/Shanghai', complaintPhone: '12345', notices: [] },
    departments: [],
    items: [],
    windows: [],
    clerks: [],
    numbering: { digits: 3, first: 1, last: 999 },
    queue: { ordinaryPerPriority: 3, appointmentEarlyMinutes: 15, recallLimit: 5, recallCooldownSeconds: 20 },
    rating: { defaultAfterMinutes: 10, defaultLevel: 'satisfied', secondRatingDays: 15, followUpDays: { verify: 1, fix: 3, reply: 5, revisit: 10 } },
    calendar: { holidays: {}, workdays: {} },
    phone: PHONE_DEFAULTS,
    appointments: APPOINTMENT_DEFAULTS,
    cases: { correctionDays: DEFAULT_CORRECTION_DAYS },
  };
}

const PHONE_DEFAULTS = PhonePolicySchema.parse({});
const APPOINTMENT_DEFAULTS = AppointmentPolicySchema.parse({});

/** The hall's rules for phones; a catalogue stored before they existed follows the defaults. */
export function phonePolicyOf(catalogue: Catalogue): PhonePolicy {
  return withDefaults(catalogue.phone, PHONE_DEFAULTS);
}

/** The hall's rules for appointments; a catalogue stored before they existed follows the defaults. */
export function appointmentPolicyOf(catalogue: Catalogue): AppointmentPolicy {
  return withDefaults(catalogue.appointments, APPOINTMENT_DEFAULTS);
}

/** Each stored policy with its defaults filled in, made once: the phones' watch asks for it at every ticket it looks at. */
const filled = new WeakMap<object, object>();

/**
 * A policy as stored, with the defaults of the rules it lacks: a catalogue stored before a rule
 * existed (phone.codesPerDay) is read back without the schema, and has the others only.
 */
function withDefaults<T extends object>(given: T | undefined, defaults: T): T {
  if (!given) return defaults;
  let policy = filled.get(given) as T | undefined;
  if (!policy) filled.set(given, (policy = { ...defaults, ...given }));
  return policy;
}

/** Whether the hall has been set up: it has service items and windows. */
export function isConfigured(catalogue: Catalogue): boolean {
  return catalogue.items.length > 0 && catalogue.windows.length > 0;
}

export type CatalogueCheck = { ok: true; catalogue: Catalogue } | { ok: false; problems: string[] };

/** Validates a catalogue from any source (file, HTTP body) and names each problem by its path. */
export function checkCatalogue(input: unknown): CatalogueCheck {
  const parsed = IncomingCatalogueSchema.safeParse(input);
  if (parsed.success) return { ok: true, catalogue: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
  };
}

/**
 * Where each item code and window number sits in a catalogue's lists: every command looks one up,
 * and a big hall has hundreds of windows. An entry is trusted only while the list still holds it there.
 */
const positions = new WeakMap<object, Map<string | number, number>>();

function lookUp<T>(list: readonly T[], key: string | number, keyOf: (x: T) => string | number): T | undefined {
  const build = () => {
    const index = new Map(list.map((x, i) => [keyOf(x), i]));
    positions.set(list, index);
    return index;
  };
  const known = positions.get(list);
  const i = known?.get(key);
  if (i !== undefined && list[i] !== undefined && keyOf(list[i]!) === key) return list[i];
  // Not known, or the list has changed since: look again in a fresh index.
  const j = build().get(key);
  return j === undefined ? undefined : list[j];
}

export function findItem(catalogue: Catalogue, code: string): ServiceItem | undefined {
  return lookUp(catalogue.items, code, (item) => item.code);
}

export function findWindow(catalogue: Catalogue, number: number): HallWindow | undefined {
  return lookUp(catalogue.windows, number, (w) => w.number);
}
