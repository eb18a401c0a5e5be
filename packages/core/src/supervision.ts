import { z } from 'zod';
import { RatingLevelSchema } from './ratings';
import { StaffRefSchema } from './staff';

// What the hall's supervisors are alerted to (H-04, H-16, H-18, N-03), as data: each alert's
// subject has the fields of the notice that packages/notify sends for it, so that the console and
// the notification channels say the same thing.

const windowNo = z.number().int().min(1).max(999);
const minutes = z.number().int().min(0).max(100_000);
const department = z.string().min(1).max(40);

export const OVERDUE_KINDS = ['follow-up', 'complaint', 'case-route', 'delivery'] as const;

export const AlertSubjectSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('wait-threshold'),
    serviceCode: z.string(),
    item: z.string(),
    waiting: z.number().int().min(0),
    longestMinutes: minutes,
    thresholdMinutes: minutes,
    /** The hall's count of people waiting, when that (not the minutes) raised it. */
    waitingCount: z.number().int().min(1).optional(),
    department: department.optional(),
  }),
  z.object({ kind: z.literal('long-pause'), window: windowNo, minutes, allowedMinutes: minutes, department: department.optional() }),
  z.object({
    kind: z.literal('device-fault'),
    terminal: z.string(),
    device: z.enum(['printer', 'display', 'keypad', 'voice', 'scanner', 'screen']),
    fault: z.string(),
    /** Which port, what is wrong and what to do, as the terminal said it (terminals of an older release say none). */
    detail: z.string().max(200).optional(),
  }),
  z.object({ kind: z.literal('terminal-offline'), terminal: z.string(), minutes }),
  z.object({ kind: z.literal('devices-not-ready'), terminals: z.array(z.string()).min(1).max(50), opensAt: z.string() }),
  z.object({
    kind: z.literal('bad-rating'),
    window: windowNo,
    level: RatingLevelSchema.extract(['dissatisfied', 'very-dissatisfied']),
    ticket: z.string(),
    item: z.string(),
    /** The item's code, by which a channel in another language names it (alerts raised before it say only its name). */
    serviceCode: z.string().optional(),
    department: department.optional(),
  }),
  z.object({ kind: z.literal('overdue'), subject: z.enum(OVERDUE_KINDS), reference: z.string(), due: z.string(), department: department.optional() }),
  // The hub in charge has had no standby in step for a while: a failure of its PC now would stop the hall.
  z.object({ kind: z.literal('standby-unlinked'), state: z.enum(['none', 'behind']), minutes }),
]);
export type AlertSubject = z.infer<typeof AlertSubjectSchema>;
export type AlertKind = AlertSubject['kind'];

/** An alert as the hall records it: raised once per occurrence of its condition, acknowledged by a staff member, cleared when the condition ends. */
export const HallAlertSchema = z.object({
  /** The occurrence: its condition's key and the moment it was raised. */
  id: z.string(),
  /** The condition: `wait:C01`, `pause:3:<since>`, `device:kiosk-1:printer:paper-end`, `rating:<id>` ... */
  key: z.string(),
  subject: AlertSubjectSchema,
  raisedAt: z.number().int(),
  acknowledged: z.object({ at: z.number().int(), by: StaffRefSchema.optional() }).optional(),
  clearedAt: z.number().int().optional(),
});
export type HallAlert = z.infer<typeof HallAlertSchema>;

/** A terminal's link as the hub sees it: whether it is connected now and when it was last heard. */
export const TerminalPresenceSchema = z.object({
  terminal: z.string().min(1).max(80),
  role: z.string().max(20),
  window: windowNo.optional(),
  online: z.boolean(),
  lastSeen: z.number().int().optional(),
});
export type TerminalPresence = z.infer<typeof TerminalPresenceSchema>;

/**
 * The hub in charge's standby, as the hub sees it when one is configured (SERVICEHALL_PEER) and it
 * is not in step: none linked, or linked and behind (the primary answers without it); since when.
 */
export const StandbyLinkSchema = z.object({ state: z.enum(['none', 'behind']), since: z.number().int() });
export type StandbyLink = z.infer<typeof StandbyLinkSchema>;

/** Something past its deadline in the hall's records (a follow-up step, a complaint, a case route, a delivery). */
export const OverdueReportSchema = z.object({ subject: z.enum(OVERDUE_KINDS), reference: z.string().min(1).max(40), due: z.string(), department: department.optional() });
/** An overdue item as the alerts see it (from `overdueItems`, which names the casework the hub holds). */
export type OverdueReport = z.infer<typeof OverdueReportSchema>;
