import { z } from 'zod';
import { lineText, noteText } from './free-text';

// The cases that need someone: complaints (H-15), cases handed between departments (H-10) and the
// delivery of results (H-12). Each is kept whole in the hall's records; its events carry it whole.

/** The kinds of file a step's evidence may be (photos and PDF), and how large one may be. */
export const EVIDENCE_TYPES = ['image/jpeg', 'image/png', 'application/pdf'] as const;
export const MAX_EVIDENCE_BYTES = 5 * 1024 * 1024;

/** A file the hub stores apart from the log, by the SHA-256 of its content; events carry only this. */
export const EvidenceRefSchema = z.object({
  hash: z.string().regex(/^[0-9a-f]{64}$/, 'the SHA-256 of the file, in hex'),
  name: z.string().trim().min(1).max(100),
  type: z.enum(EVIDENCE_TYPES),
  size: z.number().int().min(1).max(MAX_EVIDENCE_BYTES),
});
export type EvidenceRef = z.infer<typeof EvidenceRefSchema>;

const note = noteText(1000);
const caseNumber = z.string().min(1).max(40);
const department = z.string().min(1).max(40);

/** Where a complaint came in (H-15): the 12345 hotline, the complaint window, the QR page, a letter. */
export const ComplaintSourceSchema = z.enum(['hotline-12345', 'complaint-window', 'qr', 'letter', 'other']);
export type ComplaintSource = z.infer<typeof ComplaintSourceSchema>;

export const ComplaintStateSchema = z.enum(['registered', 'assigned', 'replied', 'closed']);
export type ComplaintState = z.infer<typeof ComplaintStateSchema>;

/** What a complaint is about, where known: a ticket, a case, a window, a clerk. */
export const ComplaintAboutSchema = z.object({
  ticketId: z.string().min(1).max(80).optional(),
  caseNumber: caseNumber.optional(),
  window: z.number().int().min(1).max(999).optional(),
  clerk: z.string().min(1).max(16).optional(),
});

export const ComplaintSchema = z.object({
  id: z.string(),
  source: ComplaintSourceSchema,
  /** The hotline's own work-order number, a letter's reference. */
  sourceRef: z.string().max(60).optional(),
  receivedOn: z.string(),
  at: z.number().int(),
  summary: z.string().max(1000),
  /** Masked for every screen (H-19). */
  complainant: z.string().max(40).optional(),
  about: ComplaintAboutSchema.default({}),
  department: z.string().optional(),
  /** The last working day for the reply (H-15). */
  due: z.string(),
  state: ComplaintStateSchema,
  assigned: z.object({ department: z.string().optional(), staff: z.string().optional(), at: z.number().int(), by: z.string().optional(), note: z.string().optional() }).optional(),
  /** Raised to the hall's supervisor once the deadline passed without a reply. */
  escalated: z.object({ at: z.number().int(), to: z.literal('supervisor'), overdueSince: z.string() }).optional(),
  reply: z.object({ at: z.number().int(), channel: z.enum(['phone', 'sms', 'letter', 'in-person', 'hotline']), text: z.string(), by: z.string().optional() }).optional(),
  closed: z.object({ at: z.number().int(), note: z.string(), by: z.string().optional(), satisfied: z.boolean().optional() }).optional(),
  history: z.array(z.object({ at: z.number().int(), action: z.string(), by: z.string().optional(), note: z.string().optional() })).default([]),
});
export type Complaint = z.infer<typeof ComplaintSchema>;

/** One department's hold of a case handed between departments (H-10). */
export const RouteStepSchema = z.object({
  department: z.string(),
  from: z.string().optional(),
  at: z.number().int(),
  /** The hall day it was handed over. */
  on: z.string(),
  by: z.string().optional(),
  due: z.string(),
  note: z.string(),
  doneAt: z.number().int().optional(),
});
export type RouteStep = z.infer<typeof RouteStepSchema>;

export const CaseRouteSchema = z.object({
  caseNumber: z.string(),
  serviceCode: z.string(),
  state: z.enum(['moving', 'done']),
  steps: z.array(RouteStepSchema),
});
export type CaseRoute = z.infer<typeof CaseRouteSchema>;

/** How a case's result reaches the citizen (H-12). */
export const DeliveryMethodSchema = z.enum(['window', 'post', 'electronic']);
export type DeliveryMethod = z.infer<typeof DeliveryMethodSchema>;
export const NoticeChannelSchema = z.enum(['sms', 'phone', 'app', 'letter']);

export const DeliverySchema = z.object({
  caseNumber: z.string(),
  method: DeliveryMethodSchema.optional(),
  notices: z.array(z.object({ at: z.number().int(), channel: NoticeChannelSchema, by: z.string().optional() })).default([]),
  sent: z.object({ at: z.number().int(), method: DeliveryMethodSchema, trackingNumber: z.string().optional(), by: z.string().optional() }).optional(),
  /** Handed over or received: who signed for it (masked). */
  delivered: z.object({ at: z.number().int(), signedBy: z.string().optional(), by: z.string().optional() }).optional(),
  originals: z.object({ at: z.number().int(), items: z.string(), signedBy: z.string(), by: z.string().optional() }).optional(),
});
export type Delivery = z.infer<typeof DeliverySchema>;

export const CreateComplaintCommandSchema = z.object({
  type: z.literal('createComplaint'),
  source: ComplaintSourceSchema,
  sourceRef: lineText(60).optional(),
  summary: note,
  complainant: lineText(40).optional(),
  about: ComplaintAboutSchema.optional(),
  department: department.optional(),
});

export const AdvanceComplaintCommandSchema = z.object({
  type: z.literal('advanceComplaint'),
  complaintId: z.string().min(1).max(40),
  action: z.enum(['assign', 'reply', 'close']),
  department: department.optional(),
  staff: z.string().min(1).max(40).optional(),
  channel: z.enum(['phone', 'sms', 'letter', 'in-person', 'hotline']).optional(),
  note,
  satisfied: z.boolean().optional(),
});

export const RouteCaseCommandSchema = z.object({
  type: z.literal('routeCase'),
  caseNumber,
  /** The department the case goes to; leave out with `finish` when the last department is done with it. */
  toDepartment: department.optional(),
  finish: z.boolean().optional(),
  /** Working days the receiving department has; the hall's routing days when left out. */
  days: z.number().int().min(1).max(60).optional(),
  note,
});

export const RecordDeliveryCommandSchema = z.object({
  type: z.literal('recordDelivery'),
  caseNumber,
  action: z.enum(['notify', 'send', 'hand-over', 'return-originals']),
  method: DeliveryMethodSchema.optional(),
  channel: NoticeChannelSchema.optional(),
  trackingNumber: z.string().trim().regex(/^[0-9A-Za-z-]{6,40}$/, 'a tracking number of 6 to 40 letters and digits').optional(),
  signedBy: lineText(40).optional(),
  items: noteText(300).optional(),
});

/** Working days a complaint has for its reply, and a department for a case handed to it (the hall's rules). */
export const DEFAULT_COMPLAINT_DAYS = 5;
export const DEFAULT_ROUTE_DAYS = 3;
