import { z } from 'zod';
import type { QueuePolicy } from './catalogue';
import { changed } from './copy';
import { ok, refuse, type Result } from './result';

export const LaneSchema = z.enum(['ordinary', 'priority', 'appointment']);
export type Lane = z.infer<typeof LaneSchema>;

/** 绿色通道 reasons (N-06). */
export const PriorityReasonSchema = z.enum(['elderly', 'disabled', 'military', 'pregnant', 'other']);
export type PriorityReason = z.infer<typeof PriorityReasonSchema>;

export const TicketStateSchema = z.enum(['issued', 'called', 'serving', 'done', 'no-show', 'held', 'voided']);
export type TicketState = z.infer<typeof TicketStateSchema>;

export const AppointmentSchema = z.object({
  code: z.string().min(1).max(40),
  /** Slot start and end, epoch ms. */
  slotStart: z.number().int(),
  slotEnd: z.number().int(),
});
export type Appointment = z.infer<typeof AppointmentSchema>;

export const TransferSchema = z.object({
  at: z.number().int(),
  fromService: z.string(),
  toService: z.string(),
  fromWindow: z.number().int().optional(),
  toWindow: z.number().int().optional(),
  reason: z.string().max(200),
  by: z.string().optional(),
  /** 指引 (H-06): the citizen was referred to another window or department. */
  referral: z.boolean().optional(),
});
export type Transfer = z.infer<typeof TransferSchema>;

/**
 * How an emergency ticket was issued, as its kiosk recorded it: the kiosk's own clock at the press
 * (its issue time is that, set to the hub's clock as last known) and its place in the kiosk's own order.
 */
export const EmergencyIssueSchema = z.object({ terminalAt: z.number().int(), order: z.number().int().min(1) });
export type EmergencyIssue = z.infer<typeof EmergencyIssueSchema>;

export const TicketSchema = z.object({
  id: z.string(),
  /** Displayed number, prefix plus zero-padded sequence: A012. */
  number: z.string(),
  day: z.string(),
  serviceCode: z.string(),
  lane: LaneSchema,
  priorityReason: PriorityReasonSchema.optional(),
  appointment: AppointmentSchema.optional(),
  /** Taken on the citizen's phone (扫码取号), not at the kiosk: the window and the hall screen say so. */
  remote: z.boolean().optional(),
  state: TicketStateSchema,
  issuedAt: z.number().int(),
  /** The ticket's place in line for the day; a transfer keeps it. */
  place: z.number().int(),
  /** Set by a transfer to one window: only that window may call it. */
  targetWindow: z.number().int().optional(),
  window: z.number().int().optional(),
  clerk: z.string().optional(),
  /** 首问负责: the first clerk who received the citizen; kept through transfers (H-02). */
  firstClerk: z.string().optional(),
  calledAt: z.number().int().optional(),
  lastCalledAt: z.number().int().optional(),
  recalls: z.number().int().default(0),
  servingAt: z.number().int().optional(),
  finishedAt: z.number().int().optional(),
  heldAt: z.number().int().optional(),
  /** The hall day ended with it unfinished (ticket.dayEnded): a service then open was ended by the day, not the clerk; any other state was not served (未办理). */
  dayEndedAt: z.number().int().optional(),
  voidReason: z.string().optional(),
  transfers: z.array(TransferSchema).default([]),
  /** The terminal that issued it: a kiosk may void only its own tickets (its print failed). */
  issuedBy: z.string().optional(),
  /** 应急取号: issued by its kiosk from a number lease while no hub answered, and reconciled later. */
  emergency: EmergencyIssueSchema.optional(),
});
export type Ticket = z.infer<typeof TicketSchema>;

/** A new ticket as its ticket.issued event carries it: the rest follows from the day and the event's time. */
export const IssuedTicketSchema = TicketSchema.pick({ number: true, serviceCode: true, place: true, priorityReason: true, appointment: true, remote: true, emergency: true }).extend({
  /** Left out for the ordinary lane. */
  lane: LaneSchema.optional(),
  /** Only for a ticket issued before the event (an emergency ticket reconciled): otherwise the event's time. */
  issuedAt: z.number().int().optional(),
});
export type IssuedTicket = z.infer<typeof IssuedTicketSchema>;

/** States in which a ticket still waits for a window. */
export const isWaiting = (t: Ticket): boolean => t.state === 'issued';
export const isOpen = (t: Ticket): boolean => t.state === 'issued' || t.state === 'called' || t.state === 'serving' || t.state === 'held';

function illegal(t: Ticket, action: string): Result<never> {
  return refuse('illegal-transition', `ticket ${t.number} is ${t.state}; it cannot be ${action}`);
}

export function callTicket(t: Ticket, window: number, clerk: string | undefined, at: number): Result<Ticket> {
  if (t.state !== 'issued' && t.state !== 'held') return illegal(t, 'called');
  return ok(
    changed(t, {
      state: 'called',
      window,
      clerk,
      firstClerk: t.firstClerk ?? clerk,
      calledAt: t.calledAt ?? at,
      lastCalledAt: at,
      heldAt: undefined,
      targetWindow: undefined,
    }),
  );
}

export function recallTicket(t: Ticket, at: number, policy: Pick<QueuePolicy, 'recallLimit' | 'recallCooldownSeconds'>): Result<Ticket> {
  if (t.state !== 'called') return illegal(t, 'recalled');
  if (t.recalls >= policy.recallLimit)
    return refuse('recall-limit', `ticket ${t.number} has been recalled ${t.recalls} times, the limit`);
  const since = at - (t.lastCalledAt ?? 0);
  if (since < policy.recallCooldownSeconds * 1000)
    return refuse('recall-cooldown', `ticket ${t.number} was called ${Math.floor(since / 1000)} s ago; wait ${policy.recallCooldownSeconds} s between calls`);
  return ok(changed(t, { recalls: t.recalls + 1, lastCalledAt: at }));
}

export function startService(t: Ticket, at: number): Result<Ticket> {
  if (t.state !== 'called') return illegal(t, 'started');
  return ok(changed(t, { state: 'serving', servingAt: at }));
}

export function finishService(t: Ticket, at: number): Result<Ticket> {
  if (t.state !== 'serving') return illegal(t, 'finished');
  return ok(changed(t, { state: 'done', finishedAt: at }));
}

/** 弃号: called and did not come. */
export function markNoShow(t: Ticket, at: number): Result<Ticket> {
  if (t.state !== 'called') return illegal(t, 'marked no-show');
  return ok(changed(t, { state: 'no-show', finishedAt: at }));
}

/** 挂起: set aside (the citizen fetches a copy, say) and called back later by the same window. */
export function holdTicket(t: Ticket, at: number): Result<Ticket> {
  if (t.state !== 'called' && t.state !== 'serving') return illegal(t, 'held');
  return ok(changed(t, { state: 'held', heldAt: at }));
}

export interface TransferRequest {
  toService: string;
  toWindow?: number;
  reason: string;
  by?: string;
  at: number;
  referral?: boolean;
}

/** Back to waiting for another item or window, keeping its place and its first-responsible clerk (H-02). */
export function transferTicket(t: Ticket, req: TransferRequest): Result<Ticket> {
  if (t.state !== 'called' && t.state !== 'serving' && t.state !== 'held') return illegal(t, 'transferred');
  const transfer: Transfer = {
    at: req.at,
    fromService: t.serviceCode,
    toService: req.toService,
    fromWindow: t.window,
    toWindow: req.toWindow,
    reason: req.reason,
    by: req.by,
    ...(req.referral ? { referral: true } : {}),
  };
  return ok(
    changed(t, {
      state: 'issued',
      serviceCode: req.toService,
      targetWindow: req.toWindow,
      window: undefined,
      clerk: undefined,
      recalls: 0,
      lastCalledAt: undefined,
      servingAt: undefined,
      heldAt: undefined,
      transfers: [...t.transfers, transfer],
    }),
  );
}

/** A ticket that nobody holds (its print failed) leaves the queue (DESIGN rule 4). */
export function voidTicket(t: Ticket, reason: string): Result<Ticket> {
  if (t.state !== 'issued' && t.state !== 'called') return illegal(t, 'voided');
  return ok(changed(t, { state: 'voided', voidReason: reason }));
}
