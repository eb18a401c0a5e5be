import { z } from 'zod';
import {
  CatalogueSchema,
  CaseSchema,
  CommandSchema,
  DeviceReportSchema,
  EmergencyCallSchema,
  NumberLeaseSchema,
  FollowUpSchema,
  RatingSchema,
  HallEventSchema,
  TicketSchema,
  PendingChangeSchema,
  StaffRefSchema,
  type HallEvent,
  type HallSnapshot,
} from '@servicehall/core';

export { CommandSchema, CommandBodySchema, HallEventSchema, EventBodySchema, CatalogueSchema, TicketSchema } from '@servicehall/core';
export { newCommandId } from './command-id';

/** Version of the wire protocol; a terminal and a hub of different versions refuse each other politely. */
export const PROTOCOL_VERSION = 1;

/** Largest message either side accepts, in bytes. */
export const MAX_MESSAGE_BYTES = 512 * 1024;

export const RoleSchema = z.enum(['kiosk', 'window', 'rating-pad', 'display', 'admin']);
export type Role = z.infer<typeof RoleSchema>;

export const RefusalCodeSchema = z.enum([
  'bad-request',
  'unauthorised',
  'forbidden',
  'not-found',
  'illegal-transition',
  'recall-limit',
  'recall-cooldown',
  'queue-empty',
  'not-served-here',
  'outside-issuing-hours',
  'daily-quota-reached',
  'numbers-exhausted',
  'window-closed',
  'window-busy',
  'appointment-unknown',
  'appointment-used',
  'appointment-wrong-day',
  'conflict',
  'too-large',
  'already-rated',
  'outcome-recorded',
  'notice-breach',
  'locked',
  'unconfigured',
  'closed-today',
  'pin-change-required',
  'phone-limit',
  'code-limit',
  'address-code-limit',
  'codes-spent',
  'remote-closed',
  'slot-unavailable',
  'slot-full',
  'booking-limit',
  'booking-blocked',
  'appointment-cancelled',
  'appointment-withdrawn',
  'phone-unverified',
  'case-lapsed',
  'command-expired',
  'clock-ahead',
  'internal',
  'method-not-allowed',
  'id-reused',
  'rate-limited',
  'sign-in-paused',
  'too-many-connections',
  'disk-full',
  /** A standby hub, or a primary that learnt of a newer one: it takes no commands (see the hub's replication). */
  'not-in-charge',
  /** The hub stopped before an operation of the console was done (a workbook being read). */
  'cancelled',
]);

export const AnswerSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    seq: z.number().int(),
    ticket: TicketSchema.optional(),
    /** A new ticket's progress page, path and query signed by the hub (/q/<id>?e=...&s=...): the terminal puts its public address before it. */
    link: z.string().max(300).optional(),
  }),
  z.object({
    ok: z.literal(false),
    code: RefusalCodeSchema,
    message: z.string(),
    tickets: z.array(z.string()).optional(),
    materials: z.array(z.string()).optional(),
    /** With rate-limited: when the hub takes this terminal's next command (the command is not stored: send it again then). */
    retryAfterMs: z.number().int().min(0).optional(),
  }),
]);
export type Answer = z.infer<typeof AnswerSchema>;

export const WindowStateSchema = z.object({
  number: z.number().int(),
  open: z.boolean(),
  clerk: z.string().optional(),
  pausedSince: z.number().int().optional(),
  pauseReason: z.string().optional(),
  dayEndedAt: z.number().int().optional(),
  memory: z.object({ ordinarySincePriority: z.number().int() }),
});

export const HallSnapshotSchema = z.object({
  seq: z.number().int().min(0),
  day: z.string(),
  catalogue: CatalogueSchema,
  tickets: z.array(TicketSchema),
  windows: z.array(WindowStateSchema),
  counters: z.record(z.string(), z.number().int()),
  serviceTimes: z.record(z.string(), z.array(z.number())),
  appointments: z.array(
    z.object({
      code: z.string(),
      serviceCode: z.string(),
      day: z.string(),
      slotStart: z.number().int(),
      slotEnd: z.number().int(),
      ticketId: z.string().optional(),
      remote: z.boolean().optional(),
      cancelledAt: z.number().int().optional(),
      withdrawn: z.object({ itemName: z.string(), itemNameEn: z.string().optional() }).optional(),
    }),
  ),
  nextPlace: z.number().int(),
  devices: z.array(z.object({ terminal: z.string(), role: z.string(), window: z.number().int().optional(), at: z.number().int(), devices: z.array(DeviceReportSchema) })).default([]),
  cases: z.array(CaseSchema).default([]),
  ratingRequests: z
    .array(z.object({ ticketId: z.string(), ticketNumber: z.string(), window: z.number().int(), clerk: z.string().optional(), serviceCode: z.string(), finishedAt: z.number().int(), caseNumbers: z.array(z.string()) }))
    .default([]),
  ratings: z.array(RatingSchema).default([]),
  followUps: z.array(FollowUpSchema).default([]),
  pending: z
    .array(
      z.object({
        id: z.number().int(),
        at: z.number().int(),
        staff: StaffRefSchema.optional(),
        change: PendingChangeSchema,
        overtaken: z.object({ seq: z.number().int(), at: z.number().int(), staff: StaffRefSchema.optional(), window: z.number().int().optional() }).optional(),
      }),
    )
    .default([]),
  leases: z.array(NumberLeaseSchema).default([]),
  emergencyCalls: z.array(EmergencyCallSchema).default([]),
});

// ---- terminal to hub ----

export const HelloSchema = z.object({
  type: z.literal('hello'),
  protocol: z.literal(PROTOCOL_VERSION),
  role: RoleSchema,
  /** The terminal's own stable id, e.g. "kiosk-1". */
  terminal: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/),
  window: z.number().int().min(1).max(999).optional(),
  token: z.string().min(1).max(200),
  /** Last event sequence the terminal has applied; absent for a terminal with no view yet. */
  since: z.number().int().min(0).optional(),
  /** The terminal software's version, for the console's terminal list. */
  version: z.string().max(40).optional(),
  /** The event log that sequence belongs to, as the hub's welcome named it (a restored hub has a new one). */
  log: z.string().regex(/^[0-9a-f]{1,64}$/).optional(),
  /** Commands in the terminal's outbox, not yet answered. */
  waiting: z.number().int().min(0).optional(),
  /** The highest hub epoch the terminal has seen (fencing): a hub behind it learns that another is in charge. */
  epoch: z.number().int().min(1).optional(),
  /** The proof the hub in charge gave with that epoch (`epochProof` of its welcome or answer): without it a hub does not step down for the epoch. */
  epochProof: z.string().max(100).optional(),
  /**
   * The terminal knows the hall's other hub (its standby) and, refused or cut off here, tries it before
   * it comes back: a hub not in charge counts its looks for the hub in charge. Absent: a terminal given
   * only this hub's address (or of a release before it), which never tries the other.
   */
  triesOtherHubs: z.boolean().optional(),
});
export type Hello = z.infer<typeof HelloSchema>;

/** A terminal without a credential asks to be enrolled; it shows the code it gets until an administrator confirms it. */
export const PairSchema = z.object({
  type: z.literal('pair'),
  protocol: z.literal(PROTOCOL_VERSION),
  role: z.enum(['kiosk', 'window', 'rating-pad', 'display']),
  terminal: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/),
  window: z.number().int().min(1).max(999).optional(),
  version: z.string().max(40).optional(),
});
export type Pair = z.infer<typeof PairSchema>;

/** What a terminal may ask the hub without changing anything; the answer is a `reply` with the same id. */
export const QuestionSchema = z.discriminatedUnion('kind', [
  /** The pad of the window that served a ticket asks for the link of its phone rating page (signed by the hub). */
  z.object({ kind: z.literal('ratingLink'), ticketId: z.string().min(1).max(80) }),
  /** A case's progress with numbers and states only (what a kiosk shows a citizen). */
  z.object({ kind: z.literal('caseProgress'), caseNumber: z.string().min(1).max(64) }),
  /** Today's ticket behind a live page's reference (a scanned ticket QR code): the hub alone makes references. */
  z.object({ kind: z.literal('ticketByRef'), ref: z.string().regex(/^[A-Za-z0-9_-]{22}$/) }),
]);
export type Question = z.infer<typeof QuestionSchema>;

export const TerminalMessageSchema = z.discriminatedUnion('type', [
  HelloSchema,
  PairSchema,
  z.object({ type: z.literal('subscribe'), since: z.number().int().min(0).optional() }),
  /** `epoch`: the hub epoch the terminal last saw; kept outside the command so that a retry across a failover asks the same. */
  z.object({ type: z.literal('command'), command: CommandSchema, epoch: z.number().int().min(1).optional(), epochProof: z.string().max(100).optional() }),
  z.object({ type: z.literal('ping'), t: z.number().optional(), waiting: z.number().int().min(0).optional() }),
  z.object({ type: z.literal('ask'), id: z.string().min(1).max(80), question: QuestionSchema }),
]);
export type TerminalMessage = z.infer<typeof TerminalMessageSchema>;

// ---- hub to terminal ----

export type Reply = { type: 'reply'; id: string; ok: true; value: Record<string, unknown> } | { type: 'reply'; id: string; ok: false; code: z.infer<typeof RefusalCodeSchema>; message: string };

export type HubMessage =
  | { type: 'welcome'; protocol: number; terminal: string; role: Role; seq: number; hubTime: number; log?: string; epoch?: number; epochProof?: string }
  | Reply
  | { type: 'snapshot'; snapshot: HallSnapshot }
  | { type: 'events'; events: HallEvent[] }
  | { type: 'answer'; commandId: string; answer: Answer; epoch?: number; epochProof?: string }
  | { type: 'error'; code: z.infer<typeof RefusalCodeSchema>; message: string; commandId?: string }
  | { type: 'pong'; t?: number; hubTime: number }
  | { type: 'pairing'; code: string; expiresAt: number; hubTime?: number; timeZone?: string }
  | { type: 'paired'; token: string; role: Pair['role']; terminal: string; window?: number; expiresAt: number };

export const HubMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('welcome'), protocol: z.number().int(), terminal: z.string(), role: RoleSchema, seq: z.number().int(), hubTime: z.number(), log: z.string().optional(), epoch: z.number().int().optional(), epochProof: z.string().max(100).optional() }),
  z.discriminatedUnion('ok', [
    z.object({ type: z.literal('reply'), id: z.string(), ok: z.literal(true), value: z.record(z.string(), z.unknown()) }),
    z.object({ type: z.literal('reply'), id: z.string(), ok: z.literal(false), code: RefusalCodeSchema, message: z.string() }),
  ]),
  z.object({ type: z.literal('snapshot'), snapshot: HallSnapshotSchema }),
  z.object({ type: z.literal('events'), events: z.array(HallEventSchema) }),
  z.object({ type: z.literal('answer'), commandId: z.string(), answer: AnswerSchema, epoch: z.number().int().optional(), epochProof: z.string().max(100).optional() }),
  z.object({ type: z.literal('error'), code: RefusalCodeSchema, message: z.string(), commandId: z.string().optional() }),
  z.object({ type: z.literal('pong'), t: z.number().optional(), hubTime: z.number() }),
  // hubTime: the hub's clock as it gave the code (a hub of an earlier release sends none), for the terminal to tell how long the code lasts.
  // timeZone: the hall's, in which the terminal says until when the code is good (not its PC's own zone).
  z.object({ type: z.literal('pairing'), code: z.string().regex(/^\d{6}$/), expiresAt: z.number(), hubTime: z.number().optional(), timeZone: z.string().max(64).optional() }),
  z.object({
    type: z.literal('paired'),
    token: z.string().min(1).max(200),
    role: z.enum(['kiosk', 'window', 'rating-pad', 'display']),
    terminal: z.string(),
    window: z.number().int().optional(),
    expiresAt: z.number(),
  }),
]);

/**
 * A run of hall events as JSON without its brackets: a piece of an events message, made once and
 * shared by every terminal it goes to (the hub's fan-out writes the same bytes to many).
 */
export type EventsJson = string & { readonly __eventsJson: true };

export function eventsJson(events: readonly HallEvent[]): EventsJson {
  return JSON.stringify(events).slice(1, -1) as EventsJson;
}

/** The bytes of an events message (HubMessage) before its list: the message's own shape, so that a change of it changes them. */
const EVENTS_OPENING = JSON.stringify({ type: 'events', events: [] } satisfies HubMessage).slice(0, -'[]}'.length);

/** An events message holding `runs` in order, as JSON.stringify({ type: 'events', events }) would give it. */
export function eventsMessage(runs: readonly EventsJson[]): string {
  return `${EVENTS_OPENING}[${runs.filter((run) => run.length > 0).join(',')}]}`;
}

/** What a terminal's screen shows of its link to the hub: online; reconnecting since T; offline with N commands waiting. */
export type ConnectionState =
  | { status: 'connecting'; since: number; waiting: number }
  | { status: 'online'; since: number; waiting: number }
  | { status: 'reconnecting'; since: number; attempt: number; waiting: number }
  | { status: 'offline'; since: number; waiting: number; reason?: string };

// ---- HTTP bodies ----

export const IssueTicketBodySchema = z.object({
  serviceCode: z.string().min(1).max(40),
  lane: z.enum(['ordinary', 'priority']).optional(),
  priorityReason: z.enum(['elderly', 'disabled', 'military', 'pregnant', 'other']).optional(),
});
export const TransferBodySchema = z.object({
  ticketId: z.string().min(1).max(80).optional(),
  toService: z.string().min(1).max(40).optional(),
  toWindow: z.number().int().min(1).max(999).optional(),
  reason: z.string().trim().min(1).max(200),
  /** 指引 (H-06): a referral to another window or department rather than a hand-over. */
  referral: z.boolean().optional(),
});
export const OpenWindowBodySchema = z.object({ clerk: z.string().max(16).optional() });
export const PauseBodySchema = z.object({ reason: z.string().trim().min(1).max(200) });
export const AppointmentBodySchema = z.object({
  code: z.string().trim().min(1).max(40),
  serviceCode: z.string().min(1).max(40),
  slotStart: z.number().int(),
  slotEnd: z.number().int(),
});

/** Parses JSON text into a message of `schema`, or says in one line what is wrong with it. */
export function parseMessage<T>(schema: z.ZodType<T>, text: string): { ok: true; value: T } | { ok: false; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, message: 'the message is not valid JSON' };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, message: describeIssues(parsed.error) };
}

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`)
    .join('; ');
}
