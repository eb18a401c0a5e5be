import { CaseStateSchema, LaneSchema, MaterialSchema, TicketStateSchema } from '@servicehall/core';
import { z } from 'zod';

// The citizen's phone and the hub's public phone API (/api/phone/...): what each side sends and
// gets. Numbers, items and times only: no name, no ID number, no phone number but a masked one (H-19).

/** An opaque public reference (an HMAC): it names no ticket, no day, no person, and cannot be guessed. */
export const PublicRefSchema = z.string().regex(/^[A-Za-z0-9_-]{22}$/);

export const PhoneItemSchema = z.object({
  code: z.string(),
  name: z.string(),
  nameEn: z.string().optional(),
  department: z.string(),
  departmentEn: z.string().optional(),
  /** Tickets of this item waiting now (a plain count). */
  waiting: z.number().int(),
  /** The people the windows will call before a number taken now (what the kiosk's card and the ticket say). */
  ahead: z.number().int(),
  minutes: z.number().int(),
  noWindowOpen: z.boolean(),
  /** A number can be taken by phone now: within the issuing hours, quota not spent. */
  issuingNow: z.boolean(),
  /** 08:30-11:30, 13:30-17:00 */
  issuingHours: z.string(),
  /** Numbers left today under the item's daily quota (absent: no quota). */
  quotaLeft: z.number().int().optional(),
  bookable: z.boolean(),
});
export type PhoneItem = z.infer<typeof PhoneItemSchema>;

export const PhoneHallSchema = z.object({
  hallName: z.string(),
  hallNameEn: z.string().optional(),
  complaintPhone: z.string(),
  timeZone: z.string(),
  today: z.string(),
  items: z.array(PhoneItemSchema),
  remoteTickets: z.boolean(),
  ticketsPerPersonPerDay: z.number().int(),
  nearAhead: z.number().int(),
  daysAhead: z.number().int(),
  /** The hall's missed-booking rule (弃号): `count` bookings missed within `withinDays` days pause booking for `blockDays` days. */
  noShow: z.object({ count: z.number().int(), withinDays: z.number().int(), blockDays: z.number().int() }).optional(),
  /** The hall can send a one-time code (it has an SMS channel): without one, phones cannot verify. */
  sms: z.boolean(),
});
export type PhoneHall = z.infer<typeof PhoneHallSchema>;

export const PhoneGuideSchema = z.object({
  code: z.string(),
  name: z.string(),
  nameEn: z.string().optional(),
  department: z.string(),
  conditions: z.array(z.string()),
  materials: z.array(MaterialSchema),
  steps: z.array(z.string()),
  fees: z.string(),
  legalLimitDays: z.number().int(),
  promisedLimitDays: z.number().int(),
  issuingHours: z.string(),
  onlineUrl: z.string().optional(),
});
export type PhoneGuide = z.infer<typeof PhoneGuideSchema>;

/** A ticket as a phone following it sees it, pushed again whenever any of it changes. */
export const PhoneTicketSchema = z.object({
  ref: PublicRefSchema,
  number: z.string(),
  day: z.string(),
  serviceCode: z.string(),
  itemName: z.string(),
  itemNameEn: z.string().optional(),
  lane: LaneSchema,
  remote: z.boolean(),
  state: TicketStateSchema,
  /**
   * The people the windows that may call this ticket call first, and the expected wait (H-09: the
   * queue policy played forward, as every screen of the hall says it): about `minutes`, within
   * `range`; 0 once called.
   */
  ahead: z.number().int(),
  minutes: z.number().int(),
  range: z.object({ low: z.number().int(), high: z.number().int() }).optional(),
  noWindowOpen: z.boolean(),
  window: z.number().int().optional(),
  windowName: z.string().optional(),
  windowNameEn: z.string().optional(),
  issuedAt: z.number().int(),
  calledAt: z.number().int().optional(),
  /** The hall's "near" threshold: the phone alerts once at this many ahead or fewer. */
  nearAhead: z.number().int(),
  /** SMS alerts go to the phone that took this number. */
  sms: z.boolean(),
  /** Where to rate the service, once it is done and not yet rated. */
  rateUrl: z.string().optional(),
  /** Cases recorded on this visit, for their progress. */
  cases: z.array(z.string()).default([]),
  /** The hub's event sequence at the last change: it rises with every change, across restarts too; the long-poll fallback waits for a higher one. */
  version: z.number().int(),
});
export type PhoneTicket = z.infer<typeof PhoneTicketSchema>;

export const PhoneSlotSchema = z.object({
  start: z.number().int(),
  end: z.number().int(),
  from: z.string(),
  to: z.string(),
  capacity: z.number().int(),
  left: z.number().int(),
});
export type PhoneSlot = z.infer<typeof PhoneSlotSchema>;

export const PhoneSlotsSchema = z.object({
  serviceCode: z.string(),
  days: z.array(z.object({ day: z.string(), slots: z.array(PhoneSlotSchema) })),
});
export type PhoneSlots = z.infer<typeof PhoneSlotsSchema>;

export const PhoneAppointmentSchema = z.object({
  ref: PublicRefSchema,
  /** What the kiosk checks in: typed, or scanned from the QR code that encodes it. */
  code: z.string(),
  serviceCode: z.string(),
  itemName: z.string(),
  itemNameEn: z.string().optional(),
  day: z.string(),
  from: z.string(),
  to: z.string(),
  slotStart: z.number().int(),
  slotEnd: z.number().int(),
  state: z.enum(['booked', 'checked-in', 'cancelled', 'missed']),
  /** Cancelled by the hall, not the citizen: its item is no longer offered here (a setup removed it or gave it another code). */
  withdrawn: z.boolean().optional(),
  /** The live page of the number given at check-in. */
  ticketRef: PublicRefSchema.optional(),
  cancellable: z.boolean(),
});
export type PhoneAppointment = z.infer<typeof PhoneAppointmentSchema>;

export const PhoneMineSchema = z.object({
  phone: z.string(),
  tickets: z.array(PhoneTicketSchema),
  appointments: z.array(PhoneAppointmentSchema),
});
export type PhoneMine = z.infer<typeof PhoneMineSchema>;

export const PhoneCaseSchema = z.object({
  caseNumber: z.string(),
  serviceCode: z.string(),
  itemName: z.string(),
  itemNameEn: z.string().optional(),
  state: CaseStateSchema,
  acceptedOn: z.string().optional(),
  promisedDue: z.string().optional(),
  legalDue: z.string().optional(),
  /** For a case waiting for corrections: the materials still asked for, by name. */
  missing: z.array(z.string()).default([]),
});
export type PhoneCase = z.infer<typeof PhoneCaseSchema>;

const phoneNumber = z.string().trim().min(5).max(20);

export const SendCodeBodySchema = z.object({ phone: phoneNumber });
export const VerifyBodySchema = z.object({ phone: phoneNumber, code: z.string().trim().regex(/^\d{6}$/, '6 digits') });
export const TakeRemoteBodySchema = z.object({ serviceCode: z.string().min(1).max(40) });
export const BookBodySchema = z.object({ serviceCode: z.string().min(1).max(40), slotStart: z.number().int(), slotEnd: z.number().int() });

/** `expiresAt` is by the hub's clock; `expiresInMs` lets a phone whose own clock is not the hub's keep the session as long. */
export const VerifiedSchema = z.object({ ok: z.literal(true), session: z.string(), phone: z.string(), expiresAt: z.number().int(), expiresInMs: z.number().int() });
export type Verified = z.infer<typeof VerifiedSchema>;

export { PHONE_SESSION_HEADER } from './phone-session';
