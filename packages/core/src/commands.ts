import { z } from 'zod';
import { IncomingCatalogueSchema, IssuingHoursSchema } from './catalogue';
import { ApplicantSchema } from './cases';
import { AdvanceComplaintCommandSchema, CreateComplaintCommandSchema, EvidenceRefSchema, RecordDeliveryCommandSchema, RouteCaseCommandSchema } from './casework';
import { DeviceReportSchema, EmergencyCallSchema } from './events';
import { FollowUpStepSchema, RatingAspectsSchema, RatingChannelSchema, RatingLevelSchema } from './ratings';
import type { StaffRef } from './staff';
import { LaneSchema, PriorityReasonSchema } from './ticket';
import { OverdueReportSchema, StandbyLinkSchema, TerminalPresenceSchema } from './supervision';
import { withFields } from './with-fields';
import { citizenText, LINE_CONTROL_CHARACTER, lineText, noteText } from './free-text';

const windowNo = z.number().int().min(1).max(999);
const ticketId = z.string().min(1).max(80);
const reason = lineText(200);
const itemCode = z.string().min(1).max(40);
const calendarDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day as YYYY-MM-DD');

/** A closing notice is one line on the kiosk, the hall's screens and the phone: no control character, line breaks included (the printer alone would strip them). */
export const NOTICE_CONTROL_CHARACTER = LINE_CONTROL_CHARACTER;
/** The control character a notice holds, as U+XXXX, or undefined. */
export function noticeControlCharacter(text: string): string | undefined {
  const m = NOTICE_CONTROL_CHARACTER.exec(text);
  return m ? `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}

/**
 * Text a caller sent (a field's name, a day), as a refusal says it back: at most `max` characters then …, and its
 * control and format characters (a line break, a right-to-left mark) written out as \n, \u202e, so that the
 * sentence stays one line that reads as it is.
 */
export function shownAsSent(text: string, max = 40): string {
  const chars = [...text];
  const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  const shown = chars.slice(0, max).join('').replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (c) => named[c] ?? `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
  return chars.length > max ? `${shown}…` : shown;
}

/** How long a terminal's own credential is valid, in whole days: the console's enrolment and the hall token's script. */
export const CREDENTIAL_DAYS = { min: 1, max: 1825 } as const;
/** What is wrong with a credential's validity as given (a number of days), or undefined when it is a whole number in range. */
export function credentialDaysProblem(days: unknown): 'not-whole' | 'out-of-range' | undefined {
  if (typeof days !== 'number' || !Number.isInteger(days)) return 'not-whole';
  return days < CREDENTIAL_DAYS.min || days > CREDENTIAL_DAYS.max ? 'out-of-range' : undefined;
}

/** One outcome of the visit being served, for one item (H-07). */
export const RecordOutcomeCommandSchema = z.object({
  type: z.literal('recordOutcome'),
  window: windowNo,
  serviceCode: z.string().min(1).max(40),
  outcome: z.enum(['accepted', 'correction', 'rejected', 'consultation']),
  /** An earlier case this outcome continues (a case back with its corrections). */
  caseNumber: z.string().max(40).optional(),
  /** Material ids missing, for a correction notice. */
  materials: z.array(z.string().min(1).max(40)).max(50).optional(),
  reason: noteText(300).optional(),
  applicant: ApplicantSchema.optional(),
  /** A correction notice that adds material an earlier one did not name (一次性告知 breached, H-03) is given only with the clerk's reason. */
  breachReason: lineText(200).optional(),
});

/** A correction of an outcome already recorded in the visit being served: the same case, amended with its reason (H-07). */
export const AmendOutcomeCommandSchema = z.object({
  type: z.literal('amendOutcome'),
  window: windowNo,
  caseNumber: z.string().min(1).max(40),
  outcome: z.enum(['accepted', 'correction', 'rejected', 'consultation']),
  /** Why the recorded outcome was wrong. */
  amendReason: lineText(200),
  materials: z.array(z.string().min(1).max(40)).max(50).optional(),
  /** The reason stated for not accepting. */
  reason: noteText(300).optional(),
  breachReason: lineText(200).optional(),
});

/** A citizen's rating of a service (N-01). */
export const RateCommandSchema = z.object({
  type: z.literal('rate'),
  /** The service rated: the one the pad asked about (the counter's channels must name it). */
  ticketId: ticketId.optional(),
  window: windowNo.optional(),
  level: RatingLevelSchema,
  aspects: RatingAspectsSchema,
  reasons: z.array(citizenText(60, false, 1)).max(10).default([]),
  text: citizenText(500, true).optional(),
  channel: RatingChannelSchema,
});

/** What a citizen adds at the pad to the level already recorded: reasons, text, aspects. The same rating, amended. */
export const AmendRatingCommandSchema = z.object({
  type: z.literal('amendRating'),
  ticketId,
  aspects: RatingAspectsSchema,
  reasons: z.array(citizenText(60, false, 1)).max(10).default([]),
  text: citizenText(500, true).optional(),
});

/** What a terminal or an integration asks the hub to do. Each carries an id its sender chose. */
export const CommandBodySchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('issueTicket'),
    serviceCode: z.string().min(1).max(40),
    lane: LaneSchema.exclude(['appointment']).default('ordinary'),
    priorityReason: PriorityReasonSchema.optional(),
  }),
  z.object({ type: z.literal('checkInAppointment'), code: z.string().trim().min(1).max(40) }),
  /** 扫码取号: a number taken on a citizen's verified phone; the hub adds the phone's history to the context. */
  z.object({ type: z.literal('takeRemoteTicket'), serviceCode: z.string().min(1).max(40) }),
  z.object({
    type: z.literal('bookAppointment'),
    code: z.string().trim().min(1).max(40),
    serviceCode: z.string().min(1).max(40),
    slotStart: z.number().int(),
    slotEnd: z.number().int(),
    /** Booked on the citizen's phone: held to the hall's slots, quotas and no-show rule. Without it, recorded as booked elsewhere. */
    remote: z.boolean().optional(),
  }),
  z.object({ type: z.literal('cancelAppointment'), code: z.string().trim().min(1).max(40) }),
  z.object({ type: z.literal('voidTicket'), ticketId, reason }),
  /** A kiosk asks for a block of numbers of `prefix` to give while no hub answers (应急取号). */
  z.object({ type: z.literal('takeLease'), prefix: z.string().regex(/^[A-Z]{1,2}$/), size: z.number().int().min(1).max(100).default(20) }),
  /** A kiosk's emergency ticket, reconciled with its original issue time (in the hub's clock as the kiosk last knew it). */
  z.object({
    type: z.literal('recordEmergencyTicket'),
    number: z.string().min(2).max(8),
    serviceCode: z.string().min(1).max(40),
    lane: z.enum(['ordinary', 'priority']).default('ordinary'),
    priorityReason: PriorityReasonSchema.optional(),
    issuedAt: z.number().int(),
    terminalAt: z.number().int(),
    order: z.number().int().min(1),
  }),
  /** A window's call by typed number (应急手动叫号) and its outcome, reconciled with their original times. */
  EmergencyCallSchema.extend({ type: z.literal('recordEmergencyCall') }),
  z.object({ type: z.literal('callNext'), window: windowNo }),
  z.object({ type: z.literal('callTicket'), window: windowNo, ticketId, reason: reason.optional() }),
  z.object({ type: z.literal('recall'), window: windowNo }),
  z.object({ type: z.literal('startService'), window: windowNo }),
  z.object({ type: z.literal('finishService'), window: windowNo }),
  z.object({ type: z.literal('markNoShow'), window: windowNo }),
  z.object({ type: z.literal('holdTicket'), window: windowNo }),
  z.object({
    type: z.literal('transferTicket'),
    window: windowNo,
    ticketId: ticketId.optional(),
    toService: z.string().min(1).max(40).optional(),
    toWindow: windowNo.optional(),
    reason,
    referral: z.boolean().optional(),
  }),
  /** Opens a window for a clerk without a PIN: the administrator's, never a window terminal's (H-18). */
  z.object({ type: z.literal('openWindow'), window: windowNo, clerk: z.string().max(16).optional() }),
  /** A clerk signs in at a window with clerk number and PIN; the hub checks the PIN (H-18). */
  z.object({ type: z.literal('signIn'), window: windowNo, clerk: z.string().min(1).max(16), pin: z.string().regex(/^\d{4,8}$/, '4 to 8 digits') }),
  RecordOutcomeCommandSchema,
  AmendOutcomeCommandSchema,
  RateCommandSchema,
  AmendRatingCommandSchema,
  /** The hub's own: the default level for a service left unrated (N-04). */
  z.object({ type: z.literal('defaultRating'), ticketId }),
  /** The hub's own: a correction case past its deadline lapses. */
  z.object({ type: z.literal('lapseCase'), caseNumber: z.string().min(1).max(40) }),
  /** The next step of a bad rating's follow-up, with its text and the evidence stored for it (N-03). */
  z.object({
    type: z.literal('advanceFollowUp'),
    followUpId: z.string().min(1).max(80),
    step: FollowUpStepSchema,
    note: noteText(500),
    evidence: z.array(EvidenceRefSchema).max(10).optional(),
  }),
  z.object({ type: z.literal('appealFollowUp'), followUpId: z.string().min(1).max(80), reason: noteText(500) }),
  /** The supervisor's review of a clerk's appeal (申诉复核): upheld closes the follow-up. */
  z.object({ type: z.literal('decideFollowUpAppeal'), followUpId: z.string().min(1).max(80), upheld: z.boolean(), note: noteText(500) }),
  CreateComplaintCommandSchema,
  AdvanceComplaintCommandSchema,
  /** The hub's own: a complaint past its deadline without a reply goes to the hall's supervisor (H-15). */
  z.object({ type: z.literal('escalateComplaint'), complaintId: z.string().min(1).max(40) }),
  RouteCaseCommandSchema,
  RecordDeliveryCommandSchema,
  z.object({ type: z.literal('closeWindow'), window: windowNo }),
  z.object({ type: z.literal('pauseWindow'), window: windowNo, reason }),
  z.object({ type: z.literal('resumeWindow'), window: windowNo }),
  /** The hall's setup as a whole; with atDayEnd it waits for the next hall day (open tickets still need an item it drops). */
  z.object({ type: z.literal('replaceCatalogue'), catalogue: IncomingCatalogueSchema, atDayEnd: z.boolean().optional() }),
  // Changes a busy hall makes at peak, from the console (H-16).
  z.object({ type: z.literal('assignWindowItems'), window: windowNo, serves: z.array(itemCode).min(1).max(200), atDayEnd: z.boolean().optional() }),
  z.object({
    type: z.literal('openTemporaryWindow'),
    window: windowNo,
    name: lineText(40).optional(),
    department: z.string().min(1).max(40).optional(),
    serves: z.array(itemCode).min(1).max(200),
  }),
  z.object({
    type: z.literal('setItemToday'),
    serviceCode: itemCode,
    dailyQuota: z.number().int().min(0).max(9999).optional(),
    issuingHours: z.array(IssuingHoursSchema).min(1).max(6).optional(),
    /** Closes the item for the rest of the day; the notice is shown to citizens. */
    closedNotice: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .refine((t) => !NOTICE_CONTROL_CHARACTER.test(t), 'holds a control character: a closing notice is one line of text')
      .optional(),
    /** Opens an item closed earlier today again. */
    reopen: z.boolean().optional(),
  }),
  z.object({ type: z.literal('cancelPendingChange'), pendingId: z.number().int().min(1) }),
  /** The year's statutory holidays and make-up working days (调休), as the State Council's notice lists them. */
  z.object({
    type: z.literal('setCalendarYear'),
    year: z.number().int().min(2000).max(2100),
    holidays: z.record(calendarDay, lineText(40)),
    workdays: z.record(calendarDay, lineText(40)),
  }),
  z.object({ type: z.literal('reportDevices'), devices: z.array(DeviceReportSchema).max(10) }),
  /** The hub's own: raises and clears supervisors' alerts from the hall as it stands and what only the hub knows (links, overdue records). */
  z.object({ type: z.literal('reviewAlerts'), terminals: z.array(TerminalPresenceSchema).max(500), overdue: z.array(OverdueReportSchema).max(500).default([]), standby: StandbyLinkSchema.optional() }),
  /** A staff member has seen an alert (it stays shown, silenced, while its condition lasts). */
  z.object({ type: z.literal('acknowledgeAlert'), alertId: z.string().min(1).max(200) }),
]);
export type CommandBody = z.infer<typeof CommandBodySchema>;
export type CommandType = CommandBody['type'];

export const CommandSchema = withFields(CommandBodySchema, {
  id: z.string().min(8).max(80),
  /** When the terminal made it (its clock set by the hub's): a command older than the hub keeps answers for is refused, not run. */
  madeAt: z.number().int().optional(),
}) as unknown as z.ZodType<Command>;
export type Command = CommandBody & { id: string; madeAt?: number };

/**
 * What a command asks, without its id and the time it was made: a retry made again (a clerk's second press,
 * an HTTP retry with or without X-Made-At, a terminal's outbox sent after a restart) asks the same.
 */
export function commandBody<T extends CommandBody>(command: T & { id?: string; madeAt?: number }): T {
  const { id: _id, madeAt: _madeAt, ...body } = command;
  return body as unknown as T;
}

/** Who sends a command. A terminal may send only its own kind of commands. */
export type Actor =
  | { role: 'kiosk'; terminal: string }
  | { role: 'window'; terminal: string; window: number }
  | { role: 'rating-pad'; terminal: string; window: number }
  | { role: 'display'; terminal: string }
  | { role: 'admin'; terminal: string; staff?: StaffRef };

const windowCommands: readonly CommandType[] = [
  'callNext',
  'callTicket',
  'recall',
  'startService',
  'finishService',
  'markNoShow',
  'holdTicket',
  'transferTicket',
  'closeWindow',
  'pauseWindow',
  'resumeWindow',
  'signIn',
  'recordOutcome',
  'amendOutcome',
  'recordEmergencyCall',
];

const kioskCommands: readonly CommandType[] = ['issueTicket', 'checkInAppointment', 'voidTicket', 'takeLease', 'recordEmergencyTicket'];

/** Whether `actor` may send `command`: a kiosk cannot call, a window acts on its own window only, a pad cannot issue. */
export function mayCommand(actor: Actor, command: CommandBody): boolean {
  // Every terminal reports its own devices.
  if (command.type === 'reportDevices') return true;
  switch (actor.role) {
    case 'admin':
      return true;
    case 'kiosk':
      return kioskCommands.includes(command.type);
    case 'window':
      return windowCommands.includes(command.type) && 'window' in command && command.window === actor.window;
    case 'rating-pad':
      // Only the pad bound to a window rates, and only that window's services (H-13).
      if (command.type === 'amendRating') return true;
      return command.type === 'rate' && command.channel !== 'qr' && (command.window === undefined || command.window === actor.window);
    case 'display':
      return false;
  }
}
