import { z } from 'zod';

// What the hall tells its staff and citizens. Every field is a typed value: a number, a ticket or
// case number, an item's name, a terminal's id or name. No field can hold a person's name or an ID number (H-19),
// and the objects are strict, so `applicant` or `name` is refused rather than passed on.

const windowNo = z.number().int().min(1).max(999);
const minutes = z.number().int().min(0).max(100_000);
const count = z.number().int().min(0).max(100_000);
/** A ticket's displayed number, as core numbers them: A012, BC00042. */
const ticketNumber = z.string().regex(/^[A-Z]{1,2}\d{1,5}$/, 'notice.ticket');
const itemName = z.string().trim().min(1).max(80);
const serviceCode = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/);
const department = z.string().min(1).max(40);
/** A terminal by its id (kiosk-1) or by the name core's terminalNames gives it (取号机 2, 1号窗口评价器). */
const terminalId = z.string().regex(/^[\p{Script=Han}A-Za-z0-9][\p{Script=Han}A-Za-z0-9 ._-]{0,39}$/u, 'notice.terminal');
/** What a terminal said of a device's fault (which port, what to do): one line. */
const deviceDetail = z.string().trim().min(1).max(200).regex(/^[^\r\n]*$/, 'notice.detail');
/** A case, complaint or routing number: letters, digits and dashes (SL202405120001). */
const reference = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/, 'notice.reference');
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);

export const DEVICE_KINDS = ['printer', 'display', 'keypad', 'voice', 'scanner', 'screen'] as const;
export const OVERDUE_SUBJECTS = ['follow-up', 'complaint', 'case-route', 'delivery'] as const;

export const NoticeSchema = z.discriminatedUnion('kind', [
  // Supervisors (issue 14): the console shows the same alerts; these go out through the channels.
  z.strictObject({
    kind: z.literal('wait-threshold'),
    serviceCode,
    item: itemName,
    waiting: count,
    longestMinutes: minutes,
    thresholdMinutes: minutes,
    /** The hall's count of people waiting, when that (not the minutes) raised it. */
    waitingCount: count.optional(),
    department: department.optional(),
  }),
  z.strictObject({ kind: z.literal('long-pause'), window: windowNo, minutes, allowedMinutes: minutes, department: department.optional() }),
  z.strictObject({
    kind: z.literal('device-fault'),
    terminal: terminalId,
    device: z.enum(DEVICE_KINDS),
    /** The agent's fault code: paper-end, cover-open, offline ... (see core's DeviceReport). */
    fault: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/),
    detail: deviceDetail.optional(),
  }),
  z.strictObject({ kind: z.literal('terminal-offline'), terminal: terminalId, minutes }),
  z.strictObject({ kind: z.literal('devices-not-ready'), terminals: z.array(terminalId).min(1).max(50), opensAt: clock }),
  z.strictObject({
    kind: z.literal('bad-rating'),
    window: windowNo,
    level: z.enum(['dissatisfied', 'very-dissatisfied']),
    ticket: ticketNumber,
    item: itemName,
    serviceCode: serviceCode.optional(),
    department: department.optional(),
  }),
  z.strictObject({ kind: z.literal('overdue'), subject: z.enum(OVERDUE_SUBJECTS), reference, due: day, department: department.optional() }),
  z.strictObject({ kind: z.literal('standby-unlinked'), state: z.enum(['none', 'behind']), minutes }),
  z.strictObject({ kind: z.literal('channel-test') }),
  // The citizen's phone (issue 16), by SMS only.
  z.strictObject({ kind: z.literal('phone-code'), code: z.string().regex(/^\d{4,6}$/, 'notice.code'), minutes: z.number().int().min(1).max(30) }),
  z.strictObject({ kind: z.literal('ticket-near'), ticket: ticketNumber, ahead: z.number().int().min(0).max(999) }),
  z.strictObject({ kind: z.literal('ticket-called'), ticket: ticketNumber, window: windowNo }),
  /** A booking the hall cancelled because its item is no longer offered (a setup removed it or gave it another code). */
  z.strictObject({ kind: z.literal('appointment-withdrawn'), item: itemName, day }),
]);
export type Notice = z.infer<typeof NoticeSchema>;
export type NoticeKind = Notice['kind'];

export const STAFF_KINDS = [
  'wait-threshold',
  'long-pause',
  'device-fault',
  'terminal-offline',
  'devices-not-ready',
  'bad-rating',
  'overdue',
  'standby-unlinked',
  'channel-test',
] as const satisfies readonly NoticeKind[];
export const CITIZEN_KINDS = ['phone-code', 'ticket-near', 'ticket-called', 'appointment-withdrawn'] as const satisfies readonly NoticeKind[];
export const NOTICE_KINDS: readonly NoticeKind[] = [...STAFF_KINDS, ...CITIZEN_KINDS];
export const NoticeKindSchema = z.enum(NOTICE_KINDS as [NoticeKind, ...NoticeKind[]]);

export type Audience = 'staff' | 'citizen';
export function audienceOf(kind: NoticeKind): Audience {
  return (CITIZEN_KINDS as readonly string[]).includes(kind) ? 'citizen' : 'staff';
}

/** The department a notice concerns, for channels that serve one department's head only. */
export function departmentOf(notice: Notice): string | undefined {
  return 'department' in notice ? notice.department : undefined;
}

/** Values inside a notice that must not stay in the audit record once it is sent (a one-time code). */
export function secretsOf(notice: Notice): string[] {
  return notice.kind === 'phone-code' ? [notice.code] : [];
}

/** The notice as the audit page may keep it. */
export function redactNotice(notice: Notice): Notice {
  return notice.kind === 'phone-code' ? { ...notice, code: '*'.repeat(notice.code.length) } : notice;
}
