import { z } from 'zod';
import { CalendarOverridesSchema, CatalogueSchema, IssuingHoursSchema, WindowSchema } from './catalogue';
import { StaffRefSchema, type StaffRef } from './staff';
import { CaseGivenSchema, CaseSchema } from './cases';
import { CaseRouteSchema, ComplaintSchema, DeliverySchema, EvidenceRefSchema } from './casework';
import { FollowUpSchema, FollowUpStepSchema, RatingAspectsSchema, RatingGivenSchema, RatingSchema } from './ratings';
import { IssuedTicketSchema, TicketSchema } from './ticket';
import { AlertSubjectSchema } from './supervision';
import { withFields } from './with-fields';

const id = z.string().min(1).max(80);

/** One device of a terminal as its agent last saw it (H-04, H-17). */
export const DeviceReportSchema = z.object({
  kind: z.enum(['printer', 'display', 'keypad', 'voice', 'scanner', 'screen']),
  name: z.string().min(1).max(40),
  status: z.enum(['ok', 'warning', 'fault', 'absent']),
  /** What is wrong, as a code the screens map to words: paper-near-end, paper-end, cover-open, offline, timeout, no-voice ... */
  code: z.string().max(40).optional(),
  detail: z.string().max(200).optional(),
});
export type DeviceReport = z.infer<typeof DeviceReportSchema>;
const windowNo = z.number().int().min(1).max(999);
const reason = z.string().max(200);

/** A change that could not apply while tickets needed what it removes: it applies when the next hall day opens. */
export const PendingChangeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('assignWindowItems'), window: windowNo, serves: z.array(z.string()) }),
  z.object({ type: z.literal('replaceCatalogue'), catalogue: CatalogueSchema }),
]);
export type PendingChange = z.infer<typeof PendingChangeSchema>;
export interface ScheduledChange {
  /** The sequence number of the change.scheduled event. */
  id: number;
  at: number;
  staff?: StaffRef;
  change: PendingChange;
  /** A whole setup waiting: the latest change made at once to the setup since it was saved (it would undo it), which cancels it at the opening. */
  overtaken?: SetupOvertaken;
}
/** A change made at once to the setup after a whole setup was saved for the day's end: when, by whom, which window when it was one window's items. */
export interface SetupOvertaken {
  seq: number;
  at: number;
  staff?: StaffRef;
  window?: number;
}

/** A number lease: `first`..`last` of `prefix` on `day`, for `terminal` alone. */
export const NumberLeaseSchema = z.object({
  id: z.string().min(1).max(80),
  terminal: z.string().min(1).max(80),
  day: z.string(),
  prefix: z.string().min(1).max(2),
  first: z.number().int().min(0),
  last: z.number().int().min(0),
  grantedAt: z.number().int(),
});
export type NumberLease = z.infer<typeof NumberLeaseSchema>;

/** What a window recorded of a number it called by typing while no hub answered, with its own times (in the hub's clock as last known). */
export const EmergencyCallSchema = z.object({
  number: z.string().min(2).max(8),
  window: windowNo,
  clerk: z.string().max(16).optional(),
  calledAt: z.number().int(),
  startedAt: z.number().int().optional(),
  endedAt: z.number().int().optional(),
  /** How the visit ended; none yet when the hub came back during the service. */
  end: z.enum(['finished', 'noShow']).optional(),
  /** The window's own clock at the call, and the call's place in the window's own order. */
  terminalAt: z.number().int(),
  order: z.number().int().min(1),
});
export type EmergencyCall = z.infer<typeof EmergencyCallSchema>;

/** What happened in the hall. The hub appends these with a gap-free sequence; every view is their fold. */
export const EventBodySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('catalogue.replaced'), catalogue: CatalogueSchema, pendingId: z.number().int().optional() }),
  z.object({ type: z.literal('window.itemsAssigned'), window: windowNo, serves: z.array(z.string()), pendingId: z.number().int().optional() }),
  z.object({ type: z.literal('window.temporaryOpened'), window: WindowSchema }),
  z.object({
    type: z.literal('item.todaySet'),
    serviceCode: z.string(),
    today: z.object({ day: z.string(), dailyQuota: z.number().int().optional(), issuingHours: z.array(IssuingHoursSchema).optional(), closedNotice: z.string().optional() }),
  }),
  z.object({ type: z.literal('change.scheduled'), change: PendingChangeSchema }),
  z.object({ type: z.literal('change.cancelled'), pendingId: z.number().int(), reason: z.string().max(200) }),
  z.object({ type: z.literal('calendar.yearSet'), year: z.number().int(), holidays: CalendarOverridesSchema.shape.holidays, workdays: CalendarOverridesSchema.shape.workdays }),
  z.object({ type: z.literal('day.opened'), day: z.string() }),
  z.object({
    type: z.literal('appointment.booked'),
    code: z.string(),
    serviceCode: z.string(),
    day: z.string(),
    slotStart: z.number().int(),
    slotEnd: z.number().int(),
    /** Booked on the citizen's phone within the hall's slots and quotas (not recorded from elsewhere). */
    remote: z.boolean().optional(),
  }),
  /**
   * A booking cancelled: by its citizen, or by the hall (`withdrawn`: a setup removed its item or gave it
   * another code), then with the item's names as they were, which the catalogue no longer holds.
   */
  z.object({
    type: z.literal('appointment.cancelled'),
    code: z.string(),
    by: z.string().optional(),
    withdrawn: z.object({ itemName: z.string().max(200), itemNameEn: z.string().max(200).optional() }).optional(),
  }),
  /** The ticket as issued; events written by earlier versions carry it whole. */
  z.object({ type: z.literal('ticket.issued'), ticket: z.union([TicketSchema, IssuedTicketSchema]), by: z.string().optional() }),
  /**
   * The clerk is the window's (events written by earlier versions name it). `happenedAt`: a call made
   * by typing at a window while no hub answered (应急手动叫号), reconciled later with its true time.
   */
  z.object({ type: z.literal('ticket.called'), id, window: windowNo, clerk: z.string().optional(), outOfOrderReason: reason.optional(), happenedAt: z.number().int().optional() }),
  z.object({ type: z.literal('ticket.recalled'), id, window: windowNo }),
  // The window of these is the ticket's own (events written by earlier versions name it).
  z.object({ type: z.literal('ticket.started'), id, window: windowNo.optional(), happenedAt: z.number().int().optional() }),
  z.object({ type: z.literal('ticket.finished'), id, window: windowNo.optional(), happenedAt: z.number().int().optional() }),
  z.object({ type: z.literal('ticket.noShow'), id, window: windowNo.optional(), happenedAt: z.number().int().optional() }),
  z.object({ type: z.literal('ticket.held'), id, window: windowNo.optional() }),
  z.object({
    type: z.literal('ticket.transferred'),
    id,
    fromWindow: windowNo.optional(),
    toService: z.string(),
    toWindow: windowNo.optional(),
    reason,
    by: z.string().optional(),
    /** 指引 (H-06): the citizen was referred elsewhere rather than handed over. */
    referral: z.boolean().optional(),
  }),
  z.object({ type: z.literal('ticket.voided'), id, reason }),
  /**
   * The hall day ended with the ticket unfinished (written at the next day's opening, before it): a
   * service left open ends at `happenedAt` (the hall's closing time, or its start when it began
   * later), marked as ended by the day and not by the clerk; a ticket waiting, called or held stays
   * as it was, not served that day (未办理).
   */
  z.object({ type: z.literal('ticket.dayEnded'), id, happenedAt: z.number().int() }),
  /** A block of numbers a kiosk may give while no hub answers (应急取号); the hub's own numbering skips it. */
  z.object({ type: z.literal('lease.granted'), lease: NumberLeaseSchema }),
  /** A call typed at a window while no hub answered, whose ticket the hub does not know yet: it applies when its kiosk's record comes. */
  z.object({ type: z.literal('emergency.callRecorded'), call: EmergencyCallSchema }),
  /** A call typed at a window that cannot apply (another window served the number, or its day is over): kept for a supervisor. */
  z.object({ type: z.literal('emergency.callSetAside'), call: EmergencyCallSchema, reason: z.string().max(200) }),
  /** An emergency ticket of an earlier hall day, reconciled after midnight: kept in the hall's records, not in today's queue. */
  z.object({ type: z.literal('ticket.lateRecorded'), ticket: TicketSchema }),
  /** One outcome of a visit for one service item (H-07); the case as it now stands. */
  /** A new case as decided (see hall/case-events), or a continued one whole. */
  z.object({ type: z.literal('case.recorded'), outcome: z.enum(['accepted', 'correction', 'rejected', 'consultation']), case: z.union([CaseSchema, CaseGivenSchema]) }),
  /**
   * An outcome corrected in the same visit (H-07): the case as it now stands, the outcome it replaced
   * and why. Rare (a clerk's mistake), so it carries the case whole rather than what changed.
   */
  z.object({
    type: z.literal('case.amended'),
    outcome: z.enum(['accepted', 'correction', 'rejected', 'consultation']),
    from: z.enum(['accepted', 'correction', 'rejected', 'consultation']),
    reason: z.string().max(200),
    case: CaseSchema,
    by: z.string().optional(),
  }),
  /** A correction case whose deadline passed without the corrections: it lapses (its record stays). */
  z.object({ type: z.literal('case.lapsed'), number: z.string(), deadline: z.string() }),
  /** A rating: of a service waiting in the view, what was given (see RatingGiven); otherwise (a later second rating) whole. */
  z.object({ type: z.literal('rating.recorded'), rating: z.union([RatingSchema, RatingGivenSchema]) }),
  /** The citizen's reasons, text or aspects added to a rating already recorded at the press (only what was added). */
  z.object({
    type: z.literal('rating.amended'),
    ratingId: z.string(),
    ticketId: z.string(),
    aspects: RatingAspectsSchema,
    reasons: z.array(z.string().max(60)).max(10).default([]),
    text: z.string().max(500).optional(),
  }),
  z.object({ type: z.literal('followUp.opened'), followUp: FollowUpSchema }),
  // A follow-up of an earlier day, which the view does not hold, is carried as it stood.
  z.object({
    type: z.literal('followUp.advanced'),
    id,
    step: FollowUpStepSchema,
    note: z.string().max(500),
    by: z.string().optional(),
    evidence: z.array(EvidenceRefSchema).max(10).optional(),
    followUp: FollowUpSchema.optional(),
  }),
  z.object({ type: z.literal('followUp.appealed'), id, reason: z.string().max(500), by: z.string().optional(), followUp: FollowUpSchema.optional() }),
  z.object({ type: z.literal('followUp.appealDecided'), id, upheld: z.boolean(), note: z.string().max(500), by: z.string().optional(), followUp: FollowUpSchema.optional() }),
  // The cases that need someone are kept in the hall's records, not the view: their events carry them whole.
  z.object({ type: z.literal('complaint.changed'), action: z.enum(['registered', 'assigned', 'replied', 'escalated', 'closed']), complaint: ComplaintSchema }),
  z.object({ type: z.literal('caseRoute.changed'), action: z.enum(['handed', 'finished']), route: CaseRouteSchema }),
  z.object({ type: z.literal('delivery.recorded'), action: z.enum(['notify', 'send', 'hand-over', 'return-originals']), delivery: DeliverySchema }),
  z.object({ type: z.literal('window.opened'), window: windowNo, clerk: z.string().optional() }),
  /**
   * A window closed by its clerk, or by the hall day's end (`dayEnded`, written at the next day's
   * opening for a window left open): then at `happenedAt`, the hall's closing time or the start of a
   * pause that began later, so that a pause left open overnight is not a night long.
   */
  z.object({ type: z.literal('window.closed'), window: windowNo, dayEnded: z.literal(true).optional(), happenedAt: z.number().int().optional() }),
  z.object({ type: z.literal('window.paused'), window: windowNo, reason }),
  z.object({ type: z.literal('window.resumed'), window: windowNo }),
  z.object({ type: z.literal('devices.reported'), terminal: z.string(), role: z.string(), window: windowNo.optional(), devices: z.array(DeviceReportSchema).max(10) }),
  // Supervisors' alerts (H-04, H-16, H-18, N-03): raised once per occurrence of a condition, cleared when it ends.
  z.object({ type: z.literal('alert.raised'), id: z.string().max(200), key: z.string().max(200), subject: AlertSubjectSchema }),
  z.object({ type: z.literal('alert.cleared'), id: z.string().max(200) }),
  z.object({ type: z.literal('alert.acknowledged'), id: z.string().max(200) }),
]);
export type EventBody = z.infer<typeof EventBodySchema>;
export type EventType = EventBody['type'];

export const HallEventSchema = withFields(EventBodySchema, { seq: z.number().int().min(1), at: z.number().int(), commandId: z.string().optional(), staff: StaffRefSchema.optional() }) as unknown as z.ZodType<HallEvent>;
/** An event as logged: its place in the log, its time, the command that made it and the staff member who sent that command. */
export type HallEvent = EventBody & { seq: number; at: number; commandId?: string; staff?: StaffRef };
